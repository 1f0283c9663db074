// SPDX-License-Identifier: Apache-2.0
#include "phonesecd/parts.h"

#include <linux/capability.h>
#include <pwd.h>

#include <cstdlib>

#include "common/text.h"
#include "dot1x/worker.h"
#include "tls/cipher_list.h"
#include "tls/from_config.h"
#include "media/service.h"
#include "prov/worker.h"
#include "vpn/worker.h"

namespace phonesec::daemon {
namespace {

// Parts that parse what the network sends and need no file of root's run as nobody.
Privileges unprivileged() {
  Privileges p;
  if (const passwd* pw = getpwnam("nobody")) {
    p.uid = pw->pw_uid;
    p.gid = pw->pw_gid;
  } else {
    p.uid = p.gid = 65534;
  }
  return p;
}

}  // namespace

const std::vector<std::string>& part_names() {
  static const std::vector<std::string> names{"dot1x", "prov", "vpn", "media"};
  return names;
}

Privileges part_privileges(const std::string& part) {
  // 802.1X: packet sockets (EAPOL) and the bridge's group_fwd_mask; it reads the device key
  // and keeps the PAC file, so it stays uid 0 — without root's other capabilities.
  if (part == "dot1x") return {{CAP_NET_RAW, CAP_NET_ADMIN}, 0, 0};
  // VPN: its tun device, addresses and routes (the controller attaches the firewall).
  if (part == "vpn") return {{CAP_NET_ADMIN}, 0, 0};
  return unprivileged();
}

bool part_wanted(const std::string& part, const config::PhoneConfig& c) {
  if (part == "vpn") return !c.vpn.server.empty();
  if (part == "media") {  // a line that is on and has somewhere to send its SIP
    for (const auto& l : c.lines)
      if (l.enable && (!l.proxy.empty() || !l.outbound_proxy.empty())) return true;
    return false;
  }
  return part == "prov";
}

bool same_settings(const std::string& part, const config::PhoneConfig& a, const config::PhoneConfig& b) {
  if (part == "dot1x") return a.dot1x == b.dot1x;
  if (part == "vpn") return a.vpn == b.vpn;
  if (part == "media")
    return a.lines == b.lines && a.rtp_port_min == b.rtp_port_min && a.rtp_port_max == b.rtp_port_max &&
           a.tls_cipher_list == b.tls_cipher_list;
  if (part == "prov")
    return a.prov == b.prov && a.resync == b.resync && a.syslog == b.syslog && a.http_proxy == b.http_proxy &&
           a.tls_cipher_list == b.tls_cipher_list;
  return a == b;
}

bool secret_for(const std::string& part, std::string_view param) {
  if (part == "vpn") return text::iequals(param, "VPN_Password");
  if (part == "prov") return text::iequals(param, "Proxy_Password");
  if (part == "media") {  // the lines' SIP passwords (Auth_INVITE_n_, registration)
    std::string_view p = param;
    return p.size() > 9 && text::iequals(p.substr(0, 9), "Password_");
  }
  return false;
}

Json tls_status(const config::PhoneConfig& c) {
  tls::TlsPolicy p(tls::tls_policy_options(c));
  Json j;
  j["cipher_list"] = c.tls_cipher_list;
  j["applies"] = p.configured_list_applies();
  j["provisioning_ciphers"] = p.cipher_list(tls::TlsApp::provisioning);
  j["sip_ciphers"] = p.cipher_list(tls::TlsApp::sip);
  j["error"] = p.cipher_list_error() ? Json(p.cipher_list_error()->message()) : Json(nullptr);
  return j;
}

Status run_part(const std::string& part, Channel& ch) {
  if (part == "dot1x") return dot1x::run_worker(ch);
  if (part == "vpn") return vpn::run_worker(ch);
  if (part == "prov") return prov::run_worker(ch);
  if (part == "media") {
    media::ServiceOptions o;
    if (const char* ca = std::getenv("PHONESEC_CA_FILE"); ca && *ca) o.ca_file = ca;  // the device's trust
    return media::run_worker(ch, o);
  }
  return make_error(Errc::not_found, "no worker named '" + part + "'");
}

}  // namespace phonesec::daemon

// SPDX-License-Identifier: Apache-2.0
#include "dot1x/options.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>

namespace phonesec::dot1x {
namespace {

struct Opt {
  const char* help;
  std::function<Status(Dot1xOptions&, const std::string&)> set;
};

Status parse_bool(const std::string& name, const std::string& v, bool& out) {
  if (v == "yes" || v == "Yes" || v == "1" || v == "true") out = true;
  else if (v == "no" || v == "No" || v == "0" || v == "false") out = false;
  else return make_error(Errc::invalid_argument, "--" + name + ": \"" + v + "\" is not yes/no");
  return {};
}

Status parse_ms(const std::string& name, const std::string& v, Millis& out) {
  long n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || p != v.data() + v.size() || n <= 0)
    return make_error(Errc::invalid_argument, "--" + name + ": \"" + v + "\" is not a positive number of milliseconds");
  out = Millis(n);
  return {};
}

const std::map<std::string, Opt>& table() {
  static const std::map<std::string, Opt> t = {
      {"enable", {"yes|no: Enable_802.1X_Authentication (default no)",
                  [](Dot1xOptions& o, const std::string& v) { return parse_bool("enable", v, o.enable); }}},
      {"pc-port-enable", {"yes|no: PC_PORT_Enable (default yes)",
                          [](Dot1xOptions& o, const std::string& v) { return parse_bool("pc-port-enable", v, o.pc_port_enable); }}},
      {"iface", {"interface for the phone's EAPOL (required)", [](Dot1xOptions& o, const std::string& v) { o.iface = v; return Status{}; }}},
      {"uplink", {"interface whose link starts/stops authentication (default: --iface)",
                  [](Dot1xOptions& o, const std::string& v) { o.uplink = v; return Status{}; }}},
      {"pc-port", {"PC port interface (proxy EAPOL-Logoff on link down)",
                   [](Dot1xOptions& o, const std::string& v) { o.pc_port = v; return Status{}; }}},
      {"method", {"tls|fast (default tls)",
                  [](Dot1xOptions& o, const std::string& v) {
                    if (v == "tls" || v == "EAP-TLS") o.method = EapMethodChoice::tls;
                    else if (v == "fast" || v == "EAP-FAST") o.method = EapMethodChoice::fast;
                    else return Status(make_error(Errc::invalid_argument, "--method: \"" + v + "\" is not tls or fast"));
                    return Status{};
                  }}},
      {"identity", {"EAP identity (default phone-<MAC>)", [](Dot1xOptions& o, const std::string& v) { o.identity = v; return Status{}; }}},
      {"ca", {"CA certificates (PEM) for the server", [](Dot1xOptions& o, const std::string& v) { o.ca_file = v; return Status{}; }}},
      {"cert", {"device certificate (PEM)", [](Dot1xOptions& o, const std::string& v) { o.cert_file = v; return Status{}; }}},
      {"key", {"device private key (PEM)", [](Dot1xOptions& o, const std::string& v) { o.key_file = v; return Status{}; }}},
      {"server-name", {"required server certificate name", [](Dot1xOptions& o, const std::string& v) { o.server_name = v; return Status{}; }}},
      {"fragment-size", {"EAP-TLS fragment size (default 1398)",
                         [](Dot1xOptions& o, const std::string& v) {
                           Millis m;
                           if (auto s = parse_ms("fragment-size", v, m); !s) return s;
                           if (m.count() < 64 || m.count() > 1490)
                             return Status(make_error(Errc::invalid_argument, "--fragment-size: " + v + " outside 64..1490"));
                           o.fragment_size = size_t(m.count());
                           return Status{};
                         }}},
      {"start-period-ms", {"startPeriod (default 30000)", [](Dot1xOptions& o, const std::string& v) { return parse_ms("start-period-ms", v, o.timers.start_period); }}},
      {"held-period-ms", {"heldPeriod (default 60000)", [](Dot1xOptions& o, const std::string& v) { return parse_ms("held-period-ms", v, o.timers.held_period); }}},
      {"auth-period-ms", {"authPeriod (default 30000)", [](Dot1xOptions& o, const std::string& v) { return parse_ms("auth-period-ms", v, o.timers.auth_period); }}},
      {"fast-provisioning", {"EAP-FAST PAC provisioning: 0 none, 1 anonymous, 2 authenticated, 3 both (default 3)",
                             [](Dot1xOptions& o, const std::string& v) {
                               if (v.size() != 1 || v[0] < '0' || v[0] > '3')
                                 return Status(make_error(Errc::invalid_argument, "--fast-provisioning: \"" + v + "\" is not 0..3"));
                               o.fast_provisioning = v[0] - '0';
                               return Status{};
                             }}},
      {"inner", {"EAP-FAST inner method: mschapv2|gtc (default mschapv2)",
                 [](Dot1xOptions& o, const std::string& v) {
                   if (v == "mschapv2") o.fast_inner = 26;
                   else if (v == "gtc") o.fast_inner = 6;
                   else return Status(make_error(Errc::invalid_argument, "--inner: \"" + v + "\" is not mschapv2 or gtc"));
                   return Status{};
                 }}},
      {"inner-identity", {"EAP-FAST user name inside the tunnel", [](Dot1xOptions& o, const std::string& v) { o.inner_identity = v; return Status{}; }}},
      {"password-file", {"file holding the EAP-FAST password (first line)",
                         [](Dot1xOptions& o, const std::string& v) {
                           std::ifstream f(v);
                           std::string pw;
                           if (!f || !std::getline(f, pw))
                             return Status(make_error(Errc::io, "--password-file: cannot read " + v));
                           o.password = SecretString(std::move(pw));
                           return Status{};
                         }}},
      {"pac-file", {"where EAP-FAST PACs are kept (default /var/lib/phonesec/eap-fast.pac)",
                    [](Dot1xOptions& o, const std::string& v) { o.pac_file = v; return Status{}; }}},
      {"status-dir", {"where dot1x.json/dot1x.txt are written (default /run/phonesec)",
                      [](Dot1xOptions& o, const std::string& v) { o.status_dir = v; return Status{}; }}},
  };
  return t;
}

}  // namespace

std::string options_help() {
  std::string s;
  for (auto& [k, o] : table()) s += "  --" + k + "  " + o.help + "\n";
  return s;
}

Result<Dot1xOptions> parse_options(const std::vector<std::string>& args, const config::Dot1xConfig* base) {
  Dot1xOptions o;
  if (base) {
    o.enable = base->enable;
    o.pc_port_enable = base->pc_port_enable;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) return make_error(Errc::invalid_argument, "unexpected argument \"" + a + "\"");
    std::string name = a.substr(2), value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return make_error(Errc::invalid_argument, "--" + name + " needs a value");
    }
    auto it = table().find(name);
    if (it == table().end()) return make_error(Errc::invalid_argument, "unknown option --" + name);
    if (auto s = it->second.set(o, value); !s) return s.error();
  }
  if (o.enable && o.iface.empty()) return make_error(Errc::invalid_argument, "--iface is required");
  if (o.uplink.empty()) o.uplink = o.iface;
  if (o.enable && o.method == EapMethodChoice::tls && (o.cert_file.empty() || o.ca_file.empty()))
    return make_error(Errc::invalid_argument, "EAP-TLS needs --cert (device certificate) and --ca");
  if (o.enable && o.method == EapMethodChoice::fast) {
    if (o.inner_identity.empty() || o.password.empty())
      return make_error(Errc::invalid_argument, "EAP-FAST needs --inner-identity and --password-file");
    if ((o.fast_provisioning & 2) && o.ca_file.empty())
      return make_error(Errc::invalid_argument, "EAP-FAST authenticated provisioning needs --ca");
  }
  return o;
}

}  // namespace phonesec::dot1x

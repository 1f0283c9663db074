// SPDX-License-Identifier: Apache-2.0
// The parameter table. Defaults come from the seed where it gives them; where it is silent:
//  - kMaxLines = 16 lines, Line_Enable_n_ = Yes, SIP_Port_n_ = 5060 + n - 1 (Cisco MPP's
//    factory values), MediaSec/Auth INVITE = No, TLS_Name_Validate = Yes (seed).
//  - Upgrade_Enable = Yes, Peer_Firmware_Sharing = No (PFS opens ports: off unless asked).
//  - Broadcast_Echo = No (answering IPv6 multicast pings is opt-in).
//  - TR-069_Connection_Request_Port = 0 means "random in 8000-9999 at boot" (seed).
//  - Firewall_* tunables are phonesec's own: conntrack timeouts (RFC 5382 for TCP established,
//    RFC 4787 for UDP) and table sizes for a phone's thousands of flows.
//  - Syslog message defaults are Cisco MPP's.
// The member initializers of phone_config.h repeat these defaults; a unit test keeps the two
// equal (PhoneConfig{} == factory()).
#include <string>

#include "config/params.h"
#include "config/resync.h"

namespace phonesec::config {
namespace {

// Accessors: one lambda serves both the const (get) and the mutable (set) side.
#define PS_FIELD(path) [](auto& c, int) -> auto& { return c.path; }
#define PS_LINE(path) [](auto& c, int i) -> auto& { return c.lines[std::size_t(i)].path; }

bool yes(const std::string& s) { return s == "Yes" || s == "Enabled"; }
std::string yn(bool b) { return b ? "Yes" : "No"; }
std::uint32_t num(const std::string& s) { return std::uint32_t(std::stoul(s)); }

template <typename A>
Param boolean(std::string name, bool def, A a) {
  Param p{.name = std::move(name), .kind = Kind::Bool, .def = yn(def)};
  p.set = [a](PhoneConfig& c, int i, const std::string& v) { a(c, i) = yes(v); };
  p.get = [a](const PhoneConfig& c, int i) { return yn(a(c, i)); };
  return p;
}
template <typename A>
Param text(std::string name, std::string def, A a) {
  Param p{.name = std::move(name), .kind = Kind::String, .def = std::move(def)};
  p.set = [a](PhoneConfig& c, int i, const std::string& v) { a(c, i) = v; };
  p.get = [a](const PhoneConfig& c, int i) { return std::string(a(c, i)); };
  return p;
}
template <typename A>
Param secret(std::string name, A a) {
  Param p{.name = std::move(name), .kind = Kind::Secret};
  p.set = [a](PhoneConfig& c, int i, const std::string& v) { a(c, i) = SecretString(v); };
  p.get = [a](const PhoneConfig& c, int i) { return a(c, i).reveal(); };
  return p;
}
template <typename A>
Param uint(std::string name, std::uint32_t def, std::uint32_t lo, std::uint32_t hi, A a) {
  Param p{.name = std::move(name), .kind = Kind::UInt, .def = std::to_string(def), .lo = lo, .hi = hi};
  p.set = [a](PhoneConfig& c, int i, const std::string& v) {
    auto& f = a(c, i);
    f = static_cast<std::remove_reference_t<decltype(f)>>(num(v));
  };
  p.get = [a](const PhoneConfig& c, int i) { return std::to_string(a(c, i)); };
  return p;
}
// An enum field and the spelling of each value; aliases are other spellings accepted on input.
template <typename E, typename A>
Param enumeration(std::string name, E def, std::vector<std::pair<E, std::string>> values, A a,
                  std::vector<std::pair<std::string, std::string>> aliases = {}) {
  Param p{.name = std::move(name), .kind = Kind::Enum, .aliases = std::move(aliases)};
  for (auto& [e, s] : values) {
    p.allowed.push_back(s);
    if (e == def) p.def = s;
  }
  p.set = [a, values](PhoneConfig& c, int i, const std::string& v) {
    for (auto& [e, s] : values)
      if (s == v) a(c, i) = e;
  };
  p.get = [a, values](const PhoneConfig& c, int i) {
    for (auto& [e, s] : values)
      if (e == a(c, i)) return s;
    return std::string();
  };
  return p;
}
template <typename A>
Param list(std::string name, A a) {
  Param p{.name = std::move(name), .kind = Kind::List};
  p.set = [a](PhoneConfig& c, int i, const std::string& v) { a(c, i) = split_list(v, false); };
  p.get = [a](const PhoneConfig& c, int i) { return join(a(c, i), ","); };
  return p;
}
template <typename A>
Param int_list(std::string name, std::vector<std::string> allowed, std::string def, A a) {
  Param p{.name = std::move(name), .kind = Kind::IntList, .def = std::move(def), .allowed = std::move(allowed)};
  p.set = [a](PhoneConfig& c, int i, const std::string& v) {
    a(c, i).clear();
    for (auto& t : split_list(v, false)) a(c, i).push_back(std::stoi(t));
  };
  p.get = [a](const PhoneConfig& c, int i) {
    std::vector<std::string> s;
    for (int x : a(c, i)) s.push_back(std::to_string(x));
    return join(s, ",");
  };
  return p;
}
Param per_line(Param p) {
  p.per_line = true;
  return p;
}
std::vector<Param> build() {
  std::vector<Param> t;
  // --- firewall (seed: "Activer le pare-feu", "Configurer le pare-feu avec des options") ---
  {
    Param fw{.name = "Firewall", .kind = Kind::EnabledBool, .def = "Enabled"};
    fw.set = [](PhoneConfig& c, int, const std::string& v) { c.firewall_enabled = yes(v); };
    fw.get = [](const PhoneConfig& c, int) { return std::string(c.firewall_enabled ? "Enabled" : "Disabled"); };
    t.push_back(fw);
    Param opts{.name = "Firewall_Config", .kind = Kind::FirewallConfig};
    // The loader parses this one itself to keep the warnings; here the text is already clean.
    opts.set = [](PhoneConfig& c, int, const std::string& v) {
      std::vector<Diagnostic> ignored;
      c.firewall = parse_firewall_config(v, ignored);
    };
    opts.get = [](const PhoneConfig& c, int) { return format_firewall_config(c.firewall); };
    t.push_back(opts);
  }
  t.push_back(uint("RTP_Port_Min", 16384, 1024, 65534, PS_FIELD(rtp_port_min)));
  t.push_back(uint("RTP_Port_Max", 16482, 1024, 65534, PS_FIELD(rtp_port_max)));
  t.push_back(boolean("Enable_Web_Server", true, PS_FIELD(web_server_enabled)));
  t.push_back(uint("Web_Server_Port", 80, 1, 65535, PS_FIELD(web_server_port)));
  t.push_back(boolean("Upgrade_Enable", true, PS_FIELD(upgrade_enable)));
  t.push_back(boolean("Peer_Firmware_Sharing", false, PS_FIELD(peer_firmware_sharing)));
  t.push_back(boolean("Enable_TR-069", false, PS_FIELD(tr069_enabled)));
  t.push_back(uint("TR-069_Connection_Request_Port", 0, 0, 65535, PS_FIELD(tr069_connection_request_port)));
  t.push_back(boolean("Broadcast_Echo", false, PS_FIELD(broadcast_echo)));
  t.push_back(uint("Firewall_TCP_SYN_Timeout", 120, 1, 86400, PS_FIELD(fw_tunables.tcp_syn_timeout_s)));
  t.push_back(uint("Firewall_TCP_Established_Timeout", 7440, 1, 864000, PS_FIELD(fw_tunables.tcp_established_timeout_s)));
  t.push_back(uint("Firewall_TCP_Close_Timeout", 10, 1, 3600, PS_FIELD(fw_tunables.tcp_close_timeout_s)));
  t.push_back(uint("Firewall_UDP_Timeout", 120, 1, 86400, PS_FIELD(fw_tunables.udp_timeout_s)));
  t.push_back(uint("Firewall_ICMP_Timeout", 30, 1, 3600, PS_FIELD(fw_tunables.icmp_timeout_s)));
  t.push_back(uint("Firewall_Fragment_Timeout", 30, 1, 600, PS_FIELD(fw_tunables.frag_timeout_s)));
  t.push_back(uint("Firewall_TCP_Flows_Max", 8192, 64, 1048576, PS_FIELD(fw_tunables.ct_tcp_max)));
  t.push_back(uint("Firewall_UDP_Flows_Max", 16384, 64, 1048576, PS_FIELD(fw_tunables.ct_udp_max)));
  t.push_back(uint("Firewall_ICMP_Flows_Max", 1024, 64, 65536, PS_FIELD(fw_tunables.ct_icmp_max)));

  // --- lines (Voice > Ext n) ---
  t.push_back(per_line(boolean("Line_Enable_", true, PS_LINE(enable))));
  {
    Param port = per_line(uint("SIP_Port_", 5060, 1, 65535, PS_LINE(sip_port)));
    port.def_line = [](int i) { return std::to_string(5060 + i); };
    t.push_back(port);
  }
  t.push_back(per_line(enumeration("SIP_Transport_", SipTransport::UDP,
                                   {{SipTransport::UDP, "UDP"}, {SipTransport::TCP, "TCP"},
                                    {SipTransport::TLS, "TLS"}, {SipTransport::Auto, "Auto"}},
                                   PS_LINE(sip_transport))));
  t.push_back(per_line(boolean("TLS_Name_Validate_", true, PS_LINE(tls_name_validate))));
  t.push_back(per_line(boolean("MediaSec_Request_", false, PS_LINE(mediasec_request))));
  t.push_back(per_line(boolean("MediaSec_Over_TLS_Only_", false, PS_LINE(mediasec_over_tls_only))));
  t.push_back(per_line(boolean("Auth_INVITE_", false, PS_LINE(auth_invite))));
  t.push_back(per_line(text("Proxy_", "", PS_LINE(proxy))));
  t.push_back(per_line(text("Outbound_Proxy_", "", PS_LINE(outbound_proxy))));
  t.push_back(per_line(text("User_ID_", "", PS_LINE(user_id))));
  t.push_back(per_line(boolean("Use_Auth_ID_", false, PS_LINE(use_auth_id))));
  t.push_back(per_line(text("Auth_ID_", "", PS_LINE(auth_id))));
  t.push_back(per_line(secret("Password_", PS_LINE(password))));

  // --- domains, DHCP, provisioning, syslog ---
  t.push_back(list("Restricted_Access_Domains", PS_FIELD(prov.restricted_access_domains)));
  t.push_back(int_list("DHCP_Option_To_Use", {"66", "160", "159", "150", "60", "43", "125"}, "66,160,159,150,60,43,125",
                       PS_FIELD(prov.dhcp_options)));
  t.push_back(int_list("DHCPv6_Option_To_Use", {"17", "160", "159"}, "17,160,159", PS_FIELD(prov.dhcpv6_options)));
  t.push_back(text("Profile_Rule", "/$PSN.xml", PS_FIELD(prov.profile_rule)));
  t.push_back(text("Profile_Rule_B", "", PS_FIELD(prov.profile_rule_b)));
  t.push_back(text("Profile_Rule_C", "", PS_FIELD(prov.profile_rule_c)));
  t.push_back(text("Profile_Rule_D", "", PS_FIELD(prov.profile_rule_d)));
  t.push_back(text("Upgrade_Rule", "", PS_FIELD(prov.upgrade_rule)));
  t.push_back(text("Cisco_Headset_Upgrade_Rule", "", PS_FIELD(prov.headset_upgrade_rule)));
  t.push_back(text("Report_Rule", "", PS_FIELD(prov.report_rule)));
  t.push_back(text("Custom_CA_Rule", "", PS_FIELD(prov.custom_ca_rule)));
  // Resync timing (Cisco names and defaults; units in phone_config.h, grammar in resync.h).
  t.push_back(boolean("Resync_On_Reset", true, PS_FIELD(resync.on_reset)));
  t.push_back(uint("Resync_Random_Delay", 2, 0, 65535, PS_FIELD(resync.random_delay)));
  {
    Param at = text("Resync_At", "", PS_FIELD(resync.at));
    at.check = [](std::string_view v) -> Status {
      if (auto r = parse_hhmm(v); !r) return r.error();
      return {};
    };
    t.push_back(at);
  }
  t.push_back(uint("Resync_At_Random_Delay", 600, 0, 65535, PS_FIELD(resync.at_random_delay_s)));
  for (auto [name, field] : {std::pair{"Resync_Periodic", &ResyncConfig::periodic},
                             std::pair{"Resync_Error_Retry_Delay", &ResyncConfig::error_retry_delay}}) {
    Param p = text(name, "3600", [field](auto& c, int) -> auto& { return c.resync.*field; });
    p.check = [](std::string_view v) -> Status {
      if (auto r = parse_delay_list(v); !r) return r.error();
      return {};
    };
    t.push_back(p);
  }
  t.push_back(uint("Forced_Resync_Delay", 14400, 0, 2147483647, PS_FIELD(resync.forced_delay_s)));
  t.push_back(boolean("Resync_Fails_On_FNF", true, PS_FIELD(resync.fails_on_fnf)));
  const SyslogConfig sd;  // message defaults, spelled once in phone_config.h
  t.push_back(text("Syslog_Server", "", PS_FIELD(syslog.server)));
  t.push_back(text("Log_Request_Msg", sd.log_request_msg, PS_FIELD(syslog.log_request_msg)));
  t.push_back(text("Log_Success_Msg", sd.log_success_msg, PS_FIELD(syslog.log_success_msg)));
  t.push_back(text("Log_Failure_Msg", sd.log_failure_msg, PS_FIELD(syslog.log_failure_msg)));
  t.push_back(text("Log_Upgrade_Request_Msg", sd.log_upgrade_request_msg, PS_FIELD(syslog.log_upgrade_request_msg)));
  t.push_back(text("Log_Upgrade_Success_Msg", sd.log_upgrade_success_msg, PS_FIELD(syslog.log_upgrade_success_msg)));
  t.push_back(text("Log_Upgrade_Failure_Msg", sd.log_upgrade_failure_msg, PS_FIELD(syslog.log_upgrade_failure_msg)));

  // --- TLS, LDAP ---
  t.push_back(text("TLS_Cipher_List", "", PS_FIELD(tls_cipher_list)));
  t.push_back(text("LDAP_Server", "", PS_FIELD(ldap.server)));
  t.push_back(boolean("LDAP_StartTLS_Enable", false, PS_FIELD(ldap.starttls_enable)));
  t.push_back(enumeration("LDAP_Authentication_Method", LdapAuth::None,
                          {{LdapAuth::None, "None"}, {LdapAuth::Simple, "Simple"}, {LdapAuth::DigestMD5, "DIGEST-MD5"}},
                          PS_FIELD(ldap.auth_method), {{"Aucune", "None"}, {"Simple", "Simple"}, {"Digest_MD5", "DIGEST-MD5"}}));
  t.push_back(text("LDAP_Client_DN", "", PS_FIELD(ldap.client_dn)));
  t.push_back(text("LDAP_Username", "", PS_FIELD(ldap.username)));
  t.push_back(secret("LDAP_Password", PS_FIELD(ldap.password)));

  // --- 802.1X ---
  t.push_back(boolean("Enable_802.1X_Authentication", false, PS_FIELD(dot1x.enable)));
  t.push_back(boolean("PC_PORT_Enable", true, PS_FIELD(dot1x.pc_port_enable)));
  t.push_back(boolean("Enable_VLAN", false, PS_FIELD(dot1x.voice_vlan_enable)));
  t.push_back(uint("VLAN_ID", 1, 1, 4094, PS_FIELD(dot1x.voice_vlan_id)));

  // --- HTTP proxy (seed table 8; the web UI's French spellings are accepted too) ---
  t.push_back(enumeration("Proxy_Mode", ProxyMode::Off,
                          {{ProxyMode::Off, "Off"}, {ProxyMode::Manual, "Manual"}, {ProxyMode::Auto, "Auto"}},
                          PS_FIELD(http_proxy.mode),
                          {{"Manuel", "Manual"}, {"Désactivé", "Off"}, {"Disabled", "Off"}, {"Automatique", "Auto"}}));
  t.push_back(boolean("Use_Auto_Discovery__WPAD__", true, PS_FIELD(http_proxy.use_wpad)));
  t.push_back(text("PAC_URL", "", PS_FIELD(http_proxy.pac_url)));
  t.push_back(text("Proxy_Host", "", PS_FIELD(http_proxy.host)));
  t.push_back(uint("Proxy_Port", 3128, 1, 65535, PS_FIELD(http_proxy.port)));
  t.push_back(boolean("Proxy_Server_Requires_Authentication", false, PS_FIELD(http_proxy.requires_auth)));
  t.push_back(text("Proxy_Username", "", PS_FIELD(http_proxy.username)));
  t.push_back(secret("Proxy_Password", PS_FIELD(http_proxy.password)));

  // --- VPN ---
  t.push_back(text("VPN_Server", "", PS_FIELD(vpn.server)));
  t.push_back(text("VPN_User_Name", "", PS_FIELD(vpn.user_name)));
  t.push_back(secret("VPN_Password", PS_FIELD(vpn.password)));
  t.push_back(text("VPN_Tunnel_Group", "", PS_FIELD(vpn.tunnel_group)));
  t.push_back(boolean("Connect_on_Bootup", false, PS_FIELD(vpn.connect_on_bootup)));
  t.push_back(boolean("Enable_VPN_Connection", false, PS_FIELD(vpn.enable_connection)));
  return t;
}

#undef PS_FIELD
#undef PS_LINE

}  // namespace

const std::vector<Param>& params() {
  static const std::vector<Param> table = build();
  return table;
}

}  // namespace phonesec::config

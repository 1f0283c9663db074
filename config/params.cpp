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
#include "config/params.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>

namespace phonesec::config {

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

namespace {

std::vector<std::string> split(std::string_view s, bool spaces_too) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',' || (spaces_too && std::isspace(static_cast<unsigned char>(c)))) {
      if (auto t = trim(cur); !t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (auto t = trim(cur); !t.empty()) out.push_back(t);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string o;
  for (std::size_t i = 0; i < v.size(); ++i) o += (i ? sep : "") + v[i];
  return o;
}

std::optional<bool> parse_bool(std::string_view raw) {
  std::string v = lower(trim(raw));
  for (const char* t : {"yes", "true", "1", "on", "enabled", "enable", "oui", "activé", "active"})
    if (v == t) return true;
  for (const char* f : {"no", "false", "0", "off", "disabled", "disable", "non", "désactivé", "desactive"})
    if (v == f) return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_uint(std::string_view raw) {
  std::string v = trim(raw);
  int base = 10;
  std::size_t start = 0;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) base = 16, start = 2;
  if (start >= v.size()) return std::nullopt;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data() + start, v.data() + v.size(), n, base);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

bool yes(const std::string& s) { return s == "Yes" || s == "Enabled"; }
std::string yn(bool b) { return b ? "Yes" : "No"; }
std::uint32_t num(const std::string& s) { return std::uint32_t(std::stoul(s)); }

// Row builders.
Param boolean(std::string name, bool def, bool PhoneConfig::*m) {
  return {name, Kind::Bool, yn(def), {}, 0, 0, false, nullptr,
          [m](PhoneConfig& c, int, const std::string& v) { c.*m = yes(v); },
          [m](const PhoneConfig& c, int) { return yn(c.*m); }};
}
Param text(std::string name, std::string def, std::string PhoneConfig::*m) {
  return {name, Kind::String, def, {}, 0, 0, false, nullptr,
          [m](PhoneConfig& c, int, const std::string& v) { c.*m = v; },
          [m](const PhoneConfig& c, int) { return c.*m; }};
}
Param secret(std::string name, SecretString PhoneConfig::*m) {
  return {name, Kind::Secret, "", {}, 0, 0, false, nullptr,
          [m](PhoneConfig& c, int, const std::string& v) { c.*m = SecretString(v); },
          [m](const PhoneConfig& c, int) { return (c.*m).reveal(); }};
}
template <typename T>
Param uint(std::string name, std::uint32_t def, std::uint32_t lo, std::uint32_t hi, T PhoneConfig::*m) {
  return {name, Kind::UInt, std::to_string(def), {}, lo, hi, false, nullptr,
          [m](PhoneConfig& c, int, const std::string& v) { c.*m = T(num(v)); },
          [m](const PhoneConfig& c, int) { return std::to_string(c.*m); }};
}
Param tunable(std::string name, std::uint32_t def, std::uint32_t lo, std::uint32_t hi, std::uint32_t FirewallTunables::*m) {
  return {name, Kind::UInt, std::to_string(def), {}, lo, hi, false, nullptr,
          [m](PhoneConfig& c, int, const std::string& v) { c.fw_tunables.*m = num(v); },
          [m](const PhoneConfig& c, int) { return std::to_string(c.fw_tunables.*m); }};
}
Param line_bool(std::string base, bool def, bool LineConfig::*m) {
  return {base, Kind::Bool, yn(def), {}, 0, 0, true, nullptr,
          [m](PhoneConfig& c, int i, const std::string& v) { c.lines[std::size_t(i)].*m = yes(v); },
          [m](const PhoneConfig& c, int i) { return yn(c.lines[std::size_t(i)].*m); }};
}
Param line_text(std::string base, std::string LineConfig::*m) {
  return {base, Kind::String, "", {}, 0, 0, true, nullptr,
          [m](PhoneConfig& c, int i, const std::string& v) { c.lines[std::size_t(i)].*m = v; },
          [m](const PhoneConfig& c, int i) { return c.lines[std::size_t(i)].*m; }};
}
Param int_list(std::string name, std::vector<std::string> allowed, std::string def, std::vector<int> PhoneConfig::*m) {
  return {name, Kind::IntList, def, allowed, 0, 0, false, nullptr,
          [m](PhoneConfig& c, int, const std::string& v) {
            (c.*m).clear();
            for (auto& t : split(v, false)) (c.*m).push_back(std::stoi(t));
          },
          [m](const PhoneConfig& c, int) {
            std::vector<std::string> s;
            for (int x : c.*m) s.push_back(std::to_string(x));
            return join(s, ",");
          }};
}

const char* kTransports[] = {"UDP", "TCP", "TLS", "Auto"};

std::vector<Param> build() {
  std::vector<Param> t;
  // --- firewall ---
  t.push_back({"Firewall", Kind::EnabledBool, "Enabled", {}, 0, 0, false, nullptr,
               [](PhoneConfig& c, int, const std::string& v) { c.firewall_enabled = yes(v); },
               [](const PhoneConfig& c, int) { return std::string(c.firewall_enabled ? "Enabled" : "Disabled"); }});
  t.push_back({"Firewall_Config", Kind::FirewallConfig, "", {}, 0, 0, false, nullptr,
               [](PhoneConfig& c, int, const std::string& v) { c.firewall_config_text = v; },
               [](const PhoneConfig& c, int) { return c.firewall_config_text; }});
  t.push_back(uint("RTP_Port_Min", 16384, 1024, 65534, &PhoneConfig::rtp_port_min));
  t.push_back(uint("RTP_Port_Max", 16482, 1024, 65534, &PhoneConfig::rtp_port_max));
  t.push_back(boolean("Enable_Web_Server", true, &PhoneConfig::web_server_enabled));
  t.push_back(uint("Web_Server_Port", 80, 1, 65535, &PhoneConfig::web_server_port));
  t.push_back(boolean("Upgrade_Enable", true, &PhoneConfig::upgrade_enable));
  t.push_back(boolean("Peer_Firmware_Sharing", false, &PhoneConfig::peer_firmware_sharing));
  t.push_back(boolean("Enable_TR-069", false, &PhoneConfig::tr069_enabled));
  t.push_back(uint("TR-069_Connection_Request_Port", 0, 0, 65535, &PhoneConfig::tr069_connection_request_port));
  t.push_back(boolean("Broadcast_Echo", false, &PhoneConfig::broadcast_echo));
  t.push_back(tunable("Firewall_TCP_SYN_Timeout", 120, 0, 86400, &FirewallTunables::tcp_syn_timeout_s));
  t.push_back(tunable("Firewall_TCP_Established_Timeout", 7440, 0, 864000, &FirewallTunables::tcp_established_timeout_s));
  t.push_back(tunable("Firewall_TCP_Close_Timeout", 10, 0, 3600, &FirewallTunables::tcp_close_timeout_s));
  t.push_back(tunable("Firewall_UDP_Timeout", 120, 0, 86400, &FirewallTunables::udp_timeout_s));
  t.push_back(tunable("Firewall_ICMP_Timeout", 30, 0, 3600, &FirewallTunables::icmp_timeout_s));
  t.push_back(tunable("Firewall_Fragment_Timeout", 30, 0, 600, &FirewallTunables::frag_timeout_s));
  t.push_back(tunable("Firewall_TCP_Flows_Max", 8192, 64, 1048576, &FirewallTunables::ct_tcp_max));
  t.push_back(tunable("Firewall_UDP_Flows_Max", 16384, 64, 1048576, &FirewallTunables::ct_udp_max));
  t.push_back(tunable("Firewall_ICMP_Flows_Max", 1024, 64, 65536, &FirewallTunables::ct_icmp_max));
  // --- lines ---
  t.push_back(line_bool("Line_Enable_", true, &LineConfig::enable));
  t.push_back({"SIP_Port_", Kind::UInt, "5060", {}, 1, 65535, true, [](int i) { return std::to_string(5060 + i); },
               [](PhoneConfig& c, int i, const std::string& v) { c.lines[std::size_t(i)].sip_port = std::uint16_t(num(v)); },
               [](const PhoneConfig& c, int i) { return std::to_string(c.lines[std::size_t(i)].sip_port); }});
  t.push_back({"SIP_Transport_", Kind::Enum, "UDP", {"UDP", "TCP", "TLS", "Auto"}, 0, 0, true, nullptr,
               [](PhoneConfig& c, int i, const std::string& v) {
                 for (int k = 0; k < 4; ++k)
                   if (v == kTransports[k]) c.lines[std::size_t(i)].sip_transport = SipTransport(k);
               },
               [](const PhoneConfig& c, int i) { return std::string(kTransports[int(c.lines[std::size_t(i)].sip_transport)]); }});
  t.push_back(line_bool("TLS_Name_Validate_", true, &LineConfig::tls_name_validate));
  t.push_back(line_bool("MediaSec_Request_", false, &LineConfig::mediasec_request));
  t.push_back(line_bool("MediaSec_Over_TLS_Only_", false, &LineConfig::mediasec_over_tls_only));
  t.push_back(line_bool("Auth_INVITE_", false, &LineConfig::auth_invite));
  t.push_back(line_text("Proxy_", &LineConfig::proxy));
  t.push_back(line_text("Outbound_Proxy_", &LineConfig::outbound_proxy));
  // --- domains, DHCP, provisioning, syslog ---
  t.push_back({"Restricted_Access_Domains", Kind::List, "", {}, 0, 0, false, nullptr,
               [](PhoneConfig& c, int, const std::string& v) { c.restricted_access_domains = split(v, false); },
               [](const PhoneConfig& c, int) { return join(c.restricted_access_domains, ","); }});
  t.push_back(int_list("DHCP_Option_To_Use", {"66", "160", "159", "150", "60", "43", "125"}, "66,160,159,150,60,43,125",
                       &PhoneConfig::dhcp_option_to_use));
  t.push_back(int_list("DHCPv6_Option_To_Use", {"17", "160", "159"}, "17,160,159", &PhoneConfig::dhcpv6_option_to_use));
  t.push_back(text("Profile_Rule", "/$PSN.xml", &PhoneConfig::profile_rule));
  t.push_back(text("Profile_Rule_B", "", &PhoneConfig::profile_rule_b));
  t.push_back(text("Profile_Rule_C", "", &PhoneConfig::profile_rule_c));
  t.push_back(text("Profile_Rule_D", "", &PhoneConfig::profile_rule_d));
  t.push_back(text("Upgrade_Rule", "", &PhoneConfig::upgrade_rule));
  t.push_back(text("Cisco_Headset_Upgrade_Rule", "", &PhoneConfig::headset_upgrade_rule));
  t.push_back(text("Report_Rule", "", &PhoneConfig::report_rule));
  t.push_back(text("Custom_CA_Rule", "", &PhoneConfig::custom_ca_rule));
  t.push_back(text("Syslog_Server", "", &PhoneConfig::syslog_server));
  t.push_back(text("Log_Request_Msg", "$PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH", &PhoneConfig::log_request_msg));
  t.push_back(text("Log_Success_Msg", "$PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH", &PhoneConfig::log_success_msg));
  t.push_back(text("Log_Failure_Msg", "$PN $MAC -- Resync failed: $ERR", &PhoneConfig::log_failure_msg));
  t.push_back(text("Log_Upgrade_Request_Msg", "$PN $MAC -- Requesting upgrade $SCHEME://$SERVIP:$PORT$PATH",
                   &PhoneConfig::log_upgrade_request_msg));
  t.push_back(text("Log_Upgrade_Success_Msg", "$PN $MAC -- Successful upgrade $SCHEME://$SERVIP:$PORT$PATH -- $ERR",
                   &PhoneConfig::log_upgrade_success_msg));
  t.push_back(text("Log_Upgrade_Failure_Msg", "$PN $MAC -- Upgrade failed: $ERR", &PhoneConfig::log_upgrade_failure_msg));
  // --- TLS, LDAP ---
  t.push_back(text("TLS_Cipher_List", "", &PhoneConfig::tls_cipher_list));
  t.push_back(text("LDAP_Server", "", &PhoneConfig::ldap_server));
  t.push_back(boolean("LDAP_StartTLS_Enable", false, &PhoneConfig::ldap_starttls_enable));
  t.push_back({"LDAP_Authentication_Method", Kind::Enum, "None", {"None", "Simple", "DIGEST-MD5"}, 0, 0, false, nullptr,
               [](PhoneConfig& c, int, const std::string& v) {
                 c.ldap_auth_method = v == "Simple" ? LdapAuth::Simple : v == "DIGEST-MD5" ? LdapAuth::DigestMD5 : LdapAuth::None;
               },
               [](const PhoneConfig& c, int) {
                 return std::string(c.ldap_auth_method == LdapAuth::Simple ? "Simple"
                                    : c.ldap_auth_method == LdapAuth::DigestMD5 ? "DIGEST-MD5" : "None");
               }});
  // --- 802.1X ---
  t.push_back(boolean("Enable_802.1X_Authentication", false, &PhoneConfig::dot1x_enable));
  t.push_back(boolean("PC_PORT_Enable", true, &PhoneConfig::pc_port_enable));
  t.push_back(boolean("Enable_VLAN", false, &PhoneConfig::voice_vlan_enable));
  t.push_back(uint("VLAN_ID", 1, 1, 4094, &PhoneConfig::voice_vlan_id));
  // --- HTTP proxy ---
  t.push_back({"Proxy_Mode", Kind::Enum, "Off", {"Off", "Manual", "Auto"}, 0, 0, false, nullptr,
               [](PhoneConfig& c, int, const std::string& v) {
                 c.proxy_mode = v == "Manual" ? ProxyMode::Manual : v == "Auto" ? ProxyMode::Auto : ProxyMode::Off;
               },
               [](const PhoneConfig& c, int) {
                 return std::string(c.proxy_mode == ProxyMode::Manual ? "Manual" : c.proxy_mode == ProxyMode::Auto ? "Auto" : "Off");
               }});
  t.push_back(boolean("Use_Auto_Discovery__WPAD__", true, &PhoneConfig::proxy_use_wpad));
  t.push_back(text("PAC_URL", "", &PhoneConfig::pac_url));
  t.push_back(text("Proxy_Host", "", &PhoneConfig::proxy_host));
  t.push_back(uint("Proxy_Port", 3128, 1, 65535, &PhoneConfig::proxy_port));
  t.push_back(boolean("Proxy_Server_Requires_Authentication", false, &PhoneConfig::proxy_requires_auth));
  t.push_back(text("Proxy_Username", "", &PhoneConfig::proxy_username));
  t.push_back(secret("Proxy_Password", &PhoneConfig::proxy_password));
  // --- VPN ---
  t.push_back(text("VPN_Server", "", &PhoneConfig::vpn_server));
  t.push_back(text("VPN_User_Name", "", &PhoneConfig::vpn_user_name));
  t.push_back(secret("VPN_Password", &PhoneConfig::vpn_password));
  t.push_back(text("VPN_Tunnel_Group", "", &PhoneConfig::vpn_tunnel_group));
  t.push_back(boolean("Connect_on_Bootup", false, &PhoneConfig::vpn_connect_on_bootup));
  t.push_back(boolean("Enable_VPN_Connection", false, &PhoneConfig::vpn_enable_connection));
  return t;
}

}  // namespace

const std::vector<Param>& params() {
  static const std::vector<Param> table = build();
  return table;
}

Result<std::string> canonical(const Param& p, std::string_view raw) {
  std::string v = trim(raw);
  auto bad = [&](const std::string& allowed) {
    return make_error(Errc::invalid_argument, "'" + v + "' is not " + allowed);
  };
  switch (p.kind) {
    case Kind::Bool:
    case Kind::EnabledBool: {
      auto b = parse_bool(v);
      if (!b) return bad(p.kind == Kind::Bool ? "one of Yes, No" : "one of Enabled, Disabled");
      return std::string(p.kind == Kind::Bool ? (*b ? "Yes" : "No") : (*b ? "Enabled" : "Disabled"));
    }
    case Kind::UInt: {
      auto n = parse_uint(v);
      std::string range = "a number in " + std::to_string(p.lo) + "-" + std::to_string(p.hi);
      if (!n || *n < p.lo || *n > p.hi) return bad(range);
      return std::to_string(*n);
    }
    case Kind::Enum:
      for (const auto& a : p.allowed)
        if (lower(a) == lower(v)) return a;
      return bad("one of " + join(p.allowed, ", "));
    case Kind::IntList: {
      std::vector<std::string> out;
      for (const auto& tok : split(v, true)) {
        auto n = parse_uint(tok);
        std::string s = n ? std::to_string(*n) : tok;
        if (std::find(p.allowed.begin(), p.allowed.end(), s) == p.allowed.end())
          return make_error(Errc::invalid_argument, "option '" + tok + "' is not one of " + join(p.allowed, ", "));
        out.push_back(s);
      }
      return join(out, ",");
    }
    case Kind::List:
      return join(split(v, false), ",");
    case Kind::String:
    case Kind::FirewallConfig:
      return v;
    case Kind::Secret:
      return std::string(raw);
  }
  return v;
}

}  // namespace phonesec::config

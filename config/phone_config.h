// SPDX-License-Identifier: Apache-2.0
// PhoneConfig: the typed, validated model of cfg.xml. Every parameter of the seed (the phone's
// security chapter) plus those the firewall depends on, and phonesec's own Firewall_* tunables.
// One table (params.cpp) holds each parameter's name, type, allowed values and default; it
// drives factory(), parsing, validation and dump().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/secure.h"

namespace phonesec::config {

inline constexpr int kMaxLines = 16;

struct PortRange {
  std::uint16_t lo;
  std::uint16_t hi;  // inclusive
  bool operator==(const PortRange&) const = default;
};

struct FirewallOptions {
  bool no_icmp_ping = false, no_icmp_unreachable = false, no_cisco_tftp = false;
  std::vector<PortRange> udp, tcp;  // at most 5 each
};

enum class SipTransport { UDP, TCP, TLS, Auto };

struct LineConfig {
  bool enable = true;
  std::uint16_t sip_port = 5060;
  SipTransport sip_transport = SipTransport::UDP;
  bool tls_name_validate = true;
  bool mediasec_request = false;
  bool mediasec_over_tls_only = false;
  bool auth_invite = false;
  std::string proxy, outbound_proxy;
};

struct FirewallTunables {
  std::uint32_t tcp_syn_timeout_s = 120, tcp_established_timeout_s = 7440, tcp_close_timeout_s = 10;
  std::uint32_t udp_timeout_s = 120, icmp_timeout_s = 30, frag_timeout_s = 30;
  std::uint32_t ct_tcp_max = 8192, ct_udp_max = 16384, ct_icmp_max = 1024;
};

enum class ProxyMode { Off, Manual, Auto };
enum class LdapAuth { None, Simple, DigestMD5 };

struct PhoneConfig {
  // Firewall (seed: "Activer le pare-feu", tables 3-5) and what it depends on.
  bool firewall_enabled = true;
  std::string firewall_config_text;
  FirewallOptions firewall;
  FirewallTunables fw_tunables;
  std::uint16_t rtp_port_min = 16384, rtp_port_max = 16482;
  bool web_server_enabled = true;
  std::uint16_t web_server_port = 80;
  bool upgrade_enable = true, peer_firmware_sharing = false, tr069_enabled = false;
  std::uint16_t tr069_connection_request_port = 0;  // 0: random in 8000-9999 at boot
  bool broadcast_echo = false;
  std::vector<LineConfig> lines = std::vector<LineConfig>(kMaxLines);

  // Domains and provisioning.
  std::vector<std::string> restricted_access_domains;
  std::vector<int> dhcp_option_to_use{66, 160, 159, 150, 60, 43, 125};
  std::vector<int> dhcpv6_option_to_use{17, 160, 159};
  std::string profile_rule, profile_rule_b, profile_rule_c, profile_rule_d;
  std::string upgrade_rule, headset_upgrade_rule, report_rule, custom_ca_rule;
  std::string syslog_server;
  std::string log_request_msg, log_success_msg, log_failure_msg;
  std::string log_upgrade_request_msg, log_upgrade_success_msg, log_upgrade_failure_msg;

  // TLS and LDAP.
  std::string tls_cipher_list;
  std::string ldap_server;
  bool ldap_starttls_enable = false;
  LdapAuth ldap_auth_method = LdapAuth::None;

  // 802.1X.
  bool dot1x_enable = false;
  bool pc_port_enable = true;
  bool voice_vlan_enable = false;
  std::uint16_t voice_vlan_id = 1;

  // HTTP proxy.
  ProxyMode proxy_mode = ProxyMode::Off;
  bool proxy_use_wpad = true;
  std::string pac_url, proxy_host;
  std::uint16_t proxy_port = 3128;
  bool proxy_requires_auth = false;
  std::string proxy_username;
  SecretString proxy_password;

  // VPN.
  std::string vpn_server, vpn_user_name, vpn_tunnel_group;
  SecretString vpn_password;
  bool vpn_connect_on_bootup = false;
  bool vpn_enable_connection = false;
};

enum class Severity { warning, error };

struct Diagnostic {
  Severity severity = Severity::warning;
  std::string file;
  int line = 0, column = 0;
  std::string param;
  std::string message;
  // "file:line:col: warning: param: message"
  std::string to_string() const;
};

struct LoadResult {
  PhoneConfig config;
  std::vector<Diagnostic> diagnostics;
  int unknown_elements = 0;  // elements no parameter of ours claims (a real profile has hundreds)
};

// Every parameter at its default (the built-in factory profile).
PhoneConfig factory();

// Errc::parse "path:line:col: …" when the file is missing or not well-formed XML: rejected whole.
Result<LoadResult> load_file(const std::string& path);
Result<LoadResult> load_string(std::string_view xml, std::string_view name = "<string>");

// Firewall_Config: comma-separated, case-insensitive; bad tokens are skipped with a warning.
FirewallOptions parse_firewall_config(std::string_view text, std::vector<Diagnostic>& out, std::string_view file = "",
                                      int line = 0);

// Every parameter as "Name = value", one per line, secrets redacted.
std::string dump(const PhoneConfig& c);

// A complete cfg.xml with every parameter at its value (secrets left empty).
std::string to_xml(const PhoneConfig& c);

}  // namespace phonesec::config

// SPDX-License-Identifier: Apache-2.0
// PhoneConfig: the typed, validated model of cfg.xml. Every parameter of the seed (the phone's
// security chapter) plus those the firewall depends on, and phonesec's own Firewall_* tunables.
// One table (params_table.cpp) holds each parameter's name, type, allowed values and default;
// it drives factory(), parsing, validation, dump() and to_xml(). The member initializers below
// repeat the table's defaults so a default-constructed PhoneConfig is the factory profile
// (a unit test checks that PhoneConfig{} == factory()).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/secure.h"
#include "common/sip_transport.h"

namespace phonesec::config {

inline constexpr int kMaxLines = 16;
inline constexpr int kMaxFirewallPortOptions = 5;  // per protocol (seed, table 5)

struct PortRange {
  std::uint16_t lo;
  std::uint16_t hi;  // inclusive
  bool operator==(const PortRange&) const = default;
};

// Firewall_Config (seed, table 5). Empty = the default open ports only.
struct FirewallOptions {
  bool no_icmp_ping = false, no_icmp_unreachable = false, no_cisco_tftp = false;
  std::vector<PortRange> udp, tcp;  // at most kMaxFirewallPortOptions each
  bool operator==(const FirewallOptions&) const = default;
};

using phonesec::SipTransport;  // common/sip_transport.h: one enum for config, tls, srtp, media

// One line (extension) n: cfg.xml names Name_n_ with n = index + 1.
struct LineConfig {
  bool enable = true;                                // Line_Enable_n_
  std::uint16_t sip_port = 5060;                     // SIP_Port_n_ (5060 + n - 1)
  SipTransport sip_transport = SipTransport::UDP;    // SIP_Transport_n_
  bool tls_name_validate = true;                     // TLS_Name_Validate_n_
  bool mediasec_request = false;                     // MediaSec_Request_n_
  bool mediasec_over_tls_only = false;               // MediaSec_Over_TLS_Only_n_
  bool auth_invite = false;                          // Auth_INVITE_n_
  std::string proxy, outbound_proxy;                 // Proxy_n_, Outbound_Proxy_n_
  std::string user_id, auth_id;                      // User_ID_n_, Auth_ID_n_
  bool use_auth_id = false;                          // Use_Auth_ID_n_
  SecretString password;                             // Password_n_
  bool operator==(const LineConfig&) const = default;
};

// phonesec's own conntrack knobs (Firewall_* parameters), seconds and table entries.
struct FirewallTunables {
  std::uint32_t tcp_syn_timeout_s = 120, tcp_established_timeout_s = 7440, tcp_close_timeout_s = 10;
  std::uint32_t udp_timeout_s = 120, icmp_timeout_s = 30, frag_timeout_s = 30;
  std::uint32_t ct_tcp_max = 8192, ct_udp_max = 16384, ct_icmp_max = 1024;
  bool operator==(const FirewallTunables&) const = default;
};

// Restricted domains, DHCP options, provisioning rules (Voice > Provisioning).
struct ProvisioningConfig {
  std::vector<std::string> restricted_access_domains;           // empty = no restriction
  std::vector<int> dhcp_options{66, 160, 159, 150, 60, 43, 125};  // in order of use
  std::vector<int> dhcpv6_options{17, 160, 159};
  std::string profile_rule = "/$PSN.xml", profile_rule_b, profile_rule_c, profile_rule_d;
  std::string upgrade_rule, headset_upgrade_rule, report_rule, custom_ca_rule;
  bool operator==(const ProvisioningConfig&) const = default;
};

// When the phone resyncs (Voice > Provisioning, Cisco names and defaults). Units as Cisco's:
// Resync_Random_Delay counts 20-second units (2 = up to 40 s); the others are seconds.
// periodic / error_retry_delay / at keep the text (grammar and meaning: config/resync.h).
struct ResyncConfig {
  bool on_reset = true;                     // Resync_On_Reset
  std::uint32_t random_delay = 2;           // Resync_Random_Delay, ×20 s, after boot/reset only
  std::string at;                           // Resync_At, HHmm, empty = off
  std::uint32_t at_random_delay_s = 600;    // Resync_At_Random_Delay
  std::string periodic = "3600";            // Resync_Periodic, "0" = off
  std::string error_retry_delay = "3600";   // Resync_Error_Retry_Delay, "0" = no retry
  std::uint32_t forced_delay_s = 14400;     // Forced_Resync_Delay: longest wait for an idle phone
  bool fails_on_fnf = true;                 // Resync_Fails_On_FNF: a 404 fails the resync
  bool operator==(const ResyncConfig&) const = default;
};

// Syslog_Server and the resync/upgrade messages (macros expanded by the sender).
struct SyslogConfig {
  std::string server;  // host[:port], empty = no syslog
  std::string log_request_msg = "$PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH";
  std::string log_success_msg = "$PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH";
  std::string log_failure_msg = "$PN $MAC -- Resync failed: $ERR";
  std::string log_upgrade_request_msg = "$PN $MAC -- Requesting upgrade $SCHEME://$SERVIP:$PORT$PATH";
  std::string log_upgrade_success_msg = "$PN $MAC -- Successful upgrade $SCHEME://$SERVIP:$PORT$PATH -- $ERR";
  std::string log_upgrade_failure_msg = "$PN $MAC -- Upgrade failed: $ERR";
  bool operator==(const SyslogConfig&) const = default;
};

enum class LdapAuth { None, Simple, DigestMD5 };

struct LdapConfig {
  std::string server;  // [ldap://|ldaps://]host[:port]; ldaps default port 636, ldap 389
  bool starttls_enable = false;
  LdapAuth auth_method = LdapAuth::None;
  std::string client_dn, username;
  SecretString password;
  bool operator==(const LdapConfig&) const = default;
};

struct Dot1xConfig {
  bool enable = false;             // Enable_802.1X_Authentication
  bool pc_port_enable = true;      // PC_PORT_Enable
  bool voice_vlan_enable = false;  // Enable_VLAN
  std::uint16_t voice_vlan_id = 1;  // VLAN_ID
  bool operator==(const Dot1xConfig&) const = default;
};

enum class ProxyMode { Off, Manual, Auto };

struct HttpProxyConfig {
  ProxyMode mode = ProxyMode::Off;
  bool use_wpad = true;  // Use_Auto_Discovery__WPAD__ (Auto mode)
  std::string pac_url;   // Auto mode without WPAD
  std::string host;      // Manual mode
  std::uint16_t port = 3128;
  bool requires_auth = false;
  std::string username;
  SecretString password;
  bool operator==(const HttpProxyConfig&) const = default;
};

struct VpnConfig {
  std::string server, user_name, tunnel_group;
  SecretString password;
  bool connect_on_bootup = false;
  bool enable_connection = false;
  bool operator==(const VpnConfig&) const = default;
};

struct PhoneConfig {
  // Firewall (seed: "Activer le pare-feu", tables 3-5) and what it depends on.
  bool firewall_enabled = true;
  FirewallOptions firewall;
  FirewallTunables fw_tunables;
  std::uint16_t rtp_port_min = 16384, rtp_port_max = 16482;
  bool web_server_enabled = true;
  std::uint16_t web_server_port = 80;
  bool upgrade_enable = true, peer_firmware_sharing = false, tr069_enabled = false;
  std::uint16_t tr069_connection_request_port = 0;  // 0: random in 8000-9999 at boot
  bool broadcast_echo = false;                      // legacy IPv6 multicast echo
  std::vector<LineConfig> lines = default_lines();  // kMaxLines entries, index 0 = line 1

  ProvisioningConfig prov;
  ResyncConfig resync;
  SyslogConfig syslog;
  std::string tls_cipher_list;  // empty = each application's own default (seed)
  LdapConfig ldap;
  Dot1xConfig dot1x;
  HttpProxyConfig http_proxy;
  VpnConfig vpn;

  bool operator==(const PhoneConfig&) const = default;

  static std::vector<LineConfig> default_lines() {
    std::vector<LineConfig> v(kMaxLines);
    for (int i = 0; i < kMaxLines; ++i) v[std::size_t(i)].sip_port = std::uint16_t(5060 + i);
    return v;
  }
};

enum class Severity { warning, error };

struct Diagnostic {
  Severity severity = Severity::warning;
  std::string file;
  int line = 0, column = 0;  // 0 when the diagnostic has no place in a file
  std::string param;
  std::string message;  // never holds a secret's value
  // "file:line:col: warning: param: message"
  std::string to_string() const;
};

struct LoadResult {
  PhoneConfig config;
  std::vector<Diagnostic> diagnostics;
  int unknown_elements = 0;  // elements no parameter of ours claims (a real profile has hundreds)
  int applied = 0;           // parameter elements whose value was taken
};

// Every parameter at its default (the built-in factory profile).
PhoneConfig factory();

// Errc::parse "path:line:col: …" when not well-formed XML or without <flat-profile>: rejected
// whole. Errc::io when the file cannot be read, or is not a regular file, or is larger than
// kMaxProfileBytes (a FIFO, a device or a runaway file never blocks or exhausts the reader).
// `base`: the parameters the profile does not name keep base's values (a provisioned profile
// over the device's own); nullptr = the factory profile.
inline constexpr std::size_t kMaxProfileBytes = 1u << 20;
// The bounded read load_file does: the text of a regular file of at most kMaxProfileBytes.
Result<std::string> read_profile(const std::string& path);
Result<LoadResult> load_file(const std::string& path, const PhoneConfig* base = nullptr);
Result<LoadResult> load_string(std::string_view xml, std::string_view name = "<string>", const PhoneConfig* base = nullptr);

// Firewall_Config: comma-separated, case-insensitive; bad tokens are skipped with a warning
// naming the token; the rest applies.
FirewallOptions parse_firewall_config(std::string_view text, std::vector<Diagnostic>& out, std::string_view file = "",
                                      int line = 0);
// The canonical text of options: "NO_ICMP_PING,UDP:8000:8010,TCP:12000" ("" for none).
std::string format_firewall_config(const FirewallOptions& o);

// Every parameter as "Name = value", one per line, in table order, secrets redacted.
std::string dump(const PhoneConfig& c);

// A complete cfg.xml (<flat-profile>) with every parameter at its value; secrets are written
// empty unless include_secrets (for writing a profile back to the device's own storage).
std::string to_xml(const PhoneConfig& c, bool include_secrets = false);
// The same, writing only the secrets whose parameter name (Password_1_, VPN_Password…)
// `keep_secret` accepts: each worker's copy of the profile carries its own secrets only.
std::string to_xml_keeping(const PhoneConfig& c, const std::function<bool(std::string_view param)>& keep_secret);

// `next`'s parameters over `prev`'s (both cfg.xml texts): every element of either, the later
// value winning, one element per name (matched as the loader matches names). For keeping the
// provisioned parameters across resyncs: a parameter a new profile does not name keeps the
// value an earlier one gave. Errc::parse (naming `next_name`) when `next` is not well-formed.
Result<std::string> merge_profiles(std::string_view prev, std::string_view next, std::string_view next_name);

}  // namespace phonesec::config

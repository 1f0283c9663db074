// SPDX-License-Identifier: Apache-2.0
// The parameter table: coverage of the seed, defaults, value rules per kind, dump/to_xml.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "config/params.h"

namespace phonesec::config {
namespace {

// Every cfg.xml parameter the seed (../shared/seed, the phone's security chapter) names, plus the
// ones the firewall depends on (DESIGN.md). Per-line ones are written with n = 1.
const char* const kSeedParams[] = {
    "Restricted_Access_Domains", "DHCP_Option_To_Use", "DHCPv6_Option_To_Use", "Auth_INVITE_1_",
    "SIP_Transport_1_", "LDAP_Server", "LDAP_StartTLS_Enable", "Firewall", "Firewall_Config",
    "TLS_Cipher_List", "TLS_Name_Validate_1_", "MediaSec_Request_1_", "MediaSec_Over_TLS_Only_1_",
    "Enable_802.1X_Authentication", "Proxy_Mode", "Use_Auto_Discovery__WPAD__", "PAC_URL", "Proxy_Host",
    "Proxy_Port", "Proxy_Server_Requires_Authentication", "Proxy_Username", "Proxy_Password", "VPN_Server",
    "VPN_User_Name", "VPN_Password", "VPN_Tunnel_Group", "Connect_on_Bootup", "Enable_VPN_Connection",
    "Log_Request_Msg", "Log_Success_Msg", "Log_Failure_Msg", "Profile_Rule", "Profile_Rule_B",
    "Profile_Rule_C", "Profile_Rule_D", "Upgrade_Rule", "Report_Rule", "Custom_CA_Rule", "Syslog_Server",
    "Proxy_1_", "Outbound_Proxy_1_",
    // what the firewall depends on
    "Line_Enable_1_", "SIP_Port_1_", "RTP_Port_Min", "RTP_Port_Max", "Enable_Web_Server", "Web_Server_Port",
    "Upgrade_Enable", "Peer_Firmware_Sharing", "Enable_TR-069", "Broadcast_Echo"};

TEST(Params, CoversEverySeedParameter) {
  for (const char* n : kSeedParams) EXPECT_NE(find_param(n), nullptr) << n;
}

TEST(Params, NamesAreUnique) {
  std::set<std::string> seen;
  for (const auto& p : params()) EXPECT_TRUE(seen.insert(lower(p.name)).second) << p.name;
}

TEST(Params, DefaultConstructedIsTheFactoryProfile) {
  // phone_config.h's member initializers and the table's defaults must agree.
  EXPECT_TRUE(PhoneConfig{} == factory()) << dump(PhoneConfig{}) << "\n---\n" << dump(factory());
}

TEST(Params, EveryDefaultIsValidForItsOwnRow) {
  for (const auto& p : params())
    for (int i = 0; i < p.instances(); ++i) {
      std::string d = p.default_for(i);
      if (d.empty() && !p.empty_is_value()) {
        ADD_FAILURE() << p.name << " has an empty typed default";
        continue;
      }
      if (d.empty() || p.kind == Kind::FirewallConfig) continue;
      auto c = canonical(p, d);
      ASSERT_TRUE(c.ok()) << p.name << ": " << c.error().context;
      EXPECT_EQ(c.value(), d) << p.name;
    }
}

TEST(Params, SeedDefaults) {
  auto c = factory();
  EXPECT_TRUE(c.firewall_enabled);
  EXPECT_EQ(c.firewall, FirewallOptions{});
  EXPECT_EQ(c.rtp_port_min, 16384);
  EXPECT_EQ(c.rtp_port_max, 16482);
  EXPECT_EQ(c.prov.dhcp_options, (std::vector<int>{66, 160, 159, 150, 60, 43, 125}));
  EXPECT_EQ(c.prov.dhcpv6_options, (std::vector<int>{17, 160, 159}));
  EXPECT_EQ(c.http_proxy.mode, ProxyMode::Off);
  EXPECT_EQ(c.http_proxy.port, 3128);
  EXPECT_TRUE(c.http_proxy.use_wpad);
  EXPECT_FALSE(c.vpn.connect_on_bootup);
  EXPECT_FALSE(c.dot1x.enable);
  EXPECT_FALSE(c.ldap.starttls_enable);
  ASSERT_EQ(c.lines.size(), std::size_t(kMaxLines));
  for (int i = 0; i < kMaxLines; ++i) {
    const auto& l = c.lines[std::size_t(i)];
    EXPECT_EQ(l.sip_port, 5060 + i);
    EXPECT_TRUE(l.tls_name_validate);
    EXPECT_FALSE(l.mediasec_request);
    EXPECT_FALSE(l.mediasec_over_tls_only);
    EXPECT_FALSE(l.auth_invite);
  }
}

Result<std::string> canon(std::string_view name, std::string_view raw) {
  const Param* p = find_param(name);
  if (!p) return make_error(Errc::not_found, std::string(name));
  return canonical(*p, raw);
}
std::string ok(std::string_view name, std::string_view raw) {
  auto r = canon(name, raw);
  return r ? r.value() : "ERROR: " + r.error().context;
}

TEST(Params, BooleansInAnyCaseAndSpelling) {
  for (auto y : {"Yes", "yes", "YES", " yes\n", "true", "On", "1", "Oui", "enabled"}) EXPECT_EQ(ok("Upgrade_Enable", y), "Yes") << y;
  for (auto n : {"No", "no", "NO", "\tNo ", "false", "off", "0", "Non", "Disabled"}) EXPECT_EQ(ok("Upgrade_Enable", n), "No") << n;
  EXPECT_EQ(ok("Firewall", "enabled"), "Enabled");
  EXPECT_EQ(ok("Firewall", "NO"), "Disabled");
  auto bad = canon("Upgrade_Enable", "maybe");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().context, "'maybe' is not one of Yes, No");
}

TEST(Params, NumbersDecimalHexAndRange) {
  EXPECT_EQ(ok("Web_Server_Port", " 8080 "), "8080");
  EXPECT_EQ(ok("SIP_Port_1_", "0x13c4"), "5060");
  EXPECT_EQ(ok("SIP_Port_1_", "0X13C4"), "5060");
  EXPECT_EQ(ok("Web_Server_Port", "0"), "ERROR: '0' is not a number in 1-65535");
  EXPECT_EQ(ok("Web_Server_Port", "65536"), "ERROR: '65536' is not a number in 1-65535");
  EXPECT_EQ(ok("Web_Server_Port", "80a"), "ERROR: '80a' is not a number in 1-65535");
  EXPECT_EQ(ok("Web_Server_Port", "-1"), "ERROR: '-1' is not a number in 1-65535");
  EXPECT_EQ(ok("Web_Server_Port", "0x"), "ERROR: '0x' is not a number in 1-65535");
  EXPECT_EQ(ok("VLAN_ID", "4095"), "ERROR: '4095' is not a number in 1-4094");
  EXPECT_EQ(ok("Web_Server_Port", "99999999999999999999999"), "ERROR: '99999999999999999999999' is not a number in 1-65535");
}

TEST(Params, EnumsCaseInsensitiveWithAliases) {
  EXPECT_EQ(ok("SIP_Transport_1_", "tls"), "TLS");
  EXPECT_EQ(ok("SIP_Transport_2_", "AUTO"), "Auto");
  EXPECT_EQ(ok("SIP_Transport_1_", "SCTP"), "ERROR: 'SCTP' is not one of UDP, TCP, TLS, Auto");
  EXPECT_EQ(ok("Proxy_Mode", "Manuel"), "Manual");  // the seed's French UI spelling
  EXPECT_EQ(ok("Proxy_Mode", "désactivé"), "Off");
  EXPECT_EQ(ok("LDAP_Authentication_Method", "digest-md5"), "DIGEST-MD5");
}

TEST(Params, DhcpOptionLists) {
  EXPECT_EQ(ok("DHCP_Option_To_Use", "66, 160 ,159"), "66,160,159");
  EXPECT_EQ(ok("DHCPv6_Option_To_Use", "17 160 159"), "17,160,159");  // the seed's default is written with spaces
  EXPECT_EQ(ok("DHCP_Option_To_Use", "66,66,43"), "66,43");
  EXPECT_EQ(ok("DHCP_Option_To_Use", "66,67"), "ERROR: option '67' is not one of 66, 160, 159, 150, 60, 43, 125");
  EXPECT_EQ(ok("DHCPv6_Option_To_Use", "66"), "ERROR: option '66' is not one of 17, 160, 159");
}

TEST(Params, DomainListTrimmed) {
  EXPECT_EQ(ok("Restricted_Access_Domains", " voiceip.com,  voiceipl.com ,"), "voiceip.com,voiceipl.com");
}

TEST(Params, PerLineNames) {
  int line = -1;
  EXPECT_EQ(find_param("Line_Enable_3_", &line), find_param("Line_Enable_1_"));
  EXPECT_EQ(line, 2);
  EXPECT_NE(find_param("auth_invite_1", &line), nullptr);  // the seed's example has no trailing '_'
  EXPECT_EQ(line, 0);
  EXPECT_NE(find_param("SIP_PORT_16_", &line), nullptr);
  EXPECT_EQ(line, 15);
  EXPECT_EQ(find_param("SIP_Port_17_"), nullptr);
  EXPECT_EQ(find_param("SIP_Port_0_"), nullptr);
  EXPECT_EQ(find_param("SIP_Port_"), nullptr);
  EXPECT_EQ(find_param("Firewall_1_"), nullptr);  // not a per-line parameter
  EXPECT_EQ(find_param("Proxy_Port")->per_line, false);
  EXPECT_EQ(find_param("Proxy_2_")->per_line, true);
}

TEST(Params, DumpRedactsSecretsAndListsEveryParameter) {
  auto c = factory();
  c.vpn.password = SecretString("vpn-pa55");
  c.http_proxy.password = SecretString("proxy-pa55");
  c.ldap.password = SecretString("ldap-pa55");
  c.lines[3].password = SecretString("line4-pa55");
  std::string d = dump(c);
  for (auto s : {"vpn-pa55", "proxy-pa55", "ldap-pa55", "line4-pa55"}) EXPECT_EQ(d.find(s), std::string::npos) << s;
  EXPECT_NE(d.find("VPN_Password = ********\n"), std::string::npos);
  EXPECT_NE(d.find("Password_4_ = ********\n"), std::string::npos);
  EXPECT_NE(d.find("Password_5_ = \n"), std::string::npos);  // empty stays visibly empty
  std::size_t lines = 0;
  for (const auto& p : params()) lines += std::size_t(p.instances());
  EXPECT_EQ(std::size_t(std::count(d.begin(), d.end(), '\n')), lines);
}

PhoneConfig non_default() {
  auto c = factory();
  c.firewall_enabled = false;
  c.firewall.no_icmp_ping = true;
  c.firewall.udp = {{8000, 8010}};
  c.fw_tunables.udp_timeout_s = 33;
  c.rtp_port_min = 20000;
  c.rtp_port_max = 20100;
  c.lines[1].sip_transport = SipTransport::TLS;
  c.lines[1].sip_port = 5071;
  c.lines[15].enable = false;
  c.lines[0].password = SecretString("line-secret");
  c.prov.restricted_access_domains = {"voiceip.com", "voiceipl.com"};
  c.prov.dhcp_options = {160, 66};
  c.http_proxy.mode = ProxyMode::Manual;
  c.http_proxy.password = SecretString("proxy-secret");
  c.ldap.auth_method = LdapAuth::DigestMD5;
  c.vpn.password = SecretString("vpn-secret");
  c.vpn.tunnel_group = "voice";
  c.syslog.log_failure_msg = "$MA failed <&> \"quoted\"";
  return c;
}

TEST(Params, ToXmlRoundTripsWithSecretsWhenAsked) {
  auto c = non_default();
  auto r = load_string(to_xml(c, true), "roundtrip.xml");
  ASSERT_TRUE(r.ok()) << r.error().context;
  EXPECT_TRUE(r->diagnostics.empty()) << r->diagnostics[0].to_string();
  EXPECT_TRUE(r->config == c) << dump(r->config);
}

TEST(Params, ToXmlLeavesSecretsOutByDefault) {
  auto c = non_default();
  std::string x = to_xml(c);
  for (auto s : {"line-secret", "proxy-secret", "vpn-secret"}) EXPECT_EQ(x.find(s), std::string::npos) << s;
  auto r = load_string(x, "nosecrets.xml");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->config.vpn.password.empty());
  EXPECT_EQ(r->config.vpn.tunnel_group, "voice");
}

}  // namespace
}  // namespace phonesec::config

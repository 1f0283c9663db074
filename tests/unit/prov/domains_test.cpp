// SPDX-License-Identifier: Apache-2.0
#include "prov/domains.h"

#include <gtest/gtest.h>

#include "config/phone_config.h"
#include "prov/rule_url.h"

using namespace phonesec;
using namespace phonesec::prov;

TEST(RuleUrl, ParsesSchemesHostsPortsAndPrefixes) {
  auto u = parse_rule_url("[--key $A] ( $SWVER ne 1.0 )https://Prov.Example.com:8443/cfg/$MA.xml");
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "Prov.Example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/cfg/$MA.xml");

  auto t = parse_rule_url("10.0.0.5/spa$PSN.cfg");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->scheme, "tftp");
  EXPECT_EQ(t->host, "10.0.0.5");
  EXPECT_EQ(t->effective_port(), 69);

  auto r = parse_rule_url("/$PSN.xml");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->relative());

  auto v6 = parse_rule_url("http://[fd00::5]:8080/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fd00::5");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_EQ(v6->to_string(), "http://[fd00::5]:8080/x");

  auto bad = parse_rule_url("http://host:99999/x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("99999"), std::string::npos);
  EXPECT_FALSE(parse_rule_url("ftp://host/x"));
  EXPECT_FALSE(parse_rule_url("[--key abc http://x/y"));
}

TEST(RuleUrl, SipProxyHost) {
  EXPECT_EQ(sip_proxy_host("sip.example.com:5060").value(), "sip.example.com");
  EXPECT_EQ(sip_proxy_host("sips:user@SIP.example.com;transport=tls").value(), "SIP.example.com");
  EXPECT_EQ(sip_proxy_host("[2001:db8::1]:5061").value(), "2001:db8::1");
  EXPECT_EQ(sip_proxy_host("").value(), "");
  EXPECT_FALSE(sip_proxy_host("host:abc"));
}

TEST(DomainPolicy, EmptyListAllowsEverything) {
  DomainPolicy p;
  EXPECT_FALSE(p.restricted());
  EXPECT_TRUE(p.check_host("anything.example", "Profile_Rule"));
}

TEST(DomainPolicy, ExactFqdnCaseInsensitiveSpacesTolerated) {
  DomainPolicy p({" voiceip.com", "VoiceIPL.com ", "a.test b.test"});
  EXPECT_EQ(p.allowed(), (std::vector<std::string>{"voiceip.com", "voiceipl.com", "a.test", "b.test"}));
  EXPECT_TRUE(p.check_host("VOICEIP.COM", "Proxy_1_"));
  EXPECT_TRUE(p.check_host("voiceipl.com.", "Proxy_1_"));
  EXPECT_TRUE(p.check_host("b.test", "Proxy_1_"));
  // Exact match: no suffix or prefix matching.
  for (const char* h :
       {"sub.voiceip.com", "voiceip.com.evil.net", "xvoiceip.com", "voiceip.co", "10.0.0.1"}) {
    auto st = p.check_host(h, "Profile_Rule_B");
    ASSERT_FALSE(st) << h;
    EXPECT_EQ(st.error().code, Errc::auth);
    EXPECT_NE(st.error().message().find("Profile_Rule_B"), std::string::npos);
    EXPECT_NE(st.error().message().find(std::string("'") + h + "'"), std::string::npos);
    EXPECT_NE(st.error().message().find("not in Restricted_Access_Domains"), std::string::npos);
  }
}

TEST(DomainPolicy, IpLiteralOnlyWhenListed) {
  DomainPolicy p({"10.0.0.1", "prov.test"});
  EXPECT_TRUE(p.check_rule("http://10.0.0.1/x.xml", "Profile_Rule"));
  EXPECT_FALSE(p.check_rule("http://10.0.0.2/x.xml", "Profile_Rule"));
}

TEST(DomainPolicy, RuleChecks) {
  DomainPolicy p({"prov.test"});
  EXPECT_TRUE(p.check_rule("[--key k] https://PROV.test/a.xml", "Profile_Rule"));
  EXPECT_TRUE(p.check_rule("/$PSN.xml", "Profile_Rule"));  // relative: checked once the server is known
  EXPECT_FALSE(p.check_rule("https://other.test/a.xml", "Upgrade_Rule"));
  auto bad = p.check_rule("http://prov.test:0/x", "Report_Rule");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("Report_Rule"), std::string::npos);
}

TEST(DomainPolicy, AuditCoversEveryRuleAndLineProxy) {
  config::PhoneConfig c;
  c.prov.restricted_access_domains = {"voiceip.com", "voiceipl.com"};
  c.prov.profile_rule = "https://voiceip.com/$PSN.xml";
  c.prov.profile_rule_b = "https://evil.net/b.xml";
  c.prov.profile_rule_c = "http://VOICEIPL.COM/c.xml";
  c.prov.profile_rule_d = "tftp://10.1.1.1/d.xml";
  c.prov.upgrade_rule = "http://fw.evil.net/fw.bin";
  c.prov.headset_upgrade_rule = "http://voiceip.com/hs.bin";
  c.prov.report_rule = "http://report.evil.net/r";
  c.prov.custom_ca_rule = "https://ca.evil.net/ca.pem";
  c.lines[0].proxy = "voiceip.com";
  c.lines[0].outbound_proxy = "obp.evil.net:5060";
  c.lines[1].proxy = "sip:registrar.evil.net";
  c.lines[2].proxy = "evil.disabled.net";
  c.lines[2].enable = false;
  auto r = audit(c);
  std::vector<std::string> params;
  for (const auto& x : r) params.push_back(x.param);
  EXPECT_EQ(params,
            (std::vector<std::string>{"Profile_Rule_B", "Profile_Rule_D", "Upgrade_Rule", "Report_Rule",
                                      "Custom_CA_Rule", "Outbound_Proxy_1_", "Proxy_2_"}));
  EXPECT_NE(r[0].reason.find("'evil.net'"), std::string::npos);
  c.prov.restricted_access_domains.clear();
  EXPECT_TRUE(audit(c).empty());
}

TEST(DomainPolicy, RegistrationGateForLineServers) {
  config::PhoneConfig c;
  c.prov.restricted_access_domains = {"sip.voiceip.com"};
  c.lines[0].proxy = "SIP.voiceip.com:5060";
  EXPECT_TRUE(check_line_servers(c, 0));
  c.lines[0].outbound_proxy = "sbc.other.net";
  auto st = check_line_servers(c, 0);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("Outbound_Proxy_1_: host 'sbc.other.net'"), std::string::npos)
      << st.error().message();
  c.lines[4].proxy = "x.net";
  EXPECT_NE(check_line_servers(c, 4).error().message().find("Proxy_5_"), std::string::npos);
  EXPECT_FALSE(check_line_servers(c, 99));
  c.prov.restricted_access_domains.clear();
  EXPECT_TRUE(check_line_servers(c, 0));
}

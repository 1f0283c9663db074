// SPDX-License-Identifier: Apache-2.0
// SIP_Transport_n_ and TLS_Name_Validate_n_ from a real cfg.xml → what the SIP side tries.
#include "tls/sip_transport.h"

#include <gtest/gtest.h>

#include "config/phone_config.h"
#include "tls/apps.h"
#include "tls/from_config.h"

using namespace phonesec;
using namespace phonesec::tls;
using config::SipTransport;

namespace {

config::PhoneConfig load(const std::string& body) {
  auto r = config::load_string("<flat-profile>" + body + "</flat-profile>");
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return r ? r->config : config::PhoneConfig{};
}

}  // namespace

TEST(SipTransport, FactoryLinesAreUdpAndValidateYes) {
  auto plans = sip_transport_plans(config::factory());
  ASSERT_EQ(plans.size(), std::size_t(config::kMaxLines));
  for (const auto& p : plans) {
    EXPECT_EQ(p.attempts, std::vector<SipTransport>{SipTransport::UDP}) << p.line;
    EXPECT_TRUE(p.validate_tls_name) << p.line;
    EXPECT_FALSE(p.uses_tls());
  }
  EXPECT_EQ(plans[0].line, 1);
  EXPECT_EQ(plans[15].line, 16);
}

TEST(SipTransport, PerLineValuesFromCfgXml) {
  auto cfg = load(
      "<SIP_Transport_1_ ua=\"na\">TLS</SIP_Transport_1_>"
      "<TLS_Name_Validate_1_ ua=\"na\">No</TLS_Name_Validate_1_>"
      "<SIP_Transport_2_ ua=\"na\">TCP</SIP_Transport_2_>"
      "<SIP_Transport_3_ ua=\"na\">TLS</SIP_Transport_3_>"
      "<TLS_Name_Validate_3_ ua=\"na\">Yes</TLS_Name_Validate_3_>"
      "<SIP_Transport_4_ ua=\"na\">Auto</SIP_Transport_4_>"
      "<Line_Enable_5_ ua=\"na\">No</Line_Enable_5_>");
  auto plans = sip_transport_plans(cfg);
  EXPECT_EQ(plans[0].attempts, std::vector<SipTransport>{SipTransport::TLS});
  EXPECT_FALSE(plans[0].validate_tls_name);
  EXPECT_EQ(plans[1].attempts, std::vector<SipTransport>{SipTransport::TCP});
  EXPECT_EQ(plans[2].attempts, std::vector<SipTransport>{SipTransport::TLS});
  EXPECT_TRUE(plans[2].validate_tls_name);
  EXPECT_EQ(plans[3].attempts, std::vector<SipTransport>{SipTransport::UDP});  // Auto, no NAPTR
  EXPECT_FALSE(plans[4].enabled);
  EXPECT_TRUE(plans[5].enabled);
  // The TLS target carries the line's choice to the connection.
  EXPECT_FALSE(sip_tls_target(plans[0], "sip.example.com").validate_name);
  EXPECT_TRUE(sip_tls_target(plans[2], "sip.example.com").validate_name);
  EXPECT_EQ(sip_tls_target(plans[2], "sip.example.com").port, 5061);
}

TEST(SipTransport, AutoFollowsNaptrOrder) {
  config::LineConfig line;
  line.sip_transport = SipTransport::Auto;
  std::vector<SipTransport> naptr{SipTransport::TLS, SipTransport::TCP, SipTransport::TLS, SipTransport::UDP};
  auto plan = sip_transport_plan(line, 2, naptr);
  EXPECT_EQ(plan.line, 2);
  EXPECT_EQ(plan.attempts,
            (std::vector<SipTransport>{SipTransport::TLS, SipTransport::TCP, SipTransport::UDP}));
  EXPECT_TRUE(plan.uses_tls());
  line.sip_transport = SipTransport::TCP;  // an explicit transport ignores NAPTR
  EXPECT_EQ(sip_transport_plan(line, 2, naptr).attempts, std::vector<SipTransport>{SipTransport::TCP});
}

TEST(SipTransport, NameCheckRulePerApplication) {
  EXPECT_EQ(name_check(TlsApp::sip), NameCheck::per_line);
  for (TlsApp a : {TlsApp::ldaps, TlsApp::ldap_starttls, TlsApp::xmpp, TlsApp::firmware_upgrade, TlsApp::xsi,
                   TlsApp::image_download, TlsApp::tr069})
    EXPECT_EQ(name_check(a), NameCheck::always) << app_name(a);
  EXPECT_EQ(name_check(TlsApp::provisioning), NameCheck::provisioning);
  EXPECT_EQ(name_check(TlsApp::web_server), NameCheck::not_applicable);
}

TEST(FromConfig, CipherListAndLdapSettings) {
  auto cfg = load(
      "<TLS_Cipher_List ua=\"na\">RSA:!aNULL:!eNULL</TLS_Cipher_List>"
      "<LDAP_Server ua=\"na\">ldaps://10.45.76.79</LDAP_Server>"
      "<LDAP_StartTLS_Enable ua=\"na\">Oui</LDAP_StartTLS_Enable>"
      "<LDAP_Authentication_Method ua=\"na\">Simple</LDAP_Authentication_Method>"
      "<LDAP_Client_DN ua=\"na\">cn=phone,dc=example,dc=com</LDAP_Client_DN>");
  EXPECT_EQ(tls_policy_options(cfg).cipher_list, "RSA:!aNULL:!eNULL");
  TlsPolicy policy(tls_policy_options(cfg));
  EXPECT_EQ(policy.cipher_list(TlsApp::ldaps), "RSA:!aNULL:!eNULL");
  LdapOptions l = ldap_options(cfg);
  EXPECT_EQ(l.server, "ldaps://10.45.76.79");
  EXPECT_TRUE(l.starttls_enable);
  EXPECT_EQ(l.auth, LdapAuthMethod::simple);
  EXPECT_EQ(l.bind_dn, "cn=phone,dc=example,dc=com");
  auto url = parse_ldap_url(l.server);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 636);
}

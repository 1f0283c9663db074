// SPDX-License-Identifier: Apache-2.0
// SIP_Transport_n_ and TLS_Name_Validate_n_ → which transports the SIP side tries.
#include <gtest/gtest.h>

#include "tls/apps.h"
#include "tls/sip_transport.h"

using namespace phonesec::tls;

TEST(SipTransport, DefaultsAreUdpAndValidateYes) {
  auto plan = sip_transport_plan({1, "", ""});
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->attempts, std::vector<SipTransport>{SipTransport::udp});
  EXPECT_TRUE(plan->validate_tls_name);
  EXPECT_FALSE(plan->uses_tls());
}

TEST(SipTransport, EachValue) {
  for (auto [text, t] : {std::pair{"UDP", SipTransport::udp}, {"tcp", SipTransport::tcp}, {"TLS", SipTransport::tls}}) {
    auto plan = sip_transport_plan({2, text, "Yes"});
    ASSERT_TRUE(plan) << text;
    EXPECT_EQ(plan->attempts, std::vector<SipTransport>{t}) << text;
  }
  auto tls = sip_transport_plan({3, "TLS", "No"});
  ASSERT_TRUE(tls);
  EXPECT_TRUE(tls->uses_tls());
  EXPECT_FALSE(tls->validate_tls_name);
  auto oui = sip_transport_plan({3, "TLS", "Oui"});
  ASSERT_TRUE(oui);
  EXPECT_TRUE(oui->validate_tls_name);
}

TEST(SipTransport, AutoFollowsNaptrOrUdp) {
  auto plain = sip_transport_plan({1, "Auto", ""});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->attempts, std::vector<SipTransport>{SipTransport::udp});
  std::vector<SipTransport> naptr{SipTransport::tls, SipTransport::tcp, SipTransport::tls, SipTransport::udp};
  auto plan = sip_transport_plan({1, "auto", "yes"}, naptr);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->attempts, (std::vector<SipTransport>{SipTransport::tls, SipTransport::tcp, SipTransport::udp}));
  EXPECT_TRUE(plan->validate_tls_name);
}

TEST(SipTransport, BadValuesNameTheLineParameter) {
  auto bad = sip_transport_plan({4, "SCTP", ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "SIP_Transport_4_: 'SCTP' is not one of UDP, TCP, TLS, Auto");
  auto bad2 = sip_transport_plan({2, "TLS", "maybe"});
  ASSERT_FALSE(bad2);
  EXPECT_EQ(bad2.error().message(), "TLS_Name_Validate_2_: 'maybe' is not Yes or No");
  EXPECT_FALSE(sip_transport_plan({0, "UDP", ""}));
}

TEST(SipTransport, NameCheckRulePerApplication) {
  EXPECT_EQ(name_check(TlsApp::sip), NameCheck::per_line);
  for (TlsApp a : {TlsApp::ldaps, TlsApp::ldap_starttls, TlsApp::xmpp, TlsApp::firmware_upgrade, TlsApp::xsi,
                   TlsApp::image_download, TlsApp::tr069})
    EXPECT_EQ(name_check(a), NameCheck::always) << app_name(a);
  EXPECT_EQ(name_check(TlsApp::provisioning), NameCheck::provisioning);
  EXPECT_EQ(name_check(TlsApp::web_server), NameCheck::not_applicable);
}

// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "srtp/mediasec.h"

using namespace phonesec::srtp;

namespace {
std::vector<std::string> vals(const SipHeaders& h, std::string_view n) { return header_values(h, n); }
const SipHeaders kServer = {{"Security-Server", "msrp-tls;mediasec"},
                            {"Security-Server", "sdes-srtp;mediasec"},
                            {"Security-Server", "dtls-srtp;mediasec"}};
const std::vector<std::string> kEcho = {"msrp-tls;mediasec", "sdes-srtp;mediasec", "dtls-srtp;mediasec"};
const std::vector<std::string> kTag = {"mediasec"};
}  // namespace

TEST(MediaSec, ClientInitiated401Flow) {
  MediaSecNegotiator n({1, true, false}, SipTransport::UDP);
  std::vector<std::string> seen;
  n.on_transition([&](MediaSecState, MediaSecState to, std::string_view) { seen.push_back(to_string(to)); });
  auto h = n.request_headers("REGISTER");
  EXPECT_EQ(vals(h, "Security-Client"), std::vector<std::string>{"sdes-srtp;mediasec"});
  EXPECT_EQ(vals(h, "Require"), kTag);
  EXPECT_EQ(vals(h, "Proxy-Require"), kTag);
  EXPECT_TRUE(vals(h, "Security-Verify").empty());
  EXPECT_FALSE(n.agreed());

  ASSERT_TRUE(n.on_response(401, "REGISTER", kServer).ok());
  EXPECT_EQ(n.state(), MediaSecState::Challenged);
  EXPECT_TRUE(n.agreed());
  h = n.request_headers("REGISTER");
  EXPECT_EQ(vals(h, "Security-Client"), std::vector<std::string>{"sdes-srtp;mediasec"});
  EXPECT_EQ(vals(h, "Security-Verify"), kEcho);
  EXPECT_EQ(vals(h, "Require"), kTag);

  ASSERT_TRUE(n.on_response(200, "REGISTER", kServer).ok());
  for (auto m : {"INVITE", "OPTIONS", "BYE"}) {
    h = n.request_headers(m);
    EXPECT_TRUE(vals(h, "Security-Client").empty()) << m;
    EXPECT_EQ(vals(h, "Security-Verify"), kEcho) << m;
    EXPECT_EQ(vals(h, "Proxy-Require"), kTag) << m;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ClientOffered", "Challenged"}));
}

TEST(MediaSec, ClientInitiated494DropsSecurityClient) {
  MediaSecNegotiator n({2, true, false}, SipTransport::TCP);
  (void)n.request_headers("REGISTER");
  ASSERT_TRUE(n.on_response(494, "REGISTER", kServer).ok());
  EXPECT_EQ(n.state(), MediaSecState::Required);
  for (auto m : {"REGISTER", "INVITE"}) {
    auto h = n.request_headers(m);
    EXPECT_TRUE(vals(h, "Security-Client").empty()) << m;
    EXPECT_EQ(vals(h, "Security-Verify"), kEcho) << m;
    EXPECT_EQ(vals(h, "Require"), kTag) << m;
  }
}

TEST(MediaSec, NewServerListReplacesOldWithoutDuplicates) {
  MediaSecNegotiator n({1, true, false}, SipTransport::UDP);
  (void)n.request_headers("REGISTER");
  ASSERT_TRUE(n.on_response(401, "REGISTER", kServer).ok());
  SipHeaders newer = {{"Security-Server", "sdes-srtp;mediasec, sdes-srtp;mediasec"},
                      {"Security-Server", "sdes-srtp;mediasec;q=0.5"}};
  ASSERT_TRUE(n.on_response(200, "REGISTER", newer).ok());
  auto h = n.request_headers("INVITE");
  EXPECT_EQ(vals(h, "Security-Verify"), (std::vector<std::string>{"sdes-srtp;mediasec", "sdes-srtp;mediasec;q=0.5"}));
}

TEST(MediaSec, ServerInitiatedSendsNothingUntilServerSpeaks) {
  MediaSecNegotiator n({1, false, false}, SipTransport::UDP);
  EXPECT_TRUE(n.request_headers("REGISTER").empty());
  EXPECT_TRUE(n.request_headers("INVITE").empty());
  // A Security-Server without mediasec (e.g. IPsec sec-agree only) does not start media security.
  ASSERT_TRUE(n.on_response(401, "REGISTER", {{"Security-Server", "ipsec-3gpp;q=0.1;alg=hmac-sha-1-96"}}).ok());
  EXPECT_EQ(n.state(), MediaSecState::Idle);
  EXPECT_TRUE(n.request_headers("REGISTER").empty());
  ASSERT_TRUE(n.on_response(200, "REGISTER", kServer).ok());
  EXPECT_EQ(n.state(), MediaSecState::Verifying);
  EXPECT_TRUE(n.agreed());
  auto h = n.request_headers("REGISTER");
  EXPECT_TRUE(vals(h, "Security-Client").empty());
  EXPECT_EQ(vals(h, "Security-Verify"), kEcho);
  EXPECT_EQ(vals(h, "Require"), kTag);
}

TEST(MediaSec, OverTlsOnlyNegotiatesOnlyOnTls) {
  for (bool request : {true, false}) {
    MediaSecNegotiator n({3, request, true}, SipTransport::UDP);
    EXPECT_EQ(n.state(), MediaSecState::Off);
    EXPECT_TRUE(n.request_headers("REGISTER").empty());
    ASSERT_TRUE(n.on_response(401, "REGISTER", kServer).ok());
    EXPECT_FALSE(n.agreed());
    EXPECT_TRUE(n.request_headers("INVITE").empty());
    n.set_transport(SipTransport::TLS);
    EXPECT_EQ(n.state(), MediaSecState::Idle);
    ASSERT_TRUE(n.on_response(401, "REGISTER", kServer).ok());
    EXPECT_TRUE(n.agreed());
    EXPECT_EQ(vals(n.request_headers("INVITE"), "Security-Verify"), kEcho);
    n.set_transport(SipTransport::TCP);
    EXPECT_EQ(n.state(), MediaSecState::Off);
    EXPECT_FALSE(n.agreed());
  }
}

TEST(MediaSec, Unsupported420StopsNegotiation) {
  MediaSecNegotiator n({1, true, false}, SipTransport::UDP);
  (void)n.request_headers("REGISTER");
  ASSERT_TRUE(n.on_response(420, "REGISTER", {{"Unsupported", "mediasec"}}).ok());
  EXPECT_EQ(n.state(), MediaSecState::Refused);
  EXPECT_TRUE(n.request_headers("REGISTER").empty());
}

TEST(MediaSec, BadSecurityServerIsAnErrorAndKeepsState) {
  MediaSecNegotiator n({1, true, false}, SipTransport::UDP);
  (void)n.request_headers("REGISTER");
  auto st = n.on_response(401, "REGISTER", {{"Security-Server", "sdes-srtp;q=7"}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().context.find("Security-Server"), std::string::npos);
  EXPECT_EQ(n.state(), MediaSecState::ClientOffered);
}

TEST(MediaSec, ProxyChallenge407KeepsSecurityClient) {
  MediaSecNegotiator n({4, true, false}, SipTransport::TLS);
  (void)n.request_headers("REGISTER");
  ASSERT_TRUE(n.on_response(407, "REGISTER", kServer).ok());
  EXPECT_EQ(n.state(), MediaSecState::Challenged);
  auto h = n.request_headers("REGISTER");
  EXPECT_EQ(vals(h, "Security-Client").size(), 1u);
  EXPECT_EQ(vals(h, "Security-Verify"), kEcho);
}

TEST(MediaSec, ClientModeWithoutServerListSendsNoVerify) {
  MediaSecNegotiator n({1, true, false}, SipTransport::UDP);
  EXPECT_TRUE(n.request_headers("OPTIONS").empty());  // Security-Client rides on REGISTER only
  (void)n.request_headers("REGISTER");
  ASSERT_TRUE(n.on_response(200, "REGISTER", {}).ok());
  EXPECT_EQ(n.state(), MediaSecState::ClientOffered);
  EXPECT_FALSE(n.agreed());
  EXPECT_TRUE(n.request_headers("INVITE").empty());
  EXPECT_EQ(vals(n.request_headers("REGISTER"), "Security-Client").size(), 1u);
}

// Fault (a): in server-initiated mode a newer Security-Server list replaces the held one even
// when it has no mediasec mechanism; Security-Verify mirrors it and media security is no longer
// agreed.
TEST(MediaSec, ServerInitiatedNewerListWithoutMediasecReplacesHeldList) {
  MediaSecNegotiator n({1, false, false}, SipTransport::UDP);
  ASSERT_TRUE(n.on_response(200, "REGISTER", kServer).ok());
  ASSERT_TRUE(n.agreed());
  ASSERT_TRUE(n.on_response(200, "REGISTER", {{"Security-Server", "ipsec-3gpp;q=0.1;alg=hmac-sha-1-96"}}).ok());
  EXPECT_FALSE(n.agreed());
  auto h = n.request_headers("INVITE");
  EXPECT_EQ(vals(h, "Security-Verify"), std::vector<std::string>{"ipsec-3gpp;q=0.1;alg=hmac-sha-1-96"});
  EXPECT_TRUE(vals(h, "Require").empty());
  EXPECT_TRUE(vals(h, "Proxy-Require").empty());
  // The server offers mediasec again: agreed again, tags back.
  ASSERT_TRUE(n.on_response(200, "REGISTER", kServer).ok());
  EXPECT_TRUE(n.agreed());
  EXPECT_EQ(vals(n.request_headers("INVITE"), "Security-Verify"), kEcho);
}

// Fault (b): the mediasec option tag only while the held list has a mediasec mechanism.
TEST(MediaSec, NoMediasecTagAfter494WithoutMediasecMechanism) {
  MediaSecNegotiator n({1, true, false}, SipTransport::UDP);
  (void)n.request_headers("REGISTER");
  SipHeaders other = {{"Security-Server", "ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=5062;port-s=5064"},
                      {"Security-Server", "tls;q=0.2"}};
  ASSERT_TRUE(n.on_response(494, "REGISTER", other).ok());
  EXPECT_FALSE(n.agreed());
  for (auto m : {"REGISTER", "INVITE"}) {
    auto h = n.request_headers(m);
    EXPECT_EQ(vals(h, "Security-Verify").size(), 2u) << m;
    EXPECT_TRUE(vals(h, "Require").empty()) << m;
    EXPECT_TRUE(vals(h, "Proxy-Require").empty()) << m;
  }
}

// Fault (c): RFC 3261 §8.2.2.3 — no Require/Proxy-Require in CANCEL.
TEST(MediaSec, CancelCarriesNoRequire) {
  MediaSecNegotiator n({1, true, false}, SipTransport::UDP);
  (void)n.request_headers("REGISTER");
  ASSERT_TRUE(n.on_response(401, "REGISTER", kServer).ok());
  auto h = n.request_headers("CANCEL");
  EXPECT_TRUE(vals(h, "Require").empty());
  EXPECT_TRUE(vals(h, "Proxy-Require").empty());
  EXPECT_EQ(vals(n.request_headers("INVITE"), "Require"), kTag);
}

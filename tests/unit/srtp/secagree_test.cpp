// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "srtp/secagree.h"

using namespace phonesec::srtp;

TEST(SecAgree, CommaListAndSeveralHeadersKeepOrderAndRawText) {
  auto r = parse_security_values("Security-Server", {"msrp-tls;mediasec, sdes-srtp;mediasec", " dtls-srtp ; MediaSec"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].name, "msrp-tls");
  EXPECT_EQ((*r)[1].raw, "sdes-srtp;mediasec");
  EXPECT_EQ((*r)[2].raw, "dtls-srtp ; MediaSec");  // verbatim for Security-Verify
  EXPECT_TRUE((*r)[2].mediasec());                 // parameter names are case-insensitive
  EXPECT_EQ(format_mechanism((*r)[2]), "dtls-srtp ; MediaSec");
}

TEST(SecAgree, QValuesAndDigestParamsAndUnknownMechanismsKept) {
  auto r = parse_security_values(
      "Security-Server",
      {"ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;spi-c=1111;port-c=5062, tls;q=0.2;d-alg=md5;d-ver=\"0123abc\", "
       "x-future-mech;foo=bar;q=1"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].q_milli, 100);
  EXPECT_EQ((*r)[1].q_milli, 200);
  EXPECT_EQ((*r)[1].params[2].value, "0123abc");
  EXPECT_EQ((*r)[2].name, "x-future-mech");
  EXPECT_EQ((*r)[2].q_milli, 1000);
  EXPECT_FALSE((*r)[0].mediasec());
}

TEST(SecAgree, BadInputNamesHeaderAndMechanism) {
  std::vector<SecMechanism> out;
  auto a = parse_security_value("Security-Server", "sdes-srtp;mediasec, tls;q=1.5", out);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().context.find("Security-Server: mechanism 2"), std::string::npos) << a.error().context;
  EXPECT_NE(a.error().context.find("q value"), std::string::npos);
  EXPECT_FALSE(parse_security_value("Security-Client", "", out).ok());
  EXPECT_FALSE(parse_security_value("Security-Client", "tls;d-ver=\"abc", out).ok());
  EXPECT_FALSE(parse_security_value("Security-Client", "sdes srtp;mediasec", out).ok());
  EXPECT_FALSE(parse_security_value("Security-Client", ";mediasec", out).ok());
  EXPECT_FALSE(parse_security_value("Security-Client", "tls;q", out).ok());
  EXPECT_FALSE(parse_security_value("Security-Client", "tls;q=0.1234", out).ok());
}

TEST(SecAgree, MakeMechanismFormats) {
  auto m = make_mechanism("SDES-SRTP", {SecParam{"mediasec", "", false}, SecParam{"q", "0.5", true}});
  EXPECT_EQ(format_mechanism(m), "sdes-srtp;mediasec;q=0.5");
}

TEST(OptionTags, ParseAndFind) {
  auto t = parse_option_tags("Require", "sec-agree, MediaSec ,100rel");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, (std::vector<std::string>{"sec-agree", "mediasec", "100rel"}));
  EXPECT_TRUE(has_option_tag({"timer", "sec-agree, mediasec"}, "mediasec"));
  EXPECT_FALSE(has_option_tag({"timer"}, "mediasec"));
  EXPECT_FALSE(parse_option_tags("Require", " , ").ok());
  EXPECT_FALSE(parse_option_tags("Require", "media sec").ok());
}

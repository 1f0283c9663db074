// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "srtp/base64.h"
#include "srtp/sdp.h"

using namespace phonesec::srtp;

namespace {
CryptoAttribute P(const std::string& s) {
  auto r = parse_crypto_attribute(s);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? r.value() : CryptoAttribute{};
}
}  // namespace


namespace {
std::string b64(size_t n, std::uint8_t fill = 7) {
  std::vector<std::uint8_t> v(n, fill);
  return base64_encode(v.data(), n);
}
}  // namespace

TEST(SdpCrypto, EverySuiteWithItsKeyLength) {
  for (Suite s : kAllSuites) {
    std::string line = "a=crypto:1 " + std::string(suite_name(s)) + " inline:" + b64(master_len(s));
    auto a = parse_crypto_attribute(line);
    ASSERT_TRUE(a.ok()) << line << ": " << a.error().message();
    EXPECT_EQ(a->suite, s);
    EXPECT_EQ(a->keys[0].key.size(), master_len(s));
    // One octet short, and one too many, are refused with the suite named.
    for (size_t bad : {master_len(s) - 1, master_len(s) + 1}) {
      auto e = parse_crypto_attribute("1 " + std::string(suite_name(s)) + " inline:" + b64(bad));
      ASSERT_FALSE(e.ok());
      EXPECT_NE(e.error().context.find(std::string(suite_name(s))), std::string::npos) << e.error().context;
      EXPECT_EQ(e.error().context.find(b64(bad)), std::string::npos) << "key leaked into the error";
    }
  }
}

TEST(SdpCrypto, LifetimeMkiSeveralKeysAndSessionParams) {
  auto a = parse_crypto_attribute("a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:" + b64(30, 1) + "|2^20|1:4;inline:" +
                                  b64(30, 2) + "|1048576|2:4 KDR=0 WSH=128 FEC_ORDER=SRTP_FEC -X_FOO=1 Y_BAR");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->tag, 7u);
  ASSERT_EQ(a->keys.size(), 2u);
  EXPECT_EQ(a->keys[0].lifetime, 1u << 20);
  EXPECT_TRUE(a->keys[0].lifetime_pow2);
  EXPECT_EQ(a->keys[1].lifetime, 1048576u);
  EXPECT_FALSE(a->keys[1].lifetime_pow2);
  EXPECT_EQ(a->keys[0].mki, 1u);
  EXPECT_EQ(a->keys[1].mki, 2u);
  EXPECT_EQ(a->keys[1].mki_len, 4);
  EXPECT_EQ(a->kdr, 0u);
  EXPECT_EQ(a->wsh, 128u);
  EXPECT_EQ(a->fec_order, "SRTP_FEC");
  ASSERT_EQ(a->other.size(), 2u);
  EXPECT_EQ(a->other[0].name, "-X_FOO");
  EXPECT_EQ(a->other[1].name, "Y_BAR");
  // Y_BAR is an unknown mandatory parameter: the line is unusable for an answer.
  EXPECT_TRUE(unusable_reason(*a).has_value());

  auto b = parse_crypto_attribute("1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + "|1:1");  // MKI only
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_FALSE(b->keys[0].lifetime);
  EXPECT_EQ(b->keys[0].mki_len, 1);
  auto c = parse_crypto_attribute("1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + " UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->unencrypted_srtp && c->unencrypted_srtcp && c->unauthenticated_srtp);
  EXPECT_TRUE(unusable_reason(*c).has_value());
}

TEST(SdpCrypto, ErrorsNameTheField) {
  struct Case {
    std::string line, want;
  } cases[] = {
      {"x AES_CM_128_HMAC_SHA1_80 inline:" + b64(30), "tag"},
      {"1 F8_128_HMAC_SHA1_80 inline:" + b64(30), "unsupported crypto suite"},
      {"1 AES_CM_128_HMAC_SHA1_80 uri:http://x", "inline"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + "|2^70", "lifetime"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + "|2^49", "2^48"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + "|1:0", "MKI"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + "|300:1", "MKI"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + "|1:4|2^20", "MKI must be the last"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + ";inline:" + b64(30), "several keys"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + " KDR=25", "KDR"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + " WSH=10", "WSH"},
      {"1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", "base64"},
      {"1 AES_CM_128_HMAC_SHA1_80", "needs tag"},
  };
  for (auto& c : cases) {
    auto r = parse_crypto_attribute(c.line);
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_NE(r.error().context.find(c.want), std::string::npos) << c.line << " -> " << r.error().context;
  }
}

TEST(SdpCrypto, FormatRoundTripsAndSelectsFirstUsable) {
  auto a = parse_crypto_attribute("a=crypto:3 AEAD_AES_256_GCM inline:" + b64(44, 9) + "|2^31|5:2 WSH=256");
  ASSERT_TRUE(a.ok());
  std::string text = format_crypto_attribute(*a).reveal();
  EXPECT_EQ(text, "a=crypto:3 AEAD_AES_256_GCM inline:" + b64(44, 9) + "|2^31|5:2 WSH=256");
  auto again = parse_crypto_attribute(text);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->keys[0].key.same_as(a->keys[0].key));

  std::vector<CryptoAttribute> offers;
  offers.push_back(P("1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + " KDR=4"));
  offers.push_back(P("2 AES_CM_128_HMAC_SHA1_32 inline:" + b64(30) + " UNENCRYPTED_SRTP"));
  offers.push_back(P("3 AEAD_AES_128_GCM inline:" + b64(28)));
  const CryptoAttribute* pick = select_offer(offers);
  ASSERT_NE(pick, nullptr);
  EXPECT_EQ(pick->tag, 3u);
  auto k = MasterKey::generate(Suite::AEAD_AES_128_GCM);
  ASSERT_TRUE(k.ok());
  auto ans = make_answer(*pick, *k);
  EXPECT_EQ(ans.tag, 3u);
  EXPECT_EQ(ans.suite, Suite::AEAD_AES_128_GCM);
  EXPECT_FALSE(ans.keys[0].key.same_as(pick->keys[0].key));
}

TEST(Sdp, SkipsUnusableLinesAndFindsMediaSecMarker) {
  std::string body =
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
      "m=audio 30000 RTP/SAVP 0 8\r\n"
      "a=crypto:1 F8_128_HMAC_SHA1_80 inline:" + b64(30) + "\r\n"
      "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + b64(29) + "\r\n"
      "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) + "|2^31\r\n"
      "a=3ge2ae:requested\r\n"
      "m=video 30002 RTP/AVP 96\r\nc=IN IP4 10.0.0.9\r\n";
  auto r = parse_sdp(body);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->media.size(), 2u);
  EXPECT_EQ(r->media[0].port, 30000);
  EXPECT_EQ(r->media[0].proto, "RTP/SAVP");
  EXPECT_EQ(r->media[0].connection, "10.0.0.1");
  EXPECT_TRUE(r->media[0].mediasec_requested);
  ASSERT_EQ(r->media[0].crypto.size(), 1u);
  EXPECT_EQ(r->media[0].crypto[0].tag, 3u);
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_NE(r->warnings[0].find("m-line 1: a=crypto #1"), std::string::npos);
  for (auto& w : r->warnings) EXPECT_EQ(w.find(b64(29)), std::string::npos);
  EXPECT_EQ(r->media[1].connection, "10.0.0.9");
  EXPECT_FALSE(r->media[1].mediasec_requested);
  EXPECT_FALSE(parse_sdp("o=x\r\n").ok());
  EXPECT_FALSE(parse_sdp("v=0\r\nm=audio x RTP/AVP 0\r\n").ok());
  std::string red = redact_sdp(body);
  EXPECT_EQ(red.find(b64(30)), std::string::npos);
  EXPECT_NE(red.find("inline:********|2^31"), std::string::npos);
}

TEST(Base64, RoundTripAndRejects) {
  std::uint8_t out[64];
  for (size_t n = 0; n < 40; ++n) {
    std::vector<std::uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = std::uint8_t(i * 37 + 1);
    std::string e = base64_encode(v.data(), n);
    auto d = base64_decode(e, out, sizeof out);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(std::vector<std::uint8_t>(out, out + *d), v);
  }
  EXPECT_FALSE(base64_decode("A", out, sizeof out));
  EXPECT_FALSE(base64_decode("AB=C", out, sizeof out));
  EXPECT_FALSE(base64_decode("AAAA", out, 2));
}

TEST(Sdp, MediaSecurityLines) {
  std::vector<CryptoAttribute> c = {P("1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30)), P("2 AEAD_AES_128_GCM inline:" + b64(28))};
  EXPECT_EQ(media_security_lines(c, true).reveal(), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(30) +
                                                        "\r\na=crypto:2 AEAD_AES_128_GCM inline:" + b64(28) +
                                                        "\r\na=3ge2ae:requested\r\n");
  EXPECT_EQ(media_security_lines(c, false).reveal().find("3ge2ae"), std::string::npos);
}

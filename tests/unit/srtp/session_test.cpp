// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstring>

#include "common/log.h"
#include "srtp/key_store.h"

using namespace phonesec::srtp;

namespace {
CryptoAttribute P(const std::string& s) {
  auto r = parse_crypto_attribute(s);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? r.value() : CryptoAttribute{};
}
MasterKey K(Suite s) { return MasterKey::generate(s).value(); }
}  // namespace


namespace {
struct Pkt {
  std::uint8_t b[256];
  std::size_t len;
};
Pkt rtp(std::uint16_t seq, std::uint8_t fill = 0x55) {
  Pkt p{};
  p.b[0] = 0x80;
  p.b[2] = std::uint8_t(seq >> 8);
  p.b[3] = std::uint8_t(seq);
  p.b[8] = 0xde; p.b[9] = 0xad; p.b[10] = 0xbe; p.b[11] = 0xef;
  std::memset(p.b + 12, fill, 160);
  p.len = 172;
  return p;
}
Pkt rtcp() {
  Pkt p{};
  const std::uint8_t h[] = {0x81, 0xc8, 0x00, 0x06, 0xde, 0xad, 0xbe, 0xef};
  std::memcpy(p.b, h, 8);
  std::memset(p.b + 8, 0x11, 20);
  p.len = 28;
  return p;
}
}  // namespace

TEST(Session, EverySuiteRoundTripsRtpAndRtcpAndRejectsReplayAndTamper) {
  for (Suite s : kAllSuites) {
    auto k = MasterKey::generate(s);
    ASSERT_TRUE(k.ok());
    auto tx = SrtpSession::create(Direction::outbound, *k);
    auto rx = SrtpSession::create(Direction::inbound, *k);
    ASSERT_TRUE(tx.ok() && rx.ok()) << suite_name(s);
    Pkt p = rtp(100), orig = p;
    auto n = tx->protect_rtp(p.b, p.len, sizeof p.b);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, p.len + suite_info(s).rtp_tag) << suite_name(s);
    EXPECT_NE(std::memcmp(p.b + 12, orig.b + 12, 160), 0) << "payload not encrypted";
    Pkt replay = p;
    Pkt tamper = p;
    auto m = rx->unprotect_rtp(p.b, *n);
    ASSERT_TRUE(m.ok()) << m.error().message();
    EXPECT_EQ(*m, orig.len);
    EXPECT_EQ(std::memcmp(p.b, orig.b, orig.len), 0);
    auto r = rx->unprotect_rtp(replay.b, *n);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, phonesec::Errc::auth);
    EXPECT_NE(r.error().context.find("replay"), std::string::npos);
    Pkt t2 = rtp(101);
    auto n2 = tx->protect_rtp(t2.b, t2.len, sizeof t2.b);
    ASSERT_TRUE(n2.ok());
    t2.b[40] ^= 1;
    auto bad = rx->unprotect_rtp(t2.b, *n2);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().context.find("authentication failed"), std::string::npos);
    (void)tamper;

    Pkt c = rtcp(), corig = c;
    auto cn = tx->protect_rtcp(c.b, c.len, sizeof c.b);
    ASSERT_TRUE(cn.ok()) << cn.error().message();
    auto cm = rx->unprotect_rtcp(c.b, *cn);
    ASSERT_TRUE(cm.ok()) << cm.error().message();
    EXPECT_EQ(std::memcmp(c.b, corig.b, corig.len), 0);
  }
}

TEST(Session, WrongKeyFailsAndNoRoomIsRefused) {
  auto k1 = MasterKey::generate(Suite::AES_CM_128_HMAC_SHA1_80);
  auto k2 = MasterKey::generate(Suite::AES_CM_128_HMAC_SHA1_80);
  auto tx = SrtpSession::create(Direction::outbound, *k1);
  auto rx = SrtpSession::create(Direction::inbound, *k2);
  Pkt p = rtp(1);
  auto short_cap = tx->protect_rtp(p.b, p.len, p.len + 4);
  ASSERT_FALSE(short_cap.ok());
  EXPECT_EQ(short_cap.error().code, phonesec::Errc::invalid_argument);
  auto n = tx->protect_rtp(p.b, p.len, sizeof p.b);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(rx->unprotect_rtp(p.b, *n).ok());
  EXPECT_FALSE(rx->unprotect_rtp(p.b, 5).ok());
}

TEST(Session, SeveralMasterKeysWithMki) {
  std::vector<KeyParam> keys(2);
  for (int i = 0; i < 2; ++i) {
    keys[size_t(i)].key = K(Suite::AES_CM_128_HMAC_SHA1_80);
    keys[size_t(i)].mki = std::uint64_t(i + 1);
    keys[size_t(i)].mki_len = 4;
  }
  auto tx = SrtpSession::create(Direction::outbound, keys);
  auto rx = SrtpSession::create(Direction::inbound, keys);
  ASSERT_TRUE(tx.ok()) << tx.error().message();
  ASSERT_TRUE(rx.ok());
  Pkt p = rtp(7);
  auto n = tx->protect_rtp(p.b, p.len, sizeof p.b);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 172u + 4 + 10);
  EXPECT_EQ(p.b[172 + 3], 1);  // MKI 1 in 4 octets, before the tag
  ASSERT_TRUE(rx->unprotect_rtp(p.b, *n).ok());
  // A receiver that only knows key 2 refuses MKI 1.
  std::vector<KeyParam> only2(keys.begin() + 1, keys.end());
  auto rx2 = SrtpSession::create(Direction::inbound, only2);
  ASSERT_TRUE(rx2.ok());
  Pkt q = rtp(8);
  auto qn = tx->protect_rtp(q.b, q.len, sizeof q.b);
  EXPECT_FALSE(rx2->unprotect_rtp(q.b, *qn).ok());
  std::vector<KeyParam> mixed = keys;
  mixed[1].mki.reset();
  EXPECT_FALSE(SrtpSession::create(Direction::outbound, mixed).ok());
}

// Offerer and answerer key stores talk through a=crypto lines, then exchange media.
TEST(KeyStore, OfferAnswerMediaAndRekeyOnReInvite) {
  KeyStore alice, bob;
  const Suite suites[] = {Suite::AES_CM_128_HMAC_SHA1_80, Suite::AEAD_AES_128_GCM};
  auto offer = alice.call("c1").make_offer(0, suites, false);
  ASSERT_TRUE(offer.ok());
  ASSERT_EQ(offer->size(), 2u);
  // The wire form goes through the parser, as it would in SDP.
  std::vector<CryptoAttribute> wire;
  for (auto& a : *offer) wire.push_back(P(format_crypto_attribute(a).reveal()));
  auto ans = bob.call("c1").answer_offer(0, wire);
  ASSERT_TRUE(ans.ok()) << ans.error().message();
  EXPECT_EQ(ans->tag, 1u);
  ASSERT_TRUE(alice.call("c1").accept_answer(0, {P(format_crypto_attribute(*ans).reveal())}).ok());

  auto send = [](KeyStore& from, KeyStore& to, std::uint16_t seq) {
    Pkt p = rtp(seq, std::uint8_t(seq));
    auto n = from.find("c1")->stream(0)->tx->protect_rtp(p.b, p.len, sizeof p.b);
    if (!n) return false;
    auto m = to.find("c1")->stream(0)->rx->unprotect_rtp(p.b, *n);
    return m.ok() && *m == 172 && p.b[20] == std::uint8_t(seq);
  };
  EXPECT_TRUE(send(alice, bob, 1));
  EXPECT_TRUE(send(bob, alice, 1));
  EXPECT_EQ(alice.find("c1")->stream(0)->generation, 1u);

  // re-INVITE without new keys: same lines, contexts kept (replay state continues).
  auto same = alice.call("c1").make_offer(0, suites, false);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE((*same)[0].keys[0].key.same_as((*offer)[0].keys[0].key));
  auto ans2 = bob.call("c1").answer_offer(0, *same);
  ASSERT_TRUE(ans2.ok());
  EXPECT_TRUE(ans2->keys[0].key.same_as(ans->keys[0].key));
  ASSERT_TRUE(alice.call("c1").accept_answer(0, {*ans2}).ok());
  EXPECT_EQ(alice.find("c1")->stream(0)->generation, 1u);
  EXPECT_EQ(bob.find("c1")->stream(0)->generation, 1u);

  // re-INVITE with rekey: fresh keys both ways; the new contexts start over.
  auto fresh = alice.call("c1").make_offer(0, std::span<const Suite>(suites + 1, 1), true);
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE((*fresh)[0].keys[0].key.same_as((*offer)[0].keys[0].key));
  auto ans3 = bob.call("c1").answer_offer(0, *fresh);
  ASSERT_TRUE(ans3.ok());
  EXPECT_EQ(ans3->suite, Suite::AEAD_AES_128_GCM);
  ASSERT_TRUE(alice.call("c1").accept_answer(0, {*ans3}).ok());
  EXPECT_EQ(alice.find("c1")->stream(0)->generation, 2u);
  EXPECT_EQ(bob.find("c1")->stream(0)->generation, 2u);
  EXPECT_TRUE(send(alice, bob, 1));  // seq 1 again is fine in a new context
  EXPECT_TRUE(send(bob, alice, 2));

  alice.end_call("c1");
  EXPECT_EQ(alice.find("c1"), nullptr);
  EXPECT_EQ(alice.calls(), 0u);
}

TEST(KeyStore, AnswerMustEchoAnOfferedTagAndSuite) {
  KeyStore a;
  const Suite suites[] = {Suite::AES_CM_128_HMAC_SHA1_80};
  auto offer = a.call("x").make_offer(1, suites, false);
  ASSERT_TRUE(offer.ok());
  auto k = K(Suite::AES_CM_128_HMAC_SHA1_80);
  auto wrong_tag = make_offer_line(9, k);
  auto st = a.call("x").accept_answer(1, {wrong_tag});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().context.find("tag 9 was not offered"), std::string::npos);
  auto k2 = K(Suite::AEAD_AES_128_GCM);
  EXPECT_FALSE(a.call("x").accept_answer(1, {make_offer_line(1, k2)}).ok());
  EXPECT_FALSE(a.call("x").accept_answer(2, {make_offer_line(1, k)}).ok());  // no offer on m-line 2
  EXPECT_TRUE(a.call("x").accept_answer(1, {make_offer_line(1, k)}).ok());
  KeyStore b;
  std::vector<CryptoAttribute> none;
  none.push_back(P("1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(40, 'A') + " UNENCRYPTED_SRTP"));
  auto r = b.call("y").answer_offer(0, none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, phonesec::Errc::unsupported);
}

// Keys never reach the log: run a full offer/answer/rekey at debug level and look for them.
TEST(KeyStore, KeysNeverLogged) {
  phonesec::log::set_level(phonesec::log::Level::debug);
  testing::internal::CaptureStderr();
  KeyStore alice, bob;
  const Suite suites[] = {Suite::AES_CM_128_HMAC_SHA1_80};
  std::vector<std::string> secrets;
  for (int round = 0; round < 2; ++round) {
    auto offer = alice.call("c").make_offer(0, suites, round > 0);
    ASSERT_TRUE(offer.ok());
    auto ans = bob.call("c").answer_offer(0, *offer);
    ASSERT_TRUE(ans.ok());
    ASSERT_TRUE(alice.call("c").accept_answer(0, {*ans}).ok());
    secrets.push_back((*offer)[0].keys[0].key.to_base64().reveal());
    secrets.push_back(ans->keys[0].key.to_base64().reveal());
  }
  alice.end_call("c");
  bob.end_call("c");
  std::string log = testing::internal::GetCapturedStderr();
  phonesec::log::set_level(phonesec::log::Level::info);
  EXPECT_NE(log.find("keys installed"), std::string::npos) << "nothing logged at all: the check would be empty";
  EXPECT_NE(log.find("rekeyed"), std::string::npos);
  for (auto& s : secrets) {
    EXPECT_EQ(log.find(s), std::string::npos);
    EXPECT_EQ(log.find(s.substr(0, 16)), std::string::npos);
  }
}

TEST(Session, KeyLifetimeIsEnforced) {
  std::vector<KeyParam> keys(1);
  keys[0].key = K(Suite::AES_CM_128_HMAC_SHA1_80);
  keys[0].lifetime = 3;
  auto tx = SrtpSession::create(Direction::outbound, keys);
  auto rx = SrtpSession::create(Direction::inbound, keys);
  ASSERT_TRUE(tx.ok() && rx.ok());
  EXPECT_EQ(tx->packets_left(), 3u);
  for (std::uint16_t seq = 1; seq <= 2; ++seq) {
    Pkt p = rtp(seq);
    auto n = tx->protect_rtp(p.b, p.len, sizeof p.b);
    ASSERT_TRUE(n.ok());
    ASSERT_TRUE(rx->unprotect_rtp(p.b, *n).ok());
  }
  Pkt c = rtcp();  // SRTCP packets count against the same master key
  auto cn = tx->protect_rtcp(c.b, c.len, sizeof c.b);
  ASSERT_TRUE(cn.ok());
  ASSERT_TRUE(rx->unprotect_rtcp(c.b, *cn).ok());
  EXPECT_EQ(tx->packets_left(), 0u);
  Pkt p = rtp(3);
  auto over = tx->protect_rtp(p.b, p.len, sizeof p.b);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().context.find("lifetime"), std::string::npos);
}

TEST(Session, LibsrtpStatusesAreNamed) {
  EXPECT_STREQ(srtp_status_name(14), "srtp_err_status_cant_check");
  EXPECT_STREQ(srtp_status_name(7), "srtp_err_status_auth_fail");
  EXPECT_STREQ(srtp_status_name(999), "srtp_err_status_unknown");
}

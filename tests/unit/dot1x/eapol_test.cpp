// SPDX-License-Identifier: Apache-2.0
// EAPOL/EAP framing and the EAP-TLS Flags/fragment layer: well-formed frames round-trip,
// every kind of truncation or inconsistency is an error naming the field.
#include <gtest/gtest.h>

#include "dot1x/eapol.h"
#include "dot1x/pc_port.h"
#include "dot1x/tls_framing.h"

namespace phonesec::dot1x {
namespace {

const Mac kA{0x02, 0, 0, 0, 0x0a, 0x01};
const Mac kP{0x02, 0, 0, 0, 0x05, 0x01};

TEST(Eapol, BuildPadsAndParseStripsPadding) {
  Bytes eap = build_eap(EapCode::request, 7, eap_type::identity, {});
  Bytes f = build_eapol(kP, kA, 2, EapolType::eap_packet, eap);
  EXPECT_EQ(f.size(), kMinFrameLen);
  auto p = parse_eapol(f);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->dst, kP);
  EXPECT_EQ(p->src, kA);
  EXPECT_EQ(p->version, 2);
  EXPECT_EQ(p->type, EapolType::eap_packet);
  EXPECT_EQ(Bytes(p->body.begin(), p->body.end()), eap);
  auto e = parse_eap(p->body);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, EapCode::request);
  EXPECT_EQ(e->id, 7);
  EXPECT_EQ(e->type, eap_type::identity);
  EXPECT_TRUE(e->data.empty());
}

TEST(Eapol, VlanTaggedFrameIsParsed) {
  Bytes f = build_eapol(kPaeGroupAddr, kA, 3, EapolType::start, {});
  Bytes tagged(f.begin(), f.begin() + 12);
  tagged.insert(tagged.end(), {0x81, 0x00, 0x00, 0x64});
  tagged.insert(tagged.end(), f.begin() + 12, f.end());
  auto p = parse_eapol(tagged);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->type, EapolType::start);
  EXPECT_EQ(p->version, 3);
}

TEST(Eapol, MalformedFramesAreErrorsNamingTheField) {
  Bytes good = build_eapol(kP, kA, 2, EapolType::eap_packet, build_eap(EapCode::request, 1, 1, {}));
  struct Case {
    const char* what;
    Bytes frame;
    const char* expect;
  };
  Bytes wrong_type = good;
  wrong_type[12] = 0x08;
  Bytes too_long = good;
  too_long[16] = 0x10;  // EAPOL length 0x1005
  Bytes v0 = good;
  v0[14] = 0;
  Bytes unknown = good;
  unknown[15] = 42;
  std::vector<Case> cases = {
      {"empty", {}, "shorter than the Ethernet header"},
      {"13 bytes", Bytes(good.begin(), good.begin() + 13), "shorter than the Ethernet header"},
      {"no EAPOL header", Bytes(good.begin(), good.begin() + 16), "header truncated at offset 14"},
      {"not EAPOL", wrong_type, "is not 0x888e"},
      {"length beyond frame", too_long, "exceeds the"},
      {"version 0", v0, "protocol version 0"},
      {"unknown type", unknown, "unknown packet type 42"},
  };
  for (auto& c : cases) {
    auto p = parse_eapol(c.frame);
    ASSERT_FALSE(p) << c.what;
    EXPECT_NE(p.error().message().find(c.expect), std::string::npos) << c.what << ": " << p.error().message();
  }
}

TEST(Eap, MalformedPacketsAreErrors) {
  struct Case {
    Bytes pkt;
    const char* expect;
  };
  std::vector<Case> cases = {
      {{1, 2, 0}, "shorter than the 4-byte header"},
      {{1, 2, 0, 3}, "below 4"},
      {{1, 2, 0, 9, 1}, "exceeds the 5 bytes"},
      {{1, 2, 0, 4}, "without a Type"},
      {{3, 2, 0, 5, 0}, "must be 4"},
      {{9, 2, 0, 4}, "unknown Code 9"},
  };
  for (auto& c : cases) {
    auto p = parse_eap(c.pkt);
    ASSERT_FALSE(p) << hex(c.pkt);
    EXPECT_NE(p.error().message().find(c.expect), std::string::npos) << p.error().message();
  }
  auto ok = parse_eap(Bytes{3, 9, 0, 4, 0xee, 0xee});  // trailing bytes beyond Length ignored
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->code, EapCode::success);
  EXPECT_EQ(ok->raw.size(), 4u);
}

TEST(Mac, StringRoundTripAndRejects) {
  auto m = mac_from_string("02:00:00:00:0C:01");
  ASSERT_TRUE(m);
  EXPECT_EQ(mac_to_string(*m), "02:00:00:00:0c:01");
  EXPECT_FALSE(mac_from_string("02:00:00:00:0c"));
  EXPECT_FALSE(mac_from_string("02-00-00-00-0c-01"));
  EXPECT_FALSE(mac_from_string("02:00:00:00:0c:0g"));
}

EapPacket req(uint8_t id, Bytes& storage, uint8_t flags, Bytes payload, uint32_t len = 0) {
  Bytes d{flags};
  if (flags & tls_flags::length_included) put_be32(d, len);
  append(d, payload);
  storage = build_eap(EapCode::request, id, eap_type::tls, d);
  return parse_eap(storage).value();
}

TEST(TlsFraming, ReassemblesServerFragmentsWithAcks) {
  TlsFraming fr(eap_type::tls, 100);
  Bytes s1, s2, s3;
  auto r1 = fr.receive(req(1, s1, tls_flags::length_included | tls_flags::more_fragments, Bytes(50, 0xa1), 120));
  ASSERT_TRUE(r1) << r1.error().message();
  EXPECT_EQ(r1->kind, TlsFraming::Kind::ack_sent);
  EXPECT_EQ(r1->response, (Bytes{2, 1, 0, 6, eap_type::tls, 0}));  // ACK: Flags 0, no data
  auto r2 = fr.receive(req(2, s2, tls_flags::more_fragments, Bytes(50, 0xa2)));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->kind, TlsFraming::Kind::ack_sent);
  auto r3 = fr.receive(req(3, s3, 0, Bytes(20, 0xa3)));
  ASSERT_TRUE(r3);
  ASSERT_EQ(r3->kind, TlsFraming::Kind::message);
  ASSERT_EQ(r3->message.size(), 120u);
  EXPECT_EQ(r3->message[0], 0xa1);
  EXPECT_EQ(r3->message[50], 0xa2);
  EXPECT_EQ(r3->message[119], 0xa3);
}

TEST(TlsFraming, FragmentsOurMessageOnServerAcks) {
  TlsFraming fr(eap_type::tls, 100);
  Bytes msg(250);
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = uint8_t(i);
  Bytes first = fr.respond(5, msg);
  // Response, id 5, type 13, Flags L|M, length 250, 100 bytes.
  ASSERT_EQ(first.size(), 4u + 1 + 1 + 4 + 100);
  EXPECT_EQ(first[5], tls_flags::length_included | tls_flags::more_fragments);
  EXPECT_EQ(get_be32(&first[6]), 250u);
  EXPECT_TRUE(fr.sending());
  Bytes a1, a2;
  auto r = fr.receive(req(6, a1, 0, {}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->kind, TlsFraming::Kind::fragment_sent);
  EXPECT_EQ(r->response[5], tls_flags::more_fragments);  // middle: M only
  EXPECT_EQ(r->response.size(), 4u + 2 + 100);
  EXPECT_EQ(r->response[6], 100);
  r = fr.receive(req(7, a2, 0, {}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->response[5], 0);  // last: no flags
  EXPECT_EQ(r->response.size(), 4u + 2 + 50);
  EXPECT_EQ(r->response.back(), 249);
  EXPECT_FALSE(fr.sending());
}

TEST(TlsFraming, InconsistentFragmentsAreErrors) {
  Bytes s;
  {
    TlsFraming fr(eap_type::tls, 100);
    auto r = fr.receive(req(1, s, tls_flags::length_included, {}, uint32_t(kMaxTlsMessage + 1)));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("above the"), std::string::npos) << r.error().message();
  }
  {
    TlsFraming fr(eap_type::tls, 100);
    Bytes t{tls_flags::length_included, 0, 0};  // L with 2 of 4 length bytes
    s = build_eap(EapCode::request, 1, eap_type::tls, t);
    auto r = fr.receive(parse_eap(s).value());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("TLS Message Length truncated"), std::string::npos);
  }
  {
    TlsFraming fr(eap_type::tls, 100);
    ASSERT_TRUE(fr.receive(req(1, s, tls_flags::length_included | tls_flags::more_fragments, Bytes(10), 15)));
    auto r = fr.receive(req(2, s, 0, Bytes(10)));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("fragments exceed 15 bytes"), std::string::npos) << r.error().message();
  }
  {
    TlsFraming fr(eap_type::tls, 100);
    ASSERT_TRUE(fr.receive(req(1, s, tls_flags::length_included | tls_flags::more_fragments, Bytes(10), 30)));
    auto r = fr.receive(req(2, s, 0, Bytes(10)));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("reassembled 20 bytes, TLS Message Length said 30"), std::string::npos);
  }
  {
    TlsFraming fr(eap_type::tls, 100);
    (void)fr.respond(1, Bytes(300));
    auto r = fr.receive(req(2, s, 0, Bytes(5)));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("while an ACK for our fragment was expected"), std::string::npos);
  }
  {
    TlsFraming fr(eap_type::tls, 100);
    s = build_eap(EapCode::request, 1, eap_type::tls, {});
    auto r = fr.receive(parse_eap(s).value());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("no Flags octet"), std::string::npos);
  }
}

TEST(PcPort, LearnsStationsAndBuildsProxyLogoffs) {
  const Mac pc{0x02, 0, 0, 0, 0x0c, 0x01}, pc2{0x02, 0, 0, 0, 0x0c, 0x02};
  PcPortTracker t(kP);
  EXPECT_TRUE(t.learn(build_eapol(kPaeGroupAddr, pc, 2, EapolType::start, {})));
  EXPECT_FALSE(t.learn(build_eapol(kPaeGroupAddr, pc, 2, EapolType::eap_packet, Bytes{2, 1, 0, 5, 1})));
  EXPECT_TRUE(t.learn(build_eapol(kPaeGroupAddr, pc2, 1, EapolType::start, {})));
  EXPECT_FALSE(t.learn(build_eapol(kPaeGroupAddr, kP, 2, EapolType::start, {})));  // the phone itself
  EXPECT_FALSE(t.learn(Bytes{1, 2, 3}));                                             // garbage
  ASSERT_EQ(t.stations().size(), 2u);
  auto out = t.link_down();
  ASSERT_EQ(out.size(), 2u);
  auto f = parse_eapol(out[0]);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->src, pc);
  EXPECT_EQ(f->dst, kPaeGroupAddr);
  EXPECT_EQ(f->type, EapolType::logoff);
  EXPECT_EQ(f->body.size(), 0u);
  EXPECT_TRUE(t.stations().empty());
  EXPECT_TRUE(t.link_down().empty());
}

}  // namespace
}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// EAP-FAST building blocks: MS-CHAPv2 known answers (RFC 2759 section 9.2), TLV parsing,
// Crypto-Binding answer and verification, PAC TLV parsing, the PAC file.
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dot1x/eap_fast_tlv.h"
#include "dot1x/mschapv2.h"
#include "dot1x/pac_store.h"

namespace phonesec::dot1x {
namespace {

Bytes unhex(std::string_view s) {
  Bytes b;
  for (size_t i = 0; i + 1 < s.size(); i += 2) {
    while (s[i] == ' ') ++i;
    b.push_back(uint8_t(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  }
  return b;
}

TEST(Mschapv2, Rfc2759KnownAnswers) {
  const Bytes auth = unhex("5B5D7C7D7B3F2F3E3C2C602132262628");
  const Bytes peer = unhex("21402324255E262A28295F2B3A337C7E");
  auto h = mschapv2::nt_password_hash(SecretString("clientPass"));
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(hex(h->view()), "44ebba8d5312b8d611474411f56989ae");
  auto nt = mschapv2::generate_nt_response(auth, peer, "User", *h);
  ASSERT_TRUE(nt) << nt.error().message();
  EXPECT_EQ(hex(*nt), "82309ecd8d708b5ea08faa3981cd83544233114a3d85d6df");
  auto ar = mschapv2::authenticator_response(*h, *nt, peer, auth, "User");
  ASSERT_TRUE(ar);
  EXPECT_EQ(*ar, "S=407A5589115FD0D6209F510FE9C04566932CDA56");
  auto msk = mschapv2::peer_msk(*h, *nt);
  ASSERT_TRUE(msk);
  EXPECT_EQ(msk->size(), 32u);
}

TEST(Mschapv2, MethodChecksTheServerAndUsesFixedChallenges) {
  std::array<uint8_t, 16> a{}, p{};
  std::copy_n(unhex("5B5D7C7D7B3F2F3E3C2C602132262628").begin(), 16, a.begin());
  std::copy_n(unhex("21402324255E262A28295F2B3A337C7E").begin(), 16, p.begin());
  EapMschapv2 m("User", SecretString("clientPass"), a, p);
  // Challenge packet with another challenge: the fixed ones win (EAP-FAST anonymous provisioning).
  Bytes ch{1, 7, 0, 0, 16};
  ch.insert(ch.end(), 16, 0xee);
  append(ch, as_bytes("srv"));
  Bytes req = build_eap(EapCode::request, 3, eap_type::mschapv2, ch);
  MethodRet r;
  auto resp = m.process(parse_eap(req).value(), r);
  ASSERT_TRUE(resp);
  auto rp = parse_eap(*resp).value();
  ASSERT_GE(rp.data.size(), 5u + 49);
  EXPECT_EQ(rp.data[0], 2);
  EXPECT_EQ(rp.data[1], 7);
  EXPECT_EQ(rp.data[4], 49);
  EXPECT_EQ(hex(rp.data.subspan(5, 16)), hex(p));
  EXPECT_EQ(hex(rp.data.subspan(5 + 24, 24)), "82309ecd8d708b5ea08faa3981cd83544233114a3d85d6df");
  EXPECT_EQ(std::string(rp.data.begin() + 54, rp.data.end()), "User");
  // A forged Success (wrong authenticator response) is refused.
  Bytes bad{3, 7, 0, 0};
  append(bad, as_bytes("S=0000000000000000000000000000000000000000 M=ok"));
  MethodRet r2;
  EXPECT_FALSE(m.process(parse_eap(build_eap(EapCode::request, 4, eap_type::mschapv2, bad)).value(), r2));
  EXPECT_EQ(r2.decision, Decision::fail);
  EXPECT_NE(m.reason().find("authenticator response is wrong"), std::string::npos);
  EXPECT_FALSE(m.key_available());
  Bytes good{3, 7, 0, 0};
  append(good, as_bytes("S=407A5589115FD0D6209F510FE9C04566932CDA56 M=welcome"));
  MethodRet r3;
  auto ok = m.process(parse_eap(build_eap(EapCode::request, 5, eap_type::mschapv2, good)).value(), r3);
  ASSERT_TRUE(ok);
  EXPECT_EQ(r3.decision, Decision::cond_succ);
  EXPECT_EQ(r3.state, MethodState::done);
  EXPECT_TRUE(m.key_available());
}

TEST(FastTlv, ParseAndErrors) {
  Bytes b;
  fast::put_tlv(b, fast::tlv::result, Bytes{0, 1});
  fast::put_tlv(b, fast::tlv::eap_payload, Bytes{1, 2, 0, 5, 1}, false);
  auto t = fast::parse_tlvs(b);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].type, fast::tlv::result);
  EXPECT_TRUE((*t)[0].mandatory);
  EXPECT_FALSE((*t)[1].mandatory);
  EXPECT_EQ((*t)[1].value.size(), 5u);
  b.push_back(0);
  auto e = fast::parse_tlvs(b);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("header truncated at offset 15"), std::string::npos) << e.error().message();
  Bytes c{0x80, 0x0c, 0x00, 0x38, 0, 1};
  e = fast::parse_tlvs(c);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("length 56 runs past the end"), std::string::npos) << e.error().message();
}

TEST(FastTlv, TPrfLengthsAndDependence) {
  const Bytes k(40, 7), seed(32, 9);
  SecretBytes a = fast::t_prf(k, "Inner Methods Compound Keys", seed, 60);
  SecretBytes b = fast::t_prf(k, "Inner Methods Compound Keys", seed, 60);
  SecretBytes c = fast::t_prf(k, "Session Key Generating Function", {}, 64);
  ASSERT_EQ(a.size(), 60u);
  EXPECT_EQ(hex(a.view()), hex(b.view()));
  EXPECT_NE(hex(a.view()).substr(0, 40), hex(c.view()).substr(0, 40));
  // T1 = HMAC-SHA1(key, label 0x00 seed outlen(2) 0x01): first 20 bytes, computed by hand.
  Bytes in(as_bytes("Inner Methods Compound Keys").begin(), as_bytes("Inner Methods Compound Keys").end());
  in.push_back(0);
  append(in, seed);
  in.insert(in.end(), {0, 60, 1});
  uint8_t t1[20];
  unsigned n = 0;
  HMAC(EVP_sha1(), k.data(), int(k.size()), in.data(), in.size(), t1, &n);
  EXPECT_EQ(hex(a.view()).substr(0, 40), hex(ByteView(t1, 20)));
}

Bytes cb_request(const SecretBytes& cmk, uint8_t last_nonce_byte = 0x42) {
  Bytes t{0x80, 0x0c, 0x00, 0x38, 0, 1, 1, 0};
  for (int i = 0; i < 32; ++i) t.push_back(uint8_t(i));
  t[8 + 31] = last_nonce_byte;
  t.insert(t.end(), 20, 0);
  uint8_t mac[20];
  unsigned n = 0;
  HMAC(EVP_sha1(), cmk.data(), int(cmk.size()), t.data(), t.size(), mac, &n);
  std::copy_n(mac, 20, t.begin() + 40);
  return t;
}

TEST(FastTlv, CryptoBindingAnswerAndTamper) {
  SecretBytes cmk(Bytes(20, 0x5a));
  Bytes req = cb_request(cmk);
  auto r = fast::answer_crypto_binding(req, cmk);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 60u);
  EXPECT_EQ((*r)[7], 1) << "subtype Response";
  EXPECT_EQ((*r)[6], 1) << "received version";
  EXPECT_EQ((*r)[8 + 31], 0x43) << "nonce + 1";
  // Its MAC verifies with the same CMK.
  Bytes z = *r;
  std::fill(z.begin() + 40, z.end(), 0);
  uint8_t mac[20];
  unsigned n = 0;
  HMAC(EVP_sha1(), cmk.data(), 20, z.data(), z.size(), mac, &n);
  EXPECT_EQ(hex(ByteView(mac, 20)), hex(ByteView(r->data() + 40, 20)));

  Bytes tampered = req;
  tampered[20] ^= 1;
  auto e = fast::answer_crypto_binding(tampered, cmk);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("does not verify"), std::string::npos);
  e = fast::answer_crypto_binding(req, SecretBytes(Bytes(20, 0x5b)));
  ASSERT_FALSE(e);
  e = fast::answer_crypto_binding(cb_request(cmk, 0x43), cmk);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("low bit set"), std::string::npos);
  e = fast::answer_crypto_binding(Bytes(59), cmk);
  ASSERT_FALSE(e);
}

Bytes pac_tlv_value(const Bytes& aid) {
  Bytes v, info;
  fast::put_tlv(v, fast::pac_attr::key, Bytes(32, 0x11), false);
  fast::put_tlv(v, fast::pac_attr::opaque, Bytes(40, 0x22), false);
  fast::put_tlv(info, fast::pac_attr::a_id, aid, false);
  fast::put_tlv(info, fast::pac_attr::i_id, as_bytes("fastuser"), false);
  Bytes life{0, 0, 0x10, 0};
  fast::put_tlv(info, fast::pac_attr::lifetime, life, false);
  fast::put_tlv(v, fast::pac_attr::info, info, false);
  return v;
}

TEST(Pac, ParseStoreReload) {
  const Bytes aid = unhex("101112131415161718191a1b1c1d1e1f");
  auto p = fast::parse_pac(pac_tlv_value(aid));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->a_id, aid);
  EXPECT_EQ(p->i_id, "fastuser");
  EXPECT_EQ(p->lifetime, 0x1000u);
  Bytes no_key;
  fast::put_tlv(no_key, fast::pac_attr::opaque, Bytes(4, 1), false);
  auto e = fast::parse_pac(no_key);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("without a PAC-Key"), std::string::npos);

  const std::string path = std::filesystem::temp_directory_path() / ("pdx-pac-" + std::to_string(getpid()));
  std::filesystem::remove(path);
  {
    PacStore s(path);
    ASSERT_TRUE(s.load());  // missing file = empty
    EXPECT_EQ(s.size(), 0u);
    ASSERT_TRUE(s.put(*p));
  }
  struct stat st{};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "PAC-Key is a secret";
  PacStore again(path);
  ASSERT_TRUE(again.load());
  auto f = again.find(aid, 0x0fff);
  ASSERT_TRUE(f);
  EXPECT_FALSE(again.find(aid, 0x1001)) << "expired PAC-Lifetime";
  EXPECT_EQ(hex(f->key.view()), std::string(64, '1').replace(0, 64, hex(Bytes(32, 0x11))));
  EXPECT_EQ(f->opaque, Bytes(40, 0x22));
  EXPECT_FALSE(again.find(Bytes(16, 0), 0));
  std::ofstream(path, std::ios::app) << "zz 00 11 0 -\n";
  auto bad = PacStore(path).load();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find(path + ":3"), std::string::npos) << bad.error().message();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace phonesec::dot1x

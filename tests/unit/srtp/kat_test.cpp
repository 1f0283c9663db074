// SPDX-License-Identifier: Apache-2.0
// Known-answer tests. Chain of trust:
//  1. RFC 3711 B.2 (AES-CM keystream) and RFC 7714 §16.1 (GCM packet) run through libsrtp2's own
//     cipher objects, and through the OpenSSL reference (reference_srtp.h);
//  2. RFC 3711 B.3 (key derivation) pins the reference KDF;
//  3. the B.3 master key through our SrtpSession gives libsrtp's published packet
//     (srtp_driver.c srtp_validate) and the reference's;
//  4. for every suite, random master keys: our session's SRTP/SRTCP output is byte-identical to
//     the reference, and our session accepts the reference's packets.
#include <gtest/gtest.h>
#include <openssl/rand.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include "reference_srtp.h"
#include "srtp/session.h"

// Exported by libsrtp2 but declared in a header Debian does not install (crypto_kernel.h).
extern "C" srtp_err_status_t srtp_crypto_kernel_alloc_cipher(srtp_cipher_type_id_t id, srtp_cipher_pointer_t* cp,
                                                             int key_len, int tag_len);

using namespace phonesec::srtp;
using ref::Bytes;
using ref::hex;

namespace {

const Bytes kB2Key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
const Bytes kB2Salt = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
const char* kB2Blocks[][2] = {
    {"0000", "E03EAD0935C95E80E166B16DD92B4EB4"}, {"0001", "D23513162B02D0F72A43A2FE4A5F97AB"},
    {"0002", "41E95B3BB0A2E8DD477901E4FCA894C0"}, {"FEFF", "EC8CDF7398607CB0F2D21675EA9EA1E4"},
    {"FF00", "362B7C3C6773516318A077D7FC5073AE"}, {"FF01", "6A2CC3787889374FBEB4C81B17BA6C44"},
};

const Bytes kB3Key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
const Bytes kB3Salt = hex("0EC675AD498AFEEBB6960B3AABE6");

const Bytes k7714Key = hex("000102030405060708090a0b0c0d0e0f");
const Bytes k7714Salt = hex("517569642070726f2071756f");
const Bytes k7714Rtp = hex(
    "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573");
const Bytes k7714Protected = hex(
    "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833"
    "899d7f27beb16a9152cf765ee4390cce");
const Bytes k7714Iv = hex("51753c6580c2726f20718414");

struct Cipher {
  srtp_cipher_t* c = nullptr;
  ~Cipher() {
    if (c) srtp_cipher_dealloc(c);
  }
};

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

class Kat : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(srtp_library_init().ok()); }
};

TEST_F(Kat, Rfc3711B2KeystreamThroughLibsrtpCipher) {
  Cipher ci;
  ASSERT_EQ(srtp_crypto_kernel_alloc_cipher(SRTP_AES_ICM_128, &ci.c, 30, 0), srtp_err_status_ok);
  Bytes key = concat(kB2Key, kB2Salt);
  ASSERT_EQ(srtp_cipher_init(ci.c, key.data()), srtp_err_status_ok);
  for (auto& [ctr, expect] : kB2Blocks) {
    // libsrtp2's ICM counter is salt XOR iv: the iv carries the block counter in its last 2 bytes.
    std::uint8_t iv[16] = {};
    Bytes c = hex(ctr);
    iv[14] = c[0];
    iv[15] = c[1];
    ASSERT_EQ(srtp_cipher_set_iv(ci.c, iv, srtp_direction_encrypt), srtp_err_status_ok);
    std::uint8_t buf[16] = {};
    std::uint32_t n = 16;
    ASSERT_EQ(srtp_cipher_encrypt(ci.c, buf, &n), srtp_err_status_ok);
    EXPECT_EQ(Bytes(buf, buf + 16), hex(expect)) << "libsrtp2 keystream block " << ctr;
  }
}

TEST_F(Kat, Rfc3711B2KeystreamReference) {
  for (auto& [ctr, expect] : kB2Blocks) {
    std::uint8_t iv[16] = {};
    for (int i = 0; i < 14; ++i) iv[i] = kB2Salt[size_t(i)];
    Bytes c = hex(ctr);
    iv[14] = c[0];
    iv[15] = c[1];
    std::uint8_t buf[16] = {};
    ref::aes_ctr(kB2Key, iv, buf, 16);
    EXPECT_EQ(Bytes(buf, buf + 16), hex(expect)) << "reference keystream block " << ctr;
  }
}

TEST_F(Kat, Rfc3711B3KeyDerivationReference) {
  EXPECT_EQ(ref::kdf(kB3Key, kB3Salt, 0, 16), hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(ref::kdf(kB3Key, kB3Salt, 2, 14), hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(Bytes(ref::kdf(kB3Key, kB3Salt, 1, 20)).size(), 20u);
  Bytes auth = ref::kdf(kB3Key, kB3Salt, 1, 16);
  EXPECT_EQ(auth, hex("CEBE321F6FF7716B6FD4AB49AF256A15"));
}

TEST_F(Kat, Rfc3711B3MasterKeyThroughSessionMatchesLibsrtpVectorAndReference) {
  // libsrtp test/srtp_driver.c srtp_validate(): the B.3 master key and salt, SSRC 0xcafebabe.
  const Bytes pt = hex("800f1234decafbadcafebabeabababababababababababababababab");
  const Bytes expect = hex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
  EXPECT_EQ(ref::srtp(kB3Key, kB3Salt, false, 10, pt), expect);
  Bytes master = concat(kB3Key, kB3Salt);
  auto key = MasterKey::from_bytes(Suite::AES_CM_128_HMAC_SHA1_80, master.data(), master.size());
  ASSERT_TRUE(key.ok());
  auto tx = SrtpSession::create(Direction::outbound, *key);
  auto rx = SrtpSession::create(Direction::inbound, *key);
  ASSERT_TRUE(tx.ok() && rx.ok());
  std::uint8_t buf[128] = {};
  std::copy(pt.begin(), pt.end(), buf);
  auto n = tx->protect_rtp(buf, pt.size(), sizeof buf);
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(Bytes(buf, buf + *n), expect);
  auto m = rx->unprotect_rtp(buf, *n);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(Bytes(buf, buf + *m), pt);
}

TEST_F(Kat, Rfc7714GcmThroughLibsrtpCipher) {
  Cipher ci;
  ASSERT_EQ(srtp_crypto_kernel_alloc_cipher(SRTP_AES_GCM_128, &ci.c, 28, 16), srtp_err_status_ok);
  Bytes key = concat(k7714Key, k7714Salt);
  ASSERT_EQ(srtp_cipher_init(ci.c, key.data()), srtp_err_status_ok);
  Bytes iv = k7714Iv;
  ASSERT_EQ(srtp_cipher_set_iv(ci.c, iv.data(), srtp_direction_encrypt), srtp_err_status_ok);
  ASSERT_EQ(srtp_cipher_set_aad(ci.c, k7714Rtp.data(), 12), srtp_err_status_ok);
  Bytes body(k7714Rtp.begin() + 12, k7714Rtp.end());
  std::uint32_t n = std::uint32_t(body.size());
  body.resize(body.size() + 16);  // the NSS build writes the tag after the text as well
  ASSERT_EQ(srtp_cipher_encrypt(ci.c, body.data(), &n), srtp_err_status_ok);
  std::uint8_t tag[16];
  std::uint32_t tl = 16;
  ASSERT_EQ(srtp_cipher_get_tag(ci.c, tag, &tl), srtp_err_status_ok);
  Bytes out(k7714Rtp.begin(), k7714Rtp.begin() + 12);
  out.insert(out.end(), body.begin(), body.begin() + n);
  out.insert(out.end(), tag, tag + tl);
  EXPECT_EQ(out, k7714Protected);
}

TEST_F(Kat, Rfc7714GcmReference) {
  ref::Keys k{k7714Key, {}, k7714Salt};
  EXPECT_EQ(ref::srtp_with_session_keys(k, true, 16, k7714Rtp, 0), k7714Protected);
}

// Every suite, random master keys: session output == reference output, both ways, RTP + RTCP.
class KatSuite : public Kat, public ::testing::WithParamInterface<Suite> {};

TEST_P(KatSuite, SessionMatchesReference) {
  const Suite s = GetParam();
  const auto& info = suite_info(s);
  for (int trial = 0; trial < 4; ++trial) {
    auto key = MasterKey::generate(s);
    ASSERT_TRUE(key.ok());
    Bytes mkey(key->data(), key->data() + info.key_len);
    Bytes msalt(key->data() + info.key_len, key->data() + key->size());
    auto tx = SrtpSession::create(Direction::outbound, *key);
    auto rx = SrtpSession::create(Direction::inbound, *key);
    ASSERT_TRUE(tx.ok() && rx.ok());
    for (std::uint16_t seq : {std::uint16_t(1), std::uint16_t(2), std::uint16_t(40)}) {
      Bytes rtp(12 + 160);
      RAND_bytes(rtp.data(), int(rtp.size()));
      rtp[0] = 0x80;
      rtp[1] = 0x00;
      rtp[2] = std::uint8_t(seq >> 8);
      rtp[3] = std::uint8_t(seq);
      Bytes expect = ref::srtp(mkey, msalt, info.aead, info.rtp_tag, rtp);
      std::uint8_t buf[256] = {};
      std::copy(rtp.begin(), rtp.end(), buf);
      auto n = tx->protect_rtp(buf, rtp.size(), sizeof buf);
      ASSERT_TRUE(n.ok()) << n.error().message();
      EXPECT_EQ(Bytes(buf, buf + *n), expect) << suite_name(s) << " seq " << seq;
      std::copy(expect.begin(), expect.end(), buf);
      auto m = rx->unprotect_rtp(buf, expect.size());
      ASSERT_TRUE(m.ok()) << m.error().message();
      EXPECT_EQ(Bytes(buf, buf + *m), rtp);
    }
    for (std::uint32_t idx = 1; idx <= 3; ++idx) {  // libsrtp2 numbers SRTCP packets from 1
      Bytes rtcp = hex("81c8000d4d617273");  // SR header, SSRC "Mars"
      Bytes body(44);
      RAND_bytes(body.data(), int(body.size()));
      rtcp.insert(rtcp.end(), body.begin(), body.end());
      Bytes expect = ref::srtcp(mkey, msalt, info.aead, rtcp, idx);
      std::uint8_t buf[256] = {};
      std::copy(rtcp.begin(), rtcp.end(), buf);
      auto n = tx->protect_rtcp(buf, rtcp.size(), sizeof buf);
      ASSERT_TRUE(n.ok()) << n.error().message();
      EXPECT_EQ(Bytes(buf, buf + *n), expect) << suite_name(s) << " SRTCP index " << idx;
      std::copy(expect.begin(), expect.end(), buf);
      auto m = rx->unprotect_rtcp(buf, expect.size());
      ASSERT_TRUE(m.ok()) << m.error().message();
      EXPECT_EQ(Bytes(buf, buf + *m), rtcp);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllSuites, KatSuite, ::testing::ValuesIn(kAllSuites),
                         [](const auto& i) { return std::string(suite_name(i.param)); });

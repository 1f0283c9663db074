// SPDX-License-Identifier: Apache-2.0
// An independent SRTP/SRTCP reference written straight from the RFCs with OpenSSL EVP, used to
// check libsrtp2 through our session API: RFC 3711 §4.3 key derivation (AES-CM PRF, kdr 0),
// §4.1.1 AES-CM + §4.2 HMAC-SHA1 packets, RFC 6188 AES-256, RFC 7714 §8-§9 AES-GCM packets.
// The reference itself is pinned to the RFC known-answer vectors in kat_test.cpp.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ref {

using Bytes = std::vector<std::uint8_t>;

inline Bytes hex(std::string s) {
  Bytes b;
  std::string clean;
  for (char c : s)
    if (!isspace(static_cast<unsigned char>(c))) clean += c;
  for (size_t i = 0; i + 1 < clean.size(); i += 2) b.push_back(std::uint8_t(std::stoul(clean.substr(i, 2), nullptr, 16)));
  return b;
}

inline const EVP_CIPHER* ctr(size_t keylen) { return keylen == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(); }
inline const EVP_CIPHER* gcm(size_t keylen) { return keylen == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(); }

// XORs data with the AES-CTR keystream for key and 16-byte initial counter block.
inline void aes_ctr(const Bytes& key, const std::uint8_t iv[16], std::uint8_t* data, size_t n) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  int out = 0;
  EVP_EncryptInit_ex(c, ctr(key.size()), nullptr, key.data(), iv);
  EVP_EncryptUpdate(c, data, &out, data, int(n));
  EVP_CIPHER_CTX_free(c);
}

// RFC 3711 §4.3.1 with kdr = 0: x = (label << 48) XOR master_salt (112 bits; a 96-bit GCM salt is
// padded with zeros on the right), keystream AES-CM(master_key, x * 2^16).
inline Bytes kdf(const Bytes& mkey, const Bytes& msalt, std::uint8_t label, size_t n) {
  std::uint8_t iv[16] = {};
  for (size_t i = 0; i < msalt.size() && i < 14; ++i) iv[i] = msalt[i];
  iv[7] ^= label;
  Bytes out(n, 0);
  aes_ctr(mkey, iv, out.data(), n);
  return out;
}

struct Keys {
  Bytes enc, auth, salt;
};
inline Keys derive(const Bytes& mkey, const Bytes& msalt, bool rtcp, bool aead) {
  std::uint8_t base = rtcp ? 3 : 0;
  return Keys{kdf(mkey, msalt, base, mkey.size()), aead ? Bytes{} : kdf(mkey, msalt, base + 1, 20),
              kdf(mkey, msalt, base + 2, aead ? 12 : 14)};
}

inline Bytes hmac_sha1(const Bytes& key, const Bytes& msg, size_t taglen) {
  unsigned char md[20];
  unsigned len = 0;
  HMAC(EVP_sha1(), key.data(), int(key.size()), msg.data(), msg.size(), md, &len);
  return Bytes(md, md + taglen);
}

inline Bytes gcm_seal(const Bytes& key, const std::uint8_t iv[12], const Bytes& aad, const std::uint8_t* pt, size_t n,
                      Bytes& tag) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  int out = 0;
  Bytes ct(n);
  EVP_EncryptInit_ex(c, gcm(key.size()), nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr);
  EVP_EncryptInit_ex(c, nullptr, nullptr, key.data(), iv);
  EVP_EncryptUpdate(c, nullptr, &out, aad.data(), int(aad.size()));
  if (n) EVP_EncryptUpdate(c, ct.data(), &out, pt, int(n));
  EVP_EncryptFinal_ex(c, nullptr, &out);
  tag.resize(16);
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag.data());
  EVP_CIPHER_CTX_free(c);
  return ct;
}

inline std::uint32_t be32(const std::uint8_t* p) { return std::uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

// SRTP packet (12-byte header, no CSRC/extension) with session keys; roc is the rollover counter.
inline Bytes srtp_with_session_keys(const Keys& k, bool aead, size_t tag_len, const Bytes& rtp, std::uint32_t roc) {
  const std::uint32_t ssrc = be32(&rtp[8]);
  const std::uint16_t seq = std::uint16_t(rtp[2] << 8 | rtp[3]);
  Bytes hdr(rtp.begin(), rtp.begin() + 12);
  if (aead) {
    std::uint8_t iv[12] = {};
    for (int i = 0; i < 4; ++i) iv[2 + i] = std::uint8_t(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i) iv[6 + i] = std::uint8_t(roc >> (24 - 8 * i));
    iv[10] = std::uint8_t(seq >> 8);
    iv[11] = std::uint8_t(seq);
    for (int i = 0; i < 12; ++i) iv[i] ^= k.salt[size_t(i)];
    Bytes tag;
    Bytes ct = gcm_seal(k.enc, iv, hdr, rtp.data() + 12, rtp.size() - 12, tag);
    Bytes out = hdr;
    out.insert(out.end(), ct.begin(), ct.end());
    out.insert(out.end(), tag.begin(), tag.end());
    return out;
  }
  std::uint8_t iv[16] = {};
  for (int i = 0; i < 14; ++i) iv[i] = k.salt[size_t(i)];
  for (int i = 0; i < 4; ++i) iv[4 + i] ^= std::uint8_t(ssrc >> (24 - 8 * i));
  const std::uint64_t index = (std::uint64_t(roc) << 16) | seq;
  for (int i = 0; i < 6; ++i) iv[8 + i] ^= std::uint8_t(index >> (40 - 8 * i));
  Bytes out = rtp;
  aes_ctr(k.enc, iv, out.data() + 12, out.size() - 12);
  Bytes mac = out;
  for (int i = 0; i < 4; ++i) mac.push_back(std::uint8_t(roc >> (24 - 8 * i)));
  Bytes tag = hmac_sha1(k.auth, mac, tag_len);
  out.insert(out.end(), tag.begin(), tag.end());
  return out;
}

inline Bytes srtp(const Bytes& mkey, const Bytes& msalt, bool aead, size_t tag_len, const Bytes& rtp, std::uint32_t roc = 0) {
  return srtp_with_session_keys(derive(mkey, msalt, false, aead), aead, tag_len, rtp, roc);
}

// SRTCP packet (E = 1) with SRTCP index `index`.
inline Bytes srtcp(const Bytes& mkey, const Bytes& msalt, bool aead, const Bytes& rtcp, std::uint32_t index) {
  Keys k = derive(mkey, msalt, true, aead);
  const std::uint32_t ssrc = be32(&rtcp[4]);
  const std::uint32_t eidx = 0x80000000u | index;
  std::uint8_t e[4] = {std::uint8_t(eidx >> 24), std::uint8_t(eidx >> 16), std::uint8_t(eidx >> 8), std::uint8_t(eidx)};
  Bytes hdr(rtcp.begin(), rtcp.begin() + 8);
  if (aead) {
    std::uint8_t iv[12] = {};
    for (int i = 0; i < 4; ++i) iv[2 + i] = std::uint8_t(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i) iv[8 + i] = std::uint8_t(index >> (24 - 8 * i));
    for (int i = 0; i < 12; ++i) iv[i] ^= k.salt[size_t(i)];
    Bytes aad = hdr;
    aad.insert(aad.end(), e, e + 4);
    Bytes tag;
    Bytes ct = gcm_seal(k.enc, iv, aad, rtcp.data() + 8, rtcp.size() - 8, tag);
    Bytes out = hdr;
    out.insert(out.end(), ct.begin(), ct.end());
    out.insert(out.end(), tag.begin(), tag.end());
    out.insert(out.end(), e, e + 4);
    return out;
  }
  std::uint8_t iv[16] = {};
  for (int i = 0; i < 14; ++i) iv[i] = k.salt[size_t(i)];
  for (int i = 0; i < 4; ++i) iv[4 + i] ^= std::uint8_t(ssrc >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) iv[10 + i] ^= std::uint8_t(index >> (24 - 8 * i));
  Bytes out = rtcp;
  aes_ctr(k.enc, iv, out.data() + 8, out.size() - 8);
  out.insert(out.end(), e, e + 4);
  Bytes tag = hmac_sha1(k.auth, out, 10);
  out.insert(out.end(), tag.begin(), tag.end());
  return out;
}

}  // namespace ref

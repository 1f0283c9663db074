// SPDX-License-Identifier: Apache-2.0
#include "dot1x/mschapv2.h"

#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <cstring>

#include "common/log.h"

namespace phonesec::dot1x {
namespace {

// Private library context with the legacy (MD4, DES) and default providers.
OSSL_LIB_CTX* legacy_ctx() {
  static OSSL_LIB_CTX* ctx = [] {
    OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();
    if (c && (!OSSL_PROVIDER_load(c, "legacy") || !OSSL_PROVIDER_load(c, "default"))) {
      OSSL_LIB_CTX_free(c);
      c = nullptr;
    }
    return c;
  }();
  return ctx;
}

// Fetched once: provider lookups (and loading legacy.so) are not free.
const EVP_MD* md4() {
  static EVP_MD* m = legacy_ctx() ? EVP_MD_fetch(legacy_ctx(), "MD4", nullptr) : nullptr;
  return m;
}
const EVP_MD* sha1() {
  static EVP_MD* m = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return m;
}
const EVP_CIPHER* des_ecb() {
  static EVP_CIPHER* c = legacy_ctx() ? EVP_CIPHER_fetch(legacy_ctx(), "DES-ECB", nullptr) : nullptr;
  return c;
}

Result<Bytes> digest(const EVP_MD* md, const char* name, std::initializer_list<ByteView> parts) {
  if (!md) return make_error(Errc::crypto, std::string(name) + " unavailable (OpenSSL legacy provider missing?)");
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  Bytes out(size_t(EVP_MD_get_size(md)));
  bool ok = c && EVP_DigestInit_ex(c, md, nullptr) == 1;
  for (auto p : parts) ok = ok && EVP_DigestUpdate(c, p.data(), p.size()) == 1;
  unsigned n = 0;
  ok = ok && EVP_DigestFinal_ex(c, out.data(), &n) == 1;
  EVP_MD_CTX_free(c);
  if (!ok) return make_error(Errc::crypto, std::string(name) + " failed");
  return out;
}

// 7 key bytes → 8-byte DES key (parity bits ignored by OpenSSL).
void des_key(const uint8_t* k7, uint8_t* k8) {
  k8[0] = k7[0];
  k8[1] = uint8_t(k7[0] << 7 | k7[1] >> 1);
  k8[2] = uint8_t(k7[1] << 6 | k7[2] >> 2);
  k8[3] = uint8_t(k7[2] << 5 | k7[3] >> 3);
  k8[4] = uint8_t(k7[3] << 4 | k7[4] >> 4);
  k8[5] = uint8_t(k7[4] << 3 | k7[5] >> 5);
  k8[6] = uint8_t(k7[5] << 2 | k7[6] >> 6);
  k8[7] = uint8_t(k7[6] << 1);
}

Result<Bytes> challenge_response(ByteView challenge8, const SecretBytes& pw_hash) {
  uint8_t z[21] = {};
  std::memcpy(z, pw_hash.data(), 16);
  const EVP_CIPHER* des = des_ecb();
  if (!des) return make_error(Errc::crypto, "DES-ECB unavailable (OpenSSL legacy provider missing?)");
  Bytes out(24);
  bool ok = true;
  for (int i = 0; i < 3 && ok; ++i) {
    uint8_t k[8];
    des_key(z + 7 * i, k);
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    int n = 0;
    ok = c && EVP_EncryptInit_ex(c, des, nullptr, k, nullptr) == 1 && EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
         EVP_EncryptUpdate(c, out.data() + 8 * i, &n, challenge8.data(), 8) == 1;
    EVP_CIPHER_CTX_free(c);
    secure_wipe(k, sizeof k);
  }
  secure_wipe(z, sizeof z);
  if (!ok) return make_error(Errc::crypto, "DES failed");
  return out;
}

Result<Bytes> challenge_hash(ByteView peer, ByteView auth, std::string_view user) {
  auto h = digest(sha1(), "SHA1", {peer, auth, as_bytes(user)});
  if (!h) return h;
  h->resize(8);
  return h;
}

constexpr std::string_view kMagic1 = "Magic server to client signing constant";
constexpr std::string_view kMagic2 = "Pad to make it do more than one iteration";
constexpr std::string_view kMasterMagic = "This is the MPPE Master Key";
constexpr std::string_view kSendMagic = "On the client side, this is the send key; on the server side, it is the receive key.";
constexpr std::string_view kRecvMagic = "On the client side, this is the receive key; on the server side, it is the send key.";

}  // namespace

namespace mschapv2 {

bool warm_up() { return md4() && des_ecb() && sha1(); }

Result<SecretBytes> nt_password_hash(const SecretString& password) {
  SecretBytes u16(password.reveal().size() * 2);
  for (size_t i = 0; i < password.reveal().size(); ++i) u16.data()[2 * i] = uint8_t(password.reveal()[i]);
  auto h = digest(md4(), "MD4", {u16.view()});
  if (!h) return h.error();
  SecretBytes out{ByteView(*h)};
  secure_wipe(h->data(), h->size());
  return out;
}

Result<Bytes> generate_nt_response(ByteView auth_challenge, ByteView peer_challenge, std::string_view user,
                                   const SecretBytes& pw_hash) {
  auto ch = challenge_hash(peer_challenge, auth_challenge, user);
  if (!ch) return ch;
  return challenge_response(*ch, pw_hash);
}

Result<std::string> authenticator_response(const SecretBytes& pw_hash, ByteView nt_response, ByteView peer_challenge,
                                           ByteView auth_challenge, std::string_view user) {
  auto hh = digest(md4(), "MD4", {pw_hash.view()});
  if (!hh) return hh.error();
  auto d1 = digest(sha1(), "SHA1", {*hh, nt_response, as_bytes(kMagic1)});
  secure_wipe(hh->data(), hh->size());
  if (!d1) return d1.error();
  auto ch = challenge_hash(peer_challenge, auth_challenge, user);
  if (!ch) return ch.error();
  auto d2 = digest(sha1(), "SHA1", {*d1, *ch, as_bytes(kMagic2)});
  if (!d2) return d2.error();
  std::string s = "S=";
  static const char* X = "0123456789ABCDEF";
  for (uint8_t c : *d2) {
    s.push_back(X[c >> 4]);
    s.push_back(X[c & 15]);
  }
  return s;
}

Result<SecretBytes> peer_msk(const SecretBytes& pw_hash, ByteView nt_response) {
  auto hh = digest(md4(), "MD4", {pw_hash.view()});
  if (!hh) return hh.error();
  auto mk = digest(sha1(), "SHA1", {*hh, nt_response, as_bytes(kMasterMagic)});
  secure_wipe(hh->data(), hh->size());
  if (!mk) return mk.error();
  mk->resize(16);
  const Bytes pad1(40, 0x00), pad2(40, 0xf2);
  SecretBytes msk(32);
  for (int i = 0; i < 2; ++i) {
    auto k = digest(sha1(), "SHA1", {*mk, pad1, as_bytes(i == 0 ? kSendMagic : kRecvMagic), pad2});
    if (!k) return k.error();
    std::memcpy(msk.data() + 16 * i, k->data(), 16);
    secure_wipe(k->data(), k->size());
  }
  secure_wipe(mk->data(), mk->size());
  return msk;
}

}  // namespace mschapv2

std::optional<Bytes> EapMschapv2::process(const EapPacket& req, MethodRet& ret) {
  ByteView d = req.data;
  if (d.size() < 4) {
    reason_ = "MSCHAPv2 request id " + std::to_string(req.id) + ": " + std::to_string(d.size()) + " bytes, header needs 4";
    ret.ignore = true;
    return std::nullopt;
  }
  const uint8_t op = d[0], ms_id = d[1];
  ret.allow_notifications = true;
  switch (op) {
    case 1: {  // Challenge
      if (d.size() < 5 + 16 || d[4] != 16) {
        reason_ = "MSCHAPv2 Challenge: Value-Size must be 16";
        ret.ignore = true;
        return std::nullopt;
      }
      if (fixed_server_) auth_challenge_ = *fixed_server_;
      else std::memcpy(auth_challenge_.data(), d.data() + 5, 16);
      if (fixed_peer_) peer_challenge_ = *fixed_peer_;
      else RAND_bytes(peer_challenge_.data(), 16);
      auto h = mschapv2::nt_password_hash(password_);
      if (!h) {
        reason_ = h.error().message();
        ret.ignore = true;
        return std::nullopt;
      }
      pw_hash_ = std::move(*h);
      auto nt = mschapv2::generate_nt_response(auth_challenge_, peer_challenge_, user_, pw_hash_);
      if (!nt) {
        reason_ = nt.error().message();
        ret.ignore = true;
        return std::nullopt;
      }
      nt_response_ = *nt;
      Bytes r{2, ms_id};
      put_be16(r, uint16_t(4 + 1 + 49 + user_.size()));
      r.push_back(49);
      r.insert(r.end(), peer_challenge_.begin(), peer_challenge_.end());
      r.insert(r.end(), 8, 0);
      append(r, nt_response_);
      r.push_back(0);
      append(r, as_bytes(user_));
      ret.state = MethodState::cont;
      ret.decision = Decision::fail;
      return build_eap(EapCode::response, req.id, eap_type::mschapv2, r);
    }
    case 3: {  // Success: check the authenticator response before believing it
      if (nt_response_.empty()) {
        reason_ = "MSCHAPv2 Success before any Challenge";
        ret.ignore = true;
        return std::nullopt;
      }
      std::string msg(d.begin() + 4, d.end());
      auto want = mschapv2::authenticator_response(pw_hash_, nt_response_, peer_challenge_, auth_challenge_, user_);
      if (!want || msg.compare(0, 42, *want) != 0) {
        reason_ = "MSCHAPv2: the server's authenticator response is wrong (server does not know the password)";
        ret.state = MethodState::done;
        ret.decision = Decision::fail;
        return std::nullopt;
      }
      auto k = mschapv2::peer_msk(pw_hash_, nt_response_);
      if (k) msk_ = std::move(*k);
      success_ = true;
      ret.state = MethodState::done;
      ret.decision = Decision::cond_succ;
      return build_eap(EapCode::response, req.id, eap_type::mschapv2, Bytes{3});
    }
    case 4: {  // Failure
      std::string msg(d.begin() + 4, d.end());
      for (char& c : msg)
        if (c < 0x20 || c > 0x7e) c = '?';
      reason_ = "MSCHAPv2 rejected by the server (" + msg.substr(0, 80) + ")";
      if (msg.find("E=691") != std::string::npos) reason_ = "MSCHAPv2: wrong user name or password (E=691)";
      ret.state = MethodState::done;
      ret.decision = Decision::fail;
      return build_eap(EapCode::response, req.id, eap_type::mschapv2, Bytes{4});
    }
    default:
      reason_ = "MSCHAPv2: unexpected OpCode " + std::to_string(op);
      ret.ignore = true;
      return std::nullopt;
  }
}

}  // namespace phonesec::dot1x

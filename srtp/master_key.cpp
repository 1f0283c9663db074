// SPDX-License-Identifier: Apache-2.0
#include "srtp/master_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "srtp/base64.h"

namespace phonesec::srtp {

Result<MasterKey> MasterKey::generate(Suite s) {
  MasterKey k;
  k.suite_ = s;
  k.len_ = master_len(s);
  if (RAND_priv_bytes(k.bytes_.data(), int(k.len_)) != 1)
    return make_error(Errc::crypto, "srtp: OpenSSL RNG failed to produce a master key");
  return k;
}

Result<MasterKey> MasterKey::from_bytes(Suite s, const std::uint8_t* p, std::size_t n) {
  if (n != master_len(s))
    return make_error(Errc::invalid_argument, "srtp: " + std::string(suite_name(s)) + " needs a " +
                                                  std::to_string(master_len(s)) + "-octet key and salt, got " +
                                                  std::to_string(n));
  MasterKey k;
  k.suite_ = s;
  k.len_ = n;
  for (size_t i = 0; i < n; ++i) k.bytes_[i] = p[i];
  return k;
}

Result<MasterKey> MasterKey::from_base64(Suite s, std::string_view b64) {
  std::array<std::uint8_t, kMaxMasterLen + 3> tmp{};
  auto n = base64_decode(b64, tmp.data(), tmp.size());
  if (!n) {
    secure_wipe(tmp.data(), tmp.size());
    return make_error(Errc::parse, "srtp: inline key is not valid base64");
  }
  auto r = from_bytes(s, tmp.data(), *n);
  secure_wipe(tmp.data(), tmp.size());
  return r;
}

SecretString MasterKey::to_base64() const { return SecretString(base64_encode(bytes_.data(), len_)); }

bool MasterKey::same_as(const MasterKey& o) const {
  return suite_ == o.suite_ && len_ == o.len_ && CRYPTO_memcmp(bytes_.data(), o.bytes_.data(), len_) == 0;
}

}  // namespace phonesec::srtp

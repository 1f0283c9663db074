// SPDX-License-Identifier: Apache-2.0
// MasterKey: one SRTP master key ‖ master salt, in fixed storage, wiped (OPENSSL_cleanse) when
// dropped or overwritten. It has no operator<< and no accessor returning a string: the only
// ways out are data() (handed to libsrtp) and to_base64() (a SecretString for SDP).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "common/result.h"
#include "common/secure.h"
#include "srtp/suite.h"

namespace phonesec::srtp {

class MasterKey {
 public:
  MasterKey() = default;
  MasterKey(const MasterKey& o) { copy(o); }
  MasterKey& operator=(const MasterKey& o) {
    if (this != &o) { wipe(); copy(o); }
    return *this;
  }
  ~MasterKey() { wipe(); }

  // Fresh key and salt from OpenSSL's RNG (RAND_priv_bytes).
  static Result<MasterKey> generate(Suite s);
  // From raw key ‖ salt; the length must match the suite.
  static Result<MasterKey> from_bytes(Suite s, const std::uint8_t* p, std::size_t n);
  // From the base64 key-salt of an SDES inline parameter.
  static Result<MasterKey> from_base64(Suite s, std::string_view b64);

  Suite suite() const { return suite_; }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return len_; }
  bool empty() const { return len_ == 0; }
  SecretString to_base64() const;
  // Constant-time comparison.
  bool same_as(const MasterKey& o) const;

 private:
  void copy(const MasterKey& o) {
    suite_ = o.suite_;
    len_ = o.len_;
    bytes_ = o.bytes_;
  }
  void wipe() {
    secure_wipe(bytes_.data(), bytes_.size());
    len_ = 0;
  }
  Suite suite_ = Suite::AES_CM_128_HMAC_SHA1_80;
  std::size_t len_ = 0;
  std::array<std::uint8_t, kMaxMasterLen> bytes_{};
};

}  // namespace phonesec::srtp

// SPDX-License-Identifier: Apache-2.0
// Byte buffers for the 802.1X code: Bytes for wire data, SecretBytes for key material
// (PAC-Key, MSK, S-IMCK, MSCHAPv2 hashes) which is wiped when dropped and never printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/secure.h"

namespace phonesec::dot1x {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : v_(n, 0) {}
  explicit SecretBytes(ByteView b) : v_(b.begin(), b.end()) {}
  SecretBytes(const SecretBytes& o) : v_(o.v_) {}
  SecretBytes(SecretBytes&& o) noexcept : v_(std::move(o.v_)) { o.v_.clear(); }
  SecretBytes& operator=(const SecretBytes& o) {
    if (this != &o) { wipe(); v_ = o.v_; }
    return *this;
  }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) { wipe(); v_ = std::move(o.v_); o.v_.clear(); }
    return *this;
  }
  ~SecretBytes() { wipe(); }
  uint8_t* data() { return v_.data(); }
  const uint8_t* data() const { return v_.data(); }
  size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  ByteView view() const { return {v_.data(), v_.size()}; }
  void resize(size_t n) { v_.resize(n, 0); }
  void wipe() {
    if (!v_.empty()) secure_wipe(v_.data(), v_.size());
    v_.clear();
  }

 private:
  std::vector<uint8_t> v_;
};

inline void put_be16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void put_be32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}
inline uint16_t get_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t get_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline void append(Bytes& b, ByteView v) { b.insert(b.end(), v.begin(), v.end()); }
inline ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string hex(ByteView b);

}  // namespace phonesec::dot1x

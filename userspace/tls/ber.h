// SPDX-License-Identifier: Apache-2.0
// The subset of BER (X.690) that LDAPv3 (RFC 4511) uses: definite lengths only, tags below 31,
// integers/enumerations up to 32 bits. The writer builds TLVs; the reader walks a buffer that
// was read whole (one LDAPMessage) and never reads past it. Every decode error names what was
// expected, so a malformed server answer gives a clear message instead of a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace phonesec::tls::ber {

// Tag bytes used by LDAP.
inline constexpr std::uint8_t kBoolean = 0x01, kInteger = 0x02, kOctetString = 0x04, kNull = 0x05,
                              kEnumerated = 0x0a, kSequence = 0x30, kSet = 0x31;
inline constexpr std::uint8_t application(int n, bool constructed) {
  return std::uint8_t(0x40 | (constructed ? 0x20 : 0) | n);
}
inline constexpr std::uint8_t context(int n, bool constructed) {
  return std::uint8_t(0x80 | (constructed ? 0x20 : 0) | n);
}

// Largest LDAPMessage we accept from a server (a directory lookup on a phone is small).
inline constexpr std::size_t kMaxMessage = 1 << 20;

// Wipes its buffer when destroyed: a bind request carries LDAP_Password.
class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = default;
  Writer& operator=(const Writer&) = default;
  ~Writer();
  // Appends one TLV whose content is `content`.
  Writer& raw(std::uint8_t tag, std::string_view content);
  Writer& integer(std::int64_t v, std::uint8_t tag = kInteger);
  Writer& octets(std::string_view v, std::uint8_t tag = kOctetString) { return raw(tag, v); }
  Writer& boolean(bool v) {
    return raw(kBoolean, v ? std::string_view("\xff", 1) : std::string_view("\x00", 1));
  }
  // Appends a constructed TLV whose content is what `inner` wrote.
  Writer& nested(std::uint8_t tag, const Writer& inner) { return raw(tag, inner.bytes()); }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// Reads TLVs from a bounded buffer.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool empty() const { return data_.empty(); }
  // Tag of the next TLV (0 when empty).
  std::uint8_t peek_tag() const { return data_.empty() ? 0 : std::uint8_t(data_[0]); }
  // Takes the next TLV, which must carry `tag`; returns its content. `what` names it in errors.
  Result<std::string_view> take(std::uint8_t tag, std::string_view what);
  Result<std::int64_t> integer(std::string_view what, std::uint8_t tag = kInteger);
  Result<Reader> nested(std::uint8_t tag, std::string_view what);
  // Takes the next TLV whatever its tag (skipping an element we do not use).
  Status skip(std::string_view what);

 private:
  Result<std::pair<std::uint8_t, std::string_view>> next(std::string_view what);
  std::string_view data_;
};

// Length of the whole TLV that starts `head` (tag + length octets + content), or 0 when more
// bytes are needed to know. Errors on indefinite lengths, lengths over kMaxMessage.
Result<std::size_t> tlv_size(std::string_view head);

}  // namespace phonesec::tls::ber

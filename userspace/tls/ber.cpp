// SPDX-License-Identifier: Apache-2.0
#include "tls/ber.h"

#include <cstdio>

#include "common/secure.h"

namespace phonesec::tls::ber {
namespace {

std::string hex_tag(std::uint8_t t) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02x", t);
  return b;
}

void put_length(std::string& out, std::size_t n) {
  if (n < 0x80) {
    out += char(n);
    return;
  }
  std::string be;
  for (; n > 0; n >>= 8) be.insert(be.begin(), char(n & 0xff));
  out += char(0x80 | be.size());
  out += be;
}

}  // namespace

Writer::~Writer() {
  if (!out_.empty()) secure_wipe(out_.data(), out_.size());
}

Writer& Writer::raw(std::uint8_t tag, std::string_view content) {
  out_ += char(tag);
  put_length(out_, content.size());
  out_.append(content);
  return *this;
}

Writer& Writer::integer(std::int64_t v, std::uint8_t tag) {
  std::string be;
  // Minimal two's-complement encoding.
  do {
    be.insert(be.begin(), char(v & 0xff));
    v >>= 8;
  } while (!((v == 0 && !(be[0] & 0x80)) || (v == -1 && (be[0] & 0x80))));
  return raw(tag, be);
}

Result<std::size_t> tlv_size(std::string_view head) {
  if (head.size() < 2) return std::size_t(0);
  auto first = std::uint8_t(head[1]);
  if (first < 0x80) return std::size_t(2 + first);
  std::size_t nlen = first & 0x7f;
  if (nlen == 0) return make_error(Errc::parse, "BER: indefinite length is not allowed in LDAP");
  if (nlen > 4)
    return make_error(Errc::parse, "BER: length of " + std::to_string(nlen) + " octets is too long");
  if (head.size() < 2 + nlen) return std::size_t(0);
  std::size_t len = 0;
  for (std::size_t i = 0; i < nlen; ++i) len = (len << 8) | std::uint8_t(head[2 + i]);
  if (len > kMaxMessage)
    return make_error(Errc::parse, "BER: element of " + std::to_string(len) + " bytes exceeds the limit");
  return 2 + nlen + len;
}

Result<std::pair<std::uint8_t, std::string_view>> Reader::next(std::string_view what) {
  if (data_.empty()) return make_error(Errc::parse, "LDAP: missing " + std::string(what));
  auto size = tlv_size(data_);
  if (!size) return make_error(Errc::parse, "LDAP: " + std::string(what) + ": " + size.error().message());
  if (*size == 0 || *size > data_.size())
    return make_error(Errc::parse, "LDAP: " + std::string(what) + " is truncated");
  std::uint8_t tag = std::uint8_t(data_[0]);
  std::size_t hdr = std::uint8_t(data_[1]) < 0x80 ? 2 : 2 + (std::uint8_t(data_[1]) & 0x7f);
  std::string_view content = data_.substr(hdr, *size - hdr);
  data_.remove_prefix(*size);
  return std::pair{tag, content};
}

Result<std::string_view> Reader::take(std::uint8_t tag, std::string_view what) {
  std::uint8_t got = peek_tag();
  if (!data_.empty() && got != tag)
    return make_error(Errc::parse, "LDAP: expected " + std::string(what) + " (tag " + hex_tag(tag) +
                                       "), got tag " + hex_tag(got));
  auto tlv = next(what);
  if (!tlv) return tlv.error();
  return tlv->second;
}

Result<std::int64_t> Reader::integer(std::string_view what, std::uint8_t tag) {
  auto c = take(tag, what);
  if (!c) return c.error();
  if (c->empty() || c->size() > 4)
    return make_error(Errc::parse, "LDAP: " + std::string(what) + " has a bad integer length");
  std::int64_t v = std::int8_t((*c)[0]);  // sign from the first octet
  for (std::size_t i = 1; i < c->size(); ++i) v = (v << 8) | std::uint8_t((*c)[i]);
  return v;
}

Result<Reader> Reader::nested(std::uint8_t tag, std::string_view what) {
  auto c = take(tag, what);
  if (!c) return c.error();
  return Reader(*c);
}

Status Reader::skip(std::string_view what) {
  auto tlv = next(what);
  if (!tlv) return tlv.error();
  return {};
}

}  // namespace phonesec::tls::ber

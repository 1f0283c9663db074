// SPDX-License-Identifier: Apache-2.0
#include "srtp/base64.h"

namespace phonesec::srtp {
namespace {
constexpr char kAlpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int val(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::optional<std::size_t> base64_decode(std::string_view in, std::uint8_t* out, std::size_t cap) {
  size_t pad = 0;
  while (!in.empty() && in.back() == '=' && pad < 2) { in.remove_suffix(1); ++pad; }
  if (pad && (in.size() + pad) % 4 != 0) return std::nullopt;
  if (in.size() % 4 == 1) return std::nullopt;
  size_t n = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | std::uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= cap) return std::nullopt;
      out[n++] = std::uint8_t(acc >> bits);
    }
  }
  // Leftover bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return n;
}

std::string base64_encode(const std::uint8_t* in, std::size_t n) {
  std::string s;
  s.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    std::uint32_t v = std::uint32_t(in[i]) << 16;
    if (i + 1 < n) v |= std::uint32_t(in[i + 1]) << 8;
    if (i + 2 < n) v |= in[i + 2];
    s += kAlpha[(v >> 18) & 63];
    s += kAlpha[(v >> 12) & 63];
    s += i + 1 < n ? kAlpha[(v >> 6) & 63] : '=';
    s += i + 2 < n ? kAlpha[v & 63] : '=';
  }
  return s;
}

}  // namespace phonesec::srtp

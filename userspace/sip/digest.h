// SPDX-License-Identifier: Apache-2.0
// HTTP Digest for SIP (RFC 7616, with RFC 2617/3261 compatibility): algorithms MD5, MD5-sess,
// SHA-256, SHA-256-sess; qop "auth" or none (RFC 2069 style, accepted once per nonce).
// Pure functions here; nonce state lives in NonceStore.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace phonesec::sip {

enum class DigestAlg { MD5, MD5_sess, SHA256, SHA256_sess };

std::string_view alg_name(DigestAlg a);                  // "MD5", "SHA-256-sess", …
std::optional<DigestAlg> parse_alg(std::string_view s);  // case-insensitive; empty -> MD5 (RFC 2617)

// Lowercase hex digest of data with the algorithm's hash (MD5 or SHA-256).
std::string hash_hex(DigestAlg a, std::string_view data);

// The credentials of an Authorization / Proxy-Authorization header.
struct Credentials {
  std::string username, realm, nonce, uri, response, cnonce, qop, opaque, nc_text;
  std::string algorithm;  // as written ("" when absent)
  std::uint32_t nc = 0;   // parsed nc (0 when absent)
};

// Parses `Digest k=v, k="v", …`. Errc::parse naming the problem (not Digest, unterminated
// quote, bad nc, duplicate parameter).
Result<Credentials> parse_credentials(std::string_view header_value);

// The expected `response` (RFC 7616 3.4.1) for the request method, with password in clear.
std::string expected_response(DigestAlg a, const Credentials& c, std::string_view method,
                              std::string_view password);

}  // namespace phonesec::sip

// SPDX-License-Identifier: Apache-2.0
// Base64 (RFC 4648 alphabet) for SDES inline keys. Decoding accepts missing padding and writes
// into caller storage so key material never lands in a growable container.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace phonesec::srtp {

// Decodes into out (capacity cap); returns the decoded length, or nullopt on a bad character,
// bad padding or overflow.
std::optional<std::size_t> base64_decode(std::string_view in, std::uint8_t* out, std::size_t cap);
std::string base64_encode(const std::uint8_t* in, std::size_t n);

}  // namespace phonesec::srtp

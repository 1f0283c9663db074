// SPDX-License-Identifier: Apache-2.0
// EAP-FAST TLVs (RFC 4851 section 4.2, RFC 5422 section 4.2), the T-PRF (RFC 4851 section 5.5),
// the inner-method key chain (S-IMCK, CMK, MSK) and the Crypto-Binding TLV. Pure functions.
#pragma once

#include <optional>
#include <vector>

#include "common/result.h"
#include "dot1x/bytes.h"

namespace phonesec::dot1x::fast {

namespace tlv {
inline constexpr uint16_t mandatory = 0x8000;
inline constexpr uint16_t result = 3;
inline constexpr uint16_t nak = 4;
inline constexpr uint16_t error = 5;
inline constexpr uint16_t vendor = 7;
inline constexpr uint16_t eap_payload = 9;
inline constexpr uint16_t intermediate_result = 10;
inline constexpr uint16_t pac = 11;
inline constexpr uint16_t crypto_binding = 12;
inline constexpr uint16_t request_action = 19;
}  // namespace tlv
namespace pac_attr {
inline constexpr uint16_t key = 1;
inline constexpr uint16_t opaque = 2;
inline constexpr uint16_t lifetime = 3;
inline constexpr uint16_t a_id = 4;
inline constexpr uint16_t i_id = 5;
inline constexpr uint16_t a_id_info = 7;
inline constexpr uint16_t ack = 8;
inline constexpr uint16_t info = 9;
inline constexpr uint16_t type = 10;
}  // namespace pac_attr
inline constexpr uint16_t kResultSuccess = 1, kResultFailure = 2;
inline constexpr size_t kCryptoBindingLen = 60;  // with its 4-byte header

struct Tlv {
  uint16_t type = 0;  // without the M/R bits
  bool mandatory = false;
  ByteView value;
};
// Errors: a header or value running past the end (names the offset).
Result<std::vector<Tlv>> parse_tlvs(ByteView b);
void put_tlv(Bytes& out, uint16_t type, ByteView value, bool mandatory = true);
Bytes result_tlv(uint16_t type, uint16_t status);

// T-PRF(key, label, seed, len), HMAC-SHA1 based.
SecretBytes t_prf(ByteView key, std::string_view label, ByteView seed, size_t len);

// S-IMCK[j] and CMK[j] from S-IMCK[j-1] and the inner method's ISK (32 bytes, zeros if none).
struct Imck {
  SecretBytes simck;  // 40
  SecretBytes cmk;    // 20
};
Imck next_imck(ByteView simck_prev, ByteView isk32);
SecretBytes session_msk(ByteView simck);  // 64 bytes, "Session Key Generating Function"

// Checks the server's Crypto-Binding TLV (whole TLV, 60 bytes) with CMK and returns our
// response TLV (nonce + 1, subtype Response, our compound MAC). Errors say what is wrong.
Result<Bytes> answer_crypto_binding(ByteView tlv60, const SecretBytes& cmk);

struct Pac {
  SecretBytes key;  // PAC-Key, 32 bytes
  Bytes opaque;     // PAC-Opaque value
  Bytes a_id;
  std::string i_id, a_id_info;
  uint32_t lifetime = 0;  // seconds since the epoch, 0 = unknown
};
// PAC TLV value (sub-TLVs) → Pac. Errors: missing PAC-Key/PAC-Opaque/A-ID, bad lengths.
Result<Pac> parse_pac(ByteView pac_tlv_value);

}  // namespace phonesec::dot1x::fast

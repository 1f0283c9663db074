// SPDX-License-Identifier: Apache-2.0
// EAPOL (IEEE 802.1X-2010 clause 11) and EAP (RFC 3748 section 4) framing: pure parse/build.
// Parsers never read past the span they are given and return an Error naming the field and
// offset when a frame is truncated or inconsistent; callers drop and count such frames.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "dot1x/bytes.h"

namespace phonesec::dot1x {

using Mac = std::array<uint8_t, 6>;
inline constexpr Mac kPaeGroupAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x03};
inline constexpr uint16_t kEthPPae = 0x888e;
inline constexpr uint16_t kEthP8021Q = 0x8100;
inline constexpr size_t kEthHdrLen = 14;
inline constexpr size_t kEapolHdrLen = 4;
inline constexpr size_t kEapHdrLen = 4;
inline constexpr size_t kMinFrameLen = 60;  // Ethernet minimum without FCS

std::string mac_to_string(const Mac& m);
std::optional<Mac> mac_from_string(std::string_view s);

enum class EapolType : uint8_t {
  eap_packet = 0,
  start = 1,
  logoff = 2,
  key = 3,
  encapsulated_asf_alert = 4,
  mka = 5,
  announcement_generic = 6,
  announcement_specific = 7,
  announcement_req = 8,
};
std::string_view to_string(EapolType t);

// An EAPOL frame as received: Ethernet addresses, an optional 802.1Q tag skipped, and the
// packet body bounded by the EAPOL length field (Ethernet padding removed).
struct EapolFrame {
  Mac dst{};
  Mac src{};
  uint8_t version = 0;
  EapolType type = EapolType::eap_packet;
  ByteView body;
};

// Parses an Ethernet frame carrying EAPOL. Errors: not EAPOL (ethertype), truncated header,
// body length larger than the frame.
Result<EapolFrame> parse_eapol(ByteView frame);

// Builds an Ethernet frame (padded to 60 bytes) carrying one EAPOL packet.
Bytes build_eapol(const Mac& dst, const Mac& src, uint8_t version, EapolType type, ByteView body);

enum class EapCode : uint8_t { request = 1, response = 2, success = 3, failure = 4 };

namespace eap_type {
inline constexpr uint8_t identity = 1;
inline constexpr uint8_t notification = 2;
inline constexpr uint8_t nak = 3;
inline constexpr uint8_t md5 = 4;
inline constexpr uint8_t gtc = 6;
inline constexpr uint8_t tls = 13;
inline constexpr uint8_t mschapv2 = 26;
inline constexpr uint8_t fast = 43;
inline constexpr uint8_t expanded = 254;
}  // namespace eap_type
std::string eap_type_name(uint8_t t);

// An EAP packet (RFC 3748 section 4): for Request/Response, type and type data; for
// Success/Failure, type is 0 and data empty. `raw` covers exactly Length bytes.
struct EapPacket {
  EapCode code = EapCode::request;
  uint8_t id = 0;
  uint8_t type = 0;
  ByteView data;
  ByteView raw;
};

// Errors: shorter than 4 bytes, Length below 4 or beyond the buffer, unknown Code, Request or
// Response without a Type, Success/Failure with data.
Result<EapPacket> parse_eap(ByteView buf);

Bytes build_eap(EapCode code, uint8_t id, uint8_t type, ByteView data);
Bytes build_eap_success_failure(EapCode code, uint8_t id);

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// EAP-TLS record framing shared by EAP-TLS (RFC 5216 section 3.1) and EAP-FAST (RFC 4851
// section 4.1): Flags octet (L length-included, M more-fragments, S start, version bits),
// reassembly of the server's fragments (answered with ACKs) and fragmentation of ours
// (continued on the server's ACKs). Bounded: a message may not exceed kMaxTlsMessage.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "dot1x/bytes.h"
#include "dot1x/eapol.h"

namespace phonesec::dot1x {

namespace tls_flags {
inline constexpr uint8_t length_included = 0x80;
inline constexpr uint8_t more_fragments = 0x40;
inline constexpr uint8_t start = 0x20;
inline constexpr uint8_t version_mask = 0x07;
}  // namespace tls_flags

inline constexpr size_t kMaxTlsMessage = 64 * 1024;

class TlsFraming {
 public:
  enum class Kind {
    start,          // S bit: `message` holds the Start payload (EAP-FAST: A-ID TLV)
    message,        // a whole message from the server is in `message`
    ack_sent,       // a fragment was stored; `response` is our ACK
    fragment_sent,  // the server ACKed our fragment; `response` is the next one
  };
  struct Received {
    Kind kind;
    uint8_t flags = 0;
    Bytes message;
    Bytes response;
  };

  TlsFraming(uint8_t eap_type, size_t fragment_size) : type_(eap_type), frag_(fragment_size < 64 ? 64 : fragment_size) {}
  void set_version(uint8_t v) { version_ = uint8_t(v & tls_flags::version_mask); }

  // Errors: no Flags octet, L without the 4-byte length, length above kMaxTlsMessage,
  // reassembled size different from the announced one, data where an ACK was expected.
  Result<Received> receive(const EapPacket& req);
  // The Response carrying `data` (first fragment if longer than the fragment size); an empty
  // `data` gives an ACK.
  Bytes respond(uint8_t id, ByteView data);
  bool sending() const { return out_pos_ < out_.size(); }
  void reset();

 private:
  Bytes next_fragment(uint8_t id);

  uint8_t type_;
  size_t frag_;
  uint8_t version_ = 0;
  Bytes in_;
  size_t in_total_ = 0;   // 0 = not announced
  bool in_progress_ = false;
  Bytes out_;
  size_t out_pos_ = 0;
};

}  // namespace phonesec::dot1x

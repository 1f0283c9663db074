// SPDX-License-Identifier: Apache-2.0
// The part of an SDP body (RFC 4566) media security needs: per m-line the media, port, proto,
// connection address, its a=crypto lines and the mediasec marker `a=3ge2ae:requested`.
// a=crypto lines that cannot be used (unknown suite, bad syntax, bad key length) are skipped
// with a warning naming the m-line and the reason — never the key — and are not fatal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "srtp/sdp_crypto.h"

namespace phonesec::srtp {

inline constexpr std::string_view kMediaSecAttr = "a=3ge2ae:requested";

struct SdpMedia {
  std::string media;  // "audio", "video", …
  std::uint16_t port = 0;
  std::string proto;  // "RTP/SAVP", "RTP/AVP", …
  std::vector<std::string> fmts;
  std::string connection;  // c= address (media level, else session level)
  std::vector<CryptoAttribute> crypto;
  bool mediasec_requested = false;
};

struct SdpInfo {
  std::vector<SdpMedia> media;
  std::vector<std::string> warnings;
};

// Errors only for a body that is not SDP at all (no v=0, an m= line that cannot be read).
Result<SdpInfo> parse_sdp(std::string_view body);

// The security lines of one m-section, CRLF-terminated: the a=crypto lines in order, then
// a=3ge2ae:requested when MediaSec is agreed. Holds keys, hence a SecretString.
SecretString media_security_lines(const std::vector<CryptoAttribute>& crypto, bool mediasec_agreed);

// Replaces the key of every "inline:" parameter by ******** — for logging SDP bodies.
std::string redact_sdp(std::string_view body);

}  // namespace phonesec::srtp

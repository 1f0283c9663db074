// SPDX-License-Identifier: Apache-2.0
// SDP rewriting for the RTP<->SRTP relay (as rtpengine does for a proxy): each m-line's port
// and proto are replaced, every c= and o= address becomes the relay's, and the media-security lines
// are replaced — a=crypto / a=3ge2ae / a=rtcp lines are dropped everywhere and each m-section
// gets the lines given for it (the key store's a=crypto, a=3ge2ae:requested) at its end.
// Other lines are kept byte for byte, in order. The result holds keys: a SecretString.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/secure.h"

namespace phonesec::media {

struct MediaEdit {
  bool touch = false;          // false: the m-line is left as it is (rejected stream, port 0)
  std::uint16_t port = 0;
  std::string proto;           // "RTP/SAVP", "RTP/AVP", …
  SecretString security_lines; // CRLF-terminated, appended to the m-section
};

// `conn`: the address for every c= line (IPv4 or IPv6 literal). edits[i] is for the i-th m-line.
SecretString rewrite_sdp(std::string_view body, std::string_view conn, const std::vector<MediaEdit>& edits);

// RTP/AVP → RTP/SAVP, RTP/AVPF → RTP/SAVPF (others unchanged), and back.
std::string secure_proto(std::string_view proto);
std::string plain_proto(std::string_view proto);

}  // namespace phonesec::media

// SPDX-License-Identifier: Apache-2.0
// Decrypting a capture of an SDES-SRTP call, for engineers: given the SDP offer and answer
// (with their a=crypto lines) and a pcap of the call, writes the same capture with every
// SRTP/SRTCP packet of the call replaced by its RTP/RTCP in clear (IPv4/IPv6 lengths and
// checksums fixed; UDP checksum set to 0 on IPv4 and recomputed on IPv6). Packets sent to the
// answerer's media address are opened with the offerer's key (the offer line whose tag the
// answer chose) and the other way round; RTCP is the media port + 1, or the same port under
// rtcp-mux. A direction of which no packet authenticates is an error naming its first packet
// ("wrong keys or not this call") and no output is left behind: never garbage. In a direction
// whose keys work, a packet that fails authentication (forged, or a peer's plain RTCP BYE sent
// after its SRTP ended, as baresip does) is dropped from the output and counted.
// Replayed copies (a capture that saw a packet twice) are dropped and counted; datagrams on the
// call's ports too short to be SRTP/SRTCP (a peer's plain RTCP keep-alive) are copied as they are.
// Link types: Ethernet, Linux cooked (SLL), raw IP.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace phonesec::media {

struct DecryptReport {
  std::uint64_t rtp = 0, rtcp = 0, other = 0, duplicates = 0;
  std::uint64_t not_srtp = 0;  // datagrams on the call's ports too short to be SRTP/SRTCP, copied
  std::uint64_t unauthenticated = 0;  // failed authentication in a direction whose keys work: dropped
};

Result<DecryptReport> decrypt_capture(const std::string& offer_sdp, const std::string& answer_sdp,
                                      const std::string& in_pcap, const std::string& out_pcap);

}  // namespace phonesec::media

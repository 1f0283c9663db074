// SPDX-License-Identifier: Apache-2.0
// MediaRelay: one m-line of one call, RTP/RTCP on the UA side <-> SRTP/SRTCP on the network
// side (the rtpengine shape). Four UDP sockets: network RTP/RTCP on an even port P and P+1
// inside RTP_Port_Min..RTP_Port_Max (the firewall's open range: no extra hole), UA side on
// 127.0.0.1 (also P/P+1 pairs from that range). Packets from the UA are protected with the
// stream's outbound session and sent to the far end's SDP address; packets from the network
// are authenticated and decrypted with the inbound session and sent to the UA's SDP address.
// Until both sessions exist (answer not seen) nothing is forwarded: never plain RTP outside.
// A packet that fails authentication or replay is dropped and counted. RTCP multiplexed on the
// RTP port (RFC 5761: PT 192-223) takes the SRTCP path. No allocation or logging per packet.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/fd.h"
#include "common/result.h"
#include "media/loop.h"
#include "srtp/key_store.h"

namespace phonesec::media {

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  bool set() const { return len != 0; }
};
Result<Endpoint> make_endpoint(const std::string& ip, std::uint16_t port);
std::string to_string(const Endpoint& e);

struct RelayCounters {
  std::uint64_t to_net = 0, from_net = 0;      // packets forwarded each way (RTP + RTCP)
  std::uint64_t auth_fail = 0, no_key = 0, send_fail = 0;
};

// Ports handed out from the RTP range, even ports first; a pair is usable when both bind.
class PortRange {
 public:
  PortRange(std::uint16_t min, std::uint16_t max) : min_(min), max_(max), next_(min) {}
  // Binds RTP and RTCP sockets on ip at P and P+1 (P even) inside the range.
  Result<std::pair<UniqueFd, UniqueFd>> bind_pair(const std::string& ip, std::uint16_t& port);

 private:
  std::uint16_t min_, max_, next_;
};

class MediaRelay : public Handler {
 public:
  // keys: the call's keys (the relay reads stream(mline) per packet, so a rekey applies at once).
  static Result<std::unique_ptr<MediaRelay>> create(Loop& loop, PortRange& ports, const std::string& net_ip,
                                                   srtp::CallKeys& keys, unsigned mline);
  ~MediaRelay() override;

  std::uint16_t net_port() const { return net_port_; }
  std::uint16_t ua_port() const { return ua_port_; }
  void set_remote(Endpoint rtp, Endpoint rtcp) { remote_rtp_ = rtp; remote_rtcp_ = rtcp; }
  void set_ua(Endpoint rtp, Endpoint rtcp) { ua_rtp_ = rtp; ua_rtcp_ = rtcp; }
  const RelayCounters& counters() const { return c_; }

  void on_readable(int fd) override;

 private:
  MediaRelay(Loop& loop, srtp::CallKeys& keys, unsigned mline) : loop_(loop), keys_(keys), mline_(mline) {}
  void from_ua(int fd, bool rtcp_sock);
  void from_net(int fd, bool rtcp_sock);

  Loop& loop_;
  srtp::CallKeys& keys_;
  unsigned mline_;
  UniqueFd net_rtp_, net_rtcp_, ua_rtp_fd_, ua_rtcp_fd_;
  std::uint16_t net_port_ = 0, ua_port_ = 0;
  Endpoint remote_rtp_, remote_rtcp_, ua_rtp_, ua_rtcp_;
  RelayCounters c_;
};

}  // namespace phonesec::media

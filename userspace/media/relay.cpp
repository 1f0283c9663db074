// SPDX-License-Identifier: Apache-2.0
#include "media/relay.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

namespace phonesec::media {
namespace {

constexpr std::size_t kMaxPacket = 2048;

// RFC 5761 §4: RTCP packet types 192-223 share the RTP port with rtcp-mux.
bool looks_rtcp(const std::uint8_t* p, std::size_t n) { return n >= 2 && p[1] >= 192 && p[1] <= 223; }

}  // namespace

Result<Endpoint> make_endpoint(const std::string& ip, std::uint16_t port) {
  Endpoint e;
  if (ip.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&e.addr);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (::inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr) != 1)
      return make_error(Errc::invalid_argument, "media address '" + ip + "' is not an IP address");
    e.len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&e.addr);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (::inet_pton(AF_INET, ip.c_str(), &a->sin_addr) != 1)
      return make_error(Errc::invalid_argument, "media address '" + ip + "' is not an IP address");
    e.len = sizeof *a;
  }
  return e;
}

std::string to_string(const Endpoint& e) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (e.addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&e.addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  auto* a = reinterpret_cast<const sockaddr_in*>(&e.addr);
  ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(a->sin_port));
}

Result<std::pair<UniqueFd, UniqueFd>> PortRange::bind_pair(const std::string& ip, std::uint16_t& port) {
  unsigned lo = min_ + (min_ & 1u), hi = max_;  // P and P+1 must both be <= max + 1 (the firewall opens max+1)
  if (lo + 1 > unsigned(hi) + 1 || hi < lo) return make_error(Errc::invalid_argument, "RTP port range is empty");
  unsigned span = (hi - lo) / 2 + 1;
  unsigned start = next_ < lo || next_ > hi ? lo : next_ - (next_ & 1u);
  for (unsigned i = 0; i < span; ++i) {
    unsigned p = lo + ((start - lo) / 2 + i) % span * 2;
    auto a = bind_udp(ip, std::uint16_t(p));
    if (!a) continue;
    auto b = bind_udp(ip, std::uint16_t(p + 1));
    if (!b) continue;
    port = std::uint16_t(p);
    next_ = std::uint16_t(p + 2 > hi ? lo : p + 2);
    return std::make_pair(std::move(*a), std::move(*b));
  }
  return make_error(Errc::io, "no free RTP/RTCP port pair on " + ip + " in " + std::to_string(min_) + "-" +
                                  std::to_string(max_));
}

Result<std::unique_ptr<MediaRelay>> MediaRelay::create(Loop& loop, PortRange& ports, const std::string& net_ip,
                                                       srtp::CallKeys& keys, unsigned mline) {
  std::unique_ptr<MediaRelay> r(new MediaRelay(loop, keys, mline));
  auto net = ports.bind_pair(net_ip, r->net_port_);
  if (!net) return net.error();
  auto ua = ports.bind_pair("127.0.0.1", r->ua_port_);
  if (!ua) return ua.error();
  r->net_rtp_ = std::move(net->first);
  r->net_rtcp_ = std::move(net->second);
  r->ua_rtp_fd_ = std::move(ua->first);
  r->ua_rtcp_fd_ = std::move(ua->second);
  for (int fd : {r->net_rtp_.get(), r->net_rtcp_.get(), r->ua_rtp_fd_.get(), r->ua_rtcp_fd_.get()})
    if (auto st = loop.add(fd, r.get()); !st) return st.error();
  return r;
}

MediaRelay::~MediaRelay() {
  for (int fd : {net_rtp_.get(), net_rtcp_.get(), ua_rtp_fd_.get(), ua_rtcp_fd_.get()})
    if (fd >= 0) loop_.remove(fd);
}

void MediaRelay::on_readable(int fd) {
  if (fd == ua_rtp_fd_.get()) from_ua(fd, false);
  else if (fd == ua_rtcp_fd_.get()) from_ua(fd, true);
  else if (fd == net_rtp_.get()) from_net(fd, false);
  else if (fd == net_rtcp_.get()) from_net(fd, true);
}

void MediaRelay::from_ua(int fd, bool rtcp_sock) {
  alignas(8) std::uint8_t buf[kMaxPacket];
  // One datagram per wake-up: at phone rates (50 packets/s a stream) a second recv would only
  // return EAGAIN, a syscall per packet for nothing; epoll is level-triggered, so a backlog
  // still drains.
  {
    ssize_t n = ::recv(fd, buf, kMaxPacket - 64, MSG_DONTWAIT);  // room for the SRTP(C) trailer
    if (n <= 0) return;
    srtp::MediaStream* s = keys_.stream(mline_);
    if (!s || !s->tx || !remote_rtp_.set()) {
      ++c_.no_key;
      return;
    }
    bool rtcp = rtcp_sock || looks_rtcp(buf, std::size_t(n));
    auto out = rtcp ? s->tx->protect_rtcp(buf, std::size_t(n), kMaxPacket) : s->tx->protect_rtp(buf, std::size_t(n), kMaxPacket);
    if (!out) {
      ++c_.send_fail;
      return;
    }
    int sfd = rtcp_sock ? net_rtcp_.get() : net_rtp_.get();
    const Endpoint& to = rtcp_sock ? (remote_rtcp_.set() ? remote_rtcp_ : remote_rtp_) : remote_rtp_;
    if (::sendto(sfd, buf, *out, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to.addr), to.len) < 0)
      ++c_.send_fail;
    else
      ++c_.to_net;
  }
}

void MediaRelay::from_net(int fd, bool rtcp_sock) {
  alignas(8) std::uint8_t buf[kMaxPacket];
  {
    ssize_t n = ::recv(fd, buf, kMaxPacket, MSG_DONTWAIT);
    if (n <= 0) return;
    srtp::MediaStream* s = keys_.stream(mline_);
    if (!s || !s->rx || !ua_rtp_.set()) {
      ++c_.no_key;
      return;
    }
    bool rtcp = rtcp_sock || looks_rtcp(buf, std::size_t(n));
    auto out = rtcp ? s->rx->unprotect_rtcp(buf, std::size_t(n)) : s->rx->unprotect_rtp(buf, std::size_t(n));
    if (!out) {
      ++c_.auth_fail;
      return;
    }
    int sfd = rtcp_sock ? ua_rtcp_fd_.get() : ua_rtp_fd_.get();
    const Endpoint& to = rtcp_sock ? (ua_rtcp_.set() ? ua_rtcp_ : ua_rtp_) : ua_rtp_;
    if (::sendto(sfd, buf, *out, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to.addr), to.len) < 0)
      ++c_.send_fail;
    else
      ++c_.from_net;
  }
}

}  // namespace phonesec::media

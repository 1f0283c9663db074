// SPDX-License-Identifier: Apache-2.0
// Issue 19 point 4 on a real veth pair: a blind RST sweep cannot end a tracked TCP flow.
// The phone (firewall attached in-process to its veth) connects out to the peer; nothing on
// the phone's side is open inbound, so only the flow's entry lets the peer's segments in. A
// sweep of spoofed RSTs on the exact 4-tuple with every sequence number but the right one
// (some inside the window, most outside) leaves the connection carrying data both ways; the
// peer's own abortive close (SO_LINGER 0: an RST at exactly the phone's next expected
// sequence number) ends the socket and the flow.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "fw_inproc.h"
#include "netns.h"

namespace phonesec::test {
namespace {

constexpr std::uint16_t kPeerPort = 7100;

sockaddr_in v4(const char* a, std::uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  inet_pton(AF_INET, a, &s.sin_addr);
  return s;
}

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// socket(domain, type, proto) inside namespace ns.
int socket_proto_in(const std::string& ns, int domain, int type, int proto) {
  InNetns in(ns);
  int s = ::socket(domain, type | SOCK_CLOEXEC, proto);
  if (s < 0) throw std::runtime_error("socket in " + ns + ": " + std::strerror(errno));
  return s;
}

std::uint16_t csum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += std::uint32_t(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(~sum);
}

// A spoofed RST from the peer's address and port to the phone's port, with checksums right
// (the phone's stack must judge the ones the filter lets through).
void send_rst(int raw, std::uint16_t phone_port, std::uint32_t seq) {
  std::array<std::uint8_t, 40> pkt{};
  auto* ip = reinterpret_cast<iphdr*>(pkt.data());
  auto* th = reinterpret_cast<tcphdr*>(pkt.data() + 20);
  ip->version = 4, ip->ihl = 5, ip->ttl = 64, ip->protocol = IPPROTO_TCP, ip->tot_len = htons(40);
  inet_pton(AF_INET, "10.77.0.1", &ip->saddr);
  inet_pton(AF_INET, "10.77.0.2", &ip->daddr);
  th->source = htons(kPeerPort), th->dest = htons(phone_port), th->seq = htonl(seq), th->doff = 5,
  th->rst = 1;
  th->window = htons(512);
  std::array<std::uint8_t, 32> pseudo{};  // pseudo header + TCP header
  std::memcpy(pseudo.data(), &ip->saddr, 4);
  std::memcpy(pseudo.data() + 4, &ip->daddr, 4);
  pseudo[9] = IPPROTO_TCP, pseudo[11] = 20;
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 12; i += 2) sum += std::uint32_t(pseudo[i] << 8 | pseudo[i + 1]);
  std::uint16_t c = csum(pkt.data() + 20, 20, sum);
  th->check = htons(c);
  ip->check = htons(csum(pkt.data(), 20));
  sockaddr_in to = v4("10.77.0.2", 0);
  ASSERT_EQ(sendto(raw, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            ssize_t(pkt.size()))
      << std::strerror(errno);
}

// The acknowledgment number of the last segment the phone sent on the connection, as seen on
// the wire from the peer's side (an AF_PACKET capture opened before the traffic).
std::uint32_t last_phone_ack(int cap, std::uint16_t phone_port) {
  std::uint32_t ack = 0;
  bool seen = false;
  std::array<std::uint8_t, 2048> b{};
  for (;;) {
    ssize_t n = recv(cap, b.data(), b.size(), MSG_DONTWAIT);
    if (n < 0) break;
    if (n < 40) continue;
    const auto* ip = reinterpret_cast<const iphdr*>(b.data());
    if (ip->protocol != IPPROTO_TCP || ip->saddr != v4("10.77.0.2", 0).sin_addr.s_addr) continue;
    const auto* th = reinterpret_cast<const tcphdr*>(b.data() + ip->ihl * 4);
    if (ntohs(th->source) != phone_port || ntohs(th->dest) != kPeerPort || !th->ack) continue;
    ack = ntohl(th->ack_seq), seen = true;
  }
  if (!seen) throw std::runtime_error("no segment of the phone captured");
  return ack;
}

bool tcp_flow_tracked(const fw::Firewall& f, std::uint16_t phone_port) {
  auto flows = fw::read_flows(f.maps());
  if (!flows) throw std::runtime_error(flows.error().message());
  for (const auto& x : *flows)
    if (x.key.proto == IPPROTO_TCP && ntohs(x.key.lport) == phone_port && ntohs(x.key.rport) == kPeerPort)
      return true;
  return false;
}

void send_all(int fd, const std::string& s) {
  ASSERT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL), ssize_t(s.size()));
}
std::string recv_some(int fd, int ms) {
  if (!wait_readable(fd, ms)) return "";
  char b[256];
  ssize_t n = recv(fd, b, sizeof b, 0);
  return n > 0 ? std::string(b, std::size_t(n)) : "";
}

TEST(FwRstLab, BlindRstSweepCannotEndAFlowTheRightRstDoes) {
  ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, BPF)";
  VethPair net("psrs");
  auto fw = load_lab_firewall();
  attach_in(*fw, net.phone(), net.phone_if());

  Fd cap(socket_proto_in(net.peer(), AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP)));  // sees both directions
  Fd raw(socket_proto_in(net.peer(), AF_INET, SOCK_RAW, IPPROTO_RAW));
  Fd lst(socket_in(net.peer(), AF_INET, SOCK_STREAM));
  int one = 1;
  setsockopt(lst.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in la = v4("10.77.0.1", kPeerPort);
  ASSERT_EQ(bind(lst.fd, reinterpret_cast<sockaddr*>(&la), sizeof la), 0);
  ASSERT_EQ(listen(lst.fd, 1), 0);
  Fd phone(socket_in(net.phone(), AF_INET, SOCK_STREAM));
  ASSERT_EQ(connect(phone.fd, reinterpret_cast<sockaddr*>(&la), sizeof la), 0) << std::strerror(errno);
  Fd peer(accept(lst.fd, nullptr, nullptr));
  ASSERT_GE(peer.fd, 0);
  sockaddr_in me{};
  socklen_t ml = sizeof me;
  getsockname(phone.fd, reinterpret_cast<sockaddr*>(&me), &ml);
  const std::uint16_t pport = ntohs(me.sin_port);

  // Data both ways; the phone answers last, so its last segment acknowledges all the peer sent.
  send_all(peer.fd, "ping");
  ASSERT_EQ(recv_some(phone.fd, 2000), "ping");
  send_all(phone.fd, "pong");
  ASSERT_EQ(recv_some(peer.fd, 2000), "pong");
  ASSERT_TRUE(tcp_flow_tracked(*fw, pport));
  const std::uint32_t right = last_phone_ack(cap.fd, pport);

  // The sweep: inside the window first (the phone's stack answers those with challenge ACKs,
  // which would re-open a deleted entry), then 4000 sequence numbers over the whole space,
  // none of them the right one; the last ones are outside the window and get no answer.
  const std::uint64_t in_before = count_in(*fw, PS_R_PASS_RST_IN_WINDOW),
                      out_before = count_in(*fw, PS_R_DROP_RST_WINDOW);
  for (std::uint32_t d : {1u, 2u, 1000u}) send_rst(raw.fd, pport, right + d);
  constexpr std::uint32_t kSweep = 4000;
  for (std::uint32_t i = 1; i <= kSweep; ++i)
    send_rst(raw.fd, pport, right + 0x40000000u + i * (0xbfffffffu / kSweep));
  send_rst(raw.fd, pport, right - 1);

  // The connection still carries data, first inbound (the phone has sent nothing since).
  send_all(peer.fd, "after the sweep");
  EXPECT_EQ(recv_some(phone.fd, 3000), "after the sweep") << "the sweep cut the flow's inbound path";
  EXPECT_TRUE(tcp_flow_tracked(*fw, pport));
  send_all(phone.fd, "still here");
  EXPECT_EQ(recv_some(peer.fd, 2000), "still here");
  EXPECT_GE(count_in(*fw, PS_R_PASS_RST_IN_WINDOW) - in_before, 3u);
  EXPECT_GE(count_in(*fw, PS_R_DROP_RST_WINDOW) - out_before, std::uint64_t(kSweep));

  // The peer's own RST (abortive close) is at exactly the sequence number the phone expects:
  // the phone's socket is reset and the flow is gone.
  linger lg{1, 0};
  ASSERT_EQ(setsockopt(peer.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
  close(peer.fd);
  peer.fd = -1;
  pollfd p{phone.fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 3000), 1) << "the peer's RST did not reach the phone";
  char c;
  errno = 0;
  EXPECT_EQ(recv(phone.fd, &c, 1, 0), -1);
  EXPECT_EQ(errno, ECONNRESET);
  EXPECT_FALSE(tcp_flow_tracked(*fw, pport)) << "the right RST must end the flow";
}

}  // namespace
}  // namespace phonesec::test

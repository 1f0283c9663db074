// SPDX-License-Identifier: Apache-2.0
// Guest side of fw61_vm (run_vm.sh runs it inside the qemu guest, never on the host): the
// attach path Linux 6.1 really takes. 6.1 has no tcx, so egress goes to a clsact filter (the
// host's lab tests can only force that path), and lo has no native XDP, so ingress is generic
// XDP. Real datagrams over lo then meet both programs: the open port is delivered, the closed
// one is dropped, and the counters say which program decided what; detaching removes both.
// The guest is its own machine: no namespace is needed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "labkit/fw_harness.h"

namespace phonesec::test {
namespace {

constexpr std::uint16_t kOpen = 9000, kClosed = 9001;

void bring_lo_up() {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  ASSERT_EQ(::ioctl(s, SIOCGIFFLAGS, &ifr), 0);
  ifr.ifr_flags |= IFF_UP;
  ASSERT_EQ(::ioctl(s, SIOCSIFFLAGS, &ifr), 0) << std::strerror(errno);
  ::close(s);
}

// Sends one datagram from an ephemeral port to 127.0.0.1:port, where a socket is bound;
// true if it arrived within 300 ms.
bool delivered(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(::bind(rx, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  timeval tv{0, 300000};
  ::setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const char msg[] = "fw61";
  EXPECT_EQ(::sendto(tx, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&a), sizeof a), ssize_t(sizeof msg));
  char buf[16];
  bool got = ::recv(rx, buf, sizeof buf, 0) == ssize_t(sizeof msg);
  ::close(rx);
  ::close(tx);
  return got;
}

std::uint64_t count(const fw::Firewall& f, unsigned dir, unsigned reason) {
  auto s = fw::read_stats(f.maps());
  EXPECT_TRUE(s.ok());
  return s.ok() ? (*s)[dir * PS_R_MAX + reason].packets : 0;
}

TEST(GuestAttach, ClsactEgressAndGenericXdpDecideRealTraffic) {
  bring_lo_up();
  const std::string pins = "/sys/fs/bpf/ps61-attach";
  (void)fw::unpin_all(pins);
  FwHarness h({.pin_dir = pins});
  auto cfg = base_config();
  std::vector<config::Diagnostic> diags;
  cfg.firewall = config::parse_firewall_config("UDP:" + std::to_string(kOpen), diags);
  ASSERT_TRUE(diags.empty());
  h.install(cfg);

  auto a = h.fw().attach("lo");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->tc_mode, "clsact") << "Linux 6.1 has no tcx";
  EXPECT_EQ(a->xdp_mode, "generic") << "lo has no native XDP";
  EXPECT_EQ(a->variant, "ethernet");

  const auto out0 = count(h.fw(), PS_DIR_OUT, PS_R_PASS_OUTBOUND);
  EXPECT_TRUE(delivered(kOpen));
  EXPECT_EQ(count(h.fw(), PS_DIR_IN, PS_R_PASS_UDP_PORT), 1u);
  EXPECT_FALSE(delivered(kClosed));
  EXPECT_EQ(count(h.fw(), PS_DIR_IN, PS_R_DROP_UDP_PORT), 1u);
  EXPECT_EQ(count(h.fw(), PS_DIR_OUT, PS_R_PASS_OUTBOUND) - out0, 2u) << "the egress program saw both datagrams";

  ASSERT_TRUE(h.fw().detach("lo").ok());
  EXPECT_TRUE(delivered(kClosed)) << "detached: nothing drops any more";
  EXPECT_EQ(count(h.fw(), PS_DIR_IN, PS_R_DROP_UDP_PORT), 1u);
  EXPECT_EQ(count(h.fw(), PS_DIR_OUT, PS_R_PASS_OUTBOUND) - out0, 2u);
  EXPECT_TRUE(fw::unpin_all(pins).ok());
}

}  // namespace
}  // namespace phonesec::test

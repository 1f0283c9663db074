// SPDX-License-Identifier: Apache-2.0
// Issue 19 point 1 on a real veth pair: an interface deleted and recreated under the same name
// is filtered again. The firewall (pinned, as the daemon runs it) is attached to the phone's
// veth and fw::LinkLifecycle watches it; the pair is deleted and created again, which leaves
// the new device with no filter (a closed UDP port answers); the watcher's fd becomes readable
// within a second and fw::reattach_changed() attaches the firewall to the new device, after
// which the closed port is closed again and the open one still open.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <cstring>

#include "fw/link_lifecycle.h"
#include "fw_inproc.h"
#include "netns.h"

namespace phonesec::test {
namespace {

using namespace std::chrono_literals;
const std::string kPin = "/sys/fs/bpf/psrl-lab";

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

sockaddr_in v4(const char* a, std::uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  inet_pton(AF_INET, a, &s.sin_addr);
  return s;
}

int udp_bound(const std::string& ns, std::uint16_t port) {
  int s = socket_in(ns, AF_INET, SOCK_DGRAM);
  sockaddr_in a = v4("0.0.0.0", port);
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("bind " + std::to_string(port));
  return s;
}

// The peer sends one datagram to the phone's closed port 9999, then one to its open SIP port
// 5060 (table 3); both travel the same veth in order. Returns whether the closed port got its
// datagram once the open port has its own (so no waiting for a drop).
bool closed_port_answers(const VethPair& net, int peer, int closed, int open) {
  for (std::uint16_t port : {std::uint16_t(9999), std::uint16_t(5060)}) {
    sockaddr_in to = v4("10.77.0.2", port);
    if (sendto(peer, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) != 1)
      throw std::runtime_error("sendto");
  }
  if (!wait_readable(open, 3000))
    throw std::runtime_error("the open port 5060 got nothing on " + net.phone_if());
  char b[8];
  (void)recv(open, b, sizeof b, 0);
  bool got = wait_readable(closed, 0);
  if (got) (void)recv(closed, b, sizeof b, 0);
  return got;
}

std::string xdp_of(const VethPair& net) {
  return capture_all("ip -n " + net.phone() + " -d link show " + net.phone_if());
}

TEST(FwRelinkLab, RecreatedInterfaceIsFilteredAgain) {
  ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, BPF)";
  (void)fw::unpin_all(kPin);
  VethPair net("psrl");
  fw::FirewallOptions opts;
  opts.pin_dir = kPin;
  auto fw = load_lab_firewall(opts);
  std::unique_ptr<fw::LinkLifecycle> links;
  unsigned first = 0;
  {
    InNetns in(net.phone());
    auto lc = fw::LinkLifecycle::open();
    ASSERT_TRUE(lc.ok()) << lc.error().message();
    links = std::move(lc.value());
    auto a = fw->attach(net.phone_if());
    ASSERT_TRUE(a.ok()) << a.error().message();
    first = a->ifindex;
    links->watch(net.phone_if(), first);
    auto none = links->process();  // the dump: nothing changed yet
    ASSERT_TRUE(none.ok()) << none.error().message();
    EXPECT_TRUE(none->empty());
  }
  {
    Fd peer(socket_in(net.peer(), AF_INET, SOCK_DGRAM)), closed(udp_bound(net.phone(), 9999)),
        open(udp_bound(net.phone(), 5060));
    EXPECT_FALSE(closed_port_answers(net, peer.fd, closed.fd, open.fd))
        << "not filtered after the first attach";
  }

  // Delete the pair and create it again under the same names and addresses.
  sh_or_throw("ip -n " + net.phone() + " link del " + net.phone_if());
  sh_or_throw("ip link add " + net.phone_if() + " netns " + net.phone() + " type veth peer name " +
              net.peer_if() + " netns " + net.peer());
  sh_or_throw("ip -n " + net.phone() + " addr add 10.77.0.2/24 dev " + net.phone_if() + " && ip -n " +
              net.phone() + " link set " + net.phone_if() + " up && ip -n " + net.peer() +
              " addr add 10.77.0.1/24 dev " + net.peer_if() + " && ip -n " + net.peer() + " link set " +
              net.peer_if() + " up");
  Fd peer(socket_in(net.peer(), AF_INET, SOCK_DGRAM)), closed(udp_bound(net.phone(), 9999)),
      open(udp_bound(net.phone(), 5060));
  // The bug of issue 19: the new device has no filter.
  EXPECT_EQ(xdp_of(net).find("prog/xdp"), std::string::npos) << xdp_of(net);
  EXPECT_TRUE(closed_port_answers(net, peer.fd, closed.fd, open.fd))
      << "the recreated device should start unfiltered";

  // What the daemon does: poll the watcher's fd, re-attach on readable. Within a second.
  std::vector<fw::AttachInfo> done;
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (done.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    ASSERT_GT(left, 0) << "no re-attach within a second of the interface's return";
    pollfd p{links->fd(), POLLIN, 0};
    ASSERT_GE(poll(&p, 1, int(left)), 0);
    InNetns in(net.phone());
    auto r = fw::reattach_changed(*fw, *links);
    ASSERT_TRUE(r.ok()) << r.error().message();
    done = std::move(r.value());
  }
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].ifname, net.phone_if());
  EXPECT_NE(done[0].ifindex, first);
  EXPECT_EQ(links->current_ifindex(net.phone_if()), done[0].ifindex);
  EXPECT_NE(xdp_of(net).find("prog/xdp"), std::string::npos) << xdp_of(net);
  EXPECT_FALSE(closed_port_answers(net, peer.fd, closed.fd, open.fd))
      << "the recreated device is not filtered again";
  // Nothing more to do until the device changes again.
  {
    InNetns in(net.phone());
    auto again = fw::reattach_changed(*fw, *links);
    ASSERT_TRUE(again.ok()) << again.error().message();
    EXPECT_TRUE(again->empty());
  }
  fw.reset();
  EXPECT_TRUE(fw::unpin_all(kPin).ok());
}

}  // namespace
}  // namespace phonesec::test

namespace phonesec::test {
namespace {

// An interface named before it exists (watch with ifindex 0: the daemon's --iface for a bridge or VLAN
// made later) gets the firewall when it appears.
TEST(FwRelinkLab, InterfaceThatAppearsLaterIsAttached) {
  ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, BPF)";
  (void)fw::unpin_all(kPin);
  VethPair net("psrm");
  fw::FirewallOptions opts;
  opts.pin_dir = kPin;
  auto fw = load_lab_firewall(opts);
  std::unique_ptr<fw::LinkLifecycle> links;
  {
    InNetns in(net.phone());
    auto lc = fw::LinkLifecycle::open();
    ASSERT_TRUE(lc.ok()) << lc.error().message();
    links = std::move(lc.value());
    links->watch("psrmvl", 0);
    auto none = fw::reattach_changed(*fw, *links);
    ASSERT_TRUE(none.ok()) << none.error().message();
    EXPECT_TRUE(none->empty());
  }
  sh_or_throw("ip -n " + net.phone() + " link add psrmvl type bridge");
  std::vector<fw::AttachInfo> done;
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (done.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    ASSERT_GT(left, 0) << "the new interface was not attached within a second";
    pollfd p{links->fd(), POLLIN, 0};
    ASSERT_GE(poll(&p, 1, int(left)), 0);
    InNetns in(net.phone());
    auto r = fw::reattach_changed(*fw, *links);
    ASSERT_TRUE(r.ok()) << r.error().message();
    done = std::move(r.value());
  }
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].ifname, "psrmvl");
  std::string l = capture_all("ip -n " + net.phone() + " -d link show psrmvl");
  EXPECT_NE(l.find("prog/xdp"), std::string::npos) << l;
  fw.reset();
  EXPECT_TRUE(fw::unpin_all(kPin).ok());
}

}  // namespace
}  // namespace phonesec::test

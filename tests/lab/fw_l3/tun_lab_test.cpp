// SPDX-License-Identifier: Apache-2.0
// The firewall on a tun device (ARPHRD_NONE, bare IP packets), as on the VPN tunnel. The
// test's thread enters namespace psl3ns, creates tun psl3tun0 there (10.78.0.2/24,
// fd78::2/64) and plays the far end of the tunnel: what it writes to the tun fd is what the
// phone receives (generic XDP), what it reads is what the phone sends (TC egress). Real
// sockets on the phone's side tell whether a packet was delivered.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "labkit/binaries.h"
#include "fw/mapset.h"
#include "labkit/fw_harness.h"
#include "netns.h"

namespace phonesec::test {
namespace {

constexpr const char* kNs = "psl3ns";
constexpr const char* kTun = "psl3tun0";
constexpr const char* kPin = "/sys/fs/bpf/psl3";
const std::string kPhone4 = "10.78.0.2", kFar4 = "10.78.0.1", kPhone6 = "fd78::2", kFar6 = "fd78::1";

std::uint16_t csum_fold(std::uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return std::uint16_t(~s);
}
std::uint32_t csum_add(std::uint32_t s, const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i + 1 < n; i += 2) s += std::uint32_t(p[i] << 8 | p[i + 1]);
  if (n & 1) s += std::uint32_t(p[n - 1] << 8);
  return s;
}

// A UDP datagram as the far end sends it, checksums right (the phone's stack checks them).
Frame udp_packet(bool v6, std::uint16_t sport, std::uint16_t dport, const std::string& payload = "hello") {
  Build b;
  b.eth();
  if (v6) b.ipv6(kFar6, kPhone6, IPPROTO_UDP);
  else b.ipv4(kFar4, kPhone4, IPPROTO_UDP);
  b.udp(sport, dport);
  for (char c : payload) b.payload(1, std::uint8_t(c));
  Frame f = b.l3_only();
  const std::size_t l3len = v6 ? 40 : std::size_t(f[0] & 0xf) * 4;
  const std::size_t ulen = 8 + payload.size();
  f.resize(l3len + ulen);
  // Pseudo header: addresses, protocol, UDP length.
  std::uint32_t s = v6 ? csum_add(0, &f[8], 32) : csum_add(0, &f[12], 8);
  s += IPPROTO_UDP + std::uint32_t(ulen);
  f[l3len + 6] = f[l3len + 7] = 0;
  std::uint16_t c = csum_fold(csum_add(s, &f[l3len], ulen));
  if (c == 0) c = 0xffff;
  f[l3len + 6] = std::uint8_t(c >> 8), f[l3len + 7] = std::uint8_t(c);
  return f;
}

class FwTun : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, tun, BPF)";
    (void)fw::unpin_all(kPin);
    sh("ip netns del " + std::string(kNs) + " 2>/dev/null");
    sh_or_throw("ip netns add " + std::string(kNs));
    root_ns_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int ns = open((std::string("/run/netns/") + kNs).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(ns, 0);
    ASSERT_EQ(setns(ns, CLONE_NEWNET), 0);  // this thread = the phone
    close(ns);
    sh_or_throw("ip netns exec " + std::string(kNs) + " ip link set lo up");
    make_tun();

    fw::FirewallOptions fo;
    fo.pin_dir = kPin;
    auto f = fw::Firewall::load(fo);
    ASSERT_TRUE(f) << f.error().message();
    fw_ = std::move(f.value());
    auto c = base_config();
    auto compiled = fw::compile(c, kTr069Port);
    ASSERT_TRUE(fw::install_policy(fw_->maps(), *compiled.image));
    auto a = fw_->attach(kTun);
    ASSERT_TRUE(a) << a.error().message();
    info_ = a.value();
  }
  void TearDown() override {
    fw_.reset();
    (void)fw::unpin_all(kPin);  // detaches the pinned links
    if (tun_ >= 0) close(tun_);
    if (root_ns_ >= 0) {
      setns(root_ns_, CLONE_NEWNET);
      close(root_ns_);
    }
    sh("ip netns del " + std::string(kNs) + " 2>/dev/null");
  }

  // The tunnel's device (the fd's lifetime is the device's), addressed and up.
  void make_tun() {
    tun_ = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (tun_ < 0) throw std::runtime_error(std::string("open /dev/net/tun: ") + std::strerror(errno));
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, kTun, IFNAMSIZ - 1);
    if (ioctl(tun_, TUNSETIFF, &ifr) != 0) throw std::runtime_error(std::string("TUNSETIFF: ") + std::strerror(errno));
    const std::string in = "ip netns exec " + std::string(kNs) + " ";
    sh_or_throw(in + "ip link set " + kTun + " up");
    sh_or_throw(in + "ip addr add " + kPhone4 + "/24 dev " + kTun);
    sh_or_throw(in + "ip addr add " + kPhone6 + "/64 dev " + kTun + " nodad");
    sh_or_throw(in + "sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf." + kTun + ".rp_filter=0");
  }
  // A UDP socket on the phone bound to port.
  static int bound_udp(bool v6, std::uint16_t port) {
    int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) throw std::runtime_error("socket");
    int r;
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      r = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      r = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    if (r != 0) throw std::runtime_error("bind");
    return s;
  }
  // Writes a packet into the tunnel and tells whether the phone's socket received it.
  bool delivered(int sock, const Frame& pkt) {
    if (write(tun_, pkt.data(), pkt.size()) != ssize_t(pkt.size())) throw std::runtime_error("write tun");
    if (!wait_readable(sock, 400)) return false;
    char buf[256];
    return recv(sock, buf, sizeof buf, 0) > 0;
  }
  std::uint64_t count(unsigned dir, unsigned reason) {
    auto s = fw::read_stats(fw_->maps());
    if (!s) throw std::runtime_error(s.error().message());
    return s.value()[dir * PS_R_MAX + reason].packets;
  }
  // The next UDP packet the phone sends into the tunnel to dport (other traffic, MLD, router
  // solicitations, is skipped).
  bool read_sent_udp(std::uint16_t dport, int ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    std::uint8_t buf[2048];
    while (std::chrono::steady_clock::now() < until) {
      if (!wait_readable(tun_, 50)) continue;
      ssize_t n = read(tun_, buf, sizeof buf);
      if (n < 28) continue;
      std::size_t l4 = (buf[0] >> 4) == 6 ? 40 : std::size_t(buf[0] & 0xf) * 4;
      std::uint8_t proto = (buf[0] >> 4) == 6 ? buf[6] : buf[9];
      if (proto == IPPROTO_UDP && std::size_t(n) >= l4 + 8 && (buf[l4 + 2] << 8 | buf[l4 + 3]) == dport) return true;
    }
    return false;
  }

  int root_ns_ = -1;
  int tun_ = -1;
  std::unique_ptr<fw::Firewall> fw_;
  fw::AttachInfo info_;
};

TEST_F(FwTun, AttachesTheL3ProgramsInGenericModeWithDistinctPins) {
  EXPECT_EQ(info_.variant, "l3");
  EXPECT_EQ(info_.xdp_mode, "generic");
  EXPECT_TRUE(std::filesystem::exists(std::string(kPin) + "/links/" + kTun + "_xdp_l3"));
  EXPECT_FALSE(std::filesystem::exists(std::string(kPin) + "/links/" + kTun + "_xdp"));
  auto att = fw_->attached();
  ASSERT_EQ(att.size(), 1u);
  EXPECT_EQ(att[0], kTun);
  // Re-attaching adopts the pinned links (a daemon restart).
  auto again = fw_->attach(kTun);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->xdp_mode, "adopted");
  EXPECT_EQ(again->variant, "l3");
}

TEST_F(FwTun, ClosedPortDroppedOpenPortDelivered) {
  for (bool v6 : {false, true}) {
    SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
    int closed = bound_udp(v6, 9999), open = bound_udp(v6, 5060);
    auto drops = count(PS_DIR_IN, PS_R_DROP_UDP_PORT), passes = count(PS_DIR_IN, PS_R_PASS_UDP_PORT);
    EXPECT_FALSE(delivered(closed, udp_packet(v6, 3000, 9999))) << "closed port 9999 reached the socket";
    EXPECT_TRUE(delivered(open, udp_packet(v6, 3000, 5060))) << "open SIP port 5060 not delivered";
    EXPECT_EQ(count(PS_DIR_IN, PS_R_DROP_UDP_PORT), drops + 1);
    EXPECT_EQ(count(PS_DIR_IN, PS_R_PASS_UDP_PORT), passes + 1);
    close(closed);
    close(open);
  }
}

TEST_F(FwTun, FlowOpenedByThePhoneGetsItsReplies) {
  for (bool v6 : {false, true}) {
    SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
    const std::uint16_t port = v6 ? 41006 : 41004;
    int s = bound_udp(v6, port);
    // Before the phone sends: the "reply" is unsolicited and dropped.
    EXPECT_FALSE(delivered(s, udp_packet(v6, 5000, port))) << "unsolicited datagram delivered";
    if (v6) {
      sockaddr_in6 to{};
      to.sin6_family = AF_INET6;
      to.sin6_port = htons(5000);
      inet_pton(AF_INET6, kFar6.c_str(), &to.sin6_addr);
      ASSERT_EQ(sendto(s, "q", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1) << std::strerror(errno);
    } else {
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(5000);
      inet_pton(AF_INET, kFar4.c_str(), &to.sin_addr);
      ASSERT_EQ(sendto(s, "q", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1) << std::strerror(errno);
    }
    ASSERT_TRUE(read_sent_udp(5000, 2000)) << "the phone's datagram did not come out of the tunnel";
    auto ct = count(PS_DIR_IN, PS_R_PASS_CT);
    EXPECT_TRUE(delivered(s, udp_packet(v6, 5000, port))) << "reply to the phone's flow dropped";
    EXPECT_EQ(count(PS_DIR_IN, PS_R_PASS_CT), ct + 1);
    // Another remote port is not the flow.
    EXPECT_FALSE(delivered(s, udp_packet(v6, 5001, port))) << "datagram from another port delivered";
    close(s);
  }
}

TEST_F(FwTun, ATunRecreatedUnderTheSameNameGetsNewLinks) {
  // The VPN reconnects: the device goes, one of the same name comes. The pinned links of the
  // old one are not "adopted" (they would filter nothing): new ones are made.
  close(tun_);
  tun_ = -1;
  for (int i = 0; i < 100 && if_nametoindex(kTun) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(if_nametoindex(kTun), 0u);
  make_tun();
  auto a = fw_->attach(kTun);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->xdp_mode, "generic");
  EXPECT_NE(a->tc_mode, "adopted");
  int closed = bound_udp(false, 9999);
  EXPECT_FALSE(delivered(closed, udp_packet(false, 3000, 9999))) << "closed port reached on the new device";
  close(closed);
}

TEST_F(FwTun, WithoutTheFirewallTheClosedPortIsReached) {
  // The control: the drops above are the firewall's, not the tunnel's.
  ASSERT_TRUE(fw_->detach(kTun));
  EXPECT_TRUE(fw_->attached().empty());
  int closed = bound_udp(false, 9999);
  EXPECT_TRUE(delivered(closed, udp_packet(false, 3000, 9999)));
  close(closed);
}

TEST_F(FwTun, DaemonAttachesTheL3VariantAndStatusSaysSo) {
  ASSERT_TRUE(fw_->detach(kTun));  // one XDP program per mode: the daemon's takes the place
  const std::string pin = "/sys/fs/bpf/psl3d", dir = "/tmp/psl3d-" + std::to_string(getpid());
  sh(kCli + " unload --pin-dir " + pin + " >/dev/null 2>&1");
  std::filesystem::create_directories(dir);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // this thread is in psl3ns: so is the daemon
    FILE* e = std::freopen((dir + "/daemon.log").c_str(), "w", stderr);
    (void)e;
    execl(kDaemon.c_str(), kDaemon.c_str(), "--iface", kTun, "--pin-dir", pin.c_str(), "--run-dir", (dir + "/run").c_str(),
          "--state-dir", (dir + "/state").c_str(), (char*)nullptr);
    _exit(127);
  }
  for (int i = 0; i < 200 && !std::filesystem::exists(dir + "/run/status.json"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::string st = capture_all(kCli + " status --json --pin-dir " + pin + " --run-dir " + dir +
                           "/run | python3 -c 'import json,sys\no=json.load(sys.stdin)\n"
                           "for i in o[\"daemon_status\"][\"interfaces\"]: print(i[\"name\"], i[\"xdp\"], i[\"variant\"])'");
  // The daemon's programs filter the tunnel: closed port dropped.
  int closed = bound_udp(false, 9999);
  bool reached = delivered(closed, udp_packet(false, 3000, 9999));
  close(closed);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::string log = capture_all("cat " + dir + "/daemon.log");
  sh(kCli + " unload --pin-dir " + pin + " >/dev/null 2>&1");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(st, std::string(kTun) + " generic l3\n") << log;
  EXPECT_FALSE(reached) << "closed port reached with the daemon's filter on the tun";
}

}  // namespace
}  // namespace phonesec::test

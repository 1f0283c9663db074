// SPDX-License-Identifier: Apache-2.0
// The firewall on a real veth pair between two network namespaces, with real sockets and
// the real daemon and CLI: "phone" runs phonesecd on its veth, "peer" plays the network.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "labkit/binaries.h"
#include "netns.h"

namespace phonesec::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kPin = "/sys/fs/bpf/psfw-lab";

std::string profile(const std::string& fw_config) {
  return "<flat-profile>\n"
         "  <Firewall ua=\"na\">Enabled</Firewall>\n"
         "  <Firewall_Config ua=\"na\">" + fw_config + "</Firewall_Config>\n"
         "  <Line_Enable_1_ ua=\"na\">Yes</Line_Enable_1_>\n"
         "  <SIP_Port_1_ ua=\"na\">5060</SIP_Port_1_>\n"
         "  <SIP_Transport_1_ ua=\"na\">UDP</SIP_Transport_1_>\n"
         "  <Enable_Web_Server ua=\"na\">Yes</Enable_Web_Server>\n"
         "  <Web_Server_Port ua=\"na\">80</Web_Server_Port>\n"
         "</flat-profile>\n";
}

sockaddr_in v4(const char* a, std::uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  inet_pton(AF_INET, a, &s.sin_addr);
  return s;
}
sockaddr_in6 v6(const char* a, std::uint16_t port) {
  sockaddr_in6 s{};
  s.sin6_family = AF_INET6;
  s.sin6_port = htons(port);
  inet_pton(AF_INET6, a, &s.sin6_addr);
  return s;
}

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) close(fd); }
};

class FwLab : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, BPF)";
    ASSERT_TRUE(fs::exists(kDaemon)) << kDaemon;
    sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
    dir_ = fs::temp_directory_path() / ("psfw-lab-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    cfg_ = (dir_ / "cfg.xml").string();
    run_ = (dir_ / "run").string();
    state_ = (dir_ / "state").string();
    write_cfg(profile(""));
    net_ = std::make_unique<VethPair>("psfw");
    start_daemon();
  }
  void TearDown() override {
    stop_daemon(SIGTERM);
    sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
    net_.reset();
    fs::remove_all(dir_);
  }
  void write_cfg(const std::string& xml) { std::ofstream(cfg_, std::ios::trunc) << xml; }
  void start_daemon() {
    fs::remove(run_ + "/status.json");
    fs::remove(run_ + "/phonesecd.pid");  // a SIGKILLed daemon leaves its pid file behind
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = (dir_ / "daemon.log").string();
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(fd, 2);
      // nsenter --net, not `ip netns exec`: the latter also makes a private mount namespace,
      // whose bpffs (and the pins in it) would vanish with the daemon.
      std::string ns = "--net=/run/netns/" + net_->phone();
      execlp("nsenter", "nsenter", ns.c_str(), kDaemon.c_str(), "--config", cfg_.c_str(), "--iface",
             net_->phone_if().c_str(), "--pin-dir", kPin.c_str(), "--run-dir", run_.c_str(), "--state-dir", state_.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(run_ + "/phonesecd.pid"); ++i) std::this_thread::sleep_for(25ms);
    ASSERT_TRUE(fs::exists(run_ + "/phonesecd.pid")) << "phonesecd did not start:\n" << daemon_log();
  }
  void stop_daemon(int sig) {
    if (pid_ > 0) {
      kill(pid_, sig);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  std::string daemon_log() {
    std::ifstream f(dir_ / "daemon.log");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  int cli(const std::string& args) { return sh(kCli + " " + args + " --run-dir " + run_ + " >" + (dir_ / "cli.out").string() + " 2>&1"); }
  int cli_pin(const std::string& args) { return sh(kCli + " " + args + " --pin-dir " + kPin + " >" + (dir_ / "cli.out").string() + " 2>&1"); }
  std::string cli_out() {
    std::ifstream f(dir_ / "cli.out");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  // UDP datagram from peer to phone:port; true if the phone's socket got it.
  bool udp_reaches_phone(std::uint16_t port, bool ipv6 = false) {
    Fd rx(socket_in(net_->phone(), ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM));
    Fd tx(socket_in(net_->peer(), ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM));
    int one = 1;
    setsockopt(rx.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ipv6) {
      auto a = v6("::", port);
      if (bind(rx.fd, (sockaddr*)&a, sizeof a) != 0) return false;
      auto d = v6("fd77::2", port);
      sendto(tx.fd, "x", 1, 0, (sockaddr*)&d, sizeof d);
    } else {
      auto a = v4("0.0.0.0", port);
      if (bind(rx.fd, (sockaddr*)&a, sizeof a) != 0) return false;
      auto d = v4("10.77.0.2", port);
      sendto(tx.fd, "x", 1, 0, (sockaddr*)&d, sizeof d);
    }
    return wait_readable(rx.fd, 400);
  }
  // TCP connect from peer to phone:port with a listener there; true if it connects.
  bool tcp_reaches_phone(std::uint16_t port) {
    Fd l(socket_in(net_->phone(), AF_INET, SOCK_STREAM));
    int one = 1;
    setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto a = v4("0.0.0.0", port);
    if (bind(l.fd, (sockaddr*)&a, sizeof a) != 0 || listen(l.fd, 4) != 0) return false;
    Fd c(socket_in(net_->peer(), AF_INET, SOCK_STREAM | SOCK_NONBLOCK));
    auto d = v4("10.77.0.2", port);
    connect(c.fd, (sockaddr*)&d, sizeof d);
    pollfd p{c.fd, POLLOUT, 0};
    if (poll(&p, 1, 600) != 1) return false;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    return err == 0;
  }
  bool peer_pings_phone() { return sh(net_->in_peer("ping -c1 -W1 -q 10.77.0.2 >/dev/null 2>&1")) == 0; }

  fs::path dir_;
  std::string cfg_, run_, state_;
  std::unique_ptr<VethPair> net_;
  pid_t pid_ = -1;
};

TEST_F(FwLab, InboundUdpOnlyToOpenPorts) {
  EXPECT_TRUE(udp_reaches_phone(5060));
  EXPECT_TRUE(udp_reaches_phone(5060, true));
  EXPECT_TRUE(udp_reaches_phone(16400));
  EXPECT_FALSE(udp_reaches_phone(5059));
  EXPECT_FALSE(udp_reaches_phone(5059, true));
  EXPECT_FALSE(udp_reaches_phone(9000));
  ASSERT_EQ(cli_pin("stats --json"), 0);
  EXPECT_NE(cli_out().find("\"reason\":\"drop_udp_port\""), std::string::npos) << cli_out();
}

// The daemon holds no key material today, but it is the process that will: it keeps its memory
// out of core files from the start (RLIMIT_CORE 0, not dumpable).
TEST_F(FwLab, DaemonWritesNoCoreFiles) {
  std::ifstream lim("/proc/" + std::to_string(pid_) + "/limits");
  ASSERT_TRUE(lim) << "no /proc entry for phonesecd " << pid_;
  std::string line, found;
  while (std::getline(lim, line))
    if (line.rfind("Max core file size", 0) == 0) found = line;
  std::istringstream f(found.substr(std::string("Max core file size").size()));
  std::string soft, hard;
  f >> soft >> hard;
  EXPECT_EQ(soft, "0") << found;
  EXPECT_EQ(hard, "0") << found;
}

TEST_F(FwLab, InboundTcpOnlyToOpenPorts) {
  EXPECT_TRUE(tcp_reaches_phone(80));
  EXPECT_FALSE(tcp_reaches_phone(8080));
}

TEST_F(FwLab, OutboundFlowsAreAnswered) {
  // A UDP "server" in the peer answers whatever the phone sends; a TCP server echoes.
  Fd us(socket_in(net_->peer(), AF_INET, SOCK_DGRAM));
  auto ua = v4("10.77.0.1", 7000);
  ASSERT_EQ(bind(us.fd, (sockaddr*)&ua, sizeof ua), 0);
  Fd ts(socket_in(net_->peer(), AF_INET, SOCK_STREAM));
  auto ta = v4("10.77.0.1", 7001);
  ASSERT_EQ(bind(ts.fd, (sockaddr*)&ta, sizeof ta), 0);
  ASSERT_EQ(listen(ts.fd, 4), 0);

  Fd uc(socket_in(net_->phone(), AF_INET, SOCK_DGRAM));
  ASSERT_EQ(sendto(uc.fd, "q", 1, 0, (sockaddr*)&ua, sizeof ua), 1);
  ASSERT_TRUE(wait_readable(us.fd, 1000));
  char b[16];
  sockaddr_in from{};
  socklen_t fl = sizeof from;
  ASSERT_EQ(recvfrom(us.fd, b, sizeof b, 0, (sockaddr*)&from, &fl), 1);
  sendto(us.fd, "r", 1, 0, (sockaddr*)&from, fl);
  EXPECT_TRUE(wait_readable(uc.fd, 1000)) << "UDP reply to the phone's own flow was dropped";
  // The same port from another source port of the peer is not part of the flow.
  Fd other(socket_in(net_->peer(), AF_INET, SOCK_DGRAM));
  sendto(other.fd, "s", 1, 0, (sockaddr*)&from, fl);
  char tmp[4];
  recv(uc.fd, tmp, sizeof tmp, 0);
  EXPECT_FALSE(wait_readable(uc.fd, 300)) << "a datagram from outside the flow reached the phone";

  Fd tc(socket_in(net_->phone(), AF_INET, SOCK_STREAM));
  ASSERT_EQ(connect(tc.fd, (sockaddr*)&ta, sizeof ta), 0) << "outbound TCP connect failed";
  Fd acc(accept(ts.fd, nullptr, nullptr));
  ASSERT_GE(acc.fd, 0);
  ASSERT_EQ(send(acc.fd, "hello", 5, 0), 5);
  ASSERT_TRUE(wait_readable(tc.fd, 1000));
  EXPECT_EQ(recv(tc.fd, b, sizeof b, 0), 5);
  ASSERT_EQ(cli_pin("flows --json"), 0);
  EXPECT_NE(cli_out().find("\"rport\":7001,\"state\":\"established\""), std::string::npos) << cli_out();
}

TEST_F(FwLab, PingFollowsNoIcmpPing) {
  EXPECT_TRUE(peer_pings_phone());
  EXPECT_EQ(sh(net_->in_phone("ping -c1 -W1 -q 10.77.0.1 >/dev/null 2>&1")), 0) << "phone's own ping not answered";
  write_cfg(profile("NO_ICMP_PING"));
  ASSERT_EQ(cli("reload"), 0) << cli_out();
  EXPECT_FALSE(peer_pings_phone());
  EXPECT_EQ(sh(net_->in_phone("ping -c1 -W1 -q 10.77.0.1 >/dev/null 2>&1")), 0) << "replies to our own ping must pass";
}

// A live TCP exchange keeps going while the policy is swapped; the new policy applies at once.
TEST_F(FwLab, ReloadUnderTrafficLosesNoEstablishedFlow) {
  Fd ts(socket_in(net_->peer(), AF_INET, SOCK_STREAM));
  auto ta = v4("10.77.0.1", 7002);
  ASSERT_EQ(bind(ts.fd, (sockaddr*)&ta, sizeof ta), 0);
  ASSERT_EQ(listen(ts.fd, 4), 0);
  Fd tc(socket_in(net_->phone(), AF_INET, SOCK_STREAM));
  ASSERT_EQ(connect(tc.fd, (sockaddr*)&ta, sizeof ta), 0);
  Fd acc(accept(ts.fd, nullptr, nullptr));

  std::atomic<bool> stop{false};
  std::atomic<int> echoed{0}, stalls{0};
  std::thread pinger([&] {
    char b[8];
    while (!stop) {
      if (send(acc.fd, "ping", 4, 0) != 4) break;
      if (!wait_readable(tc.fd, 1000)) { ++stalls; continue; }
      if (recv(tc.fd, b, sizeof b, 0) <= 0) break;
      ++echoed;
      std::this_thread::sleep_for(5ms);
    }
  });
  std::this_thread::sleep_for(150ms);
  for (int i = 0; i < 5; ++i) {
    write_cfg(profile(i % 2 ? "NO_ICMP_PING,UDP:9000" : "TCP:12000"));
    EXPECT_EQ(cli("reload"), 0) << cli_out();
  }
  std::this_thread::sleep_for(150ms);
  stop = true;
  pinger.join();
  EXPECT_GT(echoed.load(), 10);
  EXPECT_EQ(stalls.load(), 0) << "the established flow stalled during reloads";
  // The last config (i = 4: TCP:12000) is live: 12000 open, 9000 closed again.
  EXPECT_TRUE(tcp_reaches_phone(12000));
  EXPECT_FALSE(udp_reaches_phone(9000));
}

TEST_F(FwLab, BadConfigKeepsLastGoodPolicy) {
  write_cfg(profile("UDP:9000"));
  ASSERT_EQ(cli("reload"), 0) << cli_out();
  EXPECT_TRUE(udp_reaches_phone(9000));
  write_cfg("<flat-profile><Firewall>Disabled</Firewall><Firewall_Config>UDP:9100");  // not well-formed
  EXPECT_NE(cli("reload"), 0) << "a broken file must be reported as not applied";
  EXPECT_NE(cli_out().find("cfg.xml"), std::string::npos) << cli_out();
  EXPECT_TRUE(udp_reaches_phone(9000)) << "last good policy lost";
  EXPECT_FALSE(udp_reaches_phone(5059)) << "a broken file left the phone unprotected";
}

long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST_F(FwLab, HugeProfileReloadStaysBoundedAndGivesItsMemoryBack) {
  write_cfg(profile("UDP:9000"));
  ASSERT_EQ(cli("reload"), 0) << cli_out();
  const long before = rss_kib(pid_);
  ASSERT_GT(before, 0);
  const auto log_before = daemon_log().size();
  // ~1 MiB of Firewall_Config (just under the loader's bound): ~100k tokens, every one of them
  // wrong or over the 5-entry limit, each a diagnostic.
  std::string fw = "UDP:9000";
  for (int i = 0; fw.size() < 1000000; ++i) fw += i % 2 ? ",UDP:" + std::to_string(10000 + i % 50000) : ",bogus" + std::to_string(i);
  write_cfg(profile(fw));
  ASSERT_EQ(cli("reload"), 0) << cli_out().substr(0, 2000);
  EXPECT_TRUE(udp_reaches_phone(9000)) << "the good token of the huge profile was not applied";
  const std::string log = daemon_log().substr(log_before);
  EXPECT_LT(log.size(), 64u * 1024) << "100k diagnostics must not flood the log";
  EXPECT_NE(log.find("more diagnostics not shown"), std::string::npos) << log.substr(0, 4000);
  EXPECT_LT(fs::file_size(run_ + "/status.json"), 64u * 1024);
  // Back to a small profile: the memory the big one took is returned.
  write_cfg(profile("UDP:9001"));
  ASSERT_EQ(cli("reload"), 0) << cli_out();
  EXPECT_TRUE(udp_reaches_phone(9001));
  const long after = rss_kib(pid_);
  EXPECT_LT(after, before + 8 * 1024) << "RSS " << before << " KiB before the huge profile, " << after
                                      << " KiB after going back to a small one";
}

TEST_F(FwLab, KilledDaemonLeavesFilterEnforcingAndRestartAdoptsFlows) {
  Fd ts(socket_in(net_->peer(), AF_INET, SOCK_STREAM));
  auto ta = v4("10.77.0.1", 7003);
  ASSERT_EQ(bind(ts.fd, (sockaddr*)&ta, sizeof ta), 0);
  ASSERT_EQ(listen(ts.fd, 4), 0);
  Fd tc(socket_in(net_->phone(), AF_INET, SOCK_STREAM));
  ASSERT_EQ(connect(tc.fd, (sockaddr*)&ta, sizeof ta), 0);
  Fd acc(accept(ts.fd, nullptr, nullptr));

  stop_daemon(SIGKILL);
  EXPECT_FALSE(udp_reaches_phone(5059)) << "filter gone with the daemon";
  EXPECT_TRUE(udp_reaches_phone(5060));
  char b[8];
  ASSERT_EQ(send(acc.fd, "a", 1, 0), 1);
  EXPECT_TRUE(wait_readable(tc.fd, 1000)) << "established flow cut while the daemon is down";
  recv(tc.fd, b, sizeof b, 0);
  ASSERT_EQ(cli_pin("status"), 0) << cli_out();
  EXPECT_NE(cli_out().find("enforcing"), std::string::npos) << cli_out();

  start_daemon();
  EXPECT_NE(daemon_log().find("adopted pinned maps"), std::string::npos) << daemon_log();
  ASSERT_EQ(send(acc.fd, "b", 1, 0), 1);
  EXPECT_TRUE(wait_readable(tc.fd, 1000)) << "established flow lost across the daemon restart";
  EXPECT_FALSE(udp_reaches_phone(5059));
}

}  // namespace
}  // namespace phonesec::test

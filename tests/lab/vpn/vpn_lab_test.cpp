// SPDX-License-Identifier: Apache-2.0
// The VPN client against a real ocserv (AnyConnect-compatible) in its own namespace. The
// test's thread enters the phone's namespace, so the client's sockets, its tun device and
// its netlink queries all live there, as on the phone.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "labkit/binaries.h"
#include "ocserv_lab.h"
#include "common/log.h"
#include "vpn/client.h"
#include "config/phone_config.h"
#include "fw/mapset.h"
#include "fw/policy.h"
#include "vpn/fw_attach.h"

namespace phonesec::test {
namespace {

using namespace std::chrono_literals;
using vpn::State;
using vpn::VpnStatus;

std::unique_ptr<OcservLab> g_lab;
int g_root_ns = -1;

std::string read_file(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class VpnLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, tun)";
    for (const char* t : {"ocserv", "ocpasswd", "certtool", "openssl", "ip", "nft", "ping"})
      ASSERT_TRUE(have(t)) << t << " is missing (cmake/deps/vpn.txt)";
    g_lab = std::make_unique<OcservLab>();
    g_lab->start();
    g_root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int c = open((std::string("/run/netns/") + OcservLab::kClientNs).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(c, 0);
    ASSERT_EQ(setns(c, CLONE_NEWNET), 0);  // this thread (and the client's threads) = the phone
    close(c);
  }
  static void TearDownTestSuite() {
    if (g_root_ns >= 0) {
      setns(g_root_ns, CLONE_NEWNET);
      close(g_root_ns);
      g_root_ns = -1;
    }
    g_lab.reset();
  }

  void SetUp() override {
    ASSERT_TRUE(g_lab);
    g_lab->start();  // a test that killed it may have left it down
  }

  static config::VpnConfig profile(const LabUser& u, const std::string& group, const std::string& password = "") {
    config::VpnConfig c;
    c.server = OcservLab::kServerIp;
    c.user_name = u.name;
    c.password = SecretString(password.empty() ? u.password : password);
    c.tunnel_group = group;
    return c;
  }
  static vpn::ClientOptions options(bool dtls = true) {
    vpn::ClientOptions o;
    o.trust.ca_file = g_lab->ca_file();
    o.reconnect.initial = 300ms;
    o.reconnect.max = 2000ms;
    o.reconnect.cookie_resume_timeout_s = 1;
    o.dtls = dtls;
    return o;
  }
  // Up events, recorded.
  struct Events {
    std::mutex m;
    std::vector<std::pair<std::string, std::uint32_t>> up;
    std::vector<std::string> down;
    vpn::ClientEvents hooks() {
      return {[this](const std::string& n, std::uint32_t i) {
                std::lock_guard<std::mutex> g(m);
                up.emplace_back(n, i);
              },
              [this](const std::string& n) {
                std::lock_guard<std::mutex> g(m);
                down.push_back(n);
              }};
    }
    std::size_t ups() {
      std::lock_guard<std::mutex> g(m);
      return up.size();
    }
  };

  static bool connected(const VpnStatus& s) { return s.connected() && !s.address.empty(); }
  static bool settled_off(const VpnStatus& s) { return !s.enabled && s.state == State::disconnected; }

  static void ping_through(int count = 5, int size = 200) {
    ASSERT_EQ(sh(g_lab->in_client("ping -q -c " + std::to_string(count) + " -i 0.05 -W 2 -s " + std::to_string(size) + " " +
                                  OcservLab::kInsideIp + " >/dev/null")),
              0)
        << "no reply from " << OcservLab::kInsideIp << " through the tunnel";
  }
};

TEST_F(VpnLab, RightGroupGetsThatGroupsAddressAndRoutesWithoutTouchingResolvConf) {
  std::string resolv_before = read_file("/etc/resolv.conf");
  for (auto [group, prefix] : {std::pair{"voice", "192.168.99."}, std::pair{"Data Users", "192.168.98."}}) {
    Events ev;
    vpn::VpnClient client(options(), ev.hooks());
    client.boot(profile(OcservLab::alice(), group));  // Connect_on_Bootup = No
    EXPECT_FALSE(client.status().enabled);
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
    VpnStatus st = client.status();
    EXPECT_TRUE(st.enabled);
    EXPECT_EQ(st.address.rfind(prefix, 0), 0u) << group << ": " << st.address;
    EXPECT_EQ(st.netmask, "255.255.255.0");
    EXPECT_EQ(st.group, std::string(group) == "voice" ? "voice" : "data");
    EXPECT_EQ(st.ifname, "psvpn0");
    // The "interface appeared" event names the same device the kernel knows.
    ASSERT_EQ(ev.ups(), 1u);
    EXPECT_EQ(ev.up[0].first, "psvpn0");
    EXPECT_EQ(ev.up[0].second, if_nametoindex("psvpn0"));
    EXPECT_EQ(st.ifindex, ev.up[0].second);
    // The pushed split route goes through the tunnel; nothing else does.
    EXPECT_NE(capture(g_lab->in_client("ip route get 172.31.0.1")).find("dev psvpn0"), std::string::npos);
    EXPECT_EQ(capture(g_lab->in_client("ip route get 10.98.0.1")).find("psvpn0"), std::string::npos);
    EXPECT_NE(capture(g_lab->in_client("ip -4 addr show dev psvpn0")).find(st.address + "/24"), std::string::npos);
    // No IPv6 on the tunnel (no link-local address, no MLD/ND in the byte counters).
    EXPECT_EQ(capture(g_lab->in_client("cat /proc/sys/net/ipv6/conf/psvpn0/disable_ipv6")), "1");
    EXPECT_EQ(capture(g_lab->in_client("ip -6 addr show dev psvpn0")), "");

    client.disconnect();
    st = client.status();
    EXPECT_TRUE(settled_off(st));
    EXPECT_EQ(st.last_error, "");
    EXPECT_EQ(if_nametoindex("psvpn0"), 0u) << "the tun device outlived the session";
    EXPECT_EQ(ev.down.size(), 1u);
  }
  // ocserv pushed DNS 10.98.0.53 and domain lab.local: the host's resolver is untouched.
  EXPECT_EQ(read_file("/etc/resolv.conf"), resolv_before);
}

TEST_F(VpnLab, FullTunnelKeepsTheGatewayReachableAndCleansUp) {
  vpn::VpnClient client(options());
  client.boot(profile(OcservLab::alice(), "full"));
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
  EXPECT_EQ(client.status().address.rfind("192.168.96.", 0), 0u);
  // Everything goes through the tunnel, except the gateway itself.
  EXPECT_NE(capture(g_lab->in_client("ip route get 198.51.100.7")).find("dev psvpn0"), std::string::npos);
  EXPECT_NE(capture(g_lab->in_client("ip route get 10.98.0.1")).find("dev psv-c"), std::string::npos);
  EXPECT_NE(capture(g_lab->in_client("ip route show 10.98.0.1/32")).find("dev psv-c"), std::string::npos);
  ping_through(3);
  client.disconnect();
  EXPECT_EQ(capture(g_lab->in_client("ip route show 10.98.0.1/32")), "") << "the gateway's host route outlived the tunnel";
  EXPECT_EQ(capture(g_lab->in_client("ip route get 198.51.100.7 2>&1")).find("psvpn0"), std::string::npos);
}

TEST_F(VpnLab, WrongPasswordFailsWithReasonAndSwitchOff) {
  vpn::VpnClient client(options());
  client.apply([] {
    auto c = profile(OcservLab::alice(), "voice", "not-the-password");
    c.enable_connection = true;  // the switch turned on by provisioning
    return c;
  }());
  ASSERT_TRUE(client.wait_for(settled_off, 15s)) << vpn::to_json(client.status());
  VpnStatus st = client.status();
  EXPECT_NE(st.last_error.find("rejected the credentials of user 'alice'"), std::string::npos) << st.last_error;
  EXPECT_EQ(st.last_error.find("not-the-password"), std::string::npos);
  EXPECT_EQ(if_nametoindex("psvpn0"), 0u);
}

TEST_F(VpnLab, WrongGroupFailsWithReason) {
  {  // A group the server does not have.
    vpn::VpnClient client(options());
    client.boot(profile(OcservLab::alice(), "sales"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(settled_off, 15s));
    std::string e = client.status().last_error;
    EXPECT_NE(e.find("tunnel group 'sales' is not offered by the server (offered: voice, data, full)"), std::string::npos) << e;
  }
  {  // A group the server has, but the user is not in it.
    vpn::VpnClient client(options());
    client.boot(profile(OcservLab::carol(), "voice"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(settled_off, 15s));
    std::string e = client.status().last_error;
    EXPECT_NE(e.find("server refused the login of user 'carol' in tunnel group 'voice'"), std::string::npos) << e;
  }
  {  // Same user, her own group: fine.
    vpn::VpnClient client(options());
    client.boot(profile(OcservLab::carol(), "data"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
    EXPECT_EQ(client.status().address.rfind("192.168.98.", 0), 0u);
  }
}

TEST_F(VpnLab, ServerCertificateIsChecked) {
  {  // Right CA, wrong pin: refused before the password leaves the phone.
    auto o = options();
    o.trust.pin = g_lab->rogue_pin();
    vpn::VpnClient client(o);
    client.boot(profile(OcservLab::alice(), "voice"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(settled_off, 15s));
    std::string e = client.status().last_error;
    EXPECT_NE(e.find("does not match the configured pin"), std::string::npos) << e;
    EXPECT_NE(e.find("before sending credentials"), std::string::npos) << e;
  }
  {  // A CA that did not sign the gateway, no pin.
    auto o = options();
    o.trust.ca_file = g_lab->rogue_ca_file();
    vpn::VpnClient client(o);
    client.boot(profile(OcservLab::alice(), "voice"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(settled_off, 15s));
    std::string e = client.status().last_error;
    EXPECT_NE(e.find("server certificate of 10.98.0.1 not trusted"), std::string::npos) << e;
  }
  {  // Untrusted chain but the administrator pinned this very key: accepted.
    auto o = options();
    o.trust.ca_file = g_lab->rogue_ca_file();
    o.trust.pin = g_lab->server_pin();
    vpn::VpnClient client(o);
    client.boot(profile(OcservLab::alice(), "voice"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
  }
  {  // Right CA and right pin.
    auto o = options();
    o.trust.pin = g_lab->server_pin();
    vpn::VpnClient client(o);
    client.boot(profile(OcservLab::alice(), "voice"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
  }
}

TEST_F(VpnLab, TrafficCrossesOverDtlsAndCountersMatchDeviceAndServer) {
  vpn::VpnClient client(options());
  auto c = profile(OcservLab::alice(), "voice");
  c.connect_on_bootup = true;
  client.boot(c);
  ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
  ASSERT_TRUE(client.wait_for([](const VpnStatus& s) { return s.transport == "DTLS"; }, 10s))
      << vpn::to_json(client.status());
  ping_through(10, 400);
  VpnStatus st = client.status();
  // 10 echo requests of 400 bytes of payload + 28 of headers each way, at least.
  EXPECT_GE(st.bytes_sent, 10u * 428u);
  EXPECT_GE(st.bytes_received, 10u * 428u);
  // The phone's tun device (sysfs, not netlink)…
  EXPECT_EQ(st.bytes_sent, g_lab->counter(false, "psvpn0", "tx_bytes"));
  EXPECT_EQ(st.bytes_received, g_lab->counter(false, "psvpn0", "rx_bytes"));
  // …the gateway's device for this client…
  std::string stun = g_lab->server_tun();
  ASSERT_FALSE(stun.empty());
  EXPECT_EQ(st.bytes_sent, g_lab->counter(true, stun, "rx_bytes"));
  EXPECT_EQ(st.bytes_received, g_lab->counter(true, stun, "tx_bytes"));
  // …and libopenconnect's own count agree.
  auto ls = client.library_stats();
  ASSERT_TRUE(ls);
  EXPECT_EQ(st.bytes_sent, ls->tx_bytes);
  EXPECT_EQ(st.bytes_received, ls->rx_bytes);
  EXPECT_FALSE(ls->dtls_cipher.empty());
}

TEST_F(VpnLab, FallsBackToTlsWhenDtlsIsBlocked) {
  ASSERT_EQ(sh(g_lab->in_server("nft add table inet psvdrop")), 0);
  ASSERT_EQ(sh(g_lab->in_server("nft 'add chain inet psvdrop in { type filter hook input priority 0; }'")), 0);
  ASSERT_EQ(sh(g_lab->in_server("nft add rule inet psvdrop in udp dport 443 drop")), 0);
  struct Unblock {
    ~Unblock() { sh(g_lab->in_server("nft delete table inet psvdrop")); }
  } unblock;
  vpn::VpnClient client(options());
  client.boot(profile(OcservLab::alice(), "voice"));
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
  ping_through(5, 300);
  // Unblocked, DTLS is up within milliseconds (previous test); blocked, the tunnel stays on TLS.
  std::this_thread::sleep_for(1500ms);
  VpnStatus st = client.status();
  EXPECT_EQ(st.transport, "TLS");
  auto ls = client.library_stats();
  ASSERT_TRUE(ls);
  EXPECT_EQ(ls->dtls_cipher, "");
  EXPECT_NE(ls->cstp_cipher, "");
  EXPECT_EQ(st.bytes_sent, g_lab->counter(true, g_lab->server_tun(), "rx_bytes"));
  EXPECT_EQ(st.bytes_received, g_lab->counter(true, g_lab->server_tun(), "tx_bytes"));
}

TEST_F(VpnLab, ReconnectsWhenTheServerComesBack) {
  Events ev;
  vpn::VpnClient client(options(), ev.hooks());
  client.boot(profile(OcservLab::alice(), "voice"));
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.wait_for(connected, 10s)) << vpn::to_json(client.status());
  ping_through(2);

  g_lab->stop(SIGKILL);  // the gateway crashes
  ASSERT_TRUE(client.wait_for([](const VpnStatus& s) { return s.state == State::reconnecting; }, 15s))
      << vpn::to_json(client.status());
  VpnStatus st = client.status();
  EXPECT_TRUE(st.enabled) << "a lost tunnel keeps the switch on";
  EXPECT_NE(st.last_error.find("lost"), std::string::npos) << st.last_error;
  EXPECT_EQ(if_nametoindex("psvpn0"), 0u);
  std::this_thread::sleep_for(1500ms);  // a few failed attempts against a dead gateway
  EXPECT_EQ(client.status().state, State::reconnecting);
  EXPECT_TRUE(client.status().enabled);

  g_lab->start();
  ASSERT_TRUE(client.wait_for(connected, 20s)) << vpn::to_json(client.status());
  st = client.status();
  EXPECT_EQ(st.reconnects, 1u);
  EXPECT_EQ(st.address.rfind("192.168.99.", 0), 0u);
  EXPECT_EQ(ev.ups(), 2u) << "interface appeared again for the firewall";
  ping_through(2);
}

TEST_F(VpnLab, ProvisionedSwitchAndBootup) {
  vpn::VpnClient client(options());
  auto c = profile(OcservLab::alice(), "voice");
  client.boot(c);
  EXPECT_EQ(client.status().state, State::disconnected);
  c.enable_connection = true;
  client.apply(c);
  ASSERT_TRUE(client.wait_for(connected, 10s));
  c.enable_connection = false;
  client.apply(c);
  EXPECT_TRUE(settled_off(client.status()));
  EXPECT_EQ(if_nametoindex("psvpn0"), 0u);
}

TEST_F(VpnLab, SecretsNeverPrinted) {
  phonesec::log::set_level(phonesec::log::Level::debug);
  ::testing::internal::CaptureStderr();
  {
    vpn::VpnClient client(options());
    client.boot(profile(OcservLab::alice(), "voice"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(connected, 10s));
    std::string js = vpn::to_json(client.status());
    EXPECT_EQ(js.find(OcservLab::alice().password), std::string::npos);
    client.disconnect();
    client.boot(profile(OcservLab::alice(), "voice", "Wrong-Secret-5512"));
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.wait_for(settled_off, 15s));
    EXPECT_EQ(vpn::to_json(client.status()).find("Wrong-Secret-5512"), std::string::npos);
  }
  std::string logs = ::testing::internal::GetCapturedStderr();
  phonesec::log::set_level(phonesec::log::Level::info);
  EXPECT_NE(logs.find("[openconnect]"), std::string::npos) << "debug logging was not captured";
  EXPECT_EQ(logs.find(OcservLab::alice().password), std::string::npos);
  EXPECT_EQ(logs.find("Wrong-Secret-5512"), std::string::npos);
  // Session cookies and DTLS session identifiers appear in the debug output, elided.
  EXPECT_NE(logs.find("Set-Cookie: webvpncontext=<elided>"), std::string::npos);
  std::istringstream in(logs);
  for (std::string line; std::getline(in, line);) {
    for (const char* h : {"webvpn=", "webvpncontext=", "webvpnc="}) {
      auto p = line.find(h);
      if (p == std::string::npos) continue;
      std::string rest = line.substr(p + std::strlen(h));
      EXPECT_TRUE(rest.empty() || rest[0] == ';' || rest.rfind("<elided>", 0) == 0) << line;
    }
    if (line.find("X-DTLS-App-ID:") != std::string::npos) {
      EXPECT_NE(line.find("<elided>"), std::string::npos) << line;
    }
  }
}

// The firewall on the tunnel, with the phone's policy: the L3 programs in generic XDP on
// psvpn0; a closed port across the tunnel is dropped, an open one and the replies to the
// phone's own pings pass.
TEST_F(VpnLab, FirewallOnTheTunnelWithTheSamePolicy) {
  fw::FirewallOptions fo;  // private maps, nothing pinned
  auto fwl = fw::Firewall::load(fo);
  ASSERT_TRUE(fwl) << fwl.error().message();
  auto cfg = config::factory();
  cfg.firewall_enabled = true;
  for (auto& l : cfg.lines) l.enable = false;
  cfg.lines[0].enable = true;
  cfg.lines[0].sip_port = 5060;
  cfg.lines[0].sip_transport = config::SipTransport::UDP;
  cfg.firewall = {};  // ping allowed
  auto compiled = fw::compile(cfg, 0);
  ASSERT_TRUE(compiled.image);
  ASSERT_TRUE(fw::install_policy(fwl.value()->maps(), *compiled.image));
  std::mutex m;
  std::vector<std::pair<std::string, Status>> reports;
  vpn::VpnClient client(options(), vpn::firewall_events(*fwl.value(), [&](const std::string& n, const Status& s) {
                          std::lock_guard<std::mutex> g(m);
                          reports.emplace_back(n, s);
                        }));
  client.boot(profile(OcservLab::alice(), "voice"));
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.wait_for(connected, 10s));
  {
    std::lock_guard<std::mutex> g(m);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].first, "psvpn0");
    EXPECT_TRUE(reports[0].second) << reports[0].second.error().message();
  }
  EXPECT_NE(capture(g_lab->in_client("ip link show dev psvpn0")).find("xdpgeneric"), std::string::npos);
  auto stat = [&](unsigned reason) {
    auto s = fw::read_stats(fwl.value()->maps());
    return s ? s.value()[PS_DIR_IN * PS_R_MAX + reason].packets : 0;
  };
  // Replies to a flow the phone opened through the tunnel.
  const auto replies = stat(PS_R_PASS_ECHO_REPLY);
  ping_through(2);
  EXPECT_GE(stat(PS_R_PASS_ECHO_REPLY), replies + 2);

  // The server side sends to the phone's tunnel address: closed 9999 dropped, SIP 5060 passes.
  const std::string addr = client.status().address;
  ASSERT_FALSE(addr.empty());
  auto bound = [](std::uint16_t port) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);  // this thread: the phone's namespace
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return s;
  };
  auto received = [](int s) {
    pollfd p{s, POLLIN, 0};
    char b[64];
    return poll(&p, 1, 1500) == 1 && recv(s, b, sizeof b, 0) > 0;
  };
  auto send_from_server = [&](std::uint16_t port) {
    ASSERT_EQ(sh(g_lab->in_server("bash -c 'echo probe >/dev/udp/" + addr + "/" + std::to_string(port) + "'")), 0);
  };
  int closed = bound(9999), open = bound(5060);
  const auto drops = stat(PS_R_DROP_UDP_PORT);
  send_from_server(9999);
  EXPECT_FALSE(received(closed)) << "closed port 9999 reached across the tunnel";
  EXPECT_EQ(stat(PS_R_DROP_UDP_PORT), drops + 1);
  send_from_server(5060);
  EXPECT_TRUE(received(open)) << "open port 5060 not reached across the tunnel";
  close(closed);
  close(open);
}

TEST_F(VpnLab, CommandLineClientFromTheProfile) {
  const std::string& bin = kVpnBin;
  const std::string dir = g_lab->dir() + "/cli";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir + "/cfg.xml");
    f << "<flat-profile>\n"
         "  <VPN_Server ua=\"na\">10.98.0.1</VPN_Server>\n"
         "  <VPN_User_Name ua=\"na\">alice</VPN_User_Name>\n"
         "  <VPN_Password ua=\"na\">" << OcservLab::alice().password << "</VPN_Password>\n"
         "  <VPN_Tunnel_Group ua=\"na\">data</VPN_Tunnel_Group>\n"
         "  <Connect_on_Bootup ua=\"na\">Yes</Connect_on_Bootup>\n"
         "</flat-profile>\n";
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // this thread is in the phone's namespace: so is the child
    FILE* e = std::freopen((dir + "/stderr.log").c_str(), "w", stderr);
    (void)e;
    execl(bin.c_str(), bin.c_str(), "run", "--config", (dir + "/cfg.xml").c_str(), "--ca", g_lab->ca_file().c_str(),
          "--run-dir", dir.c_str(), (char*)nullptr);
    _exit(127);
  }
  auto status_has = [&](const std::string& what, std::chrono::milliseconds t) {
    auto until = std::chrono::steady_clock::now() + t;
    do {
      if (read_file(dir + "/vpn.json").find(what) != std::string::npos) return true;
      std::this_thread::sleep_for(100ms);
    } while (std::chrono::steady_clock::now() < until);
    return false;
  };
  EXPECT_TRUE(status_has("\"state\":\"connected\"", 10s)) << read_file(dir + "/vpn.json");
  EXPECT_TRUE(status_has("\"address\":\"192.168.98.", 5s)) << read_file(dir + "/vpn.json");
  EXPECT_EQ(capture(bin + " status --run-dir " + dir), read_file(dir + "/vpn.json").substr(0, read_file(dir + "/vpn.json").size() - 1));
  ping_through(2);
  kill(pid, SIGUSR2);  // switch off
  EXPECT_TRUE(status_has("\"enabled\":false,\"state\":\"disconnected\"", 10s)) << read_file(dir + "/vpn.json");
  kill(pid, SIGUSR1);  // switch on
  EXPECT_TRUE(status_has("\"state\":\"connected\"", 10s)) << read_file(dir + "/vpn.json");
  kill(pid, SIGTERM);
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  EXPECT_EQ(if_nametoindex("psvpn0"), 0u);
  EXPECT_EQ(read_file(dir + "/vpn.json").find(OcservLab::alice().password), std::string::npos);
  std::string err = read_file(dir + "/stderr.log");
  EXPECT_NE(err.find("Connect_on_Bootup"), std::string::npos) << err;
  EXPECT_EQ(err.find(OcservLab::alice().password), std::string::npos);
}

// phonesec-vpn --firewall: the daemon's pinned maps (here pinned by this test, as phonesecd
// does) are adopted and the tunnel gets the L3 programs on them: the daemon's policy.
TEST_F(VpnLab, CommandLineClientPutsThePinnedFirewallOnTheTunnel) {
  const std::string& bin = kVpnBin;
  const std::string& cli = kCli;
  const std::string pin = "/sys/fs/bpf/psvpn-fw", dir = g_lab->dir() + "/clifw";
  (void)fw::unpin_all(pin);
  std::filesystem::create_directories(dir);
  fw::FirewallOptions fo;
  fo.pin_dir = pin;
  auto daemon_fw = fw::Firewall::load(fo);
  ASSERT_TRUE(daemon_fw) << daemon_fw.error().message();
  auto cfg = config::factory();
  cfg.firewall_enabled = true;
  cfg.firewall = {};
  auto compiled = fw::compile(cfg, 0);
  ASSERT_TRUE(fw::install_policy(daemon_fw.value()->maps(), *compiled.image));
  {
    std::ofstream f(dir + "/cfg.xml");
    f << "<flat-profile>\n"
         "  <VPN_Server ua=\"na\">10.98.0.1</VPN_Server>\n"
         "  <VPN_User_Name ua=\"na\">alice</VPN_User_Name>\n"
         "  <VPN_Password ua=\"na\">" << OcservLab::alice().password << "</VPN_Password>\n"
         "  <VPN_Tunnel_Group ua=\"na\">voice</VPN_Tunnel_Group>\n"
         "  <Connect_on_Bootup ua=\"na\">Yes</Connect_on_Bootup>\n"
         "</flat-profile>\n";
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* e = std::freopen((dir + "/stderr.log").c_str(), "w", stderr);
    (void)e;
    execl(bin.c_str(), bin.c_str(), "run", "--config", (dir + "/cfg.xml").c_str(), "--ca", g_lab->ca_file().c_str(),
          "--run-dir", dir.c_str(), "--firewall", pin.c_str(), (char*)nullptr);
    _exit(127);
  }
  const std::string link_pin = pin + "/links/psvpn0_xdp_l3";
  bool up = false;
  for (int i = 0; i < 100 && !(up = std::filesystem::exists(link_pin)); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(up) << read_file(dir + "/stderr.log");
  EXPECT_NE(capture(g_lab->in_client("ip link show dev psvpn0")).find("xdpgeneric"), std::string::npos);
  EXPECT_NE(capture(cli + " status --json --pin-dir " + pin + " --run-dir " + dir)
                .find("\"attached\":[{\"name\":\"psvpn0\",\"variant\":\"l3\"}]"),
            std::string::npos);
  ping_through(2);  // replies to the phone's pings pass
  auto drops = [&] {
    auto s = fw::read_stats(daemon_fw.value()->maps());
    return s ? s.value()[PS_DIR_IN * PS_R_MAX + PS_R_DROP_UDP_PORT].packets : 0;
  };
  std::string addr;
  for (int i = 0; i < 50 && addr.empty(); ++i) {
    auto j = read_file(dir + "/vpn.json");
    auto p = j.find("\"address\":\"");
    if (p != std::string::npos) addr = j.substr(p + 11, j.find('"', p + 11) - p - 11);
    if (addr.empty()) std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(addr.empty()) << read_file(dir + "/vpn.json");
  const auto before = drops();
  EXPECT_EQ(sh(g_lab->in_server("bash -c 'echo probe >/dev/udp/" + addr + "/9999'")), 0);
  for (int i = 0; i < 20 && drops() == before; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(drops(), before + 1) << "closed port across the tunnel not dropped by the pinned maps' policy";
  kill(pid, SIGTERM);
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  EXPECT_FALSE(std::filesystem::exists(link_pin)) << "tunnel down: its links are unpinned";
  daemon_fw.value().reset();
  (void)fw::unpin_all(pin);
}

}  // namespace
}  // namespace phonesec::test

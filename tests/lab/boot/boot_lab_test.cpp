// SPDX-License-Identifier: Apache-2.0
// The phone boots with phonesecd alone: enforcing at once, 802.1X against hostapd, the VPN
// against ocserv with the firewall on its tunnel; one reload reaches every part and only the
// parts whose settings changed act; a worker killed with SIGKILL comes back while the
// firewall never stops. Each step is read from `phonesec status --json`, the way people see it.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "labkit/boot_lab.h"

namespace phonesec::test::boot {
namespace {

using namespace std::chrono_literals;
const std::string kPin = "/sys/fs/bpf/psb";

std::string profile(const std::string& body) { return "<flat-profile>\n" + body + "</flat-profile>\n"; }

class BootLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, BPF)";
    lab_ = std::make_unique<BootLab>();
    sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
  }
  void TearDown() override {
    daemon_.reset();
    sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
    lab_.reset();
  }
  std::string run_dir() const { return lab_->dir() + "/run"; }
  std::string log() const { return slurp(lab_->dir() + "/phonesecd.log"); }
  void start_daemon(const std::string& cfg, const std::vector<std::string>& extra = {}) {
    // In the phone's network namespace, with its resolv.conf, seeing the host's bpffs.
    const auto argv = lab_->phonesecd_argv(cfg, kPin, run_dir(), lab_->dir() + "/state", extra);
    daemon_ = std::make_unique<Child>(argv, lab_->dir() + "/phonesecd.log");
  }
  Json status() const {
    Json j = Json::parse(capture(kCli + " status --json --pin-dir " + kPin + " --run-dir " + run_dir() + " 2>/dev/null"),
                         nullptr, false);
    return j.is_discarded() ? Json() : j;
  }
  static Json at(const Json& j, std::initializer_list<const char*> path) {
    Json cur = j;
    for (const char* k : path) {
      if (!cur.is_object() || !cur.contains(k)) return Json();
      cur = cur[k];
    }
    return cur;
  }
  bool wait_status(const std::function<bool(const Json&)>& pred, std::chrono::milliseconds t) {
    return wait_for([&] { return pred(status()); }, t);
  }
  // The phone's IPv4 address (static, or the DHCP lease's).
  std::string phone_ip() const {
    std::string a = capture(lab_->in_phone(std::string("sh -c \"ip -4 -o addr show dev ") + kPhoneIf +
                                            " | awk '{print \\$4}' | cut -d/ -f1 | head -1\""));
    while (!a.empty() && (a.back() == '\n' || a.back() == ' ')) a.pop_back();
    return a;
  }
  // A datagram from the network side to the phone's UDP port: does it arrive?
  bool udp_reaches(int port) const {
    const std::string out = lab_->dir() + "/udp-" + std::to_string(port) + ".out";
    std::remove(out.c_str());
    const std::string listen = lab_->in_phone(
        "timeout 3 python3 -c \"import socket;s=socket.socket(2,2);s.bind(('0.0.0.0'," + std::to_string(port) +
        "));s.settimeout(2);print(s.recv(100).decode())\" > " + out + " 2>/dev/null &");
    sh(listen);
    std::this_thread::sleep_for(300ms);
    for (int i = 0; i < 3; ++i) {
      sh(lab_->in_server("python3 -c \"import socket;socket.socket(2,2).sendto(b'hello',('" + phone_ip() + "'," +
                         std::to_string(port) + "))\""));
      std::this_thread::sleep_for(100ms);
    }
    wait_for([&] { return slurp(out).find("hello") != std::string::npos; }, 2500ms);
    return slurp(out).find("hello") != std::string::npos;
  }
  static long long caps_of(long long pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
      if (line.rfind("CapEff:", 0) == 0) return std::stoll(line.substr(7), nullptr, 16);
    return -1;
  }
  std::unique_ptr<BootLab> lab_;
  std::unique_ptr<Child> daemon_;
};

std::string vpn_settings(bool enable) {
  return std::string("<VPN_Server>") + kServerIp + "</VPN_Server>\n<VPN_User_Name>" + kVpnUser +
         "</VPN_User_Name>\n<VPN_Password>" + kVpnPassword + "</VPN_Password>\n<VPN_Tunnel_Group>voice</VPN_Tunnel_Group>\n"
         "<Connect_on_Bootup>" + (enable ? "Yes" : "No") + "</Connect_on_Bootup>\n<Enable_VPN_Connection>" +
         (enable ? "Yes" : "No") + "</Enable_VPN_Connection>\n";
}

TEST_F(BootLabTest, OneControllerBootsEveryPartReloadsThemAndOutlivesItsWorkers) {
  lab_->start_hostapd();
  lab_->start_ocserv();
  // The OS gives the phone its address (static here; DHCP in the provisioning test).
  must(lab_->in_phone(std::string("ip addr add 10.77.0.2/24 dev ") + kPhoneIf));
  const std::string cfg = lab_->dir() + "/cfg.xml";
  std::ofstream(cfg) << profile("<Enable_802.1X_Authentication>Yes</Enable_802.1X_Authentication>\n" + vpn_settings(true) +
                                "<Firewall_Config>UDP:7000</Firewall_Config>\n<Proxy_1_>10.77.0.1</Proxy_1_>\n"
                                "<Password_1_>Line-1-Secret-9</Password_1_>\n");
  start_daemon(cfg, {"--vpn-dpd-s", "2"});

  // t0 enforcing, t1 802.1X Authenticated, then the VPN (it waits for 802.1X).
  ASSERT_TRUE(wait_status([](const Json& s) { return at(s, {"parts", "dot1x", "status", "transaction"}) == "Authenticated"; }, 20s))
      << status().dump(1) << log();
  ASSERT_TRUE(wait_status([](const Json& s) { return at(s, {"parts", "vpn", "status", "state"}) == "connected"; }, 20s))
      << status().dump(1) << log() << slurp(lab_->dir() + "/ocserv/ocserv.log");
  Json s = status();
  const Json boot = at(s, {"boot"});
  ASSERT_TRUE(boot.contains("enforcing") && boot.contains("dot1x_authenticated") && boot.contains("network")) << boot.dump();
  EXPECT_LE(boot["enforcing"]["ms"].get<long long>(), boot["dot1x_authenticated"]["ms"].get<long long>());
  EXPECT_LE(boot["dot1x_authenticated"]["ms"].get<long long>(), boot["network"]["ms"].get<long long>() + 1)
      << "the network waits for 802.1X: " << boot.dump();
  EXPECT_EQ(s["firewall"], "enforcing");
  EXPECT_TRUE(udp_reaches(7000)) << "Firewall_Config UDP:7000 is open";
  EXPECT_FALSE(udp_reaches(7001)) << "a closed port drops";
  EXPECT_EQ(lab_->hostapd_successes(), 1) << slurp(lab_->dir() + "/hostapd.log").substr(0, 2000);
  // The firewall on the tunnel, put there by the controller (the VPN worker has no BPF right).
  const std::string tun = at(s, {"parts", "vpn", "status", "ifname"}).get<std::string>();
  ASSERT_FALSE(tun.empty());
  ASSERT_TRUE(wait_status([&](const Json& st) {
    for (const auto& i : at(st, {"attached"}))
      if (i["name"] == tun && i["variant"] == "l3") return true;
    return false;
  }, 5s)) << status().dump(1);

  // Least privilege: each worker holds only what its part needs.
  const long long dot1x_pid = at(s, {"parts", "dot1x", "pid"}).get<long long>();
  const long long vpn_pid = at(s, {"parts", "vpn", "pid"}).get<long long>();
  EXPECT_EQ(caps_of(dot1x_pid), (1ll << 12) | (1ll << 13)) << "CAP_NET_ADMIN | CAP_NET_RAW";
  EXPECT_EQ(caps_of(vpn_pid), 1ll << 12) << "CAP_NET_ADMIN";
  // Media security runs for line 1 (it has a proxy), as nobody without capabilities.
  ASSERT_TRUE(wait_status([](const Json& st) { return at(st, {"parts", "media", "status", "lines"}).is_array(); }, 10s))
      << status().dump(1);
  s = status();
  const long long media_pid = at(s, {"parts", "media", "pid"}).get<long long>();
  EXPECT_EQ(caps_of(media_pid), 0);
  EXPECT_EQ(capture("stat -c %u /proc/" + std::to_string(media_pid)), "65534\n");
  bool line1 = false;
  for (const auto& l : at(s, {"parts", "media", "status", "lines"}))
    if (l["line"] == 1 && l["enabled"] == true) line1 = l.value("proxy", "").find("10.77.0.1") != std::string::npos;
  EXPECT_TRUE(line1) << at(s, {"parts", "media"}).dump(1);
  EXPECT_EQ(slurp(run_dir() + "/status.json").find("Line-1-Secret-9"), std::string::npos);
  EXPECT_EQ(log().find("Line-1-Secret-9"), std::string::npos);
  const long long ctl = caps_of(std::stoll(slurp(run_dir() + "/phonesecd.pid")));
  EXPECT_EQ(ctl & (1ll << 39), 1ll << 39) << "the controller keeps CAP_BPF";
  EXPECT_EQ(ctl & (1ll << 21), 0) << "and has dropped CAP_SYS_ADMIN once loaded";
  EXPECT_EQ(ctl & (1ll << 16), 0) << "and CAP_SYS_MODULE";
  // Secrets stay out of status and logs.
  EXPECT_EQ(slurp(run_dir() + "/status.json").find(kVpnPassword), std::string::npos);
  EXPECT_EQ(log().find(kVpnPassword), std::string::npos);

  // The gateway dies: "connected" does not outlive it by more than dead-peer detection.
  lab_->kill_ocserv();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_status([](const Json& st) { return at(st, {"parts", "vpn", "status", "state"}) != "connected"; }, 20s))
      << status().dump(1);
  std::cerr << "VPN: gateway killed → not connected after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed).count()
            << " ms (DPD 2 s)\n";

  // One reload: the VPN goes down (Enable_VPN_Connection off), a port moves, 802.1X is not
  // disturbed.
  const auto gen_before = s["generation"].get<long long>();
  std::ofstream(cfg, std::ios::trunc) << profile("<Enable_802.1X_Authentication>Yes</Enable_802.1X_Authentication>\n" +
                                                 vpn_settings(false) + "<Firewall_Config>UDP:7001</Firewall_Config>\n"
                                                 "<Proxy_1_>10.77.0.1</Proxy_1_>\n<Password_1_>Line-1-Secret-9</Password_1_>\n");
  ASSERT_EQ(sh(kCli + " reload --run-dir " + run_dir() + " >/dev/null"), 0) << log();
  ASSERT_TRUE(wait_status([](const Json& st) { return at(st, {"parts", "vpn", "status", "state"}) == "disconnected"; }, 10s))
      << status().dump(1);
  s = status();
  EXPECT_GT(s["generation"].get<long long>(), gen_before) << "the firewall took the new policy";
  EXPECT_EQ(at(s, {"parts", "dot1x", "last_apply", "outcome"}), "unchanged") << s.dump(1);
  EXPECT_EQ(at(s, {"parts", "dot1x", "pid"}).get<long long>(), dot1x_pid);
  EXPECT_EQ(at(s, {"parts", "media", "last_apply", "outcome"}), "unchanged") << "the lines did not change";
  EXPECT_EQ(at(s, {"parts", "media", "pid"}).get<long long>(), media_pid);
  EXPECT_EQ(at(s, {"parts", "dot1x", "status", "counters", "auth_success"}), 1) << s.dump(1);
  EXPECT_EQ(lab_->hostapd_successes(), 1) << "no re-authentication for a firewall change";
  EXPECT_TRUE(udp_reaches(7001)) << "the reloaded policy is live";
  EXPECT_FALSE(udp_reaches(7000));

  // SIGKILL each worker: it comes back (a new process), the firewall never stops.
  const auto gen = s["generation"].get<long long>();
  for (const char* part : {"dot1x", "vpn", "media"}) {
    const long long pid = at(status(), {"parts", part, "pid"}).get<long long>();
    ASSERT_GT(pid, 0) << part;
    kill(pid_t(pid), SIGKILL);
    ASSERT_TRUE(wait_status([&](const Json& st) {
      const Json p = at(st, {"parts", part, "pid"});
      return p.is_number() && p.get<long long>() != pid && at(st, {"parts", part, "running"}) == true;
    }, 10s)) << part << "\n" << status().dump(1);
    s = status();
    EXPECT_EQ(s["firewall"], "enforcing");
    EXPECT_EQ(s["generation"].get<long long>(), gen) << "the policy stays while a worker restarts";
    EXPECT_GE(at(s, {"parts", part, "restarts"}).get<long long>(), 1);
  }
  // The restarted 802.1X worker authenticates again.
  EXPECT_TRUE(wait_status([](const Json& st) { return at(st, {"parts", "dot1x", "status", "transaction"}) == "Authenticated"; }, 20s))
      << status().dump(1);
}

// The phone as it boots in the field: only its 802.1X switch and provisioning rule set on the
// device; the rest comes from the provisioning server found through DHCP, over HTTPS with the
// TLS policy and the device certificate; resyncs keep it in step.
TEST_F(BootLabTest, ProvisionedBootThenResyncThenRefusedCipherKeepsLastGood) {
  lab_->start_hostapd();
  lab_->start_ocserv();
  lab_->start_syslog();
  lab_->start_nginx("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
  lab_->start_dnsmasq({"160,https://10.77.0.1:8443", "66,10.77.0.99"});
  auto served = [](const std::string& fw, bool vpn) {
    return profile(vpn_settings(vpn) + "<Firewall_Config>" + fw + "</Firewall_Config>\n<Syslog_Server>" + kServerIp +
                   "</Syslog_Server>\n<TLS_Cipher_List>ECDHE-RSA-AES256-GCM-SHA384</TLS_Cipher_List>\n");
  };
  lab_->serve("phone.xml", served("UDP:7000", true));
  const std::string cfg = lab_->dir() + "/cfg.xml";
  std::ofstream(cfg) << profile(
      "<Enable_802.1X_Authentication>Yes</Enable_802.1X_Authentication>\n<Profile_Rule>/phone.xml</Profile_Rule>\n"
      "<DHCP_Option_To_Use>160,66</DHCP_Option_To_Use>\n<Resync_Random_Delay>0</Resync_Random_Delay>\n");
  start_daemon(cfg);
  ASSERT_TRUE(wait_status([](const Json& s) { return at(s, {"parts", "prov", "running"}) == true; }, 20s)) << status().dump(1) << log();
  lab_->dhcp_lease(run_dir());

  ASSERT_TRUE(wait_status([](const Json& s) { return at(s, {"provisioning", "result"}) == "applied"; }, 20s))
      << status().dump(1) << log();
  ASSERT_TRUE(wait_status([](const Json& s) { return at(s, {"parts", "vpn", "status", "state"}) == "connected"; }, 20s))
      << status().dump(1) << log();
  Json s = status();
  EXPECT_EQ(at(s, {"parts", "prov", "status", "result"}), "ok") << s.dump(1);
  EXPECT_NE(at(s, {"parts", "prov", "status", "source"}).get<std::string>().find("DHCP option 160"), std::string::npos) << s.dump(1);
  const Json boot = at(s, {"boot"});
  for (const char* step : {"enforcing", "dot1x_authenticated", "network", "provisioned", "vpn_up"})
    ASSERT_TRUE(boot.contains(step)) << step << " " << boot.dump();
  EXPECT_LE(boot["enforcing"]["ms"].get<long long>(), boot["dot1x_authenticated"]["ms"].get<long long>());
  EXPECT_LE(boot["dot1x_authenticated"]["ms"].get<long long>(), boot["provisioned"]["ms"].get<long long>());
  EXPECT_LE(boot["provisioned"]["ms"].get<long long>(), boot["vpn_up"]["ms"].get<long long>());
  // Fetched over HTTPS within the cipher list, with the device certificate.
  const std::string tls_log = slurp(lab_->dir() + "/nginx-tls.log");
  EXPECT_NE(tls_log.find("/phone.xml 200 TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 SUCCESS"), std::string::npos) << tls_log;
  // The fetched profile is live in every part: its port, its VPN, its syslog server.
  EXPECT_TRUE(udp_reaches(7000));
  EXPECT_FALSE(udp_reaches(7001));
  EXPECT_EQ(slurp(run_dir() + "/status.json").find(kVpnPassword), std::string::npos);
  EXPECT_EQ(log().find(kVpnPassword), std::string::npos);
  // The device keeps it: the provisioned parameters and the last good profile.
  EXPECT_NE(slurp(lab_->dir() + "/state/provisioned.xml").find("UDP:7000"), std::string::npos);
  EXPECT_NE(slurp(lab_->dir() + "/state/last-good.xml").find("UDP:7000"), std::string::npos);

  // The server's profile changes; a resync brings it: VPN off, the port moves, no 802.1X rerun.
  lab_->serve("phone.xml", served("UDP:7001", false));
  const long long gen = at(s, {"daemon_status", "profile_generation"}).get<long long>();
  ASSERT_EQ(sh(kCli + " resync --run-dir " + run_dir() + " >/dev/null"), 0);
  ASSERT_TRUE(wait_status([&](const Json& st) { return at(st, {"daemon_status", "profile_generation"}).get<long long>() > gen; }, 15s))
      << status().dump(1) << log();
  ASSERT_TRUE(wait_status([](const Json& st) { return at(st, {"parts", "vpn", "status", "state"}) == "disconnected"; }, 10s))
      << status().dump(1);
  EXPECT_TRUE(udp_reaches(7001));
  EXPECT_FALSE(udp_reaches(7000));
  EXPECT_EQ(lab_->hostapd_successes(), 1);
  EXPECT_EQ(at(status(), {"parts", "dot1x", "last_apply", "outcome"}), "unchanged");
  // Syslog_Server came with the first profile: this resync is reported there.
  EXPECT_TRUE(wait_for([&] { return slurp(lab_->dir() + "/syslog.txt").find("Successful resync") != std::string::npos; }, 5s))
      << slurp(lab_->dir() + "/syslog.txt");

  // A server that only offers a suite outside TLS_Cipher_List: refused, the last good stays.
  lab_->restart_nginx("ECDHE-RSA-AES128-GCM-SHA256");
  lab_->serve("phone.xml", served("UDP:7002", false));
  const long long gen2 = at(status(), {"daemon_status", "profile_generation"}).get<long long>();
  ASSERT_EQ(sh(kCli + " resync --run-dir " + run_dir() + " >/dev/null"), 0);
  ASSERT_TRUE(wait_status([](const Json& st) {
    const Json r = at(st, {"parts", "prov", "status", "result"});
    return r.is_string() && r.get<std::string>().rfind("failed", 0) == 0;
  }, 15s)) << status().dump(1);
  s = status();
  const std::string why = at(s, {"parts", "prov", "status", "result"}).get<std::string>();
  EXPECT_NE(why.find("no shared cipher"), std::string::npos) << why;
  EXPECT_EQ(at(s, {"daemon_status", "profile_generation"}).get<long long>(), gen2) << "nothing applied";
  EXPECT_TRUE(udp_reaches(7001)) << "the last good policy stays";
  EXPECT_FALSE(udp_reaches(7002));
  EXPECT_TRUE(wait_for([&] { return slurp(lab_->dir() + "/syslog.txt").find("Resync failed") != std::string::npos; }, 5s))
      << slurp(lab_->dir() + "/syslog.txt");

  // The provisioning worker killed: back, without cap, as nobody.
  const long long ppid = at(s, {"parts", "prov", "pid"}).get<long long>();
  kill(pid_t(ppid), SIGKILL);
  ASSERT_TRUE(wait_status([&](const Json& st) {
    const Json p = at(st, {"parts", "prov", "pid"});
    return p.is_number() && p.get<long long>() != ppid;
  }, 10s)) << status().dump(1);
  s = status();
  const long long npid = at(s, {"parts", "prov", "pid"}).get<long long>();
  EXPECT_EQ(caps_of(npid), 0) << "the provisioning worker holds no capability";
  EXPECT_EQ(capture("stat -c %u /proc/" + std::to_string(npid)), "65534\n");
  EXPECT_EQ(s["firewall"], "enforcing");
}

}  // namespace
}  // namespace phonesec::test::boot

// SPDX-License-Identifier: Apache-2.0
// The provisioning worker against real peers, as a phone runs it: dnsmasq in the server
// namespace offers options 66, 150, 159 and 160, each naming a different server; busybox udhcpc
// in the phone namespace takes a real lease with phonesec's hook script, which writes the
// lease file the worker (`phonesec-prov run`, started before the lease) watches. Python's
// http.server serves the profile at the rule URL. Then, by reloads (SIGHUP) that change
// DHCP_Option_To_Use, the chosen source moves: option 160 → the HTTP server (profile event,
// status ok); option 66 (first in the default order; udhcpc takes it as a host name) → dnsmasq's
// own TFTP server, whose profile is not well-formed (failed, no event); option 159 → an HTTP
// server that is down (failed, no event). Root only.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "labkit/binaries.h"
#include "lab_util.h"

using namespace phonesec::test;
using Json = nlohmann::json;

namespace {

const std::string kHook = PS_SOURCE_DIR "/userspace/prov/hooks/phonesec-udhcpc.script";

// JSON lines of the worker's stdout, read as they come.
class Lines {
 public:
  explicit Lines(std::string path) : path_(std::move(path)) {}
  // The first line after the ones already taken that matches pred, within 10 s.
  Json next(const std::function<bool(const Json&)>& pred, std::string* log = nullptr) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < end) {
      std::ifstream in(path_);
      std::string line;
      std::size_t i = 0;
      while (std::getline(in, line)) {
        if (in.eof()) break;  // a line still being written
        if (i++ < taken_) continue;
        ++taken_;
        Json j = Json::parse(line, nullptr, false);
        if (j.is_discarded()) continue;
        all.push_back(j);
        if (pred(j)) return j;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (log) *log = "timed out";
    ADD_FAILURE() << "no matching line; seen: " << Json(all).dump();
    return nullptr;
  }
  std::vector<Json> all;

 private:
  std::string path_;
  std::size_t taken_ = 0;
};

bool status_with(const Json& m, const std::string& prefix) {
  return m["op"] == "status" && m["status"]["result"].is_string() && m["status"]["state"] == "idle" &&
         m["status"]["result"].get<std::string>().rfind(prefix, 0) == 0;
}

std::string cfg(const std::string& order) {
  return "<flat-profile><Profile_Rule>/$PSN.xml</Profile_Rule><DHCP_Option_To_Use>" + order +
         "</DHCP_Option_To_Use><Resync_Random_Delay>0</Resync_Random_Delay></flat-profile>";
}

}  // namespace

TEST(ProvWorkerLab, UdhcpcLeaseChoosesSourceFetchesAndReportsFailures) {
  ASSERT_EQ(geteuid(), 0u) << "needs root (network namespaces)";
  ASSERT_EQ(sh("command -v dnsmasq >/dev/null && command -v busybox >/dev/null && command -v python3 >/dev/null"), 0)
      << "dnsmasq (dnsmasq-base), busybox (busybox-static) and python3 are needed";
  LabLink l("pspw");
  ScratchDir d("pspw");
  sh_or_throw("mkdir -p " + d.file("good") + " " + d.file("tftp") + " " + d.file("run") + " " + d.file("in"));
  d.write("good/8851.xml", "<flat-profile><Proxy_1_>sip.lab.test</Proxy_1_><Resync_Periodic>7200</Resync_Periodic>"
                           "</flat-profile>");
  d.write("tftp/8851.xml", "<flat-profile><Proxy_1_>sip.lab.test</Proxy_1_>");  // cut short
  Peer good("ip netns exec " + l.server() + " python3 -m http.server 8080 --bind 10.77.0.1 --directory " +
                d.file("good"),
            d.file("good.log"));
  // 66 and 150 name dnsmasq's TFTP server; 159 port 8066, where nothing listens.
  Peer dhcp("ip netns exec " + l.server() +
                " dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --user=root --interface=" +
                l.server_if() + " --bind-interfaces --dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h" +
                " --dhcp-leasefile=" + d.file("leases") + " --pid-file=" + d.file("dnsmasq.pid") +
                " --no-ping --log-dhcp --log-facility=- --enable-tftp --tftp-root=" + d.file("tftp") +
                " --dhcp-option=66,10.77.0.1 --dhcp-option=150,10.77.0.1" +
                " --dhcp-option=159,http://10.77.0.1:8066 --dhcp-option=160,http://10.77.0.1:8080",
            d.file("dnsmasq.log"));
  ASSERT_TRUE(wait_tcp(l.server(), "10.77.0.1", 8080)) << d.read("good.log");

  d.write("cfg.xml", cfg("160,159,66,150"));
  Peer worker("ip netns exec " + l.client() + " sh -c 'exec " + kProvBin + " run --config " + d.file("cfg.xml") +
                  " --run-dir " + d.file("run") + " --incoming-dir " + d.file("in") + " --psn 8851 2>" +
                  d.file("worker.err") + "'",
              d.file("worker.out"));
  Lines out(d.file("worker.out"));
  // Boot: no lease yet — the reset resync fails for want of a server.
  Json boot = out.next([](const Json& m) { return status_with(m, "failed: "); });
  EXPECT_NE(boot["status"]["result"].get<std::string>().find("no DHCP lease offers one"), std::string::npos)
      << boot.dump();

  // A real lease through the hook (udhcpc asks only for the options named with -O).
  d.write("chain.sh", "#!/bin/sh\n[ \"$1\" = bound ] && ip addr replace \"$ip/$mask\" dev \"$interface\"\nexit 0\n");
  sh_or_throw("chmod +x " + d.file("chain.sh"));
  auto t0 = std::chrono::steady_clock::now();
  int rc = sh("ip netns exec " + l.client() + " env PHONESEC_RUN_DIR=" + d.file("run") +
              " PHONESEC_UDHCPC_CHAIN=" + d.file("chain.sh") + " busybox udhcpc -f -q -n -t 5 -T 1 -i " +
              l.client_if() + " -s " + kHook + " -O 66 -O 150 -O 159 -O 160 >" + d.file("udhcpc.log") + " 2>&1");
  ASSERT_EQ(rc, 0) << d.read("udhcpc.log") << d.read("dnsmasq.log");
  std::string lease = d.read("run/dhcp/" + l.client_if() + ".v4");
  EXPECT_NE(lease.find("option 160 hex "), std::string::npos) << lease;
  EXPECT_NE(lease.find("option 66 hex "), std::string::npos) << lease;
  auto at = lease.find("\naddress ");
  ASSERT_NE(at, std::string::npos) << lease;
  std::string leased = lease.substr(at + 9, lease.find('\n', at + 1) - at - 9);
  EXPECT_NE(ScratchDir::read_cmd("ip -n " + l.client() + " -4 addr show " + l.client_if()).find("inet " + leased + "/24"),
            std::string::npos) << leased;  // the phone's own script (chained) configured the leased address

  Json ev = out.next([](const Json& m) { return m["op"] == "event"; });
  std::printf("udhcpc start -> profile event (DHCP exchange, hook, inotify, HTTP fetch, validation): %lld ms\n",
              (long long)std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
                  .count());
  EXPECT_EQ(ev["name"], "profile");
  ASSERT_EQ(ev["rules"].size(), 1u) << ev.dump();
  EXPECT_EQ(ev["rules"][0]["url"], "http://10.77.0.1:8080/8851.xml");
  EXPECT_EQ(ev["rules"][0]["server_ip"], "10.77.0.1");
  EXPECT_NE(ev["source"].get<std::string>().find("DHCP option 160 on " + l.client_if()), std::string::npos)
      << ev.dump();
  std::string fetched = d.read("in/" + std::filesystem::path(ev["path"].get<std::string>()).filename().string());
  EXPECT_NE(fetched.find("<Proxy_1_>sip.lab.test</Proxy_1_>"), std::string::npos) << fetched;
  Json ok = out.next([](const Json& m) { return status_with(m, "ok"); });
  EXPECT_EQ(ok["status"]["source_url"], "http://10.77.0.1:8080");
  EXPECT_EQ(ok["status"]["next_reason"], "periodic");
  EXPECT_EQ(ok["status"]["next_resync"].get<long>(), ok["status"]["last_resync"].get<long>() + 3600);
  EXPECT_NE(d.read("good.log").find("GET /8851.xml"), std::string::npos);

  // Reload with the default order (66 first): TFTP from dnsmasq, a profile cut short.
  d.write("cfg.xml", cfg("66,160,159,150,60,43,125"));
  sh_or_throw("kill -HUP " + std::to_string(worker.pid()));
  Json refused = out.next([](const Json& m) { return status_with(m, "failed: "); });
  std::string why = refused["status"]["result"];
  EXPECT_EQ(why.rfind("failed: Profile_Rule: profile refused: tftp://10.77.0.1/8851.xml:1:", 0), 0u) << why;
  EXPECT_NE(why.find("not well-formed"), std::string::npos) << why;
  EXPECT_NE(refused["status"]["source"].get<std::string>().find("DHCP option 66 on"), std::string::npos);
  EXPECT_EQ(refused["status"]["next_reason"], "retry");
  EXPECT_NE(d.read("dnsmasq.log").find("sent " + d.file("tftp") + "/8851.xml"), std::string::npos)
      << d.read("dnsmasq.log");

  // Reload with 159 first: that server is down.
  d.write("cfg.xml", cfg("159,160"));
  sh_or_throw("kill -HUP " + std::to_string(worker.pid()));
  Json down = out.next([](const Json& m) {
    return status_with(m, "failed: ") && m["status"]["source"].get<std::string>().find("option 159") != std::string::npos;
  });
  why = down["status"]["result"];
  EXPECT_NE(why.find("no server answered for 10.77.0.1"), std::string::npos) << why;
  EXPECT_NE(why.find("Profile_Rule"), std::string::npos) << why;

  int events = 0;
  for (const auto& m : out.all) events += m["op"] == "event";
  EXPECT_EQ(events, 1) << "only the good server's profile is an event";
  worker.stop();
  EXPECT_EQ(ScratchDir::read_cmd("ls " + d.file("in")), "prov-incoming-1.xml\n");
}

// ISC dhclient, v4 and v6, with phonesec's exit hook and option names (dhclient-phonesec.conf):
// both leases are written; DHCP_Option_To_Use names an option the v4 lease lacks, so the
// DHCPv6 lease's option 160 is the source and the profile comes over IPv6.
TEST(ProvWorkerLab, DhclientV4AndV6LeasesThroughTheExitHook) {
  ASSERT_EQ(geteuid(), 0u) << "needs root (network namespaces)";
  ASSERT_EQ(sh("command -v dnsmasq >/dev/null && command -v dhclient >/dev/null && command -v python3 >/dev/null"), 0)
      << "dnsmasq (dnsmasq-base), dhclient (isc-dhcp-client) and python3 are needed";
  LabLink l("pswd");
  ScratchDir d("pswd");
  sh_or_throw("mkdir -p " + d.file("www") + " " + d.file("run") + " " + d.file("in"));
  d.write("www/8851.xml", "<flat-profile><Proxy_1_>v6.lab.test</Proxy_1_></flat-profile>");
  Peer web("ip netns exec " + l.server() + " python3 -m http.server 8080 --bind fd77::1 --directory " + d.file("www"),
           d.file("web.log"));
  Peer dhcp("ip netns exec " + l.server() +
                " dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --user=root --interface=" +
                l.server_if() + " --bind-interfaces --dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h" +
                " --dhcp-range=fd77::50,fd77::60,64,1h --dhcp-leasefile=" + d.file("leases") +
                " --pid-file=" + d.file("dnsmasq.pid") + " --no-ping --log-dhcp --log-facility=-" +
                " --dhcp-option=150,10.77.0.1 --dhcp-option=160,http://10.77.0.1:8080" +
                " --dhcp-option=option6:160,http://[fd77::1]:8080",
            d.file("dnsmasq.log"));
  ASSERT_TRUE(wait_tcp(l.server(), "fd77::1", 8080)) << d.read("web.log");
  // Stands in for dhclient-script (addresses are not under test) and sources the exit hook as
  // dhclient-script does. dhclient gives its script a fresh environment: the run dir is set here.
  d.write("dhclient-script", "#!/bin/sh\nPHONESEC_RUN_DIR=" + d.file("run") + "\n. " PS_SOURCE_DIR
                             "/userspace/prov/hooks/phonesec-dhclient-exit-hook\n");
  sh_or_throw("chmod +x " + d.file("dhclient-script"));
  auto dhclient = [&](const std::string& fam) {
    return "ip netns exec " + l.client() + " dhclient " + fam +
           " -1 -d -cf " PS_SOURCE_DIR "/userspace/prov/hooks/dhclient-phonesec.conf -sf " +
           d.file("dhclient-script") + " -lf " + d.file("lease" + fam) + " -pf " + d.file("pid" + fam) + " " +
           l.client_if();
  };
  Peer dh4(dhclient("-4"), d.file("dhclient4.log"));
  Peer dh6(dhclient("-6"), d.file("dhclient6.log"));
  std::string v4 = d.read_when("run/dhcp/" + l.client_if() + ".v4", "option 160", 8000);
  std::string v6 = d.read_when("run/dhcp/" + l.client_if() + ".v6", "option 160", 8000);
  ASSERT_NE(v4.find("option 150 ip 10.77.0.1"), std::string::npos) << v4 << d.read("dhclient4.log");
  ASSERT_NE(v6.find("family v6"), std::string::npos) << v6 << d.read("dhclient6.log") << d.read("dnsmasq.log");
  EXPECT_NE(v6.find("\naddress fd77::"), std::string::npos) << v6;  // from the range fd77::50-60

  d.write("cfg.xml", "<flat-profile><Profile_Rule>/$PSN.xml</Profile_Rule><DHCP_Option_To_Use>159</DHCP_Option_To_Use>"
                     "<Resync_Random_Delay>0</Resync_Random_Delay></flat-profile>");
  Peer worker("ip netns exec " + l.client() + " sh -c 'exec " + kProvBin + " run --config " + d.file("cfg.xml") +
                  " --run-dir " + d.file("run") + " --iface " + l.client_if() + " --incoming-dir " + d.file("in") +
                  " --psn 8851 2>" + d.file("worker.err") + "'",
              d.file("worker.out"));
  Lines out(d.file("worker.out"));
  Json ev = out.next([](const Json& m) { return m["op"] == "event"; });
  ASSERT_EQ(ev["rules"].size(), 1u) << ev.dump() << d.read("worker.err");
  EXPECT_EQ(ev["rules"][0]["url"], "http://[fd77::1]:8080/8851.xml");
  EXPECT_NE(ev["source"].get<std::string>().find("DHCPv6 option 160 on " + l.client_if()), std::string::npos)
      << ev.dump();
  Json ok = out.next([](const Json& m) { return status_with(m, "ok"); });
  EXPECT_EQ(ok["status"]["source_url"], "http://[fd77::1]:8080");
}

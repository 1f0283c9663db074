// SPDX-License-Identifier: Apache-2.0
// phonesecd's attach modes and the CLI listings, on real interfaces in a namespace: native XDP
// where the driver has it (veth), generic XDP where it does not (a bridge), both reported by
// `phonesec status --json` and visible in `ip -d link`; `status`, `stats` and `flows` with
// --json print valid JSON (checked with Python's json module), also once the daemon is gone.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "labkit/binaries.h"
#include "netns.h"

namespace phonesec::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kPin = "/sys/fs/bpf/psfa-lab";

class FwAttach : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "lab tests need root (netns, BPF)";
    sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
    dir_ = fs::temp_directory_path() / ("psfa-lab-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    net_ = std::make_unique<VethPair>("psfa");
    sh_or_throw("ip -n " + net_->phone() + " link add psfabr type bridge && ip -n " + net_->phone() +
                " link set psfabr up && ip -n " + net_->phone() + " addr add 10.78.0.2/24 dev psfabr");
  }
  void TearDown() override {
    stop();
    sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
    net_.reset();
    fs::remove_all(dir_);
  }
  void start(const std::string& extra = "") {
    std::string run = (dir_ / "run").string();
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = (dir_ / "daemon.log").string();
      freopen(log.c_str(), "a", stderr);
      std::string cmd = "exec nsenter --net=/run/netns/" + net_->phone() + " " + kDaemon + " --iface " + net_->phone_if() +
                        " --iface psfabr --pin-dir " + kPin + " --run-dir " + run + " --state-dir " + run + "/state " + extra;
      execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(run + "/phonesecd.pid"); ++i) std::this_thread::sleep_for(25ms);
    ASSERT_TRUE(fs::exists(run + "/phonesecd.pid")) << "phonesecd did not start:\n" << capture_all("cat " + (dir_ / "daemon.log").string());
  }
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  std::string cli(const std::string& args, const std::string& python, int* rc = nullptr) {
    return capture_all(kCli + " " + args + " --pin-dir " + kPin + " | python3 -c 'import json,sys\n" + python + "'", rc);
  }
  std::string status_cli(const std::string& python) {
    return capture_all(kCli + " status --json --pin-dir " + kPin + " --run-dir " + (dir_ / "run").string() +
                   " | python3 -c 'import json,sys\no=json.load(sys.stdin)\n" + python + "'");
  }
  std::string link(const std::string& ifn) { return capture_all("ip -n " + net_->phone() + " -d link show " + ifn); }

  fs::path dir_;
  std::unique_ptr<VethPair> net_;
  pid_t pid_ = -1;
};

TEST_F(FwAttach, NativeXdpWhereTheDriverHasItGenericElsewhere) {
  start();
  EXPECT_EQ(status_cli("print(o[\"daemon\"], o[\"firewall\"], o[\"generation\"] >= 1)\n"
                       "print(o[\"daemon_status\"][\"bpf_clock\"].startswith((\"jiffies, CONFIG_HZ=\", \"coarse monotonic\")))\n"
                       "for i in o[\"daemon_status\"][\"interfaces\"]: print(i[\"name\"], i[\"xdp\"])"),
            "running enforcing True\nTrue\npsfaph native\npsfabr generic\n");
  EXPECT_EQ(link(net_->phone_if()).find("xdpgeneric"), std::string::npos) << link(net_->phone_if());
  EXPECT_NE(link(net_->phone_if()).find("prog/xdp"), std::string::npos) << link(net_->phone_if());
  EXPECT_NE(link("psfabr").find("xdpgeneric"), std::string::npos) << link("psfabr");
}

TEST_F(FwAttach, GenericXdpOnRequest) {
  start("--generic-xdp");
  EXPECT_EQ(status_cli("for i in o[\"daemon_status\"][\"interfaces\"]: print(i[\"name\"], i[\"xdp\"])"),
            "psfaph generic\npsfabr generic\n");
  EXPECT_NE(link(net_->phone_if()).find("xdpgeneric"), std::string::npos) << link(net_->phone_if());
}

// The egress path Linux 6.1 takes (no tcx): a clsact filter, which tracks flows like tcx
// does and which `phonesec unload` removes with the rest.
TEST_F(FwAttach, ClsactEgressFilterTracksFlowsAndUnloadRemovesIt) {
  start("--clsact-egress");
  EXPECT_EQ(status_cli("for i in o[\"daemon_status\"][\"interfaces\"]: print(i[\"name\"], i[\"egress\"])"),
            "psfaph clsact\npsfabr clsact\n");
  const std::string show = "tc -n " + net_->phone() + " filter show dev " + net_->phone_if() + " egress";
  std::string tc = capture_all(show);
  EXPECT_NE(tc.find("ps_egress"), std::string::npos) << tc;
  EXPECT_NE(tc.find("handle 0x7053"), std::string::npos) << tc;
  sh(net_->in_phone("bash -c 'echo x > /dev/udp/10.77.0.1/7001'"));
  int rc = -1;
  std::string flows = cli("flows --json", "for l in sys.stdin:\n  o=json.loads(l); print(o[\"proto\"], o[\"rport\"])", &rc);
  EXPECT_NE(flows.find("udp 7001\n"), std::string::npos) << "the clsact egress program did not track the flow: " << flows;
  stop();
  EXPECT_NE(capture_all(show).find("ps_egress"), std::string::npos) << "the filter must outlive the daemon";
  // Unload from inside the namespace (nsenter keeps the bpffs of this mount namespace).
  EXPECT_EQ(sh("nsenter --net=/run/netns/" + net_->phone() + " " + kCli + " unload --pin-dir " + kPin + " >/dev/null"), 0);
  tc = capture_all(show);
  EXPECT_EQ(tc.find("ps_egress"), std::string::npos) << tc;
  EXPECT_EQ(link(net_->phone_if()).find("prog/xdp"), std::string::npos) << link(net_->phone_if());
}

TEST_F(FwAttach, ListingsAreJsonAlsoWithTheDaemonGone) {
  start();
  // An outbound UDP flow and an inbound drop, so both listings have something to say.
  sh(net_->in_phone("bash -c 'echo x > /dev/udp/10.77.0.1/7000'"));
  sh(net_->in_peer("bash -c 'echo x > /dev/udp/10.77.0.2/5059'"));
  std::this_thread::sleep_for(100ms);
  int rc = -1;
  std::string flows = cli("flows --json", "for l in sys.stdin:\n  o=json.loads(l); print(o[\"proto\"], o[\"lport\"] > 0, o[\"remote\"], o[\"rport\"], o[\"state\"], o[\"idle_s\"] < 5)", &rc);
  EXPECT_EQ(rc, 0) << flows;
  EXPECT_NE(flows.find("udp True 10.77.0.1 7000 udp True\n"), std::string::npos) << flows;
  std::string stats = cli("stats --json", "for l in sys.stdin:\n  o=json.loads(l); print(o[\"dir\"], o[\"verdict\"], o[\"reason\"], o[\"packets\"] > 0, o[\"bytes\"] > 0)", &rc);
  EXPECT_EQ(rc, 0) << stats;
  EXPECT_NE(stats.find("in DROP drop_udp_port True True\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("out PASS pass_outbound True True\n"), std::string::npos) << stats;

  stop();
  EXPECT_EQ(status_cli("print(o[\"daemon\"], o[\"firewall\"], o[\"flows\"] >= 1)"), "stopped enforcing True\n");
  flows = cli("flows --json", "for l in sys.stdin:\n  o=json.loads(l); print(o[\"proto\"], o[\"rport\"])", &rc);
  EXPECT_NE(flows.find("udp 7000\n"), std::string::npos) << flows;
}

}  // namespace
}  // namespace phonesec::test

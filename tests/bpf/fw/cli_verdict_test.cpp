// SPDX-License-Identifier: Apache-2.0
// The `phonesec verdict` contract (DESIGN.md) and `phonesec policy`, through the real binary:
// a pcap written with libpcap, frames from a --local address through egress, the others
// through ingress, in order, one line per frame; with --json one JSON object per line with
// index (1-based), dir, verdict and reason. Output is checked with Python's json module, so a
// line that is not valid JSON fails.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "labkit/binaries.h"
#include "config/phone_config.h"
#include "labkit/packet.h"

namespace phonesec::test {
namespace {

namespace fs = std::filesystem;
const std::string L4 = "10.0.0.2", R4 = "10.0.0.1", L6 = "fd00::2", R6 = "fd00::1";

struct Cmd {
  int rc;
  std::string out;
};
Cmd run(const std::string& cmd) {
  Cmd r{-1, ""};
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class CliVerdict : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("psfw-cli-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    auto c = config::factory();
    c.firewall_enabled = true;
    std::vector<config::Diagnostic> diags;
    c.firewall = config::parse_firewall_config("NO_ICMP_PING,UDP:9000", diags);
    for (auto& l : c.lines) l.enable = false;
    c.lines[0].enable = true;
    c.lines[0].sip_port = 5060;
    c.lines[0].sip_transport = config::SipTransport::UDP;
    std::ofstream(cfg()) << config::to_xml(c);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string cfg() const { return (dir_ / "cfg.xml").string(); }
  std::string write_pcap(const std::vector<Frame>& frames, int linktype = DLT_EN10MB) {
    std::string path = (dir_ / "cap.pcap").string();
    pcap_t* dead = pcap_open_dead(linktype, 65535);
    pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
    EXPECT_NE(d, nullptr) << pcap_geterr(dead);
    for (const auto& f : frames) {
      pcap_pkthdr h{};
      h.caplen = h.len = std::uint32_t(f.size());
      pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
    }
    pcap_dump_close(d);
    pcap_close(dead);
    return path;
  }
  fs::path dir_;
};

// index dir verdict reason per JSON line, via Python's json module.
const std::string kJsonToText =
    " | python3 -c 'import json,sys\n"
    "for l in sys.stdin:\n"
    "  o=json.loads(l); print(o[\"index\"], o[\"dir\"], o[\"verdict\"], o[\"reason\"])'";

TEST_F(CliVerdict, ReplaysFramesInOrderThroughTheRightProgram) {
  std::string pcap = write_pcap({
      Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(53, 33000).done(),    // 1 nothing asked yet
      Build().eth().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).done(),    // 2 ours: egress
      Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(53, 33000).done(),    // 3 now the answer
      Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(1, 9000).done(),      // 4 UDP:9000
      Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(8, 0).done(),       // 5 NO_ICMP_PING
      Build().eth(0x0806).payload(28).done(),                           // 6 ARP
      Build().eth().vlan(7).ipv6(L6, R6, IPPROTO_TCP).tcp(40000, 443, 0x02).done(),  // 7 ours (second --local)
      Build().eth().ipv6(R6, L6, IPPROTO_TCP).tcp(443, 40000, 0x12).done(),          // 8 its answer
      Build().eth().ipv6(R6, L6, IPPROTO_TCP).tcp(443, 40001, 0x12).done(),          // 9 not a flow
  });
  const std::string base = kCli + " verdict --config " + cfg() + " --local " + L4 + " --local " + L6 + " --pcap " + pcap;
  Cmd j = run(base + " --json" + kJsonToText);
  ASSERT_EQ(j.rc, 0) << j.out;
  EXPECT_EQ(j.out,
            "1 in DROP drop_udp_port\n"
            "2 out PASS pass_outbound\n"
            "3 in PASS pass_ct\n"
            "4 in PASS pass_udp_port\n"
            "5 in DROP drop_no_ping\n"
            "6 in PASS pass_non_ip\n"
            "7 out PASS pass_outbound\n"
            "8 in PASS pass_ct\n"
            "9 in DROP drop_tcp_port\n");
  Cmd t = run(base);
  ASSERT_EQ(t.rc, 0) << t.out;
  EXPECT_NE(t.out.find("3 in  PASS pass_ct\n"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("2 out PASS pass_outbound\n"), std::string::npos) << t.out;
}

// Fresh, private maps each run: a flow opened in one replay is unknown to the next.
TEST_F(CliVerdict, EachRunStartsFromEmptyState) {
  std::string out = write_pcap({Build().eth().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).done()});
  ASSERT_EQ(run(kCli + " verdict --config " + cfg() + " --local " + L4 + " --pcap " + out).rc, 0);
  std::string in = write_pcap({Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(53, 33000).done()});
  Cmd r = run(kCli + " verdict --config " + cfg() + " --local " + L4 + " --pcap " + in + " --json" + kJsonToText);
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, "1 in DROP drop_udp_port\n");
}

TEST_F(CliVerdict, BadInputIsNamed) {
  std::string pcap = write_pcap({Build().eth(0x0806).payload(28).done()});
  Cmd r = run(kCli + " verdict --config " + cfg() + " --local 10.0.0.999 --pcap " + pcap);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.out.find("10.0.0.999"), std::string::npos) << r.out;
  r = run(kCli + " verdict --config " + cfg() + " --local " + L4);
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("--pcap"), std::string::npos) << r.out;
  r = run(kCli + " verdict --config " + cfg() + " --local " + L4 + " --pcap " + (dir_ / "missing.pcap").string());
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.out.find("missing.pcap"), std::string::npos) << r.out;
  std::string raw = write_pcap({Frame(40, 0x45)}, DLT_RAW);
  r = run(kCli + " verdict --config " + cfg() + " --local " + L4 + " --pcap " + raw);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.out.find("not Ethernet"), std::string::npos) << r.out;
  std::ofstream(cfg(), std::ios::trunc) << "<flat-profile><Firewall>Enabled";
  r = run(kCli + " verdict --config " + cfg() + " --local " + L4 + " --pcap " + pcap);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.out.find("cfg.xml"), std::string::npos) << r.out;
}

TEST_F(CliVerdict, PolicyShowsCompiledPortSetsAsJson) {
  Cmd r = run(kCli + " policy --config " + cfg() + " --json 2>/dev/null | python3 -c 'import json,sys\n"
              "o=json.load(sys.stdin); print(o[\"enabled\"], o[\"no_icmp_ping\"], [5060,5060] in o[\"udp\"], "
              "[9000,9000] in o[\"udp\"], [68,68] in o[\"udp\"], o[\"rtp\"], len(o[\"rules\"]) > 0)'");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, "True True True True True [16384, 16483] True\n");
}

}  // namespace
}  // namespace phonesec::test

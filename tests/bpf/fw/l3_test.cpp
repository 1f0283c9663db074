// SPDX-License-Identifier: Apache-2.0
// The L3 programs (tun devices: packets start at the IP header) through BPF_PROG_TEST_RUN:
// the same policy and the same conntrack as the Ethernet programs, the version nibble decides
// the family, anything else is malformed.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include "labkit/fw_harness.h"

namespace phonesec::test {
namespace {

constexpr std::uint8_t kSyn = 0x02, kAck = 0x10;

// The IP packet of an Ethernet frame built by Build, without the Ethernet header and padding.
Frame bare(Build b) {
  Frame f = b.l3_only();
  std::size_t len = (f[0] >> 4) == 4 ? std::size_t(f[2] << 8 | f[3]) : 40 + std::size_t(f[4] << 8 | f[5]);
  f.resize(len);
  return f;
}

class FwL3 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "BPF_PROG_TEST_RUN needs root";
    h_ = std::make_unique<FwHarness>();
    h_->install(base_config());
    auto r = fw::VerdictRunner::create(h_->fw(), {L4, L6});
    ASSERT_TRUE(r) << r.error().message();
    runner_ = std::make_unique<fw::VerdictRunner>(std::move(r.value()));
  }
  fw::FrameVerdict run(const Frame& f, bool out, bool l3) {
    auto v = runner_->run_dir(f, ++n_, out, l3);
    if (!v) throw std::runtime_error(v.error().message());
    return v.value();
  }
  fw::FrameVerdict in3(const Frame& f) { return run(f, false, true); }
  fw::FrameVerdict out3(const Frame& f) { return run(f, true, true); }
  void expect(const fw::FrameVerdict& v, bool pass, unsigned reason, const char* what) {
    EXPECT_EQ(v.pass, pass) << what;
    EXPECT_EQ(v.reason, reason) << what << ": got " << fw::reason_name(v.reason);
  }
  std::unique_ptr<FwHarness> h_;
  std::unique_ptr<fw::VerdictRunner> runner_;
  std::size_t n_ = 0;
};

TEST_F(FwL3, OpenAndClosedPortsIPv4) {
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5060, 5060).payload(20))), true, PS_R_PASS_UDP_PORT,
         "UDP to SIP 5060");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5060, 16400).payload(20))), true, PS_R_PASS_UDP_PORT,
         "UDP to the RTP range");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5060, 9999))), false, PS_R_DROP_UDP_PORT,
         "UDP to closed 9999");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(40000, 80, kSyn))), true, PS_R_PASS_TCP_PORT,
         "TCP to the web server 80");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(40000, 22, kSyn))), false, PS_R_DROP_TCP_PORT,
         "TCP to closed 22");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(8, 0))), true, PS_R_PASS_ECHO_REQ, "ping");
  // IPv4 options: the header length comes from the IHL, as on Ethernet.
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {1, 1, 1, 0}).udp(5060, 9999))), false, PS_R_DROP_UDP_PORT,
         "UDP with IPv4 options to closed 9999");
}

TEST_F(FwL3, OpenAndClosedPortsIPv6) {
  expect(in3(bare(Build().eth().ipv6(R6, L6, IPPROTO_UDP).udp(5060, 5060))), true, PS_R_PASS_UDP_PORT, "UDP to 5060");
  expect(in3(bare(Build().eth().ipv6(R6, L6, IPPROTO_UDP).udp(5060, 9999))), false, PS_R_DROP_UDP_PORT,
         "UDP to closed 9999");
  expect(in3(bare(Build().eth().ipv6(R6, L6, IPPROTO_TCP).tcp(40000, 80, kSyn))), true, PS_R_PASS_TCP_PORT,
         "TCP to 80");
  expect(in3(bare(Build().eth().ipv6(R6, L6, IPPROTO_TCP).tcp(40000, 23, kSyn))), false, PS_R_DROP_TCP_PORT,
         "TCP to closed 23");
  // An extension chain is walked as on Ethernet.
  expect(in3(bare(Build().eth().ipv6(R6, L6, 0).ext6(0, IPPROTO_UDP).udp(5060, 9999))), false, PS_R_DROP_UDP_PORT,
         "hop-by-hop then UDP to closed 9999");
  expect(in3(bare(Build().eth().ipv6(R6, L6, IPPROTO_ICMPV6).icmp(135, 0))), true, PS_R_PASS_ICMP6_NDP,
         "neighbour solicitation");
}

TEST_F(FwL3, RepliesToFlowsTheTunnelOpened) {
  // Outbound through the L3 egress program creates the entry; the reply passes inbound.
  expect(out3(bare(Build().eth().ipv4(L4, R4, IPPROTO_TCP).tcp(41000, 443, kSyn))), true, PS_R_PASS_OUTBOUND,
         "SYN out");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(443, 41000, kSyn | kAck))), true, PS_R_PASS_CT,
         "SYN-ACK in");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(444, 41000, kSyn | kAck))), false,
         PS_R_DROP_TCP_PORT, "another remote port is no reply");
  expect(out3(bare(Build().eth().ipv6(L6, R6, IPPROTO_UDP).udp(41001, 53))), true, PS_R_PASS_OUTBOUND, "DNS query out");
  expect(in3(bare(Build().eth().ipv6(R6, L6, IPPROTO_UDP).udp(53, 41001))), true, PS_R_PASS_CT, "DNS answer in");
  expect(in3(bare(Build().eth().ipv6(R6, L6, IPPROTO_UDP).udp(53, 41002))), false, PS_R_DROP_UDP_PORT,
         "answer to a port we did not use");
  expect(out3(bare(Build().eth().ipv4(L4, R4, IPPROTO_ICMP).icmp(8, 0, 0x99))), true, PS_R_PASS_OUTBOUND, "ping out");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(0, 0, 0x99))), true, PS_R_PASS_ECHO_REPLY, "echo reply");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(0, 0, 0x98))), false, PS_R_DROP_ICMP,
         "unsolicited echo reply");
}

TEST_F(FwL3, ConntrackIsSharedWithTheEthernetPrograms) {
  // Same maps: a flow the L3 egress opened is known to the Ethernet ingress, and back.
  expect(out3(bare(Build().eth().ipv4(L4, R4, IPPROTO_UDP).udp(42000, 5000))), true, PS_R_PASS_OUTBOUND, "out via tun");
  auto v = run(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5000, 42000).done(), false, false);
  expect(v, true, PS_R_PASS_CT, "reply seen by the Ethernet ingress");
  v = run(Build().eth().ipv4(L4, R4, IPPROTO_UDP).udp(42001, 5001).done(), true, false);
  expect(v, true, PS_R_PASS_OUTBOUND, "out via Ethernet");
  expect(in3(bare(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5001, 42001))), true, PS_R_PASS_CT,
         "reply seen by the L3 ingress");
}

TEST_F(FwL3, FirstNibbleNeitherFourNorSixIsMalformed) {
  Frame f = bare(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5060, 5060));
  for (std::uint8_t nibble : {0, 1, 5, 7, 0xf}) {
    Frame g = f;
    g[0] = std::uint8_t(nibble << 4 | (g[0] & 0xf));
    expect(in3(g), false, PS_R_DROP_MALFORMED, ("version nibble " + std::to_string(nibble)).c_str());
  }
  // An IPv6 nibble on an IPv4 header (and back) fails the header's own checks.
  Frame g = f;
  g[0] = 0x65;
  expect(in3(g), false, PS_R_DROP_MALFORMED, "nibble 6 on a 28-byte IPv4 packet");
  // An Ethernet frame on the L3 program: its first byte is a MAC address, not an IP version.
  expect(in3(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5060, 5060).done()), false, PS_R_DROP_MALFORMED,
         "Ethernet frame on the tun program");
  // Truncated: an IPv4 header cut at 16 bytes.
  Frame t(f.begin(), f.begin() + 16);
  expect(in3(t), false, PS_R_DROP_MALFORMED, "truncated IPv4 header");
  // Outbound, as on Ethernet, what cannot be parsed passes (the phone's own stack made it).
  g = f;
  g[0] = 0x55;
  expect(out3(g), true, PS_R_PASS_OUTBOUND, "outbound nibble 5");
}

TEST_F(FwL3, SamePolicyFlipsBothVariants) {
  Frame f = bare(Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(5060, 7000));
  expect(in3(f), false, PS_R_DROP_UDP_PORT, "7000 closed");
  auto c = base_config();
  c.firewall_enabled = false;
  h_->install(c);
  expect(in3(f), true, PS_R_PASS_DISABLED, "firewall disabled");
}

TEST_F(FwL3, VerifiedInstructionCounts) {
  // Recorded for the report (perf/ holds the exact figures): the L3 programs load, and stay
  // below the Ethernet ones (same logic, no link header).
  auto verified = [](int fd) {
    bpf_prog_info info{};
    __u32 len = sizeof info;
    EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
    return info.verified_insns;
  };
  auto& fw = h_->fw();
  unsigned in = verified(fw.ingress_fd()), out = verified(fw.egress_fd()), in3 = verified(fw.ingress_l3_fd()),
           out3 = verified(fw.egress_l3_fd());
  std::printf("verified_insns: ingress %u egress %u ingress_l3 %u egress_l3 %u\n", in, out, in3, out3);
  EXPECT_GT(in3, 0u);
  EXPECT_GT(out3, 0u);
  EXPECT_LE(in3, in);
  EXPECT_LE(out3, out);
}

}  // namespace
}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
// Conntrack tables under pressure, on small tables so the tests are quick: UDP churn fills
// the UDP table past its size without touching TCP entries (separate tables), an inbound
// flood neither inserts nor evicts, a tracked flow is refreshed in place (no re-insert), and
// the policy swap writes the inactive slot and flips the index.
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <unistd.h>

#include "fw/clock.h"
#include <gtest/gtest.h>

#include "labkit/fw_harness.h"

namespace phonesec::test {
namespace {

constexpr std::uint8_t SYN = 0x02, ACK = 0x10;

Frame udp_out(std::uint16_t sp, std::uint16_t dp) { return Build().eth().ipv4(L4, R4, IPPROTO_UDP).udp(sp, dp).done(); }
Frame udp_in(std::uint16_t sp, std::uint16_t dp) { return Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(sp, dp).done(); }
Frame tcp_out(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl) { return Build().eth().ipv4(L4, R4, IPPROTO_TCP).tcp(sp, dp, fl).done(); }
Frame tcp_in(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl) { return Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(sp, dp, fl).done(); }

std::size_t count(fw::Firewall& f, std::uint8_t proto) {
  auto flows = fw::read_flows(f.maps());
  if (!flows) throw std::runtime_error(flows.error().message());
  std::size_t n = 0;
  for (const auto& x : *flows) n += x.key.proto == proto;
  return n;
}

fw::FirewallOptions small_tables() {
  fw::FirewallOptions o;
  o.ct_tcp_max = 64;
  o.ct_udp_max = 64;
  o.ct_icmp_max = 64;
  return o;
}

TEST(ConntrackTables, UdpChurnBeyondItsTableCannotEvictTcp) {
  FwHarness h(small_tables());
  h.install(base_config());
  h.out(tcp_out(40000, 5061, SYN));  // SIP over TLS, say
  ASSERT_EQ(h.in(tcp_in(5061, 40000, SYN | ACK)).reason, unsigned(PS_R_PASS_CT));
  h.out(tcp_out(40000, 5061, ACK));
  for (std::uint16_t p = 20000; p < 22000; ++p) h.out(udp_out(p, 53));  // 2000 flows into 64 slots
  EXPECT_LE(count(h.fw(), IPPROTO_UDP), 64u);
  // The UDP table really overflowed: the first flows are gone, the last one is there.
  EXPECT_EQ(h.in(udp_in(53, 20000)).reason, unsigned(PS_R_DROP_UDP_PORT));
  EXPECT_EQ(h.in(udp_in(53, 21999)).reason, unsigned(PS_R_PASS_CT));
  // The TCP flow is untouched.
  EXPECT_EQ(count(h.fw(), IPPROTO_TCP), 1u);
  auto v = h.in(tcp_in(5061, 40000, ACK));
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.reason, unsigned(PS_R_PASS_CT));
}

TEST(ConntrackTables, InboundFloodNeitherInsertsNorEvicts) {
  FwHarness h(small_tables());
  h.install(base_config());
  h.out(udp_out(33000, 53));
  h.out(tcp_out(40000, 443, SYN));
  h.out(Build().eth().ipv4(L4, R4, IPPROTO_ICMP).icmp(8, 0, 0x42).done());
  // Spoofed frames for every table, many times each table's size, some of them "replies"
  // from the right peer to the wrong port.
  for (std::uint32_t i = 0; i < 3000; ++i) {
    std::string src = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    std::uint16_t p = std::uint16_t(1024 + i);
    h.in(Build().eth().ipv4(src, L4, IPPROTO_UDP).udp(53, p).done());
    h.in(Build().eth().ipv4(i % 2 ? src : R4, L4, IPPROTO_TCP).tcp(443, p, (i % 3) ? SYN | ACK : ACK).done());
    h.in(Build().eth().ipv4(src, L4, IPPROTO_ICMP).icmp(0, 0, std::uint16_t(i)).done());
  }
  EXPECT_EQ(count(h.fw(), IPPROTO_UDP), 1u);
  EXPECT_EQ(count(h.fw(), IPPROTO_TCP), 1u);
  EXPECT_EQ(count(h.fw(), IPPROTO_ICMP), 1u);
  EXPECT_EQ(h.in(udp_in(53, 33000)).reason, unsigned(PS_R_PASS_CT));
  EXPECT_EQ(h.in(tcp_in(443, 40000, SYN | ACK)).reason, unsigned(PS_R_PASS_CT));
  EXPECT_EQ(h.in(Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(0, 0, 0x42).done()).reason, unsigned(PS_R_PASS_ECHO_REPLY));
}

// Issue 19 point 5: a spoofed SYN to an open port, answered by the phone's SYN-ACK, makes a
// half-open entry (SYN timeout), not an established one (2 hours); after a reload that closes
// the port, the spoofer's bare ACKs (it cannot know our sequence number) drop; the real
// client's ACK of our SYN-ACK makes the flow established, and then it survives the reload.
constexpr std::uint8_t RST = 0x04;
Frame tcp_out_seq(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl, std::uint32_t seq, std::uint32_t ack) {
  return Build().eth().ipv4(L4, R4, IPPROTO_TCP).tcp(sp, dp, fl, seq, ack).done();
}
Frame tcp_in_seq(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl, std::uint32_t seq, std::uint32_t ack) {
  return Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(sp, dp, fl, seq, ack).done();
}
std::uint32_t tcp_state(fw::Firewall& f, std::uint16_t rport) {
  auto flows = fw::read_flows(f.maps());
  if (!flows) throw std::runtime_error(flows.error().message());
  for (const auto& x : *flows)
    if (x.key.proto == IPPROTO_TCP && ntohs(x.key.rport) == rport) return x.val.state;
  return 0;
}

TEST(ConntrackHalfOpen, SpoofedSynsMakeHalfOpenEntriesThatLetNothingInOnceThePortCloses) {
  FwHarness h(small_tables());
  auto cfg = base_config();  // web server on 80
  h.install(cfg);
  // Spoofed SYNs from 40 source ports; the phone's stack answers each with a SYN-ACK (our
  // sequence 5000 + i, acknowledging the spoofer's 7000 + i + 1).
  for (std::uint16_t i = 0; i < 40; ++i) {
    ASSERT_EQ(h.in(tcp_in_seq(std::uint16_t(30000 + i), 80, SYN, 7000 + i, 0)).reason, unsigned(PS_R_PASS_TCP_PORT));
    h.out(tcp_out_seq(80, std::uint16_t(30000 + i), SYN | ACK, 5000 + i, 7001 + i));
  }
  EXPECT_EQ(count(h.fw(), IPPROTO_TCP), 40u);
  for (std::uint16_t i = 0; i < 40; ++i) EXPECT_EQ(tcp_state(h.fw(), std::uint16_t(30000 + i)), unsigned(PS_CT_SYN_RECV)) << i;
  // One real client among them completes the handshake: ACK of our SYN-ACK (5000 + 1).
  EXPECT_EQ(h.in(tcp_in_seq(30000, 80, ACK, 7001, 5001)).reason, unsigned(PS_R_PASS_CT));
  EXPECT_EQ(tcp_state(h.fw(), 30000), unsigned(PS_CT_ESTABLISHED));

  cfg.web_server_enabled = false;  // the reload closes port 80
  h.install(cfg);
  // The spoofer's bare ACKs, not acknowledging our SYN-ACK: dropped, the entries stay half-open.
  for (std::uint16_t i = 1; i < 40; ++i) {
    EXPECT_EQ(h.in(tcp_in_seq(std::uint16_t(30000 + i), 80, ACK, 7001 + i, 1)).reason, unsigned(PS_R_DROP_TCP_PORT)) << i;
    EXPECT_EQ(tcp_state(h.fw(), std::uint16_t(30000 + i)), unsigned(PS_CT_SYN_RECV)) << i;
  }
  // A retransmitted SYN to the closed port drops too; the established client still gets in.
  EXPECT_EQ(h.in(tcp_in_seq(30001, 80, SYN, 7001, 0)).reason, unsigned(PS_R_DROP_TCP_PORT));
  EXPECT_EQ(h.in(tcp_in_seq(30000, 80, ACK | 0x08, 7001, 5001)).reason, unsigned(PS_R_PASS_CT));
}

// Half-open handshakes have a table of their own: a flood of spoofed SYNs to an open port,
// each answered by the stack's SYN-ACK, many times the size of either table, evicts only other
// half-open entries, never an established flow.
TEST(ConntrackHalfOpen, SynFloodCannotEvictEstablishedFlows) {
  auto o = small_tables();
  o.ct_syn_max = 64;
  FwHarness h(o);
  h.install(base_config());  // web server on 80
  // 40 established flows (a phone's worth of TCP in a 64-entry table), idle during the flood.
  for (std::uint16_t i = 0; i < 40; ++i) {
    h.out(tcp_out(std::uint16_t(40000 + i), 5061, SYN));
    ASSERT_EQ(h.in(tcp_in(5061, std::uint16_t(40000 + i), SYN | ACK)).reason, unsigned(PS_R_PASS_CT));
    h.out(tcp_out(std::uint16_t(40000 + i), 5061, ACK));
  }
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const std::string src = "10.2." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    const std::uint16_t sp = std::uint16_t(1024 + i);
    h.in(Build().eth().ipv4(src, L4, IPPROTO_TCP).tcp(sp, 80, SYN, 7000, 0).done());
    h.out(Build().eth().ipv4(L4, src, IPPROTO_TCP).tcp(80, sp, SYN | ACK, 5000, 7001).done());
  }
  auto flows = fw::read_flows(h.fw().maps());
  ASSERT_TRUE(flows.ok());
  std::size_t established = 0, half_open = 0;
  for (const auto& f : *flows) {
    established += f.val.state == PS_CT_ESTABLISHED;
    half_open += f.val.state == PS_CT_SYN_RECV;
  }
  EXPECT_EQ(established, 40u);
  EXPECT_GT(half_open, 0u);
  EXPECT_LE(half_open, 64u);
  for (std::uint16_t i = 0; i < 40; ++i) EXPECT_EQ(h.in(tcp_in(5061, std::uint16_t(40000 + i), ACK)).reason, unsigned(PS_R_PASS_CT)) << i;
  // The last half-open handshake can still complete.
  EXPECT_EQ(h.in(Build().eth().ipv4("10.2.7.250", L4, IPPROTO_TCP).tcp(3023, 80, ACK, 7001, 5001).done()).reason,
            unsigned(PS_R_PASS_CT));
}

// The half-open entry lives by the SYN timeout, not the established one: with a SYN timeout of
// 0 it is gone at the next packet, while an established flow with the same config lives on.
TEST(ConntrackHalfOpen, HalfOpenEntriesExpireOnTheSynTimeout) {
  FwHarness h;
  auto cfg = base_config();
  cfg.web_server_enabled = false;
  cfg.firewall.tcp = {{8080, 8080}};
  cfg.fw_tunables.tcp_syn_timeout_s = 0;
  h.install(cfg);
  ASSERT_EQ(h.in(tcp_in_seq(30000, 8080, SYN, 7000, 0)).reason, unsigned(PS_R_PASS_TCP_PORT));
  h.out(tcp_out_seq(8080, 30000, SYN | ACK, 5000, 7001));
  cfg.firewall.tcp = {};
  h.install(cfg);
  // Even the right ACK finds no entry: the half-open flow expired at once.
  EXPECT_EQ(h.in(tcp_in_seq(30000, 8080, ACK, 7001, 5001)).reason, unsigned(PS_R_DROP_TCP_PORT));
  EXPECT_EQ(count(h.fw(), IPPROTO_TCP), 0u);
  // An outbound flow picked up established (our ACK) is not touched by the SYN timeout.
  h.out(tcp_out_seq(40000, 443, ACK, 1000, 2000));
  EXPECT_EQ(h.in(tcp_in_seq(443, 40000, ACK, 2000, 1000)).reason, unsigned(PS_R_PASS_CT));
  // And an RST on it must be in sequence: 2000 ends it, nothing else does.
  EXPECT_EQ(h.in(tcp_in_seq(443, 40000, RST, 1999, 0)).reason, unsigned(PS_R_DROP_RST_WINDOW));
  EXPECT_EQ(h.in(tcp_in_seq(443, 40000, RST, 2000, 0)).reason, unsigned(PS_R_PASS_CT));
  EXPECT_EQ(count(h.fw(), IPPROTO_TCP), 0u);
}

// Packets of a tracked flow update its entry in place: created stays, counters add up (a
// re-insert would start a new entry with one packet out).
TEST(ConntrackTables, FlowsAreRefreshedInPlace) {
  FwHarness h;
  h.install(base_config());
  h.out(udp_out(33000, 53));
  auto before = fw::read_flows(h.fw().maps());
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.in(udp_in(53, 33000)).pass);
  h.out(udp_out(33000, 53));
  h.out(udp_out(33000, 53));
  auto after = fw::read_flows(h.fw().maps());
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  const auto& v = after->front().val;
  EXPECT_EQ(v.created_ns, before->front().val.created_ns);
  EXPECT_EQ(v.pkts_in, 3u);
  EXPECT_EQ(v.pkts_out, 3u);
  EXPECT_EQ(v.state, unsigned(PS_CT_UDP));
  EXPECT_TRUE(v.flags & PS_CTF_REPLIED);
}

// install_policy writes the slot the programs do not read, then flips the index; the old
// slot stays whole (a reader that loaded the old index still sees a complete policy).
// The programs stamp flows with their own clock (jiffies where the kernel config says HZ, not
// CLOCK_MONOTONIC); fw::bpf_clock_ns() is how userspace (phonesec flows, perf) reads it. A stamp
// written by the egress program must fall between two readings taken around it, and a stamp
// written from that clock must age as the programs see it.
// The clock counts from boot (jiffies - INITIAL_JIFFIES, or CLOCK_MONOTONIC): a stamp backdated
// past the timeout is below zero on a machine up for less than that (the fw61_vm guest, a few
// seconds old), so the timeout is short here and the test waits until the clock passes it.
TEST(ConntrackClock, UserspaceReadsTheClockOfTheStamps) {
  FwHarness h;
  auto cfg = base_config();
  cfg.fw_tunables.udp_timeout_s = 5;
  h.install(cfg);
  auto before = fw::bpf_clock_ns();
  ASSERT_TRUE(before.ok()) << before.error().message();
  h.out(udp_out(33001, 53));
  auto after = fw::bpf_clock_ns();
  ASSERT_TRUE(after.ok()) << after.error().message();
  auto flows = fw::read_flows(h.fw().maps());
  ASSERT_TRUE(flows.ok());
  ASSERT_EQ(flows->size(), 1u);
  std::uint64_t created = flows->front().val.created_ns;
  EXPECT_LE(*before, created);
  EXPECT_GE(*after, created);
  EXPECT_LT(*after - *before, 1000000000ull) << "two readings a moment apart";

  // Backdate the flow on that clock: 2 s short of the UDP timeout it is live, 2 s past it is not.
  const std::uint64_t to = std::uint64_t(cfg.fw_tunables.udp_timeout_s) * 1000000000ull;
  int fd = h.fw().maps().fd(fw::MapId::ct_udp);
  ps_ct_key k = flows->front().key;
  ps_ct_val v = flows->front().val;
  auto now = fw::bpf_clock_ns();
  ASSERT_TRUE(now.ok());
  for (int i = 0; i < 100 && *now < to + 3000000000ull; ++i) {  // at most 10 s, right after boot only
    ::usleep(100000);
    now = fw::bpf_clock_ns();
    ASSERT_TRUE(now.ok());
  }
  ASSERT_GE(*now, to + 3000000000ull) << "the programs' clock did not pass the UDP timeout + 3 s";
  v.last_seen_ns = *now - to + 2000000000ull;
  ASSERT_EQ(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
  EXPECT_EQ(h.in(udp_in(53, 33001)).reason, PS_R_PASS_CT);
  v.last_seen_ns = *now - to - 2000000000ull;
  ASSERT_EQ(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
  EXPECT_EQ(h.in(udp_in(53, 33001)).reason, PS_R_DROP_UDP_PORT);
}

TEST(PolicySwap, WritesTheInactiveSlotThenFlips) {
  FwHarness h;
  const auto& m = h.fw().maps();
  auto slot = [&] {
    std::uint32_t zero = 0, s = 0;
    EXPECT_EQ(bpf_map_lookup_elem(m.fd(fw::MapId::active), &zero, &s), 0);
    return s & 1;
  };
  auto read_slot = [&](std::uint32_t s) {
    auto p = std::make_unique<ps_policy>();
    EXPECT_EQ(bpf_map_lookup_elem(m.fd(fw::MapId::policy), &s, p.get()), 0);
    return p;
  };
  config::PhoneConfig a = base_config(), b = base_config();
  b.firewall.udp = {{9000, 9000}};
  auto pa = fw::compile(a, kTr069Port), pb = fw::compile(b, kTr069Port);
  auto g1 = fw::install_policy(m, *pa.image);
  ASSERT_TRUE(g1.ok());
  const std::uint32_t s1 = slot();
  auto g2 = fw::install_policy(m, *pb.image);
  ASSERT_TRUE(g2.ok());
  EXPECT_EQ(*g2, *g1 + 1);
  EXPECT_EQ(slot(), s1 ^ 1);
  auto old = read_slot(s1), cur = read_slot(s1 ^ 1);
  EXPECT_EQ(old->generation, *g1);
  EXPECT_TRUE(old->flags & PS_F_VALID);
  EXPECT_FALSE(fw::port_open(old->udp_ports, 9000));
  EXPECT_TRUE(fw::port_open(cur->udp_ports, 9000));
  EXPECT_EQ(h.in(udp_in(1, 9000)).reason, unsigned(PS_R_PASS_UDP_PORT));
  auto active = fw::active_policy(m);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->generation, *g2);
}

}  // namespace
}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
// The L3 programs decide exactly as the Ethernet ones: the differential test's random and
// mutated frames (fresh flows, replies, ICMP errors, fragments, option and extension-header
// chains, truncations, flipped bytes) run through the Ethernet programs on one set of maps
// and, with the link header (and VLAN tags) stripped, through the L3 programs on another;
// every verdict and reason must match. A tagged frame runs untagged on the Ethernet side (the
// same packet in an untagged frame: the tags move the header-depth bound by 4 bytes each).
// Frames with no L3 twin (non-IP, a third tag, an IP
// version that contradicts the EtherType, an IP part under the 14 bytes BPF_PROG_TEST_RUN
// needs) are left out of both.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <sstream>

#include "fw_harness.h"
#include "packet_gen.h"

namespace phonesec::test {
namespace {

std::string hex(const Frame& f) {
  std::ostringstream os;
  for (auto b : f) os << std::hex << std::setw(2) << std::setfill('0') << unsigned(b);
  return os.str();
}

// The IP packet inside an Ethernet frame (after up to two tags) whose version nibble agrees
// with its EtherType; empty when there is none.
Frame l3_twin(const Frame& f) {
  std::size_t off = 12;
  for (int tags = 0; tags < 3; ++tags) {
    if (f.size() < off + 2) return {};
    const unsigned et = unsigned(f[off] << 8 | f[off + 1]);
    if (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
      if (tags == 2) return {};
      off += 4;
      continue;
    }
    off += 2;
    if (f.size() < off + 14) return {};
    const unsigned v = f[off] >> 4;
    if (!((et == 0x0800 && v == 4) || (et == 0x86dd && v == 6))) return {};
    Frame bare(f.size() - off);
    std::copy(f.begin() + long(off), f.end(), bare.begin());
    return bare;
  }
  return {};
}

struct Side {
  std::unique_ptr<fw::Firewall> fw;
  std::unique_ptr<fw::VerdictRunner> runner;
  std::size_t n = 0;
  Side() {
    auto f = fw::Firewall::load({});
    if (!f) throw std::runtime_error("load firewall: " + f.error().message());
    fw = std::move(f.value());
    auto r = fw::VerdictRunner::create(*fw, {L4, L6});
    if (!r) throw std::runtime_error(r.error().message());
    runner = std::make_unique<fw::VerdictRunner>(std::move(r.value()));
  }
  void install(const model::Config& c) {
    config::PhoneConfig pc = c.phone;
    std::vector<config::Diagnostic> diags;
    pc.firewall = config::parse_firewall_config(c.firewall_config, diags);
    auto compiled = fw::compile(pc, c.tr069_port);
    if (!fw::install_policy(fw->maps(), *compiled.image)) throw std::runtime_error("install policy");
  }
  void clear() {
    for (auto id : {fw::MapId::ct_tcp, fw::MapId::ct_udp, fw::MapId::ct_icmp, fw::MapId::tftp, fw::MapId::frag}) {
      std::uint8_t key[64];
      while (bpf_map_get_next_key(fw->maps().fd(id), nullptr, key) == 0) bpf_map_delete_elem(fw->maps().fd(id), key);
    }
  }
  fw::FrameVerdict run(const Frame& f, bool out, bool l3) {
    auto v = runner->run_dir(f, ++n, out, l3);
    if (!v) throw std::runtime_error(v.error().message());
    return v.value();
  }
};

TEST(FwL3Equivalence, SameVerdictsAsTheEthernetPrograms) {
  ASSERT_EQ(geteuid(), 0u) << "BPF_PROG_TEST_RUN needs root";
  pin_to_one_cpu();
  const char* s = std::getenv("PS_DIFF_SEED");
  const std::uint64_t seed = s && *s ? std::strtoull(s, nullptr, 0) : 20261126;
  constexpr std::size_t kFrames = 6000, kEpisode = 250;
  Side eth, l3;
  PacketGen gen(seed);
  std::size_t compared = 0, drops = 0, ct_passes = 0;
  for (std::size_t done = 0; done < kFrames;) {
    model::Config cfg = gen.random_config();
    eth.install(cfg), l3.install(cfg);
    eth.clear(), l3.clear();
    gen.new_episode();
    for (std::size_t i = 0; i < kEpisode && done < kFrames; ++i, ++done) {
      if (gen.rng().chance(2)) {
        cfg = gen.reload_config(cfg);
        eth.install(cfg), l3.install(cfg);
      }
      GenFrame g = gen.next(cfg);
      Frame bare = l3_twin(g.frame);
      if (bare.empty()) continue;
      Frame untagged(14 + bare.size());
      std::copy(g.frame.begin(), g.frame.begin() + 12, untagged.begin());
      untagged[12] = (bare[0] >> 4) == 4 ? 0x08 : 0x86;
      untagged[13] = (bare[0] >> 4) == 4 ? 0x00 : 0xdd;
      std::copy(bare.begin(), bare.end(), untagged.begin() + 14);
      auto a = eth.run(untagged, g.out, false);
      auto b = l3.run(bare, g.out, true);
      ++compared;
      drops += !a.pass;
      ct_passes += a.reason == PS_R_PASS_CT;
      ASSERT_TRUE(a.pass == b.pass && a.reason == b.reason)
          << "seed " << seed << " frame " << done << " (" << g.what << ", " << (g.out ? "out" : "in") << ")\n"
          << "  ethernet: " << (a.pass ? "PASS " : "DROP ") << fw::reason_name(a.reason) << "  " << hex(untagged) << "\n"
          << "  l3:       " << (b.pass ? "PASS " : "DROP ") << fw::reason_name(b.reason) << "  " << hex(bare);
    }
  }
  // The comparison covered the interesting cases, not only a few passes.
  EXPECT_GT(compared, kFrames / 2);
  EXPECT_GT(drops, compared / 20);
  EXPECT_GT(ct_passes, 0u);
  std::printf("compared %zu frames (%zu drops, %zu conntrack passes)\n", compared, drops, ct_passes);
}

}  // namespace
}  // namespace phonesec::test

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

#include "equivalence.h"

namespace phonesec::test {
namespace {

TEST(FwL3Equivalence, SameVerdictsAsTheEthernetPrograms) {
  ASSERT_EQ(geteuid(), 0u) << "BPF_PROG_TEST_RUN needs root";
  const std::uint64_t seed = env_u64("PS_DIFF_SEED", 20261126);
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

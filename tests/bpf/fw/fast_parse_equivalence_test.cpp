// SPDX-License-Identifier: Apache-2.0
// The fast reader of the common shapes (bpf/lib/parse.h, ps_parse_fast: UDP/TCP in IPv4
// without options or IPv6 without extension headers, not fragmented, untagged or under one
// tag) decides exactly as the general parser: two private firewalls, one with the fast reader
// off (FirewallOptions::general_parser_only), get the same frames in the same order — the
// differential test's random and mutated frames, each also with one of the fields the fast
// reader looks at set to an edge value (version/IHL, total length, fragment bits, protocol or
// next header, TCP data offset, EtherType, a cut inside the headers) — through the Ethernet
// programs and, for frames that have one, their L3 twin through the L3 programs. Every verdict
// and reason must match.
#include <gtest/gtest.h>

#include <cstdlib>

#include "equivalence.h"

namespace phonesec::test {
namespace {

// Where the IP header starts (after up to two tags), or 0 when the frame is not IP.
std::size_t ip_offset(const Frame& f) {
  std::size_t off = 12;
  for (int tags = 0; tags < 2 && f.size() >= off + 2; ++tags) {
    const unsigned et = unsigned(f[off] << 8 | f[off + 1]);
    if (et != 0x8100 && et != 0x88a8 && et != 0x9100) break;
    off += 4;
  }
  if (f.size() < off + 2) return 0;
  const unsigned et = unsigned(f[off] << 8 | f[off + 1]);
  return et == 0x0800 || et == 0x86dd ? off + 2 : 0;
}

// One field the fast reader decides on, set to an edge value.
Frame edge_mutant(Frame f, Rng& rng, std::string& what) {
  const std::size_t ip = ip_offset(f);
  if (!ip || f.size() < ip + 1) return f;
  const bool v4 = f[ip] >> 4 == 4;
  const std::size_t l4 = ip + (v4 ? std::size_t(f[ip] & 15) * 4 : 40);
  auto set = [&](std::size_t at, std::uint8_t v) {
    if (at < f.size()) f[at] = v;
  };
  switch (rng.below(8)) {
    case 0:
      what = "version/ihl";
      set(ip, std::uint8_t(rng.pick(std::vector<unsigned>{0x45, 0x44, 0x46, 0x4f, 0x55, 0x65, 0x35, 0x60, 0x6f})));
      break;
    case 1: {
      what = "total length";
      const unsigned len = rng.pick(std::vector<unsigned>{0, 1, 19, 20, 21, 28, 40, unsigned(rng.below(65536))});
      if (v4) set(ip + 2, std::uint8_t(len >> 8)), set(ip + 3, std::uint8_t(len));
      else set(ip + 4, std::uint8_t(len >> 8)), set(ip + 5, std::uint8_t(len));
      break;
    }
    case 2: {
      what = "fragment bits";
      const unsigned fo = rng.pick(std::vector<unsigned>{0, 0x2000, 0x0001, 0x4000, 0x8000, 0x1fff, 0x3fff, 0x6000});
      if (v4) set(ip + 6, std::uint8_t(fo >> 8)), set(ip + 7, std::uint8_t(fo));
      else set(ip + 6, 44);  // a Fragment header where the transport header was
      break;
    }
    case 3:
      what = "protocol";
      set(v4 ? ip + 9 : ip + 6, std::uint8_t(rng.pick(std::vector<unsigned>{6, 17, 1, 58, 2, 0, 43, 60, 255})));
      break;
    case 4:
      what = "tcp data offset";
      set(l4 + 12, std::uint8_t(rng.pick(std::vector<unsigned>{0x00, 0x40, 0x50, 0x60, 0xf0})));
      break;
    case 5:
      what = "ethertype";
      f[ip - 2] = v4 ? 0x86 : 0x08, f[ip - 1] = v4 ? 0xdd : 0x00;
      break;
    case 6:
      what = "one tag pushed";
      f.insert(f.begin() + 12, {0x81, 0x00, 0x00, std::uint8_t(rng.below(256))});
      break;
    default:
      what = "cut in the headers";
      f.resize(std::max<std::size_t>(14, std::min(f.size(), ip + rng.below(std::uint32_t(l4 - ip + 24)))));
      break;
  }
  return f;
}

TEST(FwFastParseEquivalence, SameVerdictsAsTheGeneralParser) {
  ASSERT_EQ(geteuid(), 0u) << "BPF_PROG_TEST_RUN needs root";
  const std::uint64_t seed = env_u64("PS_DIFF_SEED", 20261125);
  constexpr std::size_t kFrames = 5000, kEpisode = 250;
  fw::FirewallOptions general_only;
  general_only.general_parser_only = true;
  Side fast, general(general_only);
  PacketGen gen(seed);
  std::size_t compared = 0, drops = 0, ct_passes = 0, malformed = 0;
  auto compare = [&](const Frame& f, bool out, bool l3, const std::string& what, std::size_t at) {
    auto a = fast.run(f, out, l3, what);
    auto b = general.run(f, out, l3, what);
    ++compared;
    drops += !a.pass;
    ct_passes += a.reason == PS_R_PASS_CT;
    malformed += a.reason == PS_R_DROP_MALFORMED;
    ASSERT_TRUE(a.pass == b.pass && a.reason == b.reason)
        << "seed " << seed << " frame " << at << " (" << what << ", " << (out ? "out" : "in") << (l3 ? ", l3" : "")
        << ")\n  fast:    " << (a.pass ? "PASS " : "DROP ") << fw::reason_name(a.reason)
        << "\n  general: " << (b.pass ? "PASS " : "DROP ") << fw::reason_name(b.reason) << "\n  " << hex(f);
  };
  for (std::size_t done = 0; done < kFrames;) {
    model::Config cfg = gen.random_config();
    fast.install(cfg), general.install(cfg);
    fast.clear(), general.clear();
    gen.new_episode();
    for (std::size_t i = 0; i < kEpisode && done < kFrames; ++i, ++done) {
      GenFrame g = gen.next(cfg);
      std::string edge;
      Frame m = edge_mutant(g.frame, gen.rng(), edge);
      for (const Frame* f : {&g.frame, &m}) {
        // The kernel's test run refuses outbound skbs shorter than Ethernet + two tags + IPv6
        // (see PacketGen::mutate); inbound XDP frames need the 14-byte Ethernet header.
        if (f->size() < (g.out ? 62u : 14u)) continue;
        const std::string what = f == &m ? g.what + ", edge: " + edge : g.what;
        ASSERT_NO_FATAL_FAILURE(compare(*f, g.out, false, what, done));
        if (Frame bare = l3_twin(*f); !bare.empty()) {
          ASSERT_NO_FATAL_FAILURE(compare(bare, g.out, true, what, done));
        }
      }
    }
  }
  // The comparison covered the interesting cases, not only a few passes.
  EXPECT_GT(compared, 2 * kFrames);
  EXPECT_GT(drops, compared / 20);
  EXPECT_GT(ct_passes, 0u);
  EXPECT_GT(malformed, compared / 100);
  std::printf("compared %zu frames (%zu drops, %zu malformed, %zu conntrack passes)\n", compared, drops, malformed,
              ct_passes);
}

}  // namespace
}  // namespace phonesec::test

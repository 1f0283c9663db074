// SPDX-License-Identifier: Apache-2.0
// Differential test: random and mutated frames through the real BPF programs
// (BPF_PROG_TEST_RUN) and through the reference model (ref_model.h); every verdict and reason
// must agree. Episodes: a random config (Firewall_Config text included), fresh flow state, a
// few hundred frames with replies to the flows opened and reloads in between.
//
//   PS_DIFF_SEED=<n>     reproduce a run (the seed is printed on failure)
//   PS_DIFF_PACKETS=<n>  how many frames (default 30000)
#include <bpf/bpf.h>

#include <cstdlib>
#include <iomanip>
#include <map>
#include <sstream>

#include "equivalence.h"
#include "ref_model.h"

namespace phonesec::test {
namespace {

constexpr std::uint64_t kDefaultSeed = 20261125;
constexpr std::size_t kEpisodeLen = 250;

std::string describe(const model::Config& c) {
  const auto& p = c.phone;
  const auto& t = p.fw_tunables;
  std::ostringstream os;
  os << "Firewall=" << (p.firewall_enabled ? "Enabled" : "Disabled") << " Firewall_Config='" << c.firewall_config
     << "' RTP=" << p.rtp_port_min << "-" << p.rtp_port_max << " web=" << (p.web_server_enabled ? "on:" : "off:")
     << p.web_server_port << " upgrade=" << p.upgrade_enable << " pfs=" << p.peer_firmware_sharing
     << " tr069=" << p.tr069_enabled << ":" << c.tr069_port << " broadcast_echo=" << p.broadcast_echo << " lines=";
  for (int i = 0; i < 16; ++i)
    if (p.lines[std::size_t(i)].enable)
      os << (i + 1) << ":" << p.lines[std::size_t(i)].sip_port << "/" << int(p.lines[std::size_t(i)].sip_transport) << " ";
  os << "timeouts(syn,est,close,udp,icmp,frag)=" << t.tcp_syn_timeout_s << "," << t.tcp_established_timeout_s << ","
     << t.tcp_close_timeout_s << "," << t.udp_timeout_s << "," << t.icmp_timeout_s << "," << t.frag_timeout_s;
  return os.str();
}

struct Outcome {
  bool disagreed = false;
  std::string report;
  std::size_t packets = 0;
  std::map<unsigned, std::size_t> reasons;  // (dir << 8 | reason) → frames
};

Outcome run_diff(Side& bpf, std::uint64_t seed, std::size_t packets, model::Mutant mutant) {
  Outcome o;
  PacketGen gen(seed);
  model::Model m(mutant);
  for (std::size_t episode = 0; o.packets < packets; ++episode) {
    model::Config cfg = gen.random_config();
    m.configure(cfg);
    m.clear_state();
    bpf.install(cfg);
    bpf.clear();
    gen.new_episode();
    std::vector<std::string> history;
    for (std::size_t i = 0; i < kEpisodeLen && o.packets < packets; ++i, ++o.packets) {
      if (gen.rng().chance(2)) {  // a reload: flows survive, the new policy applies
        cfg = gen.reload_config(cfg);
        m.configure(cfg);
        bpf.install(cfg);
        history.push_back("reload: " + describe(cfg));
      }
      GenFrame g = gen.next(cfg);
      model::Verdict want = g.out ? m.outbound(g.frame) : m.inbound(g.frame);
      fw::FrameVerdict got = bpf.run(g.frame, g.out, false, g.what);
      o.reasons[(g.out ? 1u << 8 : 0u) | got.reason]++;
      if (got.pass != want.pass || got.reason != want.reason) {
        std::ostringstream os;
        os << "BPF and model disagree. seed=" << seed << " (PS_DIFF_SEED=" << seed << ") episode " << episode
           << " frame " << i << " of the episode (" << o.packets << " overall), " << g.what << "\n"
           << "  config: " << describe(cfg) << "\n"
           << "  model: " << (want.pass ? "PASS " : "DROP ") << fw::reason_name(want.reason) << "\n"
           << "  bpf:   " << (got.pass ? "PASS " : "DROP ") << fw::reason_name(got.reason) << "\n"
           << "  frame (" << (g.out ? "out" : "in") << "): " << hex(g.frame) << "\n  earlier frames of the episode:\n";
        std::size_t from = history.size() > 12 ? history.size() - 12 : 0;
        for (std::size_t h = from; h < history.size(); ++h) os << "    " << history[h] << "\n";
        o.disagreed = true;
        o.report = os.str();
        return o;
      }
      history.push_back(std::string(g.out ? "out " : "in  ") + hex(g.frame) + " -> " + fw::reason_name(got.reason));
    }
  }
  return o;
}

TEST(Differential, BpfAgreesWithReferenceModel) {
  const std::uint64_t seed = env_u64("PS_DIFF_SEED", kDefaultSeed);
  const std::size_t packets = env_u64("PS_DIFF_PACKETS", 30000);
  Side bpf;
  Outcome o = run_diff(bpf, seed, packets, model::Mutant::none);
  ASSERT_FALSE(o.disagreed) << o.report;
  EXPECT_EQ(o.packets, packets);
  std::cout << "seed " << seed << ": " << o.packets << " frames agree; verdicts seen:\n";
  for (auto [k, n] : o.reasons) std::cout << "  " << ((k >> 8) ? "out " : "in  ") << fw::reason_name(k & 0xff) << " " << n << "\n";
  // The generator must reach every rule, or agreement proves little.
  if (packets >= 30000) {
    for (unsigned r : {PS_R_PASS_DISABLED, PS_R_PASS_NON_IP, PS_R_PASS_CT, PS_R_PASS_UDP_PORT, PS_R_PASS_TCP_PORT,
                       PS_R_PASS_ECHO_REQ, PS_R_PASS_ECHO_REPLY, PS_R_PASS_ICMP_RELATED, PS_R_PASS_ICMP6_NDP,
                       PS_R_PASS_TFTP, PS_R_PASS_FRAG, PS_R_PASS_IGMP, PS_R_PASS_MCAST_ECHO6, PS_R_DROP_UDP_PORT,
                       PS_R_DROP_TCP_PORT, PS_R_DROP_NO_PING, PS_R_DROP_ICMP, PS_R_DROP_FRAG_ORPHAN, PS_R_DROP_FRAG,
                       PS_R_DROP_MALFORMED, PS_R_DROP_EXTHDR, PS_R_DROP_PROTO, PS_R_DROP_MCAST_ECHO6,
                       PS_R_PASS_RST_IN_WINDOW, PS_R_DROP_RST_WINDOW, PS_R_DROP_ICMP_SOURCE})
      EXPECT_GT(o.reasons[r], 0u) << "no inbound frame got " << fw::reason_name(r);
    for (unsigned r : {PS_R_PASS_OUTBOUND, PS_R_DROP_UNREACH})
      EXPECT_GT(o.reasons[1u << 8 | r], 0u) << "no outbound frame got " << fw::reason_name(r);
  }
}

// The comparison can fail: each deliberately wrong model is caught.
class DifferentialMutant : public ::testing::TestWithParam<model::Mutant> {};

TEST_P(DifferentialMutant, IsCaught) {
  Side bpf;
  Outcome o = run_diff(bpf, env_u64("PS_DIFF_SEED", kDefaultSeed), 30000, GetParam());
  EXPECT_TRUE(o.disagreed) << "a wrong model agreed with the programs on " << o.packets << " frames";
}

INSTANTIATE_TEST_SUITE_P(Model, DifferentialMutant,
                         ::testing::Values(model::Mutant::ignore_no_icmp_ping, model::Mutant::rtp_max_exclusive,
                                           model::Mutant::udp_flows_not_tracked, model::Mutant::tcp_rst_keeps_flow,
                                           model::Mutant::frag_ignores_first, model::Mutant::rst_any_seq_ends_flow,
                                           model::Mutant::syn_ack_established, model::Mutant::icmp_any_source));

}  // namespace
}  // namespace phonesec::test

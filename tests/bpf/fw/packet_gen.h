// SPDX-License-Identifier: Apache-2.0
// Random and mutated frames for the differential test, from a seeded deterministic RNG.
//
// Frames are built to hit the policy where it matters: ports at the edges of the open sets of
// the current config, replies to flows we opened and ICMP errors quoting them, fragments of
// datagrams seen before (and orphans), VLAN tags (up to three), IPv4 options, IPv6
// extension-header chains (past the bound too), then mutated: truncated, bytes flipped.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "labkit/packet.h"
#include "ref_model.h"

namespace phonesec::test {

// splitmix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return n ? std::uint32_t(next() % n) : 0; }
  std::uint32_t range(std::uint32_t lo, std::uint32_t hi) { return lo + below(hi - lo + 1); }  // inclusive
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(std::uint32_t(v.size()))]; }

 private:
  std::uint64_t s_;
};

struct GenFrame {
  bool out;
  Frame frame;
  std::string what;  // how it was made, for failure messages
};

class PacketGen {
 public:
  explicit PacketGen(std::uint64_t seed) : rng_(seed) {}
  model::Config random_config();
  // A reload: everything may change except the timeouts (see ref_model.h).
  model::Config reload_config(const model::Config& prev);
  GenFrame next(const model::Config& cfg);
  void new_episode() { flows_.clear(), frags_.clear(); }
  Rng& rng() { return rng_; }

 private:
  struct FlowRec {
    int family, proto;
    std::uint16_t lport, rport;
    std::string laddr, raddr;
  };
  struct FragRec {
    int family, proto, frag_next;
    std::uint32_t id;
    std::string src, dst;
  };
  std::string firewall_config_text();
  std::uint16_t port(const model::Config& cfg);
  std::string remote(int family);
  std::string local(int family) const;
  void wrap_l2(Build& b);
  Frame quote(int family, bool ours, const model::Config& cfg);
  GenFrame fresh(const model::Config& cfg);
  GenFrame reply(const FlowRec& f);
  GenFrame fragment_rest(const FragRec& f);
  void mutate(GenFrame& g);

  Rng rng_;
  std::deque<FlowRec> flows_;
  std::deque<FragRec> frags_;
  std::uint32_t next_id_ = 1;
};

}  // namespace phonesec::test

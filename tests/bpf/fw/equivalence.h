// SPDX-License-Identifier: Apache-2.0
// Shared by the tests that feed the packet generator's frames to the real programs
// (fw_differential against the reference model; fw_l3_equivalence and fw_fast_parse_equivalence,
// two private firewalls that must decide alike).
#pragma once

#include <bpf/bpf.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <sstream>

#include <gtest/gtest.h>

#include "labkit/fw_harness.h"
#include "packet_gen.h"

namespace phonesec::test {

// A number from the environment (PS_DIFF_SEED, PS_DIFF_PACKETS), or dflt.
inline std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : dflt;
}

inline std::string hex(const Frame& f) {
  std::ostringstream os;
  for (auto b : f) os << std::hex << std::setw(2) << std::setfill('0') << unsigned(b);
  return os.str();
}

// The IP packet inside an Ethernet frame (after up to two tags) whose version nibble agrees
// with its EtherType; empty when there is none.
inline Frame l3_twin(const Frame& f) {
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

// One private firewall (both the Ethernet and the L3 programs, on one set of maps) fed the
// generator's configs; state cleared between episodes.
struct Side : FwHarness {
  using FwHarness::FwHarness;
  void install(const model::Config& c) {
    config::PhoneConfig pc = c.phone;
    std::vector<config::Diagnostic> diags;
    pc.firewall = config::parse_firewall_config(c.firewall_config, diags);
    FwHarness::install(pc, c.tr069_port);
  }
  void clear() {
    for (auto id : {fw::MapId::ct_tcp, fw::MapId::ct_syn, fw::MapId::ct_udp, fw::MapId::ct_icmp, fw::MapId::tftp, fw::MapId::frag}) {
      std::uint8_t key[64];
      while (bpf_map_get_next_key(fw().maps().fd(id), nullptr, key) == 0) bpf_map_delete_elem(fw().maps().fd(id), key);
    }
  }
  fw::FrameVerdict run(const Frame& f, bool out, bool l3 = false, const std::string& what = "") {
    return FwHarness::run(f, out, l3, what + ", " + std::to_string(f.size()) + " bytes: " + hex(f));
  }
};

}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
// Verdict runner: frames through the real BPF programs with BPF_PROG_TEST_RUN, in order, on
// the maps of one Firewall (fresh, private ones for `phonesec verdict`). A frame whose source
// address is one of the local addresses goes through egress, the others through ingress.
// The reason is the counter the program bumped (per-CPU stats delta), so the programs carry
// no extra "last reason" store on the hot path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "fw/firewall.h"

namespace phonesec::fw {

struct FrameVerdict {
  std::size_t index;  // 1-based
  bool out;           // egress
  bool pass;
  unsigned reason;
};

class VerdictRunner {
 public:
  // local: IPv4/IPv6 addresses in text form. Errc::invalid_argument names a bad one.
  static Result<VerdictRunner> create(Firewall& fw, const std::vector<std::string>& local);

  bool is_local_source(const std::vector<std::uint8_t>& frame) const;
  Result<FrameVerdict> run(const std::vector<std::uint8_t>& frame, std::size_t index);
  // Forces the direction (tests). l3: the frame is a bare IP packet, run through the L3
  // programs (tun devices).
  Result<FrameVerdict> run_dir(const std::vector<std::uint8_t>& frame, std::size_t index, bool out, bool l3 = false);

 private:
  Firewall* fw_ = nullptr;
  std::vector<std::vector<std::uint8_t>> v4_, v6_;
  std::vector<ps_stat> last_;
};

// Reads the Ethernet frames of a pcap file (libpcap). Errc::parse names the file and problem.
Result<std::vector<std::vector<std::uint8_t>>> read_pcap(const std::string& path);

std::string format_verdict(const FrameVerdict& v, bool json);

}  // namespace phonesec::fw

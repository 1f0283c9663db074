// SPDX-License-Identifier: Apache-2.0
// The programs phonesec is measured against, each loaded privately (nothing pinned or
// attached): the bare XDP_PASS floor, a bare TC program (egress floor), "bare + one LRU lookup" (perf/bpf/lru_ref.bpf.c),
// and xdp-filter's deny-by-default program from Debian's libxdp1 with the same open ports.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "phonesec_abi.h"
#include "labkit/packet.h"

struct xdp_pass;
struct perf_lru_ref;
struct perf_tc_pass;
struct bpf_object;

namespace phonesec::perf {

// Where Debian's libxdp1 installs xdp-filter's programs; xdpfilt_dny_all is what
// `xdp-filter load --policy deny` loads for the tcp+udp features.
inline constexpr const char* kXdpFilterObj = "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o";

class RefProgs {
 public:
  // Loads all three. xdp-filter is optional: xdp_filter_fd() is -1 (and why() says why)
  // when its object is missing or does not load.
  static Result<std::unique_ptr<RefProgs>> load();
  ~RefProgs();
  int pass_fd() const;
  int lru_fd() const;
  int tc_pass_fd() const;  // bare TC program: the egress floor
  int xdp_filter_fd() const { return filt_fd_; }
  const std::string& xdp_filter_why() const { return filt_why_; }

  // The key lru_ref builds from `f` goes into its map, so its one lookup hits on `f`.
  Status lru_insert(const test::Frame& f);
  // Opens inbound destination ports in xdp-filter's port map: the same sets as a policy.
  Status xdp_filter_open(const ps_policy& pol);

 private:
  RefProgs() = default;
  xdp_pass* pass_ = nullptr;
  perf_lru_ref* lru_ = nullptr;
  perf_tc_pass* tc_ = nullptr;
  bpf_object* filt_ = nullptr;
  int filt_fd_ = -1;
  std::string filt_why_;
};

// One BPF_PROG_TEST_RUN of `f` with `repeat` iterations: the kernel's mean ns per run (its
// timer covers the loop only; the wall clock would add ~20 ms of fixed set-up per call, two
// RCU grace periods when XDP test runs switch the dispatcher) and the program's return value.
// The kernel reports whole nanoseconds: medians over rounds smooth that. Errors name the program.
struct RunResult {
  double ns_per_pkt;
  int retval;
};
Result<RunResult> test_run(int prog_fd, const test::Frame& f, std::uint32_t repeat, const std::string& what);

}  // namespace phonesec::perf

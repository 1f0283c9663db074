// SPDX-License-Identifier: Apache-2.0
// The clock of the firewall programs' stamps (ps_ct_val.created_ns/last_seen_ns, TFTP and
// fragment records): jiffies scaled to ns where the kernel config tells HZ, else the coarse
// CLOCK_MONOTONIC (bpf/lib/clock.h). It is not CLOCK_MONOTONIC: compare stamps only with this.
#pragma once

#include <cstdint>

#include "common/result.h"

namespace phonesec::fw {

// Now on the programs' clock, read by test-running the same ps_now() (bpf/clock.bpf.c): one
// small program load (~1 ms) per call. Root (CAP_BPF) only, as every firewall reader.
Result<std::uint64_t> bpf_clock_ns();

}  // namespace phonesec::fw

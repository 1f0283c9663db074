// SPDX-License-Identifier: Apache-2.0
// The clock of the firewall programs' stamps (ps_ct_val.created_ns/last_seen_ns, TFTP and
// fragment records): jiffies scaled to ns where the kernel config tells HZ, else the coarse
// CLOCK_MONOTONIC (bpf/lib/clock.h). It is not CLOCK_MONOTONIC: compare stamps only with this.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>

#include "common/result.h"

namespace phonesec::fw {

// Now on the programs' clock, read by test-running the same ps_now() (bpf/clock.bpf.c): one
// small program load (~1 ms) per call. Root (CAP_BPF) only, as every firewall reader.
Result<std::uint64_t> bpf_clock_ns();

// Open options for every skeleton whose programs call ps_now() (they read CONFIG_HZ). libbpf
// fails the load, __weak or not, when a __kconfig extern is used and neither
// /boot/config-<release> nor /proc/config.gz opens (Debian 12's libbpf 1.1; a kernel without
// IKCONFIG_PROC and no config file, e.g. a stripped firmware). There the options hand libbpf
// CONFIG_HZ=0, which ps_now() takes as "no config": the coarse monotonic clock.
bpf_object_open_opts kconfig_open_opts();

}  // namespace phonesec::fw

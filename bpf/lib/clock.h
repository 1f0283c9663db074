/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * clock.h — the one clock of the programs: ps_now(), nanoseconds at tick resolution.
 *
 * Timeouts are seconds, so a tick (1-10 ms) is plenty. The clock is jiffies (bpf_jiffies64,
 * Linux 5.5) scaled by the kernel's tick, with the boot offset (INITIAL_JIFFIES) taken off so
 * the figures read like CLOCK_MONOTONIC; it is not CLOCK_MONOTONIC (here it runs ~0.25 s behind).
 * CONFIG_HZ comes from the kernel's config through libbpf (__kconfig: /proc/config.gz or
 * /boot/config-*); the load-time constant lets the verifier keep one branch of the switch. With
 * no config or an unusual HZ the clock is bpf_ktime_get_coarse_ns (5.11), CLOCK_MONOTONIC.
 * (With no config at all libbpf refuses to load, __weak or not: the loader then hands it
 * CONFIG_HZ=0, fw::kconfig_open_opts.)
 *
 * Why not the precise or the coarse monotonic clock: on the machines we measure, a call costs
 * 15-30 ns per packet, as much as the conntrack lookup; jiffies cost ~4 (perf/: bench_fw_testrun).
 *
 * Userspace must never compare these stamps with its own clock: it reads this clock by running
 * the same ps_now() (bpf/clock.bpf.c, fw::bpf_clock_ns()). Stamps written by userspace may still
 * be a little ahead of it: use ps_age(), never now - then.
 */
#ifndef PS_LIB_CLOCK_H
#define PS_LIB_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "phonesec_abi.h"

extern unsigned int CONFIG_HZ __kconfig __weak;

/* (jiffies64 - INITIAL_JIFFIES) * TICK_NSEC for one HZ, as the kernel defines them
 * (include/linux/jiffies.h, include/vdso/jiffies.h): INITIAL_JIFFIES is
 * (unsigned long)(unsigned int)(-300 * HZ), TICK_NSEC (NSEC_PER_SEC + HZ / 2) / HZ. */
#define PS_JIFFIES_NS(hz) \
	((bpf_jiffies64() - (__u64)(__u32)(-300 * (hz))) * ((1000000000ull + (hz) / 2) / (hz)))

static __always_inline __u64 ps_now(void)
{
#define PS_HZ_CASE(hz) \
	case hz:           \
		return PS_JIFFIES_NS(hz);
	switch (CONFIG_HZ) {
	PS_CLOCK_HZ_LIST(PS_HZ_CASE)
	default: /* 0: no kernel config to read; or a HZ we do not list */
		return bpf_ktime_get_coarse_ns();
	}
#undef PS_HZ_CASE
}

#endif /* PS_LIB_CLOCK_H */

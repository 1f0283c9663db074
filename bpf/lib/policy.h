/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * policy.h — the active policy, port bitmaps and the per-CPU counters (the clock: lib/clock.h).
 *
 * ps_policy_active() returns the slot the active map names, or NULL when the slot was never
 * written by the controller (PS_F_VALID clear): callers fail closed. A reader may see the old
 * or the new slot during a swap, never a mix: the controller writes the inactive slot whole
 * before flipping the index, and the flip is one aligned 32-bit store.
 */
#ifndef PS_LIB_POLICY_H
#define PS_LIB_POLICY_H

#include "lib/clock.h"
#include "lib/maps.h"

/* How long ago `then` was; 0 when it is (slightly) in the future. */
static __always_inline __u64 ps_age(__u64 now, __u64 then)
{
	return now > then ? now - then : 0;
}

static __always_inline struct ps_policy *ps_policy_active(void)
{
	__u32 idx = PS_ACTIVE_SLOT;
	__u32 *slot = bpf_map_lookup_elem(&ps_active, &idx);
	if (!slot)
		return NULL;
	__u32 s = *slot & 1;
	struct ps_policy *pol = bpf_map_lookup_elem(&ps_policy, &s);
	if (!pol || !(pol->flags & PS_F_VALID))
		return NULL;
	return pol;
}

/* Bit `port` of a 65536-bit set. */
static __always_inline int ps_port_open(const __u64 *set, __u16 port)
{
	return (set[(port >> 6) & (PS_PORT_WORDS - 1)] >> (port & 63)) & 1;
}

static __always_inline void ps_count(__u32 dir, __u32 reason, __u32 bytes)
{
	__u32 idx = dir * PS_R_MAX + (reason & (PS_R_MAX - 1));
	struct ps_stat *s = bpf_map_lookup_elem(&ps_stats, &idx);
	if (s) {
		s->packets++;
		s->bytes += bytes;
	}
}

static __always_inline int ps_is_drop(int reason)
{
	return reason > PS_R_PASS_MAX;
}

#endif /* PS_LIB_POLICY_H */

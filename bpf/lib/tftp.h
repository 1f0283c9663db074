/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * tftp.h — TFTP expectations (RFC 1350 transfer identifiers), as netfilter's TFTP helper.
 *
 * Our request to a server's port 69 from local port L expects the server to answer from a new
 * port of its choosing to L. ps_tftp_expect() (egress) records (local addr, L, server addr);
 * ps_tftp_match() (ingress) lets a UDP packet from that server to L pass while the
 * expectation is younger than the UDP timeout. Works with NO_CISCO_TFTP (the 53240-53245
 * range is only for servers that do not use port 69).
 */
#ifndef PS_LIB_TFTP_H
#define PS_LIB_TFTP_H

#include "lib/parse.h"
#include "lib/policy.h"

#define PS_TFTP_PORT 69

static __always_inline void ps_tftp_expect(const struct ps_pkt *p, __u64 now)
{
	struct ps_tftp_key k = { .family = p->family, .lport = bpf_htons(p->sport) };
	struct ps_tftp_val v = { .last_seen_ns = now };
	__u32 hint_idx = PS_ACTIVE_TFTP;
	__u32 *hint;
	__builtin_memcpy(k.laddr, p->saddr, 16);
	__builtin_memcpy(k.raddr, p->daddr, 16);
	bpf_map_update_elem(&ps_tftp, &k, &v, BPF_ANY);
	hint = bpf_map_lookup_elem(&ps_active, &hint_idx);
	if (hint)
		*hint = (__u32)(now >> PS_TFTP_HINT_SHIFT);
}

/*
 * 1 when an expectation lets this inbound UDP packet in. Closed-port UDP drops take this path,
 * so the hash lookup (~20-25 ns) is skipped when egress recorded no expectation within the UDP
 * timeout (the hint errs on the side of looking up: one unit of slack, racing writers only
 * make it newer).
 */
static __always_inline int ps_tftp_match(const struct ps_policy *pol, const struct ps_pkt *p)
{
	__u64 now = ps_now();
	struct ps_tftp_key k = { .family = p->family, .lport = bpf_htons(p->dport) };
	struct ps_tftp_val *v;
	__u32 hint_idx = PS_ACTIVE_TFTP;
	__u32 *hint = bpf_map_lookup_elem(&ps_active, &hint_idx);
	if (hint && (__u32)(now >> PS_TFTP_HINT_SHIFT) - *hint > (__u32)(pol->to.udp_ns >> PS_TFTP_HINT_SHIFT) + 1)
		return 0;
	__builtin_memcpy(k.laddr, p->daddr, 16);
	__builtin_memcpy(k.raddr, p->saddr, 16);
	v = bpf_map_lookup_elem(&ps_tftp, &k);
	return v && ps_age(now, v->last_seen_ns) < pol->to.udp_ns;
}

#endif /* PS_LIB_TFTP_H */

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
	__builtin_memcpy(k.laddr, p->saddr, 16);
	__builtin_memcpy(k.raddr, p->daddr, 16);
	bpf_map_update_elem(&ps_tftp, &k, &v, BPF_ANY);
}

static __always_inline int ps_tftp_match(const struct ps_policy *pol, const struct ps_pkt *p, __u64 now)
{
	struct ps_tftp_key k = { .family = p->family, .lport = bpf_htons(p->dport) };
	struct ps_tftp_val *v;
	__builtin_memcpy(k.laddr, p->daddr, 16);
	__builtin_memcpy(k.raddr, p->saddr, 16);
	v = bpf_map_lookup_elem(&ps_tftp, &k);
	return v && now - v->last_seen_ns <= pol->to.udp_ns;
}

#endif /* PS_LIB_TFTP_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * conntrack.h — flow tracking: created only on egress, looked up on ingress by exact 5-tuple.
 *
 * A spoofed inbound flood can therefore neither insert nor evict entries. Keys are oriented
 * from the phone (l* = local, r* = remote) so both directions build the same key.
 *
 * Timestamps are refreshed in place (a store into the map value) at most once per
 * PS_CT_REFRESH_NS: an update_elem on an existing key costs ~4x a lookup. Races: two CPUs may
 * refresh or bump counters of one entry at once; the counters are best effort and the
 * timestamp only moves forward by about the same amount, so the worst case is a lost packet
 * count, never a lost flow. An entry past its idle timeout is treated as absent and deleted.
 */
#ifndef PS_LIB_CONNTRACK_H
#define PS_LIB_CONNTRACK_H

#include "lib/parse.h"
#include "lib/policy.h"

/* Key for a packet going out (we are the source). */
static __always_inline void ps_ct_key_out(struct ps_ct_key *k, const struct ps_pkt *p)
{
	k->family = p->family;
	k->proto = p->proto;
	k->lport = bpf_htons(p->sport);
	k->rport = bpf_htons(p->dport);
	k->_pad0 = 0;
	__builtin_memcpy(k->laddr, p->saddr, 16);
	__builtin_memcpy(k->raddr, p->daddr, 16);
}

/* Key for a packet coming in (we are the destination). */
static __always_inline void ps_ct_key_in(struct ps_ct_key *k, const struct ps_pkt *p)
{
	k->family = p->family;
	k->proto = p->proto;
	k->lport = bpf_htons(p->dport);
	k->rport = bpf_htons(p->sport);
	k->_pad0 = 0;
	__builtin_memcpy(k->laddr, p->daddr, 16);
	__builtin_memcpy(k->raddr, p->saddr, 16);
}

static __always_inline __u64 ps_ct_timeout(const struct ps_policy *pol, __u32 state)
{
	switch (state) {
	case PS_CT_SYN_SENT:
		return pol->to.tcp_syn_ns;
	case PS_CT_ESTABLISHED:
		return pol->to.tcp_est_ns;
	case PS_CT_CLOSING:
		return pol->to.tcp_close_ns;
	case PS_CT_ICMP:
		return pol->to.icmp_ns;
	default:
		return pol->to.udp_ns;
	}
}

static __always_inline int ps_ct_expired(const struct ps_policy *pol, const struct ps_ct_val *v, __u64 now)
{
	return ps_age(now, v->last_seen_ns) >= ps_ct_timeout(pol, v->state);
}

static __always_inline void ps_ct_refresh(struct ps_ct_val *v, __u64 now)
{
	if (ps_age(now, v->last_seen_ns) > PS_CT_REFRESH_NS)
		v->last_seen_ns = now;
}

/*
 * TCP state on a packet of a tracked flow, either direction. Returns 1 when the entry must be
 * deleted (RST). `fin_self` / `fin_peer` are this direction's and the other's FIN flags.
 */
static __always_inline int ps_ct_tcp_step(struct ps_ct_val *v, __u8 tcp_flags, __u32 fin_self,
					  __u32 fin_peer, __u64 now)
{
	if (tcp_flags & PS_TCP_RST)
		return 1;
	if (v->state == PS_CT_SYN_SENT && (tcp_flags & (PS_TCP_SYN | PS_TCP_ACK)) == (PS_TCP_SYN | PS_TCP_ACK))
		v->state = PS_CT_ESTABLISHED;
	if (tcp_flags & PS_TCP_FIN) {
		v->flags |= fin_self;
		if ((v->flags & fin_peer) && v->state != PS_CT_CLOSING) {
			v->state = PS_CT_CLOSING;
			v->last_seen_ns = now; /* the close timeout starts now, exactly */
		}
	}
	return 0;
}

/*
 * Ingress lookup of the flow a packet belongs to. Returns 1 if tracked (and updates state),
 * 0 otherwise. Only the TCP table is consulted for TCP, etc. (one call site per map so the
 * verifier can inline each lookup).
 */
static __always_inline int ps_ct_in(const struct ps_policy *pol, const struct ps_pkt *p)
{
	struct ps_ct_key k;
	struct ps_ct_val *v;
	__u64 now;

	ps_ct_key_in(&k, p);
	if (p->proto == IPPROTO_TCP) {
		v = bpf_map_lookup_elem(&ps_ct_tcp, &k);
		if (!v)
			return 0;
		now = ps_now();
		if (ps_ct_expired(pol, v, now)) {
			bpf_map_delete_elem(&ps_ct_tcp, &k);
			return 0;
		}
		if (ps_ct_tcp_step(v, p->tcp_flags, PS_CTF_FIN_IN, PS_CTF_FIN_OUT, now)) {
			bpf_map_delete_elem(&ps_ct_tcp, &k);
			return 1; /* the RST itself passes */
		}
	} else if (p->proto == IPPROTO_UDP) {
		v = bpf_map_lookup_elem(&ps_ct_udp, &k);
		if (!v)
			return 0;
		now = ps_now();
		if (ps_ct_expired(pol, v, now)) {
			bpf_map_delete_elem(&ps_ct_udp, &k);
			return 0;
		}
	} else {
		/* ICMP echo reply: the identifier is the port, rport is 0 */
		k.rport = 0;
		v = bpf_map_lookup_elem(&ps_ct_icmp, &k);
		if (!v)
			return 0;
		now = ps_now();
		if (ps_ct_expired(pol, v, now)) {
			bpf_map_delete_elem(&ps_ct_icmp, &k);
			return 0;
		}
	}
	v->flags |= PS_CTF_REPLIED;
	v->pkts_in++;
	ps_ct_refresh(v, now);
	return 1;
}

static __always_inline void ps_ct_new(struct ps_ct_val *n, __u32 state, __u64 now)
{
	n->created_ns = now;
	n->last_seen_ns = now;
	n->state = state;
	n->flags = 0;
	n->pkts_in = 0;
	n->pkts_out = 1;
}

/* Egress: create or refresh the flow of an outbound TCP segment. */
static __always_inline void ps_ct_out_tcp(const struct ps_policy *pol, const struct ps_pkt *p, __u64 now)
{
	struct ps_ct_key k;
	struct ps_ct_val *v, n;

	ps_ct_key_out(&k, p);
	v = bpf_map_lookup_elem(&ps_ct_tcp, &k);
	if (v && pol && ps_ct_expired(pol, v, now))
		v = NULL; /* overwritten below */
	__u8 f = p->tcp_flags;
	if (v) {
		if ((f & (PS_TCP_SYN | PS_TCP_ACK)) == PS_TCP_SYN && v->state == PS_CT_CLOSING) {
			ps_ct_new(v, PS_CT_SYN_SENT, now); /* port reuse after a close */
			return;
		}
		if (ps_ct_tcp_step(v, f, PS_CTF_FIN_OUT, PS_CTF_FIN_IN, now)) {
			bpf_map_delete_elem(&ps_ct_tcp, &k);
			return;
		}
		v->pkts_out++;
		ps_ct_refresh(v, now);
		return;
	}
	if (f & PS_TCP_RST)
		return;
	/*
	 * A new flow. A SYN opens it half-way; anything else (an ACK of a flow we lost track of,
	 * our SYN-ACK to an inbound connection) is picked up as established, so a reload that
	 * closes a port does not cut connections already made through it.
	 */
	ps_ct_new(&n, (f & (PS_TCP_SYN | PS_TCP_ACK)) == PS_TCP_SYN ? PS_CT_SYN_SENT : PS_CT_ESTABLISHED, now);
	if (f & PS_TCP_FIN)
		n.flags |= PS_CTF_FIN_OUT;
	bpf_map_update_elem(&ps_ct_tcp, &k, &n, BPF_ANY);
}

/* Egress: create or refresh a UDP flow. */
static __always_inline void ps_ct_out_udp(const struct ps_policy *pol, const struct ps_pkt *p, __u64 now)
{
	struct ps_ct_key k;
	struct ps_ct_val *v, n;

	ps_ct_key_out(&k, p);
	v = bpf_map_lookup_elem(&ps_ct_udp, &k);
	if (v && !(pol && ps_ct_expired(pol, v, now))) {
		v->pkts_out++;
		ps_ct_refresh(v, now);
		return;
	}
	ps_ct_new(&n, PS_CT_UDP, now);
	bpf_map_update_elem(&ps_ct_udp, &k, &n, BPF_ANY);
}

/* Egress: an echo request of ours waits for its replies (keyed by identifier). */
static __always_inline void ps_ct_out_echo(const struct ps_policy *pol, const struct ps_pkt *p, __u64 now)
{
	struct ps_ct_key k;
	struct ps_ct_val *v, n;

	ps_ct_key_out(&k, p);
	k.rport = 0;
	v = bpf_map_lookup_elem(&ps_ct_icmp, &k);
	if (v && !(pol && ps_ct_expired(pol, v, now))) {
		v->pkts_out++;
		ps_ct_refresh(v, now);
		return;
	}
	ps_ct_new(&n, PS_CT_ICMP, now);
	bpf_map_update_elem(&ps_ct_icmp, &k, &n, BPF_ANY);
}

/* A flow exists (not expired) for this key: used for ICMP errors quoting our packets. */
static __always_inline int ps_ct_exists(const struct ps_policy *pol, struct ps_ct_key *k)
{
	struct ps_ct_val *v;

	if (k->proto == IPPROTO_TCP)
		v = bpf_map_lookup_elem(&ps_ct_tcp, k);
	else if (k->proto == IPPROTO_UDP)
		v = bpf_map_lookup_elem(&ps_ct_udp, k);
	else
		v = bpf_map_lookup_elem(&ps_ct_icmp, k);
	return v && !ps_ct_expired(pol, v, ps_now());
}

#endif /* PS_LIB_CONNTRACK_H */

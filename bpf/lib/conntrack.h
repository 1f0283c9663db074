/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * conntrack.h — flow tracking: created only on egress, looked up on ingress by exact 5-tuple.
 *
 * A spoofed inbound flood can therefore neither insert nor evict entries. The one insert on
 * ingress moves a half-open flow (ps_ct_syn, made by our SYN-ACK) to ps_ct_tcp when the peer
 * acknowledges our SYN-ACK, which takes our sequence number. TCP state follows the sequence
 * numbers we send (RFC 5961 §3, phonesec_abi.h): a blind RST cannot end a flow. Keys are
 * oriented from the phone (l* = local, r* = remote) so both directions build the same key.
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
	case PS_CT_SYN_RECV:
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
 * An inbound RST of a tracked flow (RFC 5961 §3, the sequence numbers from phonesec_abi.h):
 * PS_R_PASS_CT when it ends the flow (exactly at rcv_nxt; before any ACK of ours, when it
 * acknowledges our SYN), PS_R_PASS_RST_IN_WINDOW when it is inside the window but not exact
 * (the stack sends the challenge ACK we cannot send from XDP; the flow stays), else
 * PS_R_DROP_RST_WINDOW. A blind sweep must hit one value in 2^32 to end a flow.
 */
static __always_inline int ps_ct_rst(const struct ps_ct_val *v, const struct ps_pkt *p)
{
	if (v->flags & PS_CTF_RCV_NXT) {
		__u32 d = p->tcp_seq - v->rcv_nxt;
		if (d == 0)
			return PS_R_PASS_CT;
		return (__u64)d < ((__u64)v->rcv_wnd << PS_TCP_MAX_WSCALE) ? PS_R_PASS_RST_IN_WINDOW : PS_R_DROP_RST_WINDOW;
	}
	if ((v->flags & PS_CTF_SND_NXT) && (p->tcp_flags & PS_TCP_ACK) && p->tcp_ack == v->snd_nxt)
		return PS_R_PASS_CT;
	return PS_R_DROP_RST_WINDOW;
}

/* FIN of one direction; both seen: closing, whose timeout starts now, exactly. */
static __always_inline void ps_ct_fin(struct ps_ct_val *v, __u32 fin_self, __u32 fin_peer, __u64 now)
{
	v->flags |= fin_self;
	if ((v->flags & fin_peer) && v->state != PS_CT_CLOSING) {
		v->state = PS_CT_CLOSING;
		v->last_seen_ns = now;
	}
}

/*
 * Ingress, no established (or SYN_SENT/closing) flow: a half-open one (ps_ct_syn, our SYN-ACK
 * to an inbound SYN) lets in only the ACK of our SYN-ACK, which moves the flow to ps_ct_tcp as
 * established, and an RST in sequence, which ends it; its other segments (a retransmitted SYN,
 * a bare ACK with another number) get the port's verdict and refresh nothing: a spoofed SYN
 * cannot plant an entry that lets traffic in or lives long. The insert into ps_ct_tcp needs
 * our SYN-ACK's sequence number, which a blind sender does not have.
 */
static __always_inline int ps_ct_in_syn(const struct ps_policy *pol, const struct ps_pkt *p, struct ps_ct_key *k,
					__u64 now)
{
	__u8 f = p->tcp_flags;
	struct ps_ct_val *v, n;

	if (!(f & PS_TCP_RST) && (f & (PS_TCP_SYN | PS_TCP_ACK)) != PS_TCP_ACK)
		return PS_R_NONE;
	v = bpf_map_lookup_elem(&ps_ct_syn, k);
	if (!v)
		return PS_R_NONE;
	if (ps_ct_expired(pol, v, now)) {
		bpf_map_delete_elem(&ps_ct_syn, k);
		return PS_R_NONE;
	}
	if (f & PS_TCP_RST) {
		int r = ps_ct_rst(v, p);
		if (r == PS_R_PASS_CT)
			bpf_map_delete_elem(&ps_ct_syn, k);
		return r;
	}
	if (!(v->flags & PS_CTF_SND_NXT) || p->tcp_ack != v->snd_nxt)
		return PS_R_NONE;
	n = *v;
	n.state = PS_CT_ESTABLISHED;
	n.last_seen_ns = now;
	n.flags |= PS_CTF_REPLIED;
	n.pkts_in++;
	if (f & PS_TCP_FIN)
		ps_ct_fin(&n, PS_CTF_FIN_IN, PS_CTF_FIN_OUT, now);
	bpf_map_update_elem(&ps_ct_tcp, k, &n, BPF_ANY);
	bpf_map_delete_elem(&ps_ct_syn, k);
	return PS_R_PASS_CT;
}

/*
 * Ingress: the verdict of a TCP segment on its flow. PS_R_NONE when the flow is not tracked
 * (the port rules decide), else PS_R_PASS_CT or an RST's verdict (ps_ct_rst).
 */
static __always_inline int ps_ct_in_tcp(const struct ps_policy *pol, const struct ps_pkt *p)
{
	struct ps_ct_key k;
	struct ps_ct_val *v;
	__u8 f = p->tcp_flags;
	__u64 now;

	ps_ct_key_in(&k, p);
	v = bpf_map_lookup_elem(&ps_ct_tcp, &k);
	now = ps_now();
	if (v && ps_ct_expired(pol, v, now)) {
		bpf_map_delete_elem(&ps_ct_tcp, &k);
		v = NULL;
	}
	if (!v)
		return ps_ct_in_syn(pol, p, &k, now);
	if (f & PS_TCP_RST) {
		int r = ps_ct_rst(v, p);
		if (r == PS_R_PASS_CT)
			bpf_map_delete_elem(&ps_ct_tcp, &k); /* the RST itself passes */
		return r;
	}
	if (v->state == PS_CT_SYN_SENT && (f & (PS_TCP_SYN | PS_TCP_ACK)) == (PS_TCP_SYN | PS_TCP_ACK))
		v->state = PS_CT_ESTABLISHED;
	if (f & PS_TCP_FIN)
		ps_ct_fin(v, PS_CTF_FIN_IN, PS_CTF_FIN_OUT, now);
	v->flags |= PS_CTF_REPLIED;
	v->pkts_in++;
	ps_ct_refresh(v, now);
	return PS_R_PASS_CT;
}

/*
 * Ingress lookup of the UDP flow or ICMP echo a packet belongs to. Returns 1 if tracked (and
 * refreshes it), 0 otherwise (one call site per map so the verifier can inline each lookup).
 */
static __always_inline int ps_ct_in(const struct ps_policy *pol, const struct ps_pkt *p)
{
	struct ps_ct_key k;
	struct ps_ct_val *v;
	__u64 now;

	ps_ct_key_in(&k, p);
	if (p->proto == IPPROTO_UDP) {
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
	n->rcv_nxt = 0;
	n->snd_nxt = 0;
	n->rcv_wnd = 0;
	n->_pad0 = 0;
	n->_pad1 = 0;
}

/* Egress: what our segment tells of the sequence space (phonesec_abi.h). */
static __always_inline void ps_ct_seq_out(struct ps_ct_val *v, const struct ps_pkt *p)
{
	if (p->tcp_flags & PS_TCP_SYN) {
		v->snd_nxt = p->tcp_seq + 1;
		v->flags |= PS_CTF_SND_NXT;
	}
	if (p->tcp_flags & PS_TCP_ACK) {
		v->rcv_nxt = p->tcp_ack;
		v->rcv_wnd = p->tcp_win;
		v->flags |= PS_CTF_RCV_NXT;
	}
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
			ps_ct_seq_out(v, p);
			return;
		}
		if (f & PS_TCP_RST) {
			bpf_map_delete_elem(&ps_ct_tcp, &k);
			return;
		}
		if (v->state == PS_CT_SYN_SENT && (f & (PS_TCP_SYN | PS_TCP_ACK)) == (PS_TCP_SYN | PS_TCP_ACK))
			v->state = PS_CT_ESTABLISHED; /* simultaneous open */
		if (f & PS_TCP_FIN)
			ps_ct_fin(v, PS_CTF_FIN_OUT, PS_CTF_FIN_IN, now);
		ps_ct_seq_out(v, p);
		v->pkts_out++;
		ps_ct_refresh(v, now);
		return;
	}
	/* No flow in ps_ct_tcp: a half-open one? Our segments keep it half-open (the stack also
	 * answers an out-of-window segment of a spoofer with an ACK), an RST of ours ends it. */
	v = bpf_map_lookup_elem(&ps_ct_syn, &k);
	if (v && pol && ps_ct_expired(pol, v, now))
		v = NULL;
	if (v) {
		if (f & PS_TCP_RST) {
			bpf_map_delete_elem(&ps_ct_syn, &k);
			return;
		}
		if (f & PS_TCP_FIN)
			ps_ct_fin(v, PS_CTF_FIN_OUT, PS_CTF_FIN_IN, now);
		ps_ct_seq_out(v, p);
		v->pkts_out++;
		ps_ct_refresh(v, now);
		return;
	}
	if (f & PS_TCP_RST)
		return;
	/*
	 * A new flow. A SYN opens it half-way (SYN_SENT); our SYN-ACK to an inbound SYN makes it
	 * half-open (SYN_RECV in ps_ct_syn, the SYN timeout) until the peer's ACK; anything else
	 * (an ACK of a flow we lost track of) is picked up as established, so a reload that closes
	 * a port does not cut connections already made through it.
	 */
	__u32 st = (f & (PS_TCP_SYN | PS_TCP_ACK)) == PS_TCP_SYN ? PS_CT_SYN_SENT
		 : (f & PS_TCP_SYN)				 ? PS_CT_SYN_RECV
								 : PS_CT_ESTABLISHED;
	ps_ct_new(&n, st, now);
	ps_ct_seq_out(&n, p);
	if (f & PS_TCP_FIN)
		n.flags |= PS_CTF_FIN_OUT;
	if (st == PS_CT_SYN_RECV)
		bpf_map_update_elem(&ps_ct_syn, &k, &n, BPF_ANY);
	else
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

	if (k->proto == IPPROTO_TCP) {
		v = bpf_map_lookup_elem(&ps_ct_tcp, k);
		if (!v || ps_ct_expired(pol, v, ps_now()))
			v = bpf_map_lookup_elem(&ps_ct_syn, k); /* a half-open flow */
	} else if (k->proto == IPPROTO_UDP)
		v = bpf_map_lookup_elem(&ps_ct_udp, k);
	else
		v = bpf_map_lookup_elem(&ps_ct_icmp, k);
	return v && !ps_ct_expired(pol, v, ps_now());
}

#endif /* PS_LIB_CONNTRACK_H */

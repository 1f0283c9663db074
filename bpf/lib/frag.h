/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * frag.h — fragments follow their first fragment's verdict.
 *
 * The first fragment (offset 0) carries the transport header and gets a normal verdict, which
 * ps_frag_record() stores under the datagram's identity (family, protocol, id, addresses; for
 * IPv6 the "protocol" is the Fragment header's next header, the same in every fragment).
 * ps_frag_follow() gives the later fragments that verdict; a fragment whose first was never
 * seen (or whose record is older than the fragment timeout) is an orphan and drops. Fragments
 * arriving before their first therefore drop: the sender retransmits the datagram.
 */
#ifndef PS_LIB_FRAG_H
#define PS_LIB_FRAG_H

#include "lib/parse.h"
#include "lib/policy.h"

static __always_inline void ps_frag_key(struct ps_frag_key *k, const struct ps_pkt *p)
{
	k->family = p->family;
	k->proto = p->frag_proto;
	k->_pad0 = 0;
	k->id = p->frag_id;
	__builtin_memcpy(k->saddr, p->saddr, 16);
	__builtin_memcpy(k->daddr, p->daddr, 16);
}

static __always_inline void ps_frag_record(const struct ps_pkt *p, int reason)
{
	struct ps_frag_key k;
	struct ps_frag_val v = {
		.seen_ns = ps_now(),
		.verdict = ps_is_drop(reason) ? PS_V_DROP : PS_V_PASS,
		.reason = reason,
	};
	ps_frag_key(&k, p);
	bpf_map_update_elem(&ps_frag, &k, &v, BPF_ANY);
}

static __always_inline int ps_frag_follow(const struct ps_policy *pol, const struct ps_pkt *p)
{
	struct ps_frag_key k;
	struct ps_frag_val *v;

	ps_frag_key(&k, p);
	v = bpf_map_lookup_elem(&ps_frag, &k);
	if (!v || ps_age(ps_now(), v->seen_ns) >= pol->to.frag_ns) /* the clock only on a hit */
		return PS_R_DROP_FRAG_ORPHAN;
	return v->verdict == PS_V_PASS ? PS_R_PASS_FRAG : PS_R_DROP_FRAG;
}

#endif /* PS_LIB_FRAG_H */

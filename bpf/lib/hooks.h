/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * hooks.h — the bodies of the XDP (ingress) and TC (egress) programs, shared by the Ethernet
 * objects (ingress.bpf.c, egress.bpf.c) and the L3 ones for tun devices (ingress_l3.bpf.c,
 * egress_l3.bpf.c). l3 is a constant per object: each program carries one parser, and the
 * Ethernet programs are what they were before L3 devices existed.
 *
 * On an L3 device (ARPHRD_NONE) the packet starts at the IP header: generic XDP hands the
 * program skb->data with no MAC header, and TC egress sees skb->data at the network header.
 * Both variants declare the same maps (lib/maps.h); the loader makes them share one set.
 */
#ifndef PS_LIB_HOOKS_H
#define PS_LIB_HOOKS_H

#include <linux/pkt_cls.h>

#include "lib/inbound.h"
#include "lib/outbound.h"

/* Headers we may need to read: Ethernet + 2 VLAN + IPv6 + 8 ext headers is more; 256 covers
 * the common case; a longer chain in a non-linear skb is pulled on demand. */
#define PS_PULL_LEN 256

static __always_inline int ps_xdp_hook(struct xdp_md *ctx, const int l3)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int r = ps_inbound(data, data_end, l3);

	ps_count(PS_DIR_IN, r, (__u32)(data_end - data));
	return ps_is_drop(r) ? XDP_DROP : XDP_PASS;
}

/* Pass returns TC_ACT_UNSPEC so programs after ours still run (tcx "next", clsact
 * "continue"); drop returns TC_ACT_SHOT. */
static __always_inline int ps_tc_hook(struct __sk_buff *skb, const int l3)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 linear = data_end - data;

	if (linear < PS_PULL_LEN && skb->len > linear) {
		bpf_skb_pull_data(skb, skb->len < PS_PULL_LEN ? skb->len : PS_PULL_LEN);
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	int r = ps_outbound(data, data_end, l3);

	ps_count(PS_DIR_OUT, r, skb->len);
	return ps_is_drop(r) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

#endif /* PS_LIB_HOOKS_H */

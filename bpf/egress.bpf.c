/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * egress.bpf.c — TC hook (tcx on kernels that have it, clsact otherwise): every frame the
 * phone sends. Pass returns TC_ACT_UNSPEC so programs after ours still run (tcx "next",
 * clsact "continue"); drop returns TC_ACT_SHOT.
 */
#include <linux/pkt_cls.h>

#include "lib/outbound.h"

/* Headers we may need to read: Ethernet + 2 VLAN + IPv6 + 8 ext headers is more; 256 covers
 * the common case; a longer chain in a non-linear skb is pulled on demand. */
#define PS_PULL_LEN 256

SEC("tc")
int ps_egress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 linear = data_end - data;

	if (linear < PS_PULL_LEN && skb->len > linear) {
		bpf_skb_pull_data(skb, skb->len < PS_PULL_LEN ? skb->len : PS_PULL_LEN);
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	int r = ps_outbound(data, data_end);

	ps_count(PS_DIR_OUT, r, skb->len);
	return ps_is_drop(r) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/* egress_l3.bpf.c — TC hook on an L3 device (the VPN's tun): packets start at the IP header.
 * Same maps, same policy as egress.bpf.c. */
#define PS_L3_OBJECT 1 /* see PS_HDR_LIMIT in lib/parse.h */
#include "lib/hooks.h"

SEC("tc")
int ps_egress_l3(struct __sk_buff *skb)
{
	return ps_tc_hook(skb, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

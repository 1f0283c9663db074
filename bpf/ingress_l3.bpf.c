/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/* ingress_l3.bpf.c — XDP hook (generic) on an L3 device (the VPN's tun): packets start at the
 * IP header. Same maps, same policy as ingress.bpf.c. */
#define PS_L3_OBJECT 1 /* see PS_HDR_LIMIT in lib/parse.h */
#include "lib/hooks.h"

SEC("xdp")
int ps_ingress_l3(struct xdp_md *ctx)
{
	return ps_xdp_hook(ctx, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

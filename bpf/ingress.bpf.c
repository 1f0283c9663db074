/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/* ingress.bpf.c — XDP hook: every frame arriving on a protected Ethernet interface. */
#include "lib/hooks.h"

SEC("xdp")
int ps_ingress(struct xdp_md *ctx)
{
	return ps_xdp_hook(ctx, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * egress.bpf.c — TC hook (tcx on kernels that have it, clsact otherwise): every frame the
 * phone sends on a protected Ethernet interface.
 */
#include "lib/hooks.h"

SEC("tc")
int ps_egress(struct __sk_buff *skb)
{
	return ps_tc_hook(skb, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/* tc_pass.bpf.c — a TC program that only passes (TC_ACT_UNSPEC, as phonesec's egress does):
 * the floor the egress figures are compared against. Benchmarks only. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int ps_tc_pass(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

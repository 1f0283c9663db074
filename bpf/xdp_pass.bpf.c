/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/* xdp_pass.bpf.c — does nothing but pass: the reference floor for benchmarks. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ps_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

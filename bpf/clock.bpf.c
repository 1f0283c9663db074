/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * clock.bpf.c — the programs' clock, for userspace. ps_clock writes ps_now() (lib/clock.h)
 * into the first 8 bytes of the frame it is test-run on (BPF_PROG_TEST_RUN, never attached):
 * fw::bpf_clock_ns() reads conntrack stamps' clock this way, whatever source ps_now() uses on
 * this kernel. No maps: loading it touches no firewall state.
 */
#include "lib/clock.h"

SEC("xdp")
int ps_clock(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *out = data;

	if ((void *)(out + 1) > data_end)
		return XDP_ABORTED;
	*out = ps_now();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

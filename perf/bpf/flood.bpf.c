/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * flood.bpf.c — the in-kernel traffic generator of the veth flood benchmark, and the ceiling
 * it is compared with.
 *  ps_flood_tx:   run with BPF_PROG_TEST_RUN in live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES)
 *                 on the generator's veth: every copy of the test frame is transmitted (XDP_TX)
 *                 to the peer veth, where the filter under test receives it.
 *  ps_flood_drop: a bare XDP_DROP that counts what it drops: the most a filter could drop.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} flood_drops SEC(".maps");

SEC("xdp")
int ps_flood_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int ps_flood_drop(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&flood_drops, &zero);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * lru_ref.bpf.c — the reference of issue 3's speed target: "a bare XDP_PASS program plus one
 * LRU lookup". It reads the addresses and ports at fixed offsets (untagged IPv4 without
 * options, or IPv6 without extension headers), builds the same 40-byte key as conntrack
 * (struct ps_ct_key) and does one lookup in an LRU hash of the same size as the UDP conntrack
 * table. No parsing beyond that, no policy, no counters: the least a conntrack filter must do.
 * Benchmarks only; never attached by phonesec.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "phonesec_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_CT_UDP_MAX_DEFAULT);
	__type(key, struct ps_ct_key);
	__type(value, struct ps_ct_val);
} ref_lru SEC(".maps");

SEC("xdp")
int ps_lru_ref(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ps_ct_key k = {};
	__u8 *p = data;

	if (p + 14 + 40 + 4 > (__u8 *)data_end)
		return XDP_PASS;
	__u16 proto = *(__u16 *)(p + 12);
	if (proto == bpf_htons(ETH_P_IP)) {
		k.family = PS_AF_INET;
		k.proto = p[14 + 9];
		__builtin_memcpy(k.raddr, p + 14 + 12, 4);
		__builtin_memcpy(k.laddr, p + 14 + 16, 4);
		__builtin_memcpy(&k.rport, p + 14 + 20, 2);
		__builtin_memcpy(&k.lport, p + 14 + 22, 2);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		k.family = PS_AF_INET6;
		k.proto = p[14 + 6];
		__builtin_memcpy(k.raddr, p + 14 + 8, 16);
		__builtin_memcpy(k.laddr, p + 14 + 24, 16);
		__builtin_memcpy(&k.rport, p + 14 + 40, 2);
		__builtin_memcpy(&k.lport, p + 14 + 42, 2);
	} else {
		return XDP_PASS;
	}
	struct ps_ct_val *v = bpf_map_lookup_elem(&ref_lru, &k);
	if (v)
		v->pkts_in++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

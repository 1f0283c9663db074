/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * maps.h — the maps both programs share. Each object declares them; the loader creates them
 * once (ingress object) and hands the same fds to the egress object (bpf_map__reuse_fd), then
 * pins them under /sys/fs/bpf/phonesec/. Sizes are defaults the loader may change before load.
 *
 * Conntrack tables are split by protocol so UDP churn cannot evict TCP (SIP over TLS) entries.
 * They use the common LRU: egress inserts come from whichever CPU sends, and
 * BPF_F_NO_COMMON_LRU would cap one CPU's inserts at max_entries / nCPU.
 */
#ifndef PS_LIB_MAPS_H
#define PS_LIB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "phonesec_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PS_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, struct ps_policy);
} ps_policy SEC(".maps");

/* u32s (see PS_ACTIVE_*): the policy slot the programs read (the controller flips it after
 * writing the other) and the TFTP expectation hint. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PS_ACTIVE_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} ps_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_CT_TCP_MAX_DEFAULT);
	__type(key, struct ps_ct_key);
	__type(value, struct ps_ct_val);
} ps_ct_tcp SEC(".maps");

/* Half-open handshakes (our SYN-ACK to an inbound SYN, PS_CT_SYN_RECV) live in a table of
 * their own: a spoofed SYN flood that the stack answers evicts only other half-open entries,
 * never an established flow. The ACK of our SYN-ACK moves the flow to ps_ct_tcp. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_CT_SYN_MAX_DEFAULT);
	__type(key, struct ps_ct_key);
	__type(value, struct ps_ct_val);
} ps_ct_syn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_CT_UDP_MAX_DEFAULT);
	__type(key, struct ps_ct_key);
	__type(value, struct ps_ct_val);
} ps_ct_udp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_CT_ICMP_MAX_DEFAULT);
	__type(key, struct ps_ct_key);
	__type(value, struct ps_ct_val);
} ps_ct_icmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_TFTP_MAX_DEFAULT);
	__type(key, struct ps_tftp_key);
	__type(value, struct ps_tftp_val);
} ps_tftp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PS_FRAG_MAX_DEFAULT);
	__type(key, struct ps_frag_key);
	__type(value, struct ps_frag_val);
} ps_frag SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PS_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct ps_stat);
} ps_stats SEC(".maps");

#endif /* PS_LIB_MAPS_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * parse.h — Ethernet/VLAN/IPv4/IPv6/L4 parsing shared by the XDP and TC programs.
 *
 * Contract: ps_parse() fills a struct ps_pkt from [data, data_end) and returns PS_R_NONE when
 * the frame is IP and its headers are whole, PS_R_PASS_NON_IP for non-IP frames, or a drop
 * reason (PS_R_DROP_MALFORMED, PS_R_DROP_EXTHDR) when the headers cannot be trusted. It never
 * reads past data_end. ps_parse_l3() is its twin for L3 devices (tun), where the packet starts at
 * the IP header and there is no non-IP. Non-first fragments carry no L4 header: for them only the L3 fields and
 * the fragment identity are set (pkt->l4 is NULL).
 *
 * Fooling attempts it handles: up to two VLAN tags (802.1Q, 802.1ad; a third is malformed),
 * IPv4 options (any IHL from 5 to 15, present whole), IPv6 extension-header chains (bounded walk, PS_IPV6_MAX_EXTHDR, fail closed),
 * fragments of either family, truncated headers anywhere.
 */
#ifndef PS_LIB_PARSE_H
#define PS_LIB_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "phonesec_abi.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define PS_ETH_P_QINQ1 0x9100

/* ICMP/ICMPv6 numbers (linux/icmp.h drags in libc socket headers, not usable for BPF). */
#define ICMP_ECHOREPLY        0
#define ICMP_DEST_UNREACH     3
#define ICMP_PROT_UNREACH     2
#define ICMP_PORT_UNREACH     3
#define ICMP_ECHO             8
#define ICMP_TIME_EXCEEDED    11
#define ICMP_PARAMETERPROB    12
#define ICMPV6_DEST_UNREACH   1
#define ICMPV6_PKT_TOOBIG     2
#define ICMPV6_TIME_EXCEED    3
#define ICMPV6_PARAMPROB      4
#define ICMPV6_PORT_UNREACH   4
#define ICMPV6_ECHO_REQUEST   128
#define ICMPV6_ECHO_REPLY     129

/* The 8-byte ICMP/ICMPv6 header, echo layout. */
struct ps_icmphdr {
	__u8 type;
	__u8 code;
	__be16 csum;
	__be16 id;
	__be16 seq;
};

#define PS_FRAG_NONE  0
#define PS_FRAG_FIRST 1 /* offset 0, more fragments follow: L4 header present */
#define PS_FRAG_REST  2 /* offset > 0: no L4 header */

struct ps_pkt {
	__u8 family;            /* PS_AF_INET / PS_AF_INET6 */
	__u8 proto;             /* transport protocol (after the IPv6 extension chain) */
	__u8 frag;              /* PS_FRAG_* */
	__u8 tcp_flags;         /* TCP flag byte (FIN 0x01 SYN 0x02 RST 0x04 ACK 0x10) */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 frag_proto;        /* the datagram's identity for fragments: IPv4 protocol, or the
				 * next header of the IPv6 Fragment header (the same in every
				 * fragment, whatever headers the first carries after it) */
	__u8 _pad;
	__u16 sport;            /* host order; for ICMP echo both hold the identifier */
	__u16 dport;
	__u32 frag_id;
	__u32 tcp_seq;          /* TCP, host order: sequence and acknowledgment numbers */
	__u32 tcp_ack;
	__u16 tcp_win;          /* TCP window field, unscaled */
	__u16 _pad2;
	__be32 saddr[4];
	__be32 daddr[4];
	void *l4;               /* start of the transport header, NULL for PS_FRAG_REST */
};

#define PS_TCP_FIN 0x01
#define PS_TCP_SYN 0x02
#define PS_TCP_RST 0x04
#define PS_TCP_ACK 0x10

/*
 * Re-anchors a header pointer as data + (an offset the verifier only knows to be < 1024).
 * Every parse path (VLAN depth, IPv4 options, IPv6 extension chains) then reaches the code
 * after it in one verifier state instead of one per path: without this the ingress program
 * explodes past the verifier's 1M-instruction budget. Costs one subtract and one mask.
 */
#define PS_MAX_HDR_OFF 1023
/*
 * The deepest header start parsed. The L3 objects (ingress_l3.bpf.c, egress_l3.bpf.c define
 * PS_L3_OBJECT) have no 14-byte Ethernet header before the IP header: their bound is 14 less,
 * so a packet on the tunnel gets the verdict the same packet gets in an untagged Ethernet frame.
 */
#ifdef PS_L3_OBJECT
#define PS_HDR_LIMIT (PS_MAX_HDR_OFF - 14)
#else
#define PS_HDR_LIMIT PS_MAX_HDR_OFF
#endif
static __always_inline void *ps_reanchor(void *data, void *cur)
{
	__u64 off = (__u64)cur - (__u64)data;
	if (off > PS_HDR_LIMIT)
		return NULL; /* headers this deep are not parsed: callers fail closed */
	return data + (off & PS_MAX_HDR_OFF);
}

/* Walks the IPv6 extension chain. Returns PS_R_NONE, or a drop reason. */
static __always_inline int ps_parse_ipv6_ext(struct ps_pkt *p, void *data, void **cur, void *data_end,
					     __u8 *nexthdr)
{
	__u8 nh = *nexthdr;
	void *c = *cur;

	for (int i = 0; i <= PS_IPV6_MAX_EXTHDR; i++) { /* 8 headers, then the 9th must be final */
		c = ps_reanchor(data, c);
		if (!c)
			return PS_R_DROP_EXTHDR;
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case 135: /* Mobility */
		case 139: /* HIP */
		case 140: /* Shim6 */ {
			__u8 *h = c;
			if ((void *)(h + 2) > data_end)
				return PS_R_DROP_MALFORMED;
			nh = h[0];
			c = (void *)h + ((__u32)h[1] + 1) * 8;
			break;
		}
		case IPPROTO_AH: {
			__u8 *h = c;
			if ((void *)(h + 2) > data_end)
				return PS_R_DROP_MALFORMED;
			nh = h[0];
			c = (void *)h + ((__u32)h[1] + 2) * 4;
			break;
		}
		case IPPROTO_FRAGMENT: {
			struct frag_hdr {
				__u8 nexthdr;
				__u8 reserved;
				__be16 frag_off;
				__be32 identification;
			} *f = c;
			if ((void *)(f + 1) > data_end)
				return PS_R_DROP_MALFORMED;
			nh = f->nexthdr;
			p->frag_proto = nh;
			p->frag_id = bpf_ntohl(f->identification);
			__u16 off = bpf_ntohs(f->frag_off);
			if (off & 0xfff8) {
				/* Not the first fragment: nothing more to parse, but a Fragment
				 * header is no final header: the bound applies to it too. */
				if (i == PS_IPV6_MAX_EXTHDR)
					return PS_R_DROP_EXTHDR;
				p->frag = PS_FRAG_REST;
				*nexthdr = nh;
				*cur = f + 1;
				return PS_R_NONE;
			}
			if (off & 1)
				p->frag = PS_FRAG_FIRST;
			/* An atomic fragment (offset 0, M clear) is a whole datagram. */
			c = f + 1;
			break;
		}
		default:
			*nexthdr = nh;
			*cur = c;
			return PS_R_NONE;
		}
	}
	return PS_R_DROP_EXTHDR;
}

/* Parses the transport header at cur. */
static __always_inline int ps_parse_l4(struct ps_pkt *p, void *data, void *cur, void *data_end)
{
	cur = ps_reanchor(data, cur);
	if (!cur)
		return PS_R_DROP_MALFORMED;
	p->l4 = cur;
	switch (p->proto) {
	case IPPROTO_TCP: {
		struct tcphdr *t = cur;
		if ((void *)(t + 1) > data_end || t->doff < 5)
			return PS_R_DROP_MALFORMED;
		p->sport = bpf_ntohs(t->source);
		p->dport = bpf_ntohs(t->dest);
		p->tcp_flags = ((__u8 *)t)[13];
		p->tcp_seq = bpf_ntohl(t->seq);
		p->tcp_ack = bpf_ntohl(t->ack_seq);
		p->tcp_win = bpf_ntohs(t->window);
		return PS_R_NONE;
	}
	case IPPROTO_UDP: {
		struct udphdr *u = cur;
		if ((void *)(u + 1) > data_end)
			return PS_R_DROP_MALFORMED;
		p->sport = bpf_ntohs(u->source);
		p->dport = bpf_ntohs(u->dest);
		return PS_R_NONE;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		struct ps_icmphdr *ic = cur; /* same layout for ICMPv6 echo */
		if ((void *)(ic + 1) > data_end)
			return PS_R_DROP_MALFORMED;
		p->icmp_type = ic->type;
		p->icmp_code = ic->code;
		p->sport = p->dport = bpf_ntohs(ic->id);
		return PS_R_NONE;
	}
	default:
		return PS_R_NONE;
	}
}

/* The IP header at cur, of the EtherType proto (network order): PS_R_PASS_NON_IP if neither. */
static __always_inline int ps_parse_ip(void *data, void *cur, void *data_end, __u16 proto, struct ps_pkt *p)
{
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = cur;
		if ((void *)(ip + 1) > data_end)
			return PS_R_DROP_MALFORMED;
		__u32 ihl = ip->ihl * 4;
		if (ip->version != 4 || ihl < sizeof(*ip) || bpf_ntohs(ip->tot_len) < ihl)
			return PS_R_DROP_MALFORMED;
		if ((void *)ip + ihl > data_end) /* options cut short (also for later fragments) */
			return PS_R_DROP_MALFORMED;
		p->family = PS_AF_INET;
		p->proto = ip->protocol;
		p->saddr[0] = ip->saddr;
		p->daddr[0] = ip->daddr;
		__u16 fo = bpf_ntohs(ip->frag_off);
		if (fo & 0x3fff) {
			p->frag_id = bpf_ntohs(ip->id);
			p->frag_proto = ip->protocol;
			if (fo & 0x1fff) {
				p->frag = PS_FRAG_REST;
				return PS_R_NONE;
			}
			p->frag = PS_FRAG_FIRST;
		}
		cur = (void *)ip + ihl;
		return ps_parse_l4(p, data, cur, data_end);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		if ((void *)(ip6 + 1) > data_end)
			return PS_R_DROP_MALFORMED;
		if (ip6->version != 6)
			return PS_R_DROP_MALFORMED;
		p->family = PS_AF_INET6;
		__builtin_memcpy(p->saddr, &ip6->saddr, 16);
		__builtin_memcpy(p->daddr, &ip6->daddr, 16);
		__u8 nh = ip6->nexthdr;
		cur = ip6 + 1;
		int r = ps_parse_ipv6_ext(p, data, &cur, data_end, &nh);
		if (r != PS_R_NONE)
			return r;
		p->proto = nh;
		if (p->frag == PS_FRAG_REST)
			return PS_R_NONE;
		return ps_parse_l4(p, data, cur, data_end);
	}
	return PS_R_PASS_NON_IP;
}

static __always_inline int ps_parse(void *data, void *data_end, struct ps_pkt *p)
{
	struct ethhdr *eth = data;
	void *cur;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return PS_R_DROP_MALFORMED;
	proto = eth->h_proto;
	cur = eth + 1;

#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD) &&
		    proto != bpf_htons(PS_ETH_P_QINQ1))
			break;
		struct vlan { __be16 tci; __be16 proto; } *v = cur;
		if ((void *)(v + 1) > data_end)
			return PS_R_DROP_MALFORMED;
		proto = v->proto;
		cur = v + 1;
	}
	/* A third tag: no phone interface stacks VLANs that deep; fail closed rather than let
	 * what is inside pass as "not IP". */
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD) || proto == bpf_htons(PS_ETH_P_QINQ1))
		return PS_R_DROP_MALFORMED;

	return ps_parse_ip(data, cur, data_end, proto, p);
}

/*
 * ps_parse_l3: the same for L3 devices (tun, ARPHRD_NONE), whose packets start at the IP
 * header with no link header: the version nibble tells the family; anything but 4 or 6 is
 * malformed (there is no "non-IP" on such a device).
 */
static __always_inline int ps_parse_l3(void *data, void *data_end, struct ps_pkt *p)
{
	__u8 *b = data;
	__u16 proto;

	if ((void *)(b + 1) > data_end)
		return PS_R_DROP_MALFORMED;
	switch (b[0] >> 4) {
	case 4:
		proto = bpf_htons(ETH_P_IP);
		break;
	case 6:
		proto = bpf_htons(ETH_P_IPV6);
		break;
	default:
		return PS_R_DROP_MALFORMED;
	}
	return ps_parse_ip(data, data, data_end, proto, p);
}

/*
 * ps_parse_fast: the shapes nearly all traffic has, read at fixed offsets — UDP or TCP in IPv4
 * without options or IPv6 without extension headers, not a fragment, untagged or under one
 * VLAN tag. Returns 1 when it filled *p (exactly as ps_parse()/ps_parse_l3() would: same
 * fields, same values), 0 when the frame is anything else, including every case those would
 * call malformed; *p is then untouched and the general parser decides.
 *
 * Why a second reader: the general one (VLAN loop, re-anchored offsets, the extension-header
 * walk) costs ~20 ns a packet, as much as the conntrack lookup itself (perf/: bench_fw_testrun,
 * "ns_per_packet"); this one ~2 ns. fw_differential and fw_l3_equivalence drive both readers
 * with the same random and mutated frames against the reference model.
 */
/* ps_parse_fast's transport part: a whole UDP or TCP header at l4 (TCP with a sane data
 * offset) gives 1 and its fields in *p; anything else 0, *p untouched. */
static __always_inline int ps_parse_fast_l4(struct ps_pkt *p, void *l4, void *data_end, __u8 proto)
{
	struct udphdr *u = l4; /* the ports of UDP and TCP sit alike */
	struct tcphdr *t = l4;

	if ((void *)(u + 1) > data_end)
		return 0;
	if (proto == IPPROTO_TCP) {
		if ((void *)(t + 1) > data_end || t->doff < 5)
			return 0;
		p->tcp_flags = ((__u8 *)t)[13];
		p->tcp_seq = bpf_ntohl(t->seq);
		p->tcp_ack = bpf_ntohl(t->ack_seq);
		p->tcp_win = bpf_ntohs(t->window);
	} else if (proto != IPPROTO_UDP) {
		return 0;
	}
	p->proto = proto;
	p->sport = bpf_ntohs(u->source);
	p->dport = bpf_ntohs(u->dest);
	p->l4 = l4;
	return 1;
}

static __always_inline int ps_parse_fast(void *data, void *data_end, struct ps_pkt *p, const int l3)
{
	__u8 *ip = data;
	__u16 eth_proto = 0;

	if (!l3) {
		if (data + 18 > data_end)
			return 0;
		eth_proto = *(__be16 *)(data + 12);
		ip = data + 14;
		if (eth_proto == bpf_htons(ETH_P_8021Q) || eth_proto == bpf_htons(ETH_P_8021AD) ||
		    eth_proto == bpf_htons(PS_ETH_P_QINQ1)) {
			eth_proto = *(__be16 *)(data + 16);
			ip = data + 18;
		}
	}
	if ((void *)(ip + 1) > data_end)
		return 0;
	if (l3 ? ip[0] >> 4 == 4 : eth_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *h = (void *)ip;
		if ((void *)(h + 1) > data_end || ip[0] != 0x45 || (h->frag_off & bpf_htons(0x3fff)) ||
		    bpf_ntohs(h->tot_len) < sizeof(*h) || !ps_parse_fast_l4(p, h + 1, data_end, h->protocol))
			return 0;
		p->family = PS_AF_INET;
		p->saddr[0] = h->saddr;
		p->daddr[0] = h->daddr;
		return 1;
	}
	if (l3 ? ip[0] >> 4 == 6 : eth_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *h = (void *)ip;
		if ((void *)(h + 1) > data_end || h->version != 6 || !ps_parse_fast_l4(p, h + 1, data_end, h->nexthdr))
			return 0;
		p->family = PS_AF_INET6;
		__builtin_memcpy(p->saddr, &h->saddr, 16);
		__builtin_memcpy(p->daddr, &h->daddr, 16);
		return 1;
	}
	return 0;
}

/* 1: the fast reader is off (set before load by tests that compare the two readers:
 * fw_fast_parse_equivalence). Read-only data: the verifier sees the constant, the branch costs
 * nothing at run time. */
const volatile __u32 ps_general_parser_only = 0;

/* The frame at data: Ethernet (l3 == 0) or a bare IP packet (l3 != 0; a constant, folded). */
static __always_inline int ps_parse_at(void *data, void *data_end, struct ps_pkt *p, const int l3)
{
	if (!ps_general_parser_only && ps_parse_fast(data, data_end, p, l3))
		return PS_R_NONE;
	return l3 ? ps_parse_l3(data, data_end, p) : ps_parse(data, data_end, p);
}

#endif /* PS_LIB_PARSE_H */

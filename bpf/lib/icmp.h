/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * icmp.h — the packet an ICMP/ICMPv6 error quotes.
 *
 * ps_icmp_inner() parses the IP header and first 8 transport bytes quoted after the 8-byte
 * ICMP header into *in (as a ps_pkt, so conntrack keys are built the usual way). Returns 0 on
 * success, -1 if the quote is truncated, malformed or of an IPv6 packet with extension headers
 * (not followed: such a quote is simply not "related"). Only TCP, UDP and ICMP echo quotes
 * are of interest; others return -1.
 */
#ifndef PS_LIB_ICMP_H
#define PS_LIB_ICMP_H

#include "lib/parse.h"

static __always_inline int ps_icmp_is_error(__u8 family, __u8 type)
{
	if (family == PS_AF_INET)
		return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG || type == ICMPV6_TIME_EXCEED ||
	       type == ICMPV6_PARAMPROB;
}

/*
 * Errors only the destination host itself sends (ICMP protocol and port unreachable, ICMPv6
 * port unreachable): one quoting our packet must come from that packet's destination. Every
 * other error (net/host unreachable, administratively prohibited, fragmentation needed /
 * packet too big, time exceeded, parameter problem) may come from any router on the path,
 * whose address we cannot know: any source.
 */
static __always_inline int ps_icmp_from_host_only(const struct ps_pkt *p)
{
	if (p->family == PS_AF_INET)
		return p->icmp_type == ICMP_DEST_UNREACH && (p->icmp_code == ICMP_PROT_UNREACH || p->icmp_code == ICMP_PORT_UNREACH);
	return p->icmp_type == ICMPV6_DEST_UNREACH && p->icmp_code == ICMPV6_PORT_UNREACH;
}

static __always_inline int ps_icmp_inner(const struct ps_pkt *outer, void *data_end, struct ps_pkt *in)
{
	void *cur = outer->l4 + 8;
	__u8 proto;

	in->family = outer->family;
	if (outer->family == PS_AF_INET) {
		struct iphdr *ip = cur;
		if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5)
			return -1;
		proto = ip->protocol;
		in->saddr[0] = ip->saddr;
		in->daddr[0] = ip->daddr;
		cur = (void *)ip + ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = cur;
		if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
			return -1;
		proto = ip6->nexthdr;
		__builtin_memcpy(in->saddr, &ip6->saddr, 16);
		__builtin_memcpy(in->daddr, &ip6->daddr, 16);
		cur = ip6 + 1;
	}
	in->proto = proto;
	/* The quote needs the ports / echo id: the first 8 transport bytes. */
	__u8 *l4 = cur;
	if ((void *)(l4 + 8) > data_end)
		return -1;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		in->sport = ((__u16)l4[0] << 8) | l4[1];
		in->dport = ((__u16)l4[2] << 8) | l4[3];
		return 0;
	}
	if ((proto == IPPROTO_ICMP && l4[0] == ICMP_ECHO) || (proto == IPPROTO_ICMPV6 && l4[0] == ICMPV6_ECHO_REQUEST)) {
		in->sport = in->dport = ((__u16)l4[4] << 8) | l4[5];
		return 0;
	}
	return -1;
}

#endif /* PS_LIB_ICMP_H */

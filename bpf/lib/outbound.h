/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * outbound.h — what a frame leaving the phone does to the state, and its verdict.
 *
 * Everything outbound passes (PS_R_PASS_OUTBOUND), with one exception: with
 * NO_ICMP_UNREACHABLE our ICMP/ICMPv6 port-unreachable quoting a UDP packet drops, unless the
 * quoted destination port (ours) is in the RTP range. Outbound TCP, UDP and echo requests
 * create or refresh their conntrack entry, even when the firewall is disabled (turning it on
 * later does not cut flows already running) and even without a valid policy (tracking needs
 * no policy; timeouts then do not expire entries, the LRU bounds them).
 */
#ifndef PS_LIB_OUTBOUND_H
#define PS_LIB_OUTBOUND_H

#include "lib/conntrack.h"
#include "lib/icmp.h"
#include "lib/tftp.h"

static __always_inline int ps_outbound_unreach(const struct ps_policy *pol, const struct ps_pkt *p, void *data_end)
{
	/* ICMP or ICMPv6 numbering by protocol (as the echo rules), whatever the IP version. */
	int port_unreach = p->proto == IPPROTO_ICMP ? (p->icmp_type == ICMP_DEST_UNREACH && p->icmp_code == ICMP_PORT_UNREACH)
						   : (p->icmp_type == ICMPV6_DEST_UNREACH && p->icmp_code == ICMPV6_PORT_UNREACH);
	if (!port_unreach)
		return PS_R_PASS_OUTBOUND;
	struct ps_pkt in = {};
	if (ps_icmp_inner(p, data_end, &in) != 0 || in.proto != IPPROTO_UDP)
		return PS_R_PASS_OUTBOUND;
	/* The quoted datagram was sent to us: its destination port is ours. */
	if (in.dport >= pol->rtp_min && in.dport <= pol->rtp_max)
		return PS_R_PASS_OUTBOUND;
	return PS_R_DROP_UNREACH;
}

/* l3: the frame starts at the IP header (tun); a constant, so each program keeps one parser. */
static __always_inline int ps_outbound(void *data, void *data_end, const int l3)
{
	struct ps_pkt p = {};
	int r = ps_parse_at(data, data_end, &p, l3);

	if (r == PS_R_PASS_NON_IP)
		return r;
	if (r != PS_R_NONE || p.frag == PS_FRAG_REST)
		return PS_R_PASS_OUTBOUND;

	struct ps_policy *pol = ps_policy_active();
	__u64 now = ps_now();
	switch (p.proto) {
	case IPPROTO_TCP:
		ps_ct_out_tcp(pol, &p, now);
		break;
	case IPPROTO_UDP:
		ps_ct_out_udp(pol, &p, now);
		if (p.dport == PS_TFTP_PORT)
			ps_tftp_expect(&p, now);
		break;
	case IPPROTO_ICMP:
		if (p.icmp_type == ICMP_ECHO)
			ps_ct_out_echo(pol, &p, now);
		else if (pol && (pol->flags & (PS_F_ENABLED | PS_F_NO_ICMP_UNREACH)) == (PS_F_ENABLED | PS_F_NO_ICMP_UNREACH))
			return ps_outbound_unreach(pol, &p, data_end);
		break;
	case IPPROTO_ICMPV6:
		if (p.icmp_type == ICMPV6_ECHO_REQUEST)
			ps_ct_out_echo(pol, &p, now);
		else if (pol && (pol->flags & (PS_F_ENABLED | PS_F_NO_ICMP_UNREACH)) == (PS_F_ENABLED | PS_F_NO_ICMP_UNREACH))
			return ps_outbound_unreach(pol, &p, data_end);
		break;
	}
	return PS_R_PASS_OUTBOUND;
}

#endif /* PS_LIB_OUTBOUND_H */

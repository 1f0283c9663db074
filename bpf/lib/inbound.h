/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * inbound.h — the verdict for a frame arriving at the phone.
 *
 * ps_inbound() returns a reason code (ps_is_drop() tells the verdict). It never creates
 * conntrack entries (only egress does; the ACK of our SYN-ACK moves a half-open flow to the
 * TCP table); it updates the state of flows it finds (TCP FIN/RST, last seen). Order per protocol is chosen for the common case: TCP consults conntrack first
 * (its state must follow FIN/RST), UDP the port bitmap first (RTP is the bulk of inbound
 * traffic and sits in an open range).
 */
#ifndef PS_LIB_INBOUND_H
#define PS_LIB_INBOUND_H

#include "lib/conntrack.h"
#include "lib/frag.h"
#include "lib/icmp.h"
#include "lib/tftp.h"

static __always_inline int ps_inbound_icmp(const struct ps_policy *pol, const struct ps_pkt *p, void *data_end)
{
	__u8 t = p->icmp_type;

	if (p->family == PS_AF_INET6) {
		/* MLD (130-132, 143), router and neighbour discovery (133-136) always pass; Redirect
		 * (137) drops, as IPv4's does: the phone never needs another first hop. */
		if ((t >= 130 && t <= 136) || t == 143)
			return PS_R_PASS_ICMP6_NDP;
		if (t == ICMPV6_ECHO_REQUEST) {
			if ((p->daddr[0] & bpf_htonl(0xff000000)) == bpf_htonl(0xff000000))
				return (pol->flags & PS_F_BCAST_ECHO6) ? PS_R_PASS_MCAST_ECHO6 : PS_R_DROP_MCAST_ECHO6;
			return (pol->flags & PS_F_NO_ICMP_PING) ? PS_R_DROP_NO_PING : PS_R_PASS_ECHO_REQ;
		}
		if (t == ICMPV6_ECHO_REPLY)
			return ps_ct_in(pol, p) ? PS_R_PASS_ECHO_REPLY : PS_R_DROP_ICMP;
	} else {
		if (t == ICMP_ECHO)
			return (pol->flags & PS_F_NO_ICMP_PING) ? PS_R_DROP_NO_PING : PS_R_PASS_ECHO_REQ;
		if (t == ICMP_ECHOREPLY)
			return ps_ct_in(pol, p) ? PS_R_PASS_ECHO_REPLY : PS_R_DROP_ICMP;
	}
	if (ps_icmp_is_error(p->family, t)) {
		struct ps_pkt in = {};
		struct ps_ct_key k;
		if (ps_icmp_inner(p, data_end, &in) == 0) {
			/* The quoted packet is one we sent: its source is us. */
			ps_ct_key_out(&k, &in);
			if (in.proto != IPPROTO_TCP && in.proto != IPPROTO_UDP)
				k.rport = 0;
			if (ps_ct_exists(pol, &k)) {
				if (ps_icmp_from_host_only(p) &&
				    (p->saddr[0] != in.daddr[0] || p->saddr[1] != in.daddr[1] ||
				     p->saddr[2] != in.daddr[2] || p->saddr[3] != in.daddr[3]))
					return PS_R_DROP_ICMP_SOURCE;
				return PS_R_PASS_ICMP_RELATED;
			}
		}
	}
	return PS_R_DROP_ICMP;
}

static __always_inline int ps_inbound_l4(const struct ps_policy *pol, const struct ps_pkt *p, void *data_end)
{
	switch (p->proto) {
	case IPPROTO_TCP: {
		int r = ps_ct_in_tcp(pol, p);
		if (r != PS_R_NONE)
			return r;
		return ps_port_open(pol->tcp_ports, p->dport) ? PS_R_PASS_TCP_PORT : PS_R_DROP_TCP_PORT;
	}
	case IPPROTO_UDP:
		if (ps_port_open(pol->udp_ports, p->dport))
			return PS_R_PASS_UDP_PORT;
		if (ps_ct_in(pol, p))
			return PS_R_PASS_CT;
		if (ps_tftp_match(pol, p))
			return PS_R_PASS_TFTP;
		return PS_R_DROP_UDP_PORT;
	case IPPROTO_ICMP:
		if (p->family != PS_AF_INET)
			return PS_R_DROP_PROTO;
		return ps_inbound_icmp(pol, p, data_end);
	case IPPROTO_ICMPV6:
		if (p->family != PS_AF_INET6)
			return PS_R_DROP_PROTO;
		return ps_inbound_icmp(pol, p, data_end);
	case IPPROTO_IGMP:
		return p->family == PS_AF_INET ? PS_R_PASS_IGMP : PS_R_DROP_PROTO;
	}
	return PS_R_DROP_PROTO;
}

/* l3: the frame starts at the IP header (tun); a constant, so each program keeps one parser. */
static __always_inline int ps_inbound(void *data, void *data_end, const int l3)
{
	struct ps_pkt p = {};
	int r = ps_parse_at(data, data_end, &p, l3);

	if (r == PS_R_PASS_NON_IP)
		return r;
	struct ps_policy *pol = ps_policy_active();
	if (!pol)
		return PS_R_DROP_NO_POLICY;
	if (!(pol->flags & PS_F_ENABLED))
		return PS_R_PASS_DISABLED;
	if (r != PS_R_NONE)
		return r;

	if (p.frag == PS_FRAG_REST)
		return ps_frag_follow(pol, &p);
	r = ps_inbound_l4(pol, &p, data_end);
	if (p.frag == PS_FRAG_FIRST)
		ps_frag_record(&p, r);
	return r;
}

#endif /* PS_LIB_INBOUND_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * phonesec_abi.h — the one header both the BPF programs and the C++ controller include.
 *
 * Everything that crosses the kernel/user boundary is defined here and only here: map keys and
 * values, the policy layout, flags and reason codes. Fixed-width types only, explicit padding,
 * no bool/bitfields/enum-typed fields; sizes and offsets are pinned with static asserts so a
 * change on one side cannot silently disagree with the other.
 *
 * Reason codes are numbered for good: never renumber one, retire it as PS_R_UNUSEDn.
 */
#ifndef PHONESEC_ABI_H
#define PHONESEC_ABI_H

#include <linux/types.h>
#ifdef __cplusplus
#define PS_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define PS_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

#define PS_ABI_VERSION 1

/* ---- policy ------------------------------------------------------------------------------ */

/* Policy flags (struct ps_policy.flags). */
#define PS_F_ENABLED          (1u << 0) /* Firewall = Enabled; otherwise every packet passes   */
#define PS_F_NO_ICMP_PING     (1u << 1) /* drop inbound ICMP/ICMPv6 echo requests              */
#define PS_F_NO_ICMP_UNREACH  (1u << 2) /* drop our outbound UDP port-unreachable (not RTP)     */
#define PS_F_BCAST_ECHO6      (1u << 3) /* answer IPv6 multicast echo (legacy Broadcast_Echo)   */
#define PS_F_VALID            (1u << 31) /* set by the compiler: a slot never written is invalid */

#define PS_PORT_WORDS 1024 /* 65536 ports / 64 bits */

/* Idle timeouts, nanoseconds. Tunables: the controller fills them from the config. */
struct ps_timeouts {
	__u64 tcp_syn_ns;       /* SYN sent, no answer yet                                    */
	__u64 tcp_est_ns;       /* established                                                */
	__u64 tcp_close_ns;     /* FIN seen both ways: time for the last ACKs                 */
	__u64 udp_ns;           /* UDP flow (and TFTP expectation) idle                       */
	__u64 icmp_ns;          /* echo request waiting for its replies                       */
	__u64 frag_ns;          /* a first fragment's verdict, for the rest of its datagram    */
};
PS_STATIC_ASSERT(sizeof(struct ps_timeouts) == 48, "ps_timeouts layout");

/*
 * One compiled policy. Two of these live in the policy map (double buffer); the active map
 * says which one the programs read. Port sets are bitmaps: bit p of udp_ports is inbound UDP
 * destination port p open (O(1) whatever the ranges).
 */
struct ps_policy {
	__u32 flags;
	__u32 generation;       /* bumped by the controller on each swap (status, tests)      */
	__u16 rtp_min;          /* NO_ICMP_UNREACHABLE exception: [rtp_min, rtp_max] inclusive */
	__u16 rtp_max;          /* (the compiler stores RTP_Port_Max + 1 here)                */
	__u32 _pad0;
	struct ps_timeouts to;
	__u64 udp_ports[PS_PORT_WORDS];
	__u64 tcp_ports[PS_PORT_WORDS];
};
PS_STATIC_ASSERT(sizeof(struct ps_policy) == 64 + 2 * 8 * PS_PORT_WORDS, "ps_policy layout");

#define PS_POLICY_SLOTS 2

/* ps_active (ARRAY of __u32): [PS_ACTIVE_SLOT] the policy slot the programs read, flipped by the
 * controller; [PS_ACTIVE_TFTP] when egress last recorded a TFTP expectation, in units of 2^30 ns
 * (~1.07 s), so ingress skips the expectation lookup when none can be live. */
#define PS_ACTIVE_SLOT    0
#define PS_ACTIVE_TFTP    1
#define PS_ACTIVE_ENTRIES 2
#define PS_TFTP_HINT_SHIFT 30

/* ---- clock -------------------------------------------------------------------------------- */

/* The CONFIG_HZ values the programs' clock scales jiffies for (bpf/lib/clock.h, ps_now); with
 * any other HZ, or none known, it is the coarse monotonic clock. An X-macro, so the programs and
 * the controller's report of the clock (fw::Firewall::clock_source) expand the same list. */
#define PS_CLOCK_HZ_LIST(X) X(100) X(200) X(250) X(300) X(500) X(1000)

/* ---- connection tracking ---------------------------------------------------------------- */

/*
 * Conntrack key, always oriented from the phone's side so egress (creates) and ingress (looks
 * up) build the same key: l* = local (our address/port), r* = remote. IPv4 addresses use
 * laddr[0]/raddr[0] with the rest zero. For ICMP echo, lport is the echo identifier, rport 0.
 */
struct ps_ct_key {
	__u8 family;            /* PS_AF_INET / PS_AF_INET6                                    */
	__u8 proto;             /* IPPROTO_TCP / UDP / ICMP / ICMPV6                           */
	__be16 lport;
	__be16 rport;
	__u16 _pad0;
	__be32 laddr[4];
	__be32 raddr[4];
};
PS_STATIC_ASSERT(sizeof(struct ps_ct_key) == 40, "ps_ct_key layout");

#define PS_AF_INET  4
#define PS_AF_INET6 6

/* TCP states (ps_ct_val.state). */
#define PS_CT_SYN_SENT    1
#define PS_CT_ESTABLISHED 2
#define PS_CT_CLOSING     3 /* FIN seen in both directions */
#define PS_CT_UDP         4
#define PS_CT_ICMP        5
#define PS_CT_SYN_RECV    6 /* our SYN-ACK sent, the peer's ACK of it not seen yet (tcp_syn_ns) */

/* ps_ct_val.flags */
#define PS_CTF_FIN_OUT (1u << 0)
#define PS_CTF_FIN_IN  (1u << 1)
#define PS_CTF_REPLIED (1u << 2) /* something came back in on this flow */
#define PS_CTF_RCV_NXT (1u << 3) /* rcv_nxt/rcv_wnd hold our last ACK and window (TCP)    */
#define PS_CTF_SND_NXT (1u << 4) /* snd_nxt holds our SYN's (or SYN-ACK's) sequence + 1     */

/*
 * TCP sequence tracking (RFC 5961 §3), from what the phone sends, never from what it receives:
 * rcv_nxt is the ACK field of our last segment (the next sequence number the peer should
 * send), rcv_wnd the window field we advertised with it, unscaled (the programs read no TCP
 * options: the window is taken at the widest scale, rcv_wnd << PS_TCP_MAX_WSCALE). An inbound
 * RST ends the flow only when its sequence number is exactly rcv_nxt; inside the window it
 * passes (the stack challenges it, RFC 5961) and the flow stays; outside it drops. Before we
 * sent any ACK (SYN sent), an RST ends the flow only when it acknowledges our SYN (ACK set and
 * ack == snd_nxt, RFC 793/5961), else it drops. A SYN_RECV flow becomes established only on
 * the peer's ACK of our SYN-ACK (ack == snd_nxt).
 */
#define PS_TCP_MAX_WSCALE 14

struct ps_ct_val {
	__u64 created_ns;       /* ps_now() at creation (bpf/lib/clock.h: not CLOCK_MONOTONIC)  */
	__u64 last_seen_ns;     /* refreshed in place, at most about once a second             */
	__u32 state;
	__u32 flags;
	__u64 pkts_in;          /* best effort (not atomic): for `phonesec flows`              */
	__u64 pkts_out;
	__u32 rcv_nxt;          /* TCP, host order: our last ACK field (PS_CTF_RCV_NXT)          */
	__u32 snd_nxt;          /* TCP, host order: our SYN's sequence number + 1 (PS_CTF_SND_NXT) */
	__u16 rcv_wnd;          /* TCP: the window field of our last ACK, unscaled               */
	__u16 _pad0;
	__u32 _pad1;
};
PS_STATIC_ASSERT(sizeof(struct ps_ct_val) == 56, "ps_ct_val layout");
PS_STATIC_ASSERT(__builtin_offsetof(struct ps_ct_val, rcv_nxt) == 40, "ps_ct_val layout");
PS_STATIC_ASSERT(__builtin_offsetof(struct ps_ct_val, rcv_wnd) == 48, "ps_ct_val layout");

/* Refresh last_seen only when it is older than this (an in-place store, no map update). */
#define PS_CT_REFRESH_NS 1000000000ull

/*
 * TFTP expectation (RFC 1350 TIDs): our request to server port 69 from lport lets the same
 * server answer from any source port to lport.
 */
struct ps_tftp_key {
	__u8 family;
	__u8 _pad0;
	__be16 lport;
	__be32 laddr[4];
	__be32 raddr[4];
};
PS_STATIC_ASSERT(sizeof(struct ps_tftp_key) == 36, "ps_tftp_key layout");

struct ps_tftp_val {
	__u64 last_seen_ns;
};

/* ---- fragments -------------------------------------------------------------------------- */

/* A datagram's identity: its first fragment's verdict applies to the others. */
struct ps_frag_key {
	__u8 family;
	__u8 proto;             /* IPv4 protocol / next header of the IPv6 Fragment header     */
	__u16 _pad0;
	__u32 id;               /* IPv4 id (16 bits) or IPv6 fragment id                       */
	__be32 saddr[4];
	__be32 daddr[4];
};
PS_STATIC_ASSERT(sizeof(struct ps_frag_key) == 40, "ps_frag_key layout");

struct ps_frag_val {
	__u64 seen_ns;
	__u32 verdict;          /* PS_V_PASS / PS_V_DROP                                       */
	__u32 reason;           /* the first fragment's reason                                 */
};
PS_STATIC_ASSERT(sizeof(struct ps_frag_val) == 16, "ps_frag_val layout");

/* ---- verdicts and reasons --------------------------------------------------------------- */

#define PS_V_PASS 0
#define PS_V_DROP 1

/* Reason codes. 1..31 pass, 32..63 drop. Never renumber. */
#define PS_R_NONE              0
#define PS_R_PASS_DISABLED     1  /* Firewall = Disabled                                    */
#define PS_R_PASS_NON_IP       2  /* ARP, EAPOL, LLDP, CDP, …                               */
#define PS_R_PASS_OUTBOUND     3  /* all outbound traffic passes                            */
#define PS_R_PASS_CT           4  /* return traffic of a tracked flow                        */
#define PS_R_PASS_UDP_PORT     5  /* inbound UDP to an open port                             */
#define PS_R_PASS_TCP_PORT     6  /* inbound TCP to an open port                             */
#define PS_R_PASS_ECHO_REQ     7  /* inbound echo request (ping)                             */
#define PS_R_PASS_ECHO_REPLY   8  /* reply to our own echo request                           */
#define PS_R_PASS_ICMP_RELATED 9  /* ICMP error quoting a tracked flow                       */
#define PS_R_PASS_ICMP6_NDP    10 /* neighbour discovery, router discovery, MLD              */
#define PS_R_PASS_TFTP         11 /* reply from the TFTP server we asked on port 69          */
#define PS_R_PASS_FRAG         12 /* non-first fragment of a datagram whose first passed     */
#define PS_R_PASS_IGMP         13 /* IGMP (the IPv4 twin of MLD)                             */
#define PS_R_PASS_MCAST_ECHO6  14 /* IPv6 multicast echo, Broadcast_Echo = Yes               */
#define PS_R_PASS_RST_IN_WINDOW 15 /* RST of a tracked flow inside the window, not at rcv_nxt:
				     * passed to the stack (which challenges it), flow kept   */
#define PS_R_PASS_MAX          31

#define PS_R_DROP_UDP_PORT     32 /* inbound UDP to a closed port                            */
#define PS_R_DROP_TCP_PORT     33 /* inbound TCP to a closed port, no tracked flow           */
#define PS_R_DROP_NO_PING      34 /* echo request with NO_ICMP_PING                          */
#define PS_R_DROP_ICMP         35 /* unsolicited ICMP/ICMPv6 (not related, not an echo)      */
#define PS_R_DROP_UNREACH      36 /* outbound UDP port-unreachable with NO_ICMP_UNREACHABLE  */
#define PS_R_DROP_FRAG_ORPHAN  37 /* non-first fragment with no first fragment seen          */
#define PS_R_DROP_FRAG         38 /* non-first fragment of a datagram whose first dropped    */
#define PS_R_DROP_MALFORMED    39 /* truncated or malformed header                           */
#define PS_R_DROP_EXTHDR       40 /* IPv6 extension-header chain too long or unknown         */
#define PS_R_DROP_PROTO        41 /* inbound IP protocol that is never open                  */
#define PS_R_DROP_MCAST_ECHO6  42 /* IPv6 multicast echo, Broadcast_Echo = No                */
#define PS_R_DROP_NO_POLICY    43 /* no valid policy slot: fail closed                       */
#define PS_R_DROP_RST_WINDOW   44 /* RST of a tracked flow outside its window (a blind reset) */
#define PS_R_DROP_ICMP_SOURCE  45 /* ICMP error quoting a tracked flow, from a source that
				     * cannot have sent it (bpf/lib/icmp.h)                  */
#define PS_R_MAX               64

/* Stats map index: dir * PS_R_MAX + reason. */
#define PS_DIR_IN  0
#define PS_DIR_OUT 1
#define PS_STATS_ENTRIES (2 * PS_R_MAX)

struct ps_stat {
	__u64 packets;
	__u64 bytes;
};
PS_STATIC_ASSERT(sizeof(struct ps_stat) == 16, "ps_stat layout");

/* ---- map sizing defaults (tunables: the loader may resize before load) ----------------- */
#define PS_CT_TCP_MAX_DEFAULT   8192
#define PS_CT_UDP_MAX_DEFAULT   16384
#define PS_CT_ICMP_MAX_DEFAULT  1024
#define PS_CT_SYN_MAX_DEFAULT   1024 /* half-open handshakes (PS_CT_SYN_RECV), a table of their own */
#define PS_TFTP_MAX_DEFAULT     256
#define PS_FRAG_MAX_DEFAULT     1024

/* IPv6 extension headers walked before giving up (fail closed). */
#define PS_IPV6_MAX_EXTHDR 8

#endif /* PHONESEC_ABI_H */

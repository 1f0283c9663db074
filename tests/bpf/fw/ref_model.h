// SPDX-License-Identifier: Apache-2.0
// A small reference model of the firewall policy, written from DESIGN.md "Firewall semantics"
// and the seed's tables 3-5, independent of the BPF programs and of the policy compiler: its
// own frame parser, its own port rules (no bitmaps), its own Firewall_Config reader and its
// own flow/TFTP/fragment state. The differential test runs the same frames through both.
//
// Time is not modelled: the test only uses timeouts of 0 (an entry is gone by the next packet)
// or of at least a minute (an entry never expires within an episode), and keeps them fixed
// within an episode, so "alive" is a function of the entry's state and the timeouts.
//
// Bounds the model shares with the implementation, being part of the contract: at most two
// VLAN tags (a third is malformed), at most PS_IPV6_MAX_EXTHDR IPv6 extension headers, and no
// header starting beyond byte 1023 of the frame (fail closed).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "config/phone_config.h"

namespace phonesec::test::model {

// Deliberately wrong variants of the model: a differential test must notice each of them.
enum class Mutant {
  none, ignore_no_icmp_ping, rtp_max_exclusive, udp_flows_not_tracked, tcp_rst_keeps_flow, frag_ignores_first,
  rst_any_seq_ends_flow,     // the old rule: any RST on the 5-tuple ends the flow
  syn_ack_established,       // the old rule: our SYN-ACK makes an established flow
  icmp_any_source,           // the old rule: a related port unreachable may come from anywhere
};

struct Verdict {
  bool pass;
  unsigned reason;  // PS_R_* (the vocabulary of phonesec_abi.h)
};

// The inputs of the policy, as in cfg.xml.
struct Config {
  config::PhoneConfig phone;   // firewall_enabled, lines, rtp, web server, PFS, TR-069, Broadcast_Echo, tunables
  std::string firewall_config; // Firewall_Config text (read by the model itself)
  std::uint16_t tr069_port = 0;
};

class Model {
 public:
  explicit Model(Mutant m = Mutant::none) : mutant_(m) {}
  void configure(const Config& c);  // a reload: flows, expectations and fragments survive
  Verdict inbound(const std::vector<std::uint8_t>& frame);
  Verdict outbound(const std::vector<std::uint8_t>& frame);
  void clear_state();

  // Parsed frame (public for the generator's bookkeeping and the test's messages).
  struct Pkt {
    unsigned status = 0;  // 0 ok, PS_R_PASS_NON_IP, PS_R_DROP_MALFORMED, PS_R_DROP_EXTHDR
    int family = 0;       // 4 / 6
    int proto = -1;
    enum { whole, first, rest } frag = whole;
    int frag_proto = -1;  // IPv6: the Fragment header's next header (the datagram's identity)
    std::uint32_t frag_id = 0;
    std::array<std::uint8_t, 16> src{}, dst{};
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t tcp_flags = 0, icmp_type = 0, icmp_code = 0;
    std::uint32_t seq = 0, ack = 0;  // TCP sequence and acknowledgment numbers
    std::uint16_t win = 0;           // TCP window field
    std::size_t l4 = 0;  // offset of the transport header
  };
  static Pkt parse(const std::vector<std::uint8_t>& f);

 private:
  using Addr = std::array<std::uint8_t, 16>;
  using FlowKey = std::tuple<int, int, std::uint16_t, std::uint16_t, Addr, Addr>;  // fam, proto, lport, rport, local, remote
  struct Flow {
    enum State { syn_sent, syn_recv, established, closing, udp, icmp } state;
    bool fin_out = false, fin_in = false;
    // RFC 5961 §3 from what we send: our last ACK and window; our SYN's sequence + 1.
    bool has_rcv_nxt = false, has_snd_nxt = false;
    std::uint32_t rcv_nxt = 0, snd_nxt = 0;
    std::uint16_t rcv_wnd = 0;
  };
  using FragKey = std::tuple<int, int, std::uint32_t, Addr, Addr>;
  using TftpKey = std::tuple<int, std::uint16_t, Addr, Addr>;

  bool udp_open(std::uint16_t port) const;
  bool tcp_open(std::uint16_t port) const;
  bool in_rtp_range(std::uint16_t port) const;
  bool alive(const Flow& f) const;
  Flow* find(const FlowKey& k);
  unsigned inbound_l4(const Pkt& p, const std::vector<std::uint8_t>& f);
  unsigned inbound_icmp(const Pkt& p, const std::vector<std::uint8_t>& f);
  // The packet an ICMP error quotes: false if not a TCP/UDP packet or an echo request, whole.
  bool quoted(const Pkt& outer, const std::vector<std::uint8_t>& f, Pkt& in) const;
  void out_tcp(const Pkt& p);
  unsigned in_tcp(const FlowKey& key, Flow& fl, const Pkt& p);

  Mutant mutant_;
  Config cfg_;
  bool no_ping_ = false, no_unreach_ = false, no_cisco_tftp_ = false;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> udp_opt_, tcp_opt_;
  std::map<FlowKey, Flow> flows_;
  std::set<TftpKey> tftp_;
  std::map<FragKey, bool> frags_;  // datagram → its first fragment passed
};

}  // namespace phonesec::test::model

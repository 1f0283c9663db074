// SPDX-License-Identifier: Apache-2.0
// The reference model's policy: DESIGN.md "Firewall semantics" and the seed's tables 3-5,
// rule by rule, with the flow state kept in std::map (no LRU: the test keeps tables small).
#include <algorithm>
#include <cctype>
#include <sstream>

#include "phonesec_abi.h"
#include "ref_model.h"

namespace phonesec::test::model {
namespace {

std::string trim_lower(std::string s) {
  auto sp = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && sp(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && sp(s[i])) ++i;
  s = s.substr(i);
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream is(s);
  while (std::getline(is, cur, sep)) out.push_back(trim_lower(cur));
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

// "1".."65535" in decimal, else 0.
std::uint32_t port_of(const std::string& s) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), ::isdigit)) return 0;
  std::uint32_t v = std::uint32_t(std::stoul(s));
  return v <= 65535 ? v : 0;
}

}  // namespace

void Model::configure(const Config& c) {
  cfg_ = c;
  no_ping_ = no_unreach_ = no_cisco_tftp_ = false;
  udp_opt_.clear();
  tcp_opt_.clear();
  // Seed table 5: comma-separated keywords, values after colons; a bad token is skipped.
  for (const auto& tok : split(c.firewall_config, ',')) {
    auto parts = split(tok, ':');
    if (parts.empty()) continue;
    if (parts.size() == 1 && parts[0] == "no_icmp_ping") no_ping_ = true;
    else if (parts.size() == 1 && parts[0] == "no_icmp_unreachable") no_unreach_ = true;
    else if (parts.size() == 1 && parts[0] == "no_cisco_tftp") no_cisco_tftp_ = true;
    else if ((parts[0] == "udp" || parts[0] == "tcp") && (parts.size() == 2 || parts.size() == 3)) {
      std::uint32_t lo = port_of(parts[1]), hi = parts.size() == 3 ? port_of(parts[2]) : lo;
      auto& list = parts[0] == "udp" ? udp_opt_ : tcp_opt_;
      if (lo && hi && lo <= hi && list.size() < 5) list.emplace_back(std::uint16_t(lo), std::uint16_t(hi));
    }
  }
}

void Model::clear_state() {
  flows_.clear();
  tftp_.clear();
  frags_.clear();
}

bool Model::in_rtp_range(std::uint16_t port) const {
  // RTP Port Min … RTP Port Max + 1 (table 3).
  std::uint32_t hi = std::uint32_t(cfg_.phone.rtp_port_max) + (mutant_ == Mutant::rtp_max_exclusive ? 0 : 1);
  return port >= cfg_.phone.rtp_port_min && port <= hi;
}

bool Model::udp_open(std::uint16_t port) const {
  const auto& c = cfg_.phone;
  if (port == 68 || port == 546) return true;  // DHCP / DHCPv6 clients
  for (const auto& l : c.lines)
    if (l.enable && (l.sip_transport == config::SipTransport::UDP || l.sip_transport == config::SipTransport::Auto) &&
        l.sip_port == port)
      return true;
  if (in_rtp_range(port)) return true;
  if (port == 4051 && c.upgrade_enable && c.peer_firmware_sharing) return true;
  if (port >= 53240 && port <= 53245 && !no_cisco_tftp_) return true;
  if (port == 7999 && c.tr069_enabled) return true;
  for (auto [lo, hi] : udp_opt_)
    if (port >= lo && port <= hi) return true;
  return false;
}

bool Model::tcp_open(std::uint16_t port) const {
  const auto& c = cfg_.phone;
  if (c.web_server_enabled && port == c.web_server_port) return true;
  if ((port == 4051 || port == 6970) && c.upgrade_enable && c.peer_firmware_sharing) return true;
  if (c.tr069_enabled && port == cfg_.tr069_port) return true;
  for (auto [lo, hi] : tcp_opt_)
    if (port >= lo && port <= hi) return true;
  return false;
}

bool Model::alive(const Flow& f) const {
  const auto& t = cfg_.phone.fw_tunables;
  switch (f.state) {
    case Flow::syn_sent:
    case Flow::syn_recv: return t.tcp_syn_timeout_s > 0;
    case Flow::established: return t.tcp_established_timeout_s > 0;
    case Flow::closing: return t.tcp_close_timeout_s > 0;
    case Flow::udp: return t.udp_timeout_s > 0;
    case Flow::icmp: return t.icmp_timeout_s > 0;
  }
  return false;
}

Model::Flow* Model::find(const FlowKey& k) {
  auto it = flows_.find(k);
  if (it == flows_.end()) return nullptr;
  if (!alive(it->second)) {
    flows_.erase(it);
    return nullptr;
  }
  return &it->second;
}

bool Model::quoted(const Pkt& outer, const std::vector<std::uint8_t>& f, Pkt& in) const {
  std::size_t at = outer.l4 + 8;
  in.family = outer.family;
  std::size_t l4;
  if (outer.family == 4) {
    if (at + 20 > f.size() || (f[at] >> 4) != 4 || (f[at] & 0xf) < 5) return false;
    in.proto = f[at + 9];
    std::copy(f.begin() + long(at) + 12, f.begin() + long(at) + 16, in.src.begin());
    std::copy(f.begin() + long(at) + 16, f.begin() + long(at) + 20, in.dst.begin());
    l4 = at + std::size_t(f[at] & 0xf) * 4;
  } else {
    if (at + 40 > f.size() || (f[at] >> 4) != 6) return false;
    in.proto = f[at + 6];  // a quote with extension headers is not followed
    std::copy(f.begin() + long(at) + 8, f.begin() + long(at) + 24, in.src.begin());
    std::copy(f.begin() + long(at) + 24, f.begin() + long(at) + 40, in.dst.begin());
    l4 = at + 40;
  }
  if (l4 + 8 > f.size()) return false;
  if (in.proto == 6 || in.proto == 17) {
    in.sport = std::uint16_t(f[l4] << 8 | f[l4 + 1]);
    in.dport = std::uint16_t(f[l4 + 2] << 8 | f[l4 + 3]);
    return true;
  }
  if ((in.proto == 1 && f[l4] == 8) || (in.proto == 58 && f[l4] == 128)) {
    in.sport = std::uint16_t(f[l4 + 4] << 8 | f[l4 + 5]);
    in.dport = 0;
    return true;
  }
  return false;
}

unsigned Model::inbound_icmp(const Pkt& p, const std::vector<std::uint8_t>& f) {
  const std::uint8_t t = p.icmp_type;
  const bool v6 = p.proto == 58;
  const bool no_ping = no_ping_ && mutant_ != Mutant::ignore_no_icmp_ping;
  if (v6 && ((t >= 130 && t <= 136) || t == 143)) return PS_R_PASS_ICMP6_NDP;  // ND, RD, MLD; not Redirect (137)
  if (t == (v6 ? 128 : 8)) {
    if (v6 && p.dst[0] == 0xff)  // IPv6 multicast echo: the legacy Broadcast_Echo setting decides
      return cfg_.phone.broadcast_echo ? PS_R_PASS_MCAST_ECHO6 : PS_R_DROP_MCAST_ECHO6;
    return no_ping ? PS_R_DROP_NO_PING : PS_R_PASS_ECHO_REQ;
  }
  if (t == (v6 ? 129 : 0))  // a reply to our echo request (identifier = our side's "port")
    return find({p.family, p.proto, p.dport, 0, p.dst, p.src}) ? PS_R_PASS_ECHO_REPLY : PS_R_DROP_ICMP;
  const bool error = v6 ? (t >= 1 && t <= 4) : (t == 3 || t == 11 || t == 12);
  Pkt in;
  if (error && quoted(p, f, in)) {
    // The quoted packet is one we sent: related if its flow is tracked.
    auto it = flows_.find({in.family, in.proto, in.sport, in.dport, in.src, in.dst});
    if (it != flows_.end() && alive(it->second)) {
      // Port (and IPv4 protocol) unreachable come from the quoted destination itself; the
      // other errors from any router on the path.
      const bool host_only = v6 ? (t == 1 && p.icmp_code == 4) : (t == 3 && (p.icmp_code == 2 || p.icmp_code == 3));
      if (host_only && p.src != in.dst && mutant_ != Mutant::icmp_any_source) return PS_R_DROP_ICMP_SOURCE;
      return PS_R_PASS_ICMP_RELATED;
    }
  }
  return PS_R_DROP_ICMP;
}

// A segment of a tracked TCP flow, inbound: its reason, or 0 when the port rules decide.
unsigned Model::in_tcp(const FlowKey& key, Flow& fl, const Pkt& p) {
  if (p.tcp_flags & 0x04) {
    // RFC 5961 §3: exactly at our last ACK ends the flow; inside the window (taken at the
    // widest scale, 2^14) passes for the stack to challenge; elsewhere drops. Before any ACK
    // of ours only an RST acknowledging our SYN ends it.
    unsigned r;
    if (mutant_ == Mutant::rst_any_seq_ends_flow) r = PS_R_PASS_CT;
    else if (fl.has_rcv_nxt) {
      const std::uint32_t d = p.seq - fl.rcv_nxt;
      r = d == 0 ? PS_R_PASS_CT : std::uint64_t(d) < (std::uint64_t(fl.rcv_wnd) << 14) ? PS_R_PASS_RST_IN_WINDOW : PS_R_DROP_RST_WINDOW;
    } else {
      r = fl.has_snd_nxt && (p.tcp_flags & 0x10) && p.ack == fl.snd_nxt ? PS_R_PASS_CT : PS_R_DROP_RST_WINDOW;
    }
    if (r == PS_R_PASS_CT && mutant_ != Mutant::tcp_rst_keeps_flow) flows_.erase(key);
    return r;
  }
  if (fl.state == Flow::syn_recv) {
    // Half-open: established only by the peer's ACK of our SYN-ACK.
    if ((p.tcp_flags & 0x12) != 0x10 || !fl.has_snd_nxt || p.ack != fl.snd_nxt) return 0;  // the port decides
    fl.state = Flow::established;
  } else if (fl.state == Flow::syn_sent && (p.tcp_flags & 0x12) == 0x12) {
    fl.state = Flow::established;
  }
  if (p.tcp_flags & 0x01) {
    fl.fin_in = true;
    if (fl.fin_out) fl.state = Flow::closing;
  }
  return PS_R_PASS_CT;
}

unsigned Model::inbound_l4(const Pkt& p, const std::vector<std::uint8_t>& f) {
  const FlowKey key{p.family, p.proto, p.dport, p.sport, p.dst, p.src};
  switch (p.proto) {
    case 6:
      if (Flow* fl = find(key))
        if (unsigned r = in_tcp(key, *fl, p)) return r;
      return tcp_open(p.dport) ? PS_R_PASS_TCP_PORT : PS_R_DROP_TCP_PORT;
    case 17:
      if (udp_open(p.dport)) return PS_R_PASS_UDP_PORT;
      if (find(key)) return PS_R_PASS_CT;
      // TFTP (RFC 1350): the server we asked on port 69 answers from any port to ours.
      if (tftp_.count({p.family, p.dport, p.dst, p.src}) && cfg_.phone.fw_tunables.udp_timeout_s > 0) return PS_R_PASS_TFTP;
      return PS_R_DROP_UDP_PORT;
    case 1:
    case 58:
      if ((p.proto == 1) != (p.family == 4)) return PS_R_DROP_PROTO;  // ICMP is IPv4's, ICMPv6 IPv6's
      return inbound_icmp(p, f);
    case 2:
      return p.family == 4 ? PS_R_PASS_IGMP : PS_R_DROP_PROTO;
  }
  return PS_R_DROP_PROTO;
}

Verdict Model::inbound(const std::vector<std::uint8_t>& f) {
  Pkt p = parse(f);
  if (p.status == PS_R_PASS_NON_IP) return {true, PS_R_PASS_NON_IP};
  if (!cfg_.phone.firewall_enabled) return {true, PS_R_PASS_DISABLED};
  if (p.status) return {false, p.status};
  const FragKey fk{p.family, p.family == 6 ? p.frag_proto : p.proto, p.frag_id, p.src, p.dst};
  if (p.frag == Pkt::rest) {
    auto it = frags_.find(fk);
    if (it == frags_.end() || cfg_.phone.fw_tunables.frag_timeout_s == 0) return {false, PS_R_DROP_FRAG_ORPHAN};
    if (mutant_ == Mutant::frag_ignores_first) return {true, PS_R_PASS_FRAG};
    return it->second ? Verdict{true, PS_R_PASS_FRAG} : Verdict{false, PS_R_DROP_FRAG};
  }
  unsigned r = inbound_l4(p, f);
  const bool pass = r <= PS_R_PASS_MAX;
  if (p.frag == Pkt::first) frags_[fk] = pass;
  return {pass, r};
}

void Model::out_tcp(const Pkt& p) {
  const FlowKey key{p.family, 6, p.sport, p.dport, p.src, p.dst};
  const std::uint8_t fl = p.tcp_flags;
  auto learn = [&](Flow& f) {  // what our segment says of the sequence space
    if (fl & 0x02) f.has_snd_nxt = true, f.snd_nxt = p.seq + 1;
    if (fl & 0x10) f.has_rcv_nxt = true, f.rcv_nxt = p.ack, f.rcv_wnd = p.win;
  };
  if (Flow* f = find(key)) {
    if ((fl & 0x12) == 0x02 && f->state == Flow::closing) {  // port reuse
      *f = {Flow::syn_sent};
      learn(*f);
      return;
    }
    if (fl & 0x04) { flows_.erase(key); return; }
    if (f->state == Flow::syn_sent && (fl & 0x12) == 0x12) f->state = Flow::established;
    if (fl & 0x01) {
      f->fin_out = true;
      if (f->fin_in) f->state = Flow::closing;
    }
    learn(*f);
    return;
  }
  if (fl & 0x04) return;
  // A SYN opens half-way; our SYN-ACK is half-open until the peer's ACK; any other segment of
  // an untracked flow is taken as established.
  Flow n{(fl & 0x12) == 0x02 ? Flow::syn_sent
         : (fl & 0x02) && mutant_ != Mutant::syn_ack_established ? Flow::syn_recv
                                                                 : Flow::established};
  n.fin_out = fl & 0x01;
  learn(n);
  flows_[key] = n;
}

Verdict Model::outbound(const std::vector<std::uint8_t>& f) {
  Pkt p = parse(f);
  if (p.status == PS_R_PASS_NON_IP) return {true, PS_R_PASS_NON_IP};
  if (p.status || p.frag == Pkt::rest) return {true, PS_R_PASS_OUTBOUND};
  const FlowKey key{p.family, p.proto, p.sport, p.dport, p.src, p.dst};
  if (p.proto == 6) {
    out_tcp(p);
  } else if (p.proto == 17) {
    if (mutant_ != Mutant::udp_flows_not_tracked && !find(key)) flows_[key] = {Flow::udp};
    if (p.dport == 69) tftp_.insert({p.family, p.sport, p.src, p.dst});
  } else if (p.proto == 1 || p.proto == 58) {
    const bool v6 = p.proto == 58;
    if (p.icmp_type == (v6 ? 128 : 8)) {
      if (!find({p.family, p.proto, p.sport, 0, p.src, p.dst})) flows_[{p.family, p.proto, p.sport, 0, p.src, p.dst}] = {Flow::icmp};
    } else if (cfg_.phone.firewall_enabled && no_unreach_ &&
               (v6 ? (p.icmp_type == 1 && p.icmp_code == 4) : (p.icmp_type == 3 && p.icmp_code == 3))) {
      // NO_ICMP_UNREACHABLE: our UDP port-unreachable drops unless the port is an RTP port.
      Pkt in;
      if (quoted(p, f, in) && in.proto == 17 && !in_rtp_range(in.dport)) return {false, PS_R_DROP_UNREACH};
    }
  }
  return {true, PS_R_PASS_OUTBOUND};
}

}  // namespace phonesec::test::model

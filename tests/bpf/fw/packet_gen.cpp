// SPDX-License-Identifier: Apache-2.0
#include "packet_gen.h"

#include <algorithm>
#include <cctype>

#include <gtest/gtest.h>

#include "labkit/fw_harness.h"


namespace phonesec::test {
namespace {

constexpr std::uint8_t SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08;
const std::vector<std::uint8_t> kTcpFlags = {SYN, SYN | ACK, ACK, ACK | PSH, FIN | ACK, RST, RST | ACK, FIN, 0, 0xff};
const std::vector<std::string> kRemote4 = {"10.0.0.1", "10.0.0.3", "192.0.2.1"};
const std::vector<std::string> kRemote6 = {"fd00::1", "fd00::3", "2001:db8::9"};
const std::vector<std::uint8_t> kExt6 = {0, 43, 60, 60, 51, 135};

std::string random_case(Rng& r, std::string s) {
  for (auto& c : s)
    if (r.chance(30)) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string PacketGen::firewall_config_text() {
  std::vector<std::string> toks;
  const unsigned n = rng_.below(9);
  for (unsigned i = 0; i < n; ++i) {
    const std::string kw = rng_.chance(50) ? "UDP" : "TCP";
    std::uint32_t lo = rng_.chance(60) ? rng_.range(1024, 20000) : rng_.range(1, 65535);
    std::uint32_t hi = std::min<std::uint32_t>(65535, lo + rng_.below(rng_.chance(50) ? 3 : 300));
    switch (rng_.below(12)) {
      case 0: toks.push_back("NO_ICMP_PING"); break;
      case 1: toks.push_back("NO_ICMP_UNREACHABLE"); break;
      case 2: toks.push_back("NO_CISCO_TFTP"); break;
      case 3: case 4: toks.push_back(kw + ":" + std::to_string(lo)); break;
      case 5: case 6: toks.push_back(kw + ":" + std::to_string(lo) + ":" + std::to_string(hi)); break;
      case 7: toks.push_back(kw + " : " + std::to_string(lo) + " :" + std::to_string(hi)); break;
      case 8: toks.push_back(kw + ":" + std::to_string(hi + 1) + ":" + std::to_string(lo)); break;  // x > y
      case 9: toks.push_back(rng_.pick(std::vector<std::string>{kw + ":0", kw + ":65536", kw + ":", kw + ":1:2:3", kw + ":x1"})); break;
      case 10: toks.push_back(rng_.pick(std::vector<std::string>{"NO_PING", "", "ICMP", "NO_ICMP_PING:1"})); break;
      default: toks.push_back(" " + kw + ":" + std::to_string(lo) + " "); break;
    }
    toks.back() = random_case(rng_, toks.back());
  }
  std::string s;
  for (std::size_t i = 0; i < toks.size(); ++i) s += (i ? "," : "") + toks[i];
  return s;
}

model::Config PacketGen::random_config() {
  model::Config c;
  c.phone = config::factory();
  auto& t = c.phone.fw_tunables;
  auto timeout = [&](std::uint32_t dflt) { return rng_.chance(25) ? 0u : rng_.chance(50) ? 60u : dflt; };
  t.tcp_syn_timeout_s = timeout(120);
  t.tcp_established_timeout_s = timeout(7440);
  t.tcp_close_timeout_s = timeout(60);
  t.udp_timeout_s = timeout(120);
  t.icmp_timeout_s = timeout(60);
  t.frag_timeout_s = timeout(60);
  return reload_config(c);
}

model::Config PacketGen::reload_config(const model::Config& prev) {
  model::Config c = prev;
  auto& p = c.phone;
  p.firewall_enabled = rng_.chance(90);
  for (std::size_t i = 0; i < p.lines.size(); ++i) {
    auto& l = p.lines[i];
    l.enable = i < 4 ? rng_.chance(60) : rng_.chance(3);
    l.sip_port = std::uint16_t(rng_.chance(60) ? 5060 + i : rng_.range(1, 65535));
    l.sip_transport = config::SipTransport(rng_.below(4));
  }
  p.rtp_port_min = std::uint16_t(rng_.range(1024, 65000));
  p.rtp_port_max = std::uint16_t(std::min<std::uint32_t>(65534, p.rtp_port_min + rng_.below(rng_.chance(20) ? 600 : 100)));
  if (rng_.chance(5)) p.rtp_port_max = 65534;
  p.web_server_enabled = rng_.chance(70);
  p.web_server_port = std::uint16_t(rng_.chance(70) ? rng_.pick(std::vector<std::uint32_t>{80, 8080, 443}) : rng_.range(1, 65535));
  p.upgrade_enable = rng_.chance(60);
  p.peer_firmware_sharing = rng_.chance(50);
  p.tr069_enabled = rng_.chance(30);
  p.broadcast_echo = rng_.chance(30);
  c.tr069_port = std::uint16_t(rng_.range(8000, 9999));
  c.firewall_config = firewall_config_text();
  return c;
}

// Ports at the edges of what the config opens, the fixed ones of tables 3-4, and noise.
std::uint16_t PacketGen::port(const model::Config& cfg) {
  const auto& p = cfg.phone;
  switch (rng_.below(14)) {
    case 0: return rng_.pick(std::vector<std::uint16_t>{67, 68, 69, 546, 547, 4051, 6970, 7999});
    case 1: return std::uint16_t(rng_.range(53238, 53247));
    case 2: return std::uint16_t(p.rtp_port_min - 1 + rng_.below(3));
    case 3: return std::uint16_t(std::min<std::uint32_t>(65535, p.rtp_port_max + rng_.below(4)));
    case 4: return std::uint16_t(p.lines[rng_.below(4)].sip_port + rng_.below(2));
    case 5: return std::uint16_t(p.web_server_port + (rng_.chance(70) ? 0 : 1));
    case 6: return std::uint16_t(cfg.tr069_port + (rng_.chance(70) ? 0 : 1));
    case 7: {  // an edge of a Firewall_Config option (whatever the tokens meant)
      std::string t = cfg.firewall_config;
      std::vector<std::uint16_t> nums;
      for (std::size_t i = 0; i < t.size();) {
        if (!std::isdigit(static_cast<unsigned char>(t[i]))) { ++i; continue; }
        std::uint32_t v = 0;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])) && v < 100000) v = v * 10 + std::uint32_t(t[i++] - '0');
        if (v <= 65535) nums.push_back(std::uint16_t(v));
      }
      if (nums.empty()) return 8000;
      return std::uint16_t(rng_.pick(nums) + int(rng_.below(3)) - 1);
    }
    case 8: return rng_.pick(std::vector<std::uint16_t>{53, 80, 443, 5061, 33000, 40000, 50000});
    default: return std::uint16_t(rng_.range(1, 65535));
  }
}

std::string PacketGen::remote(int family) { return rng_.pick(family == 4 ? kRemote4 : kRemote6); }
std::string PacketGen::local(int family) const { return family == 4 ? L4 : L6; }

void PacketGen::wrap_l2(Build& b) {
  b.eth();
  unsigned tags = rng_.chance(85) ? 0 : rng_.chance(60) ? 1 : rng_.chance(75) ? 2 : 3;
  for (unsigned i = 0; i < tags; ++i)
    b.vlan(std::uint16_t(rng_.range(1, 4094)), rng_.pick(std::vector<std::uint16_t>{0x8100, 0x88a8, 0x9100}));
}

// An IP packet for an ICMP error to quote: one we sent (ours) or one sent to us.
Frame PacketGen::quote(int family, bool ours, const model::Config& cfg) {
  const std::string me = local(family), peer = remote(family);
  Build b;
  std::uint8_t proto = rng_.pick(std::vector<std::uint8_t>{17, 17, 6, std::uint8_t(family == 4 ? 1 : 58), 47});
  if (!flows_.empty() && ours && rng_.chance(70)) {
    const FlowRec& f = flows_[rng_.below(std::uint32_t(flows_.size()))];
    if (f.family == family) {
      b = Build();
      if (family == 4) b.ipv4(f.laddr, f.raddr, std::uint8_t(f.proto));
      else b.ipv6(f.laddr, f.raddr, std::uint8_t(f.proto));
      if (f.proto == 6) b.tcp(f.lport, f.rport, SYN);
      else if (f.proto == 17) b.udp(f.lport, f.rport);
      else b.icmp(family == 4 ? 8 : 128, 0, f.lport);
      return b.l3_only();
    }
  }
  const std::string s = ours ? me : peer, d = ours ? peer : me;
  if (family == 4) b.ipv4(s, d, proto);
  else b.ipv6(s, d, proto);
  if (proto == 6) b.tcp(port(cfg), port(cfg), SYN);
  else if (proto == 17) b.udp(port(cfg), port(cfg));
  else b.icmp(std::uint8_t(rng_.chance(70) ? (family == 4 ? 8 : 128) : rng_.below(256)), 0, port(cfg));
  Frame q = b.l3_only();
  if (rng_.chance(10)) q.resize(rng_.below(std::uint32_t(q.size())));
  return q;
}

GenFrame PacketGen::fresh(const model::Config& cfg) {
  const int fam = rng_.chance(60) ? 4 : 6;
  const bool out = rng_.chance(35);
  GenFrame g{out, {}, ""};
  Build b;
  wrap_l2(b);
  if (rng_.chance(3)) {  // not IP
    b.ethertype(rng_.pick(std::vector<std::uint16_t>{0x0806, 0x888e, 0x88cc, 0x2000, 0x86dd + 1}));
    g.frame = b.payload(rng_.below(40)).done();
    g.what = "non-ip";
    return g;
  }
  const unsigned k = rng_.below(100);
  std::uint8_t proto = k < 35 ? 17 : k < 63 ? 6 : k < 88 ? std::uint8_t(fam == 4 ? 1 : 58) : k < 91 ? 2
                     : rng_.pick(std::vector<std::uint8_t>{47, 50, 59, 132, std::uint8_t(fam == 4 ? 58 : 1)});
  std::string src = out ? local(fam) : remote(fam), dst = out ? remote(fam) : local(fam);
  if (!out && rng_.chance(proto == 58 ? 25 : 5)) dst = fam == 4 ? "224.0.0.1" : rng_.pick(std::vector<std::string>{"ff02::1", "ff05::2", "ff02::16"});
  // Fragments: the first of a datagram (remembered), or an atomic IPv6 fragment.
  const bool frag_first = rng_.chance(7), atomic6 = fam == 6 && rng_.chance(2);
  const std::uint32_t id = frag_first ? next_id_++ : 0x1234;
  int frag_next = proto;
  if (fam == 4) {
    std::vector<std::uint8_t> opts;
    if (rng_.chance(15)) opts.assign(4 * rng_.range(1, 10), rng_.chance(50) ? 1 : std::uint8_t(rng_.below(256)));
    b.ipv4(src, dst, proto, opts, std::uint16_t(id), 0, frag_first);
  } else {
    b.ipv6(src, dst, proto);
    unsigned before = rng_.chance(20) ? (rng_.chance(85) ? rng_.range(1, 3) : rng_.range(4, 10)) : 0;
    for (unsigned i = 0; i < before; ++i) {
      std::uint8_t t = rng_.pick(kExt6);
      b.ext6(t, proto, std::uint8_t(t == 51 ? 0 : rng_.chance(97) ? rng_.below(3) : rng_.range(100, 130)));
    }
    if (frag_first || atomic6) {
      b.frag6(proto, id, 0, frag_first);
      if (rng_.chance(20)) {  // a header in the fragmentable part
        b.ext6(60, proto, 0);
        frag_next = 60;
      }
    }
  }
  const std::uint16_t sp = port(cfg), dp = out && proto == 17 && rng_.chance(10) ? 69 : port(cfg);  // a TFTP request
  std::uint8_t itype = 0, icode = 0;
  bool error = false;
  if (proto == 6) b.tcp(sp, dp, rng_.pick(kTcpFlags));
  else if (proto == 17) b.udp(sp, dp);
  else if (proto == 1 || proto == 58) {
    const bool v6t = proto == 58;
    std::vector<std::uint8_t> types = v6t ? std::vector<std::uint8_t>{128, 128, 129, 1, 1, 2, 3, 4, 133, 134, 135, 136, 137, 130, 143, 200}
                                          : std::vector<std::uint8_t>{8, 8, 0, 3, 3, 11, 12, 5, 13};
    itype = rng_.chance(95) ? rng_.pick(types) : std::uint8_t(rng_.below(256));
    icode = (itype == 3 || (v6t && itype == 1)) && rng_.chance(70) ? (v6t ? 4 : 3) : std::uint8_t(rng_.below(5));
    error = v6t ? (itype >= 1 && itype <= 4) : (itype == 3 || itype == 11 || itype == 12);
    b.icmp(itype, icode, error ? 0 : sp, 1);
    if (error) b.bytes(quote(fam, !out, cfg));
  }
  g.frame = b.payload(rng_.below(48)).done();
  g.what = std::string(out ? "out" : "in") + " fresh proto " + std::to_string(proto);
  if (out && (proto == 6 || proto == 17 || ((proto == 1 || proto == 58) && (itype == 8 || itype == 128)))) {
    flows_.push_back({fam, proto, sp, std::uint16_t(proto == 6 || proto == 17 ? dp : 0), src, dst});
    if (flows_.size() > 24) flows_.pop_front();
  }
  if (frag_first && !out) {
    frags_.push_back({fam, proto, frag_next, id, src, dst});
    if (frags_.size() > 16) frags_.pop_front();
  }
  return g;
}

// A packet of a flow we opened: the reply, or more of ours (ACK, FIN, RST).
GenFrame PacketGen::reply(const FlowRec& f) {
  const bool more_of_ours = rng_.chance(25);
  Build b;
  wrap_l2(b);
  const std::string& s = more_of_ours ? f.laddr : f.raddr;
  const std::string& d = more_of_ours ? f.raddr : f.laddr;
  std::uint16_t sp = more_of_ours ? f.lport : f.rport, dp = more_of_ours ? f.rport : f.lport;
  if (rng_.chance(8)) sp = std::uint16_t(sp + 1);  // the same peer from another port
  if (f.rport == 69 && !more_of_ours && rng_.chance(70)) sp = std::uint16_t(rng_.range(1024, 65535));  // a TFTP server's TID
  if (f.family == 4) b.ipv4(s, d, std::uint8_t(f.proto));
  else b.ipv6(s, d, std::uint8_t(f.proto));
  if (f.proto == 6) {
    // Sequence numbers as Build's defaults make them: ours from 1000 (our SYN: the peer
    // acknowledges 1001), our ACKs ask for 2000; the peer's segments mostly sit exactly there,
    // else inside the window or anywhere (a blind RST).
    const std::uint8_t fl = rng_.pick(std::vector<std::uint8_t>{SYN | ACK, ACK, ACK | PSH, FIN | ACK, ACK, RST, RST | ACK, RST});
    if (more_of_ours) {
      const std::uint32_t ack = rng_.chance(85) ? 2000 : rng_.chance(50) ? 2000 + rng_.below(100) : std::uint32_t(rng_.next());
      const std::uint16_t win = rng_.chance(85) ? 65535 : std::uint16_t(rng_.pick(std::vector<std::uint32_t>{0, 1, rng_.below(65536)}));
      b.tcp(sp, dp, fl, 1000, (fl & ACK) ? ack : 0, win);
    } else {
      const std::uint32_t seq = rng_.chance(45) ? 2000
                              : rng_.chance(50) ? 2000 + rng_.below(rng_.chance(50) ? 100 : 1u << 31)
                                                : std::uint32_t(rng_.next());
      const std::uint32_t ack = rng_.chance(60) ? 1001 : std::uint32_t(rng_.next());
      b.tcp(sp, dp, fl, seq, (fl & ACK) || rng_.chance(10) ? ack : 0, std::uint16_t(rng_.below(65536)));
    }
  }
  else if (f.proto == 17) b.udp(sp, dp);
  else b.icmp(std::uint8_t(more_of_ours ? (f.proto == 1 ? 8 : 128) : (f.proto == 1 ? 0 : 129)), 0, f.lport, 2);
  return {more_of_ours, b.payload(rng_.below(32)).done(), std::string(more_of_ours ? "out" : "in") + " same flow"};
}

GenFrame PacketGen::fragment_rest(const FragRec& f) {
  Build b;
  wrap_l2(b);
  const std::uint16_t off = std::uint16_t(rng_.range(1, 180));
  if (f.family == 4) b.ipv4(f.src, f.dst, std::uint8_t(f.proto), {}, std::uint16_t(f.id), off, rng_.chance(50));
  else b.ipv6(f.src, f.dst, std::uint8_t(f.frag_next)).frag6(std::uint8_t(f.frag_next), f.id, off, rng_.chance(50));
  return {false, b.payload(rng_.range(8, 64)).done(), "in later fragment"};
}

void PacketGen::mutate(GenFrame& g) {
  // Outbound frames keep their IP header whole: the stack never sends less, and the kernel's
  // test run refuses an skb shorter than its L3 header (Ethernet + two tags + IPv6 = 62).
  const std::uint32_t min = g.out ? 62 : 14;
  if (rng_.chance(6) && g.frame.size() > min) {
    g.frame.resize(rng_.range(min, std::uint32_t(g.frame.size())));
    g.what += " truncated";
  }
  if (rng_.chance(5)) {
    for (unsigned n = rng_.range(1, 3); n > 0; --n) g.frame[rng_.range(12, std::uint32_t(g.frame.size() - 1))] ^= std::uint8_t(rng_.range(1, 255));
    g.what += " bytes flipped";
  }
}

GenFrame PacketGen::next(const model::Config& cfg) {
  GenFrame g;
  const unsigned k = rng_.below(100);
  if (k < 30 && !flows_.empty()) g = reply(flows_[rng_.below(std::uint32_t(flows_.size()))]);
  else if (k < 36 && !frags_.empty()) g = fragment_rest(frags_[rng_.below(std::uint32_t(frags_.size()))]);
  else if (k < 38) {  // an orphan
    FragRec f{rng_.chance(50) ? 4 : 6, 17, 17, rng_.below(1000) + 500000, "", ""};
    f.src = remote(f.family), f.dst = local(f.family);
    g = fragment_rest(f);
    g.what = "in orphan fragment";
  } else g = fresh(cfg);
  mutate(g);
  return g;
}

}  // namespace phonesec::test

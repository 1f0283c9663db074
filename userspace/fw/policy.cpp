// SPDX-License-Identifier: Apache-2.0
#include "fw/policy.h"

#include <netinet/in.h>

#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace phonesec::fw {
namespace {

constexpr std::uint64_t kSecond = 1000000000ull;

void set_range(__u64* set, std::uint32_t lo, std::uint32_t hi) {
  for (std::uint32_t p = lo; p <= hi && p <= 65535; ++p) set[p >> 6] |= 1ull << (p & 63);
}

class Builder {
 public:
  explicit Builder(CompiledPolicy& out) : out_(out) {}
  void open(std::uint8_t proto, std::uint32_t lo, std::uint32_t hi, std::string why) {
    if (lo == 0 || lo > hi || hi > 65535) return;  // nothing to open (port 0 is never a port)
    set_range(proto == IPPROTO_UDP ? out_.image->udp_ports : out_.image->tcp_ports, lo, hi);
    out_.open.push_back({proto, std::uint16_t(lo), std::uint16_t(hi), std::move(why)});
  }

 private:
  CompiledPolicy& out_;
};

}  // namespace

std::uint16_t resolve_tr069_port(const config::PhoneConfig& cfg) {
  if (cfg.tr069_connection_request_port != 0) return cfg.tr069_connection_request_port;
  std::random_device rd;
  return std::uint16_t(8000 + rd() % 2000);
}

CompiledPolicy compile(const config::PhoneConfig& cfg, std::uint16_t tr069_port) {
  CompiledPolicy out;
  ps_policy& p = *out.image;
  p = ps_policy{};
  p.flags = PS_F_VALID;
  if (cfg.firewall_enabled) p.flags |= PS_F_ENABLED;
  if (cfg.firewall.no_icmp_ping) p.flags |= PS_F_NO_ICMP_PING;
  if (cfg.firewall.no_icmp_unreachable) p.flags |= PS_F_NO_ICMP_UNREACH;
  if (cfg.broadcast_echo) p.flags |= PS_F_BCAST_ECHO6;

  const std::uint32_t rtp_lo = cfg.rtp_port_min;
  const std::uint32_t rtp_hi = std::min<std::uint32_t>(std::uint32_t(cfg.rtp_port_max) + 1, 65535);
  p.rtp_min = std::uint16_t(rtp_lo);
  p.rtp_max = std::uint16_t(rtp_hi);

  const auto& t = cfg.fw_tunables;
  p.to.tcp_syn_ns = t.tcp_syn_timeout_s * kSecond;
  p.to.tcp_est_ns = t.tcp_established_timeout_s * kSecond;
  p.to.tcp_close_ns = t.tcp_close_timeout_s * kSecond;
  p.to.udp_ns = t.udp_timeout_s * kSecond;
  p.to.icmp_ns = t.icmp_timeout_s * kSecond;
  p.to.frag_ns = t.frag_timeout_s * kSecond;

  Builder b(out);
  b.open(IPPROTO_UDP, 68, 68, "DHCP client");
  b.open(IPPROTO_UDP, 546, 546, "DHCPv6 client");
  for (std::size_t i = 0; i < cfg.lines.size(); ++i) {
    const auto& l = cfg.lines[i];
    if (l.enable && (l.sip_transport == config::SipTransport::UDP || l.sip_transport == config::SipTransport::Auto))
      b.open(IPPROTO_UDP, l.sip_port, l.sip_port, "SIP line " + std::to_string(i + 1));
  }
  b.open(IPPROTO_UDP, rtp_lo, rtp_hi, "RTP/RTCP (RTP_Port_Min..RTP_Port_Max+1)");
  const bool pfs = cfg.upgrade_enable && cfg.peer_firmware_sharing;
  if (pfs) b.open(IPPROTO_UDP, 4051, 4051, "Peer Firmware Sharing");
  if (!cfg.firewall.no_cisco_tftp) b.open(IPPROTO_UDP, 53240, 53245, "TFTP client (non-standard servers)");
  if (cfg.tr069_enabled) b.open(IPPROTO_UDP, 7999, 7999, "TR-069 UDP/STUN");
  for (const auto& r : cfg.firewall.udp) b.open(IPPROTO_UDP, r.lo, r.hi, "Firewall_Config UDP option");

  if (cfg.web_server_enabled) b.open(IPPROTO_TCP, cfg.web_server_port, cfg.web_server_port, "web server");
  if (pfs) {
    b.open(IPPROTO_TCP, 4051, 4051, "Peer Firmware Sharing");
    b.open(IPPROTO_TCP, 6970, 6970, "Peer Firmware Sharing");
  }
  if (cfg.tr069_enabled) b.open(IPPROTO_TCP, tr069_port, tr069_port, "TR-069 connection request");
  for (const auto& r : cfg.firewall.tcp) b.open(IPPROTO_TCP, r.lo, r.hi, "Firewall_Config TCP option");
  return out;
}

bool port_open(const __u64* set, std::uint16_t port) { return (set[port >> 6] >> (port & 63)) & 1; }

std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges_of(const __u64* set) {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> r;
  std::uint32_t p = 0;
  while (p <= 65535) {
    if (!port_open(set, std::uint16_t(p))) { ++p; continue; }
    std::uint32_t q = p;
    while (q + 1 <= 65535 && port_open(set, std::uint16_t(q + 1))) ++q;
    r.emplace_back(std::uint16_t(p), std::uint16_t(q));
    p = q + 1;
  }
  return r;
}

namespace {
std::string join_ranges(const __u64* set) {
  std::ostringstream os;
  bool first = true;
  for (auto [lo, hi] : ranges_of(set)) {
    if (!first) os << " ";
    first = false;
    if (lo == hi) os << lo;
    else os << lo << "-" << hi;
  }
  return os.str();
}
}  // namespace

std::string describe(const CompiledPolicy& c) {
  const ps_policy& p = *c.image;
  std::ostringstream os;
  os << "firewall: " << ((p.flags & PS_F_ENABLED) ? "enabled" : "disabled") << "\n";
  os << "options:" << ((p.flags & PS_F_NO_ICMP_PING) ? " NO_ICMP_PING" : "")
     << ((p.flags & PS_F_NO_ICMP_UNREACH) ? " NO_ICMP_UNREACHABLE" : "")
     << ((p.flags & PS_F_BCAST_ECHO6) ? " BROADCAST_ECHO6" : "") << "\n";
  os << "udp open: " << join_ranges(p.udp_ports) << "\n";
  os << "tcp open: " << join_ranges(p.tcp_ports) << "\n";
  os << "rtp range (unreachable exception): " << p.rtp_min << "-" << p.rtp_max << "\n";
  os << "timeouts (s): tcp_syn=" << p.to.tcp_syn_ns / kSecond << " tcp_est=" << p.to.tcp_est_ns / kSecond
     << " tcp_close=" << p.to.tcp_close_ns / kSecond << " udp=" << p.to.udp_ns / kSecond
     << " icmp=" << p.to.icmp_ns / kSecond << " frag=" << p.to.frag_ns / kSecond << "\n";
  for (const auto& r : c.open)
    os << "  " << (r.proto == IPPROTO_UDP ? "udp " : "tcp ") << r.lo << (r.lo != r.hi ? "-" + std::to_string(r.hi) : "")
       << "  " << r.why << "\n";
  return os.str();
}

std::string describe_json(const CompiledPolicy& c) {
  const ps_policy& p = *c.image;
  auto ranges = [](const __u64* set) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (auto [lo, hi] : ranges_of(set)) a.push_back({lo, hi});
    return a;
  };
  nlohmann::ordered_json j;
  j["enabled"] = (p.flags & PS_F_ENABLED) != 0;
  j["no_icmp_ping"] = (p.flags & PS_F_NO_ICMP_PING) != 0;
  j["no_icmp_unreachable"] = (p.flags & PS_F_NO_ICMP_UNREACH) != 0;
  j["broadcast_echo6"] = (p.flags & PS_F_BCAST_ECHO6) != 0;
  j["udp"] = ranges(p.udp_ports);
  j["tcp"] = ranges(p.tcp_ports);
  j["rtp"] = {p.rtp_min, p.rtp_max};
  j["timeouts_s"] = {{"tcp_syn", p.to.tcp_syn_ns / kSecond},   {"tcp_established", p.to.tcp_est_ns / kSecond},
                     {"tcp_close", p.to.tcp_close_ns / kSecond}, {"udp", p.to.udp_ns / kSecond},
                     {"icmp", p.to.icmp_ns / kSecond},          {"frag", p.to.frag_ns / kSecond}};
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const auto& r : c.open)
    rules.push_back({{"proto", r.proto == IPPROTO_UDP ? "udp" : "tcp"}, {"lo", r.lo}, {"hi", r.hi}, {"why", r.why}});
  j["rules"] = std::move(rules);
  return j.dump();
}

}  // namespace phonesec::fw

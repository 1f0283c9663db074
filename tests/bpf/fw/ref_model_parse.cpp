// SPDX-License-Identifier: Apache-2.0
// The reference model's frame parser: byte offsets over the frame, nothing shared with
// bpf/lib/parse.h. A header is "whole" when its bytes are in the frame.
#include "phonesec_abi.h"
#include "ref_model.h"

namespace phonesec::test::model {
namespace {

constexpr std::size_t kMaxHeaderOffset = 1023;  // headers starting deeper are not parsed: fail closed

std::uint16_t be16(const std::vector<std::uint8_t>& f, std::size_t at) { return std::uint16_t(f[at] << 8 | f[at + 1]); }
std::uint32_t be32(const std::vector<std::uint8_t>& f, std::size_t at) {
  return std::uint32_t(be16(f, at)) << 16 | be16(f, at + 2);
}
bool is_vlan_tpid(std::uint16_t t) { return t == 0x8100 || t == 0x88a8 || t == 0x9100; }

// Transport header at `at`: the fields the policy reads must be in the frame.
void parse_l4(const std::vector<std::uint8_t>& f, std::size_t at, Model::Pkt& p) {
  p.l4 = at;
  auto need = [&](std::size_t n) { return at + n <= f.size(); };
  switch (p.proto) {
    case 6:
      if (!need(20) || (f[at + 12] >> 4) < 5) { p.status = PS_R_DROP_MALFORMED; return; }
      p.sport = be16(f, at), p.dport = be16(f, at + 2), p.tcp_flags = f[at + 13];
      p.seq = be32(f, at + 4), p.ack = be32(f, at + 8), p.win = be16(f, at + 14);
      return;
    case 17:
      if (!need(8)) { p.status = PS_R_DROP_MALFORMED; return; }
      p.sport = be16(f, at), p.dport = be16(f, at + 2);
      return;
    case 1:
    case 58:
      if (!need(8)) { p.status = PS_R_DROP_MALFORMED; return; }
      p.icmp_type = f[at], p.icmp_code = f[at + 1];
      p.sport = p.dport = be16(f, at + 4);  // echo identifier
      return;
    default:
      return;  // other protocols: the policy reads nothing of them
  }
}

void parse_ipv4(const std::vector<std::uint8_t>& f, std::size_t at, Model::Pkt& p) {
  if (at + 20 > f.size()) { p.status = PS_R_DROP_MALFORMED; return; }
  std::size_t ihl = std::size_t(f[at] & 0xf) * 4;
  if ((f[at] >> 4) != 4 || ihl < 20 || be16(f, at + 2) < ihl || at + ihl > f.size()) {
    p.status = PS_R_DROP_MALFORMED;
    return;
  }
  p.family = 4;
  p.proto = f[at + 9];
  std::copy(f.begin() + long(at) + 12, f.begin() + long(at) + 16, p.src.begin());
  std::copy(f.begin() + long(at) + 16, f.begin() + long(at) + 20, p.dst.begin());
  std::uint16_t fo = be16(f, at + 6);
  if (fo & 0x3fff) {  // MF or an offset
    p.frag_id = be16(f, at + 4);
    p.frag_proto = p.proto;
    if (fo & 0x1fff) { p.frag = Model::Pkt::rest; return; }
    p.frag = Model::Pkt::first;
  }
  parse_l4(f, at + ihl, p);
}

void parse_ipv6(const std::vector<std::uint8_t>& f, std::size_t at, Model::Pkt& p) {
  if (at + 40 > f.size() || (f[at] >> 4) != 6) { p.status = PS_R_DROP_MALFORMED; return; }
  p.family = 6;
  std::copy(f.begin() + long(at) + 8, f.begin() + long(at) + 24, p.src.begin());
  std::copy(f.begin() + long(at) + 24, f.begin() + long(at) + 40, p.dst.begin());
  int nh = f[at + 6];
  std::size_t cur = at + 40;
  for (int n = 0;; ++n) {
    if (cur > kMaxHeaderOffset) { p.status = PS_R_DROP_EXTHDR; return; }
    const bool ext = nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140 || nh == 51 || nh == 44;
    if (!ext) break;
    if (cur + (nh == 44 ? 8 : 2) > f.size()) { p.status = PS_R_DROP_MALFORMED; return; }  // cut short
    if (n == PS_IPV6_MAX_EXTHDR) { p.status = PS_R_DROP_EXTHDR; return; }  // the chain is too long
    if (nh == 44) {
      std::uint16_t off = be16(f, cur + 2);
      p.frag_id = be32(f, cur + 4);
      p.frag_proto = f[cur];
      nh = f[cur];
      if (off & 0xfff8) {
        p.frag = Model::Pkt::rest;
        p.proto = nh;
        return;
      }
      if (off & 1) p.frag = Model::Pkt::first;  // offset 0 without M is an atomic fragment: whole
      cur += 8;
      continue;
    }
    std::size_t len = nh == 51 ? (std::size_t(f[cur + 1]) + 2) * 4 : (std::size_t(f[cur + 1]) + 1) * 8;
    nh = f[cur];
    cur += len;
  }
  p.proto = nh;
  parse_l4(f, cur, p);
}

}  // namespace

Model::Pkt Model::parse(const std::vector<std::uint8_t>& f) {
  Pkt p;
  if (f.size() < 14) { p.status = PS_R_DROP_MALFORMED; return p; }
  std::uint16_t type = be16(f, 12);
  std::size_t at = 14;
  for (int tags = 0; is_vlan_tpid(type); ++tags) {
    if (tags == 2 || at + 4 > f.size()) { p.status = PS_R_DROP_MALFORMED; return p; }  // 802.1Q / 802.1ad, two at most
    type = be16(f, at + 2);
    at += 4;
  }
  if (type == 0x0800) parse_ipv4(f, at, p);
  else if (type == 0x86dd) parse_ipv6(f, at, p);
  else p.status = PS_R_PASS_NON_IP;
  return p;
}

}  // namespace phonesec::test::model

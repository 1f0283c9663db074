// SPDX-License-Identifier: Apache-2.0
// Frame builder for tests and benchmarks (ps_labkit; lab tooling, never shipped): Ethernet, VLAN tags, IPv4 (options, fragments),
// IPv6 (extension headers, fragments), TCP, UDP, ICMP, ICMPv6. Lengths and the IPv4 header
// checksum are filled in by done(); transport checksums are left zero (the filter does not
// read them).
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace phonesec::test {

using Frame = std::vector<std::uint8_t>;

class Build {
 public:
  Build& eth(std::uint16_t type_hint = 0) {
    static const std::uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02}, src[6] = {0x02, 0, 0, 0, 0, 0x01};
    put(dst, 6);
    put(src, 6);
    has_eth_ = true;
    type_off_ = b_.size();
    u16(type_hint);
    return *this;
  }
  Build& vlan(std::uint16_t vid, std::uint16_t tpid = 0x8100) {
    set_type(tpid);
    u16(vid);
    type_off_ = b_.size();
    u16(0);
    return *this;
  }
  Build& ethertype(std::uint16_t t) {
    set_type(t);
    return *this;
  }
  // IPv4; options: raw bytes (padded to 4 by the caller). frag_off in 8-byte units.
  Build& ipv4(const std::string& src, const std::string& dst, std::uint8_t proto, std::vector<std::uint8_t> options = {},
              std::uint16_t id = 0x1234, std::uint16_t frag_off = 0, bool mf = false) {
    set_type(0x0800);
    l3_ = b_.size();
    v6_ = false;
    std::uint8_t ihl = std::uint8_t(5 + options.size() / 4);
    u8(std::uint8_t(0x40 | ihl));
    u8(0);
    u16(0);  // total length, fixed in done()
    u16(id);
    u16(std::uint16_t((mf ? 0x2000 : 0) | (frag_off & 0x1fff)));
    u8(64);
    u8(proto);
    u16(0);
    addr4(src);
    addr4(dst);
    put(options.data(), options.size());
    return *this;
  }
  Build& ipv6(const std::string& src, const std::string& dst, std::uint8_t next) {
    set_type(0x86dd);
    l3_ = b_.size();
    v6_ = true;
    u32(0x60000000);
    u16(0);  // payload length, fixed in done()
    next_off_ = b_.size();
    u8(next);
    u8(64);
    addr6(src);
    addr6(dst);
    return *this;
  }
  // Generic IPv6 extension header (hop-by-hop 0, routing 43, destination options 60):
  // `len8` is the header's length field ((len8 + 1) * 8 bytes in all).
  Build& ext6(std::uint8_t type, std::uint8_t next, std::uint8_t len8 = 0) {
    patch_next(type);
    next_off_ = b_.size();
    u8(next);
    u8(len8);
    for (int i = 2; i < (len8 + 1) * 8; ++i) u8(0);  // Pad1 options / zeroed routing fields
    return *this;
  }
  Build& frag6(std::uint8_t next, std::uint32_t id, std::uint16_t off8, bool more) {
    patch_next(44);
    next_off_ = b_.size();
    u8(next);
    u8(0);
    u16(std::uint16_t((off8 << 3) | (more ? 1 : 0)));
    u32(id);
    return *this;
  }
  // Sequence 1000, acknowledgment 2000 when ACK is set (else 0), window 65535.
  Build& tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags) {
    return tcp(sport, dport, flags, 1000, (flags & 0x10) ? 2000 : 0);
  }
  Build& tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
             std::uint16_t window = 65535) {
    u16(sport);
    u16(dport);
    u32(seq);
    u32(ack);
    u8(5 << 4);
    u8(flags);
    u16(window);
    u16(0);
    u16(0);
    return *this;
  }
  Build& udp(std::uint16_t sport, std::uint16_t dport) {
    udp_ = b_.size();
    u16(sport);
    u16(dport);
    u16(0);
    u16(0);
    return *this;
  }
  Build& icmp(std::uint8_t type, std::uint8_t code, std::uint16_t id = 0x77, std::uint16_t seq = 1) {
    u8(type);
    u8(code);
    u16(0);
    u16(id);
    u16(seq);
    return *this;
  }
  Build& bytes(const Frame& f) {
    put(f.data(), f.size());
    return *this;
  }
  Build& payload(std::size_t n, std::uint8_t fill = 0xab) {
    for (std::size_t i = 0; i < n; ++i) u8(fill);
    return *this;
  }
  Frame done() {
    if (l3_ && !v6_) {
      std::uint16_t tot = std::uint16_t(b_.size() - l3_);
      set16(l3_ + 2, tot);
      std::size_t ihl = (b_[l3_] & 0xf) * 4;
      std::uint32_t sum = 0;
      for (std::size_t i = 0; i < ihl; i += 2) sum += std::uint32_t(b_[l3_ + i] << 8 | b_[l3_ + i + 1]);
      while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
      set16(l3_ + 10, std::uint16_t(~sum));
    } else if (l3_ && v6_) {
      set16(l3_ + 4, std::uint16_t(b_.size() - l3_ - 40));
    }
    if (udp_) set16(udp_ + 4, std::uint16_t(b_.size() - udp_));
    if (has_eth_)
      while (b_.size() < 60) b_.push_back(0);  // minimum Ethernet frame (no FCS)
    return b_;
  }
  // The IP packet (from the L3 header on) without Ethernet padding: for ICMP quotes.
  Frame l3_only() {
    Frame f = done();
    return Frame(f.begin() + long(l3_), f.end());
  }

 private:
  void put(const void* p, std::size_t n) {
    auto c = static_cast<const std::uint8_t*>(p);
    b_.insert(b_.end(), c, c + n);
  }
  void u8(std::uint8_t v) { b_.push_back(v); }
  void u16(std::uint16_t v) { u8(std::uint8_t(v >> 8)), u8(std::uint8_t(v)); }
  void u32(std::uint32_t v) { u16(std::uint16_t(v >> 16)), u16(std::uint16_t(v)); }
  void set16(std::size_t at, std::uint16_t v) { b_[at] = std::uint8_t(v >> 8), b_[at + 1] = std::uint8_t(v); }
  void set_type(std::uint16_t t) {
    if (has_eth_) set16(type_off_, t);  // a bare IP packet (an ICMP quote) has no EtherType
  }
  void patch_next(std::uint8_t v) { b_[next_off_] = v; }
  void addr4(const std::string& s) {
    std::uint8_t a[4];
    if (inet_pton(AF_INET, s.c_str(), a) != 1) throw std::invalid_argument("bad IPv4 " + s);
    put(a, 4);
  }
  void addr6(const std::string& s) {
    std::uint8_t a[16];
    if (inet_pton(AF_INET6, s.c_str(), a) != 1) throw std::invalid_argument("bad IPv6 " + s);
    put(a, 16);
  }

  Frame b_;
  std::size_t type_off_ = 0, l3_ = 0, udp_ = 0, next_off_ = 0;
  bool v6_ = false, has_eth_ = false;
};

}  // namespace phonesec::test

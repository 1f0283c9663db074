// SPDX-License-Identifier: Apache-2.0
#include "prov/dhcp.h"

#include <arpa/inet.h>

#include <cctype>

namespace phonesec::prov {
namespace {

std::optional<std::string> text(const Bytes& b) {
  std::string s(b.begin(), b.end());
  while (!s.empty() && s.back() == '\0') s.pop_back();
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!std::isgraph(static_cast<unsigned char>(c))) return std::nullopt;
  return s;
}

std::string as_url(const std::string& v) { return v.find("://") != std::string::npos ? v : "tftp://" + v; }

std::string ip4(const std::uint8_t* p) {
  char b[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, p, b, sizeof b);
  return b;
}
std::string ip6(const std::uint8_t* p) {
  char b[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, p, b, sizeof b);
  return b;
}

// First printable sub-option of a TLV list with 1-byte (v4) or 2-byte (v6) code/length.
std::optional<std::string> first_text_sub(const std::uint8_t* p, std::size_t n, int width) {
  std::size_t i = 0;
  while (i + 2 * std::size_t(width) <= n) {
    std::size_t len = width == 1 ? p[i + 1] : std::size_t(p[i + 2] << 8 | p[i + 3]);
    std::size_t at = i + 2 * std::size_t(width);
    if (at + len > n) return std::nullopt;
    if (auto t = text(Bytes(p + at, p + at + len))) return t;
    i = at + len;
  }
  return std::nullopt;
}

void put16(Bytes& b, unsigned v) {
  b.push_back(std::uint8_t(v >> 8));
  b.push_back(std::uint8_t(v));
}

}  // namespace

Result<DhcpReply> parse_dhcpv4(const Bytes& p) {
  if (p.size() < 240)
    return make_error(Errc::parse, "DHCPv4: packet of " + std::to_string(p.size()) + " bytes is too short");
  if (p[236] != 99 || p[237] != 130 || p[238] != 83 || p[239] != 99)
    return make_error(Errc::parse, "DHCPv4: bad magic cookie");
  DhcpReply r;
  r.xid = std::uint32_t(p[4]) << 24 | std::uint32_t(p[5]) << 16 | std::uint32_t(p[6]) << 8 | p[7];
  r.your_ip = ip4(&p[16]);
  for (std::size_t i = 240; i < p.size();) {
    int code = p[i];
    if (code == 255) break;
    if (code == 0) {
      ++i;
      continue;
    }
    if (i + 1 >= p.size())
      return make_error(Errc::parse, "DHCPv4: option " + std::to_string(code) + " has no length");
    std::size_t len = p[i + 1];
    if (i + 2 + len > p.size())
      return make_error(Errc::parse, "DHCPv4: option " + std::to_string(code) + " runs past the end");
    auto& v = r.options[code];  // RFC 3396: instances of one option concatenate
    v.insert(v.end(), p.begin() + long(i + 2), p.begin() + long(i + 2 + len));
    i += 2 + len;
  }
  if (auto it = r.options.find(53); it != r.options.end() && it->second.size() == 1)
    r.message_type = it->second[0];
  return r;
}

Result<DhcpReply> parse_dhcpv6(const Bytes& p) {
  if (p.size() < 4) return make_error(Errc::parse, "DHCPv6: packet too short");
  DhcpReply r;
  r.v6 = true;
  r.message_type = p[0];
  r.xid = std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
  for (std::size_t i = 4; i < p.size();) {
    if (i + 4 > p.size()) return make_error(Errc::parse, "DHCPv6: truncated option header");
    int code = p[i] << 8 | p[i + 1];
    std::size_t len = std::size_t(p[i + 2] << 8 | p[i + 3]);
    if (i + 4 + len > p.size())
      return make_error(Errc::parse, "DHCPv6: option " + std::to_string(code) + " runs past the end");
    r.options[code] = Bytes(p.begin() + long(i + 4), p.begin() + long(i + 4 + len));
    i += 4 + len;
  }
  return r;
}

std::optional<std::string> source_from_option(const DhcpReply& r, int option) {
  auto it = r.options.find(option);
  if (it == r.options.end() || it->second.empty()) return std::nullopt;
  const Bytes& b = it->second;
  if (!r.v6) {
    switch (option) {
      case 150:
        if (b.size() % 4 != 0) return std::nullopt;
        return "tftp://" + ip4(b.data());
      case 159:
        if (auto t = text(b)) return as_url(*t);
        if (b.size() == 4) return "tftp://" + ip4(b.data());
        return std::nullopt;
      case 43:
        if (auto t = text(b)) return as_url(*t);
        if (auto t = first_text_sub(b.data(), b.size(), 1)) return as_url(*t);
        return std::nullopt;
      case 125: {  // enterprise(4) len(1) sub-options… repeated
        for (std::size_t i = 0; i + 5 <= b.size();) {
          std::size_t len = b[i + 4];
          if (i + 5 + len > b.size()) return std::nullopt;
          if (auto t = first_text_sub(b.data() + i + 5, len, 1)) return as_url(*t);
          i += 5 + len;
        }
        return std::nullopt;
      }
      default:  // 66, 160, 60 and any other text option
        if (auto t = text(b)) return as_url(*t);
        return std::nullopt;
    }
  }
  switch (option) {
    case 17: {  // enterprise(4) then 2-byte code/len sub-options
      if (b.size() < 4) return std::nullopt;
      std::uint32_t ent =
          std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3];
      for (std::size_t i = 4; i + 4 <= b.size();) {
        int code = b[i] << 8 | b[i + 1];
        std::size_t len = std::size_t(b[i + 2] << 8 | b[i + 3]);
        if (i + 4 + len > b.size()) return std::nullopt;
        if (ent == 9 && code == 1 && len >= 16 && len % 16 == 0) return "tftp://[" + ip6(&b[i + 4]) + "]";
        if (auto t = text(Bytes(b.begin() + long(i + 4), b.begin() + long(i + 4 + len)))) return as_url(*t);
        i += 4 + len;
      }
      return std::nullopt;
    }
    case 159:
      if (b.size() == 16 && !text(b)) return "tftp://[" + ip6(b.data()) + "]";
      [[fallthrough]];
    default:
      if (auto t = text(b)) return as_url(*t);
      return std::nullopt;
  }
}

std::optional<ProvisioningSource> choose_source(const DhcpReply& r, const std::vector<int>& order) {
  for (int o : order)
    if (auto u = source_from_option(r, o)) return ProvisioningSource{o, *u};
  return std::nullopt;
}

std::optional<std::string> wpad_url(const DhcpReply& r) {
  auto it = r.options.find(252);
  if (r.v6 || it == r.options.end()) return std::nullopt;
  return text(it->second);
}

Bytes make_discover(const std::uint8_t mac[6], std::uint32_t xid, const std::vector<int>& request) {
  Bytes b(240, 0);
  b[0] = 1;  // BOOTREQUEST
  b[1] = 1;  // Ethernet
  b[2] = 6;
  b[4] = std::uint8_t(xid >> 24);
  b[5] = std::uint8_t(xid >> 16);
  b[6] = std::uint8_t(xid >> 8);
  b[7] = std::uint8_t(xid);
  b[10] = 0x80;  // broadcast flag: the reply comes to 255.255.255.255
  for (int i = 0; i < 6; ++i) b[28 + std::size_t(i)] = mac[i];
  b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;
  b.insert(b.end(), {53, 1, 1});  // DHCPDISCOVER
  b.push_back(55);
  b.push_back(std::uint8_t(request.size()));
  for (int o : request) b.push_back(std::uint8_t(o));
  b.push_back(255);
  return b;
}

Bytes make_solicit(const std::uint8_t mac[6], std::uint32_t xid, const std::vector<int>& request) {
  Bytes b{1, std::uint8_t(xid >> 16), std::uint8_t(xid >> 8), std::uint8_t(xid)};  // SOLICIT
  put16(b, 1);  // client id: DUID-LL (type 3, hw type 1)
  put16(b, 10);
  put16(b, 3);
  put16(b, 1);
  b.insert(b.end(), mac, mac + 6);
  put16(b, 3);  // IA_NA: IAID, T1, T2
  put16(b, 12);
  b.insert(b.end(), {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
  put16(b, 8);  // elapsed time
  put16(b, 2);
  put16(b, 0);
  put16(b, 6);  // option request option
  put16(b, unsigned(request.size() * 2));
  for (int o : request) put16(b, unsigned(o));
  return b;
}

}  // namespace phonesec::prov

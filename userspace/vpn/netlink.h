// SPDX-License-Identifier: Apache-2.0
// rtnetlink through libmnl, for the tunnel device: read a link's state, IPv4 address and
// byte counters (what the VPN status page shows), and configure it (up, MTU, address,
// routes). Every call opens its own socket in the calling thread's network namespace, so
// calls from different threads need no lock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace phonesec::vpn {

struct LinkInfo {
  std::string ifname;
  std::uint32_t ifindex = 0;
  std::uint16_t type = 0;  // ARPHRD_*: ETHER for veth/eth, NONE for a tun device (no L2 header)
  bool up = false;        // IFF_UP
  bool running = false;   // IFF_RUNNING (carrier: the tun fd is open)
  std::uint32_t mtu = 0;
  std::uint64_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0;  // IFLA_STATS64
  std::string ipv4;       // first IPv4 address, dotted quad ("" when none)
  std::uint8_t prefixlen = 0;
};

// "255.255.255.0" for 24.
std::string prefix_to_mask(std::uint8_t prefixlen);
// 24 for "255.255.255.0"; Errc::invalid_argument when not a contiguous IPv4 mask.
Result<std::uint8_t> mask_to_prefix(const std::string& mask);

// Errc::not_found when no such link.
Result<LinkInfo> read_link(const std::string& ifname);

struct Route {
  std::string dst;  // network address, dotted quad
  std::uint8_t prefixlen = 0;
};

// "172.30.0.0/255.255.255.0" or "172.30.0.0/24" (openconnect's split-include format).
Result<Route> parse_route(const std::string& text);

// How the kernel reaches dst now (RTM_GETROUTE): the output device and the next hop
// ("" when dst is on-link).
struct Path {
  std::uint32_t oif = 0;
  std::string gateway;
};
Result<Path> lookup_route(const std::string& dst);
// dst/32 through that path (replaces an existing one), and its removal.
Status replace_host_route(const std::string& dst, const Path& via);
Status delete_host_route(const std::string& dst);

// Link up with the MTU (0 keeps the current one).
Status set_link_up(std::uint32_t ifindex, std::uint32_t mtu);
Status add_ipv4_address(std::uint32_t ifindex, const std::string& addr, std::uint8_t prefixlen);
// A link-scope route in the main table through the device (replaces an existing one).
Status replace_route(std::uint32_t ifindex, const Route& r);

}  // namespace phonesec::vpn

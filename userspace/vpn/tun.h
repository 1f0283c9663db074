// SPDX-License-Identifier: Apache-2.0
// The tunnel device: created by us (not by libopenconnect or a vpnc-script), so its name is
// ours, nothing runs a shell, and the host's resolv.conf is never touched. configure() sets
// only what the server pushed for the tunnel: link up, MTU, IPv4 address, split routes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/result.h"
#include "vpn/netlink.h"

namespace phonesec::vpn {

struct TunConfig {
  std::string address;                // INTERNAL_IP4_ADDRESS
  std::string netmask;                // dotted quad ("" = /32)
  std::uint32_t mtu = 0;              // 0 = leave the kernel default
  std::vector<std::string> routes;    // "net/mask" split includes; empty = none added
};

class TunDevice {
 public:
  // IFF_TUN | IFF_NO_PI named ifname, IPv6 off on it (no ND/MLD noise in the counters).
  static Result<TunDevice> create(const std::string& ifname);
  Status configure(const TunConfig& c) const;

  const std::string& ifname() const { return ifname_; }
  std::uint32_t ifindex() const { return ifindex_; }
  int fd() const { return fd_.get(); }
  // Closing the last descriptor removes the device, its addresses and routes.
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  std::string ifname_;
  std::uint32_t ifindex_ = 0;
};

}  // namespace phonesec::vpn

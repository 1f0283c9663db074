// SPDX-License-Identifier: Apache-2.0
// The tunnel device: created by us (not by libopenconnect or a vpnc-script), so its name is
// ours, nothing runs a shell (no vpnc-script), and the host's resolv.conf is never touched:
// the DNS servers and domain the gateway pushes are not applied. configure() sets only the
// tunnel's own link: up, MTU, IPv4 address, the split routes (or the full-tunnel routes).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/fd.h"
#include "common/result.h"
#include "vpn/netlink.h"

namespace phonesec::vpn {

struct TunConfig {
  std::string address;                // INTERNAL_IP4_ADDRESS
  std::string netmask;                // dotted quad ("" = /32)
  std::uint32_t mtu = 0;              // 0 = leave the kernel default
  std::vector<std::string> routes;    // "net/mask" split includes
  // No split include: full tunnel. 0.0.0.0/1 and 128.0.0.0/1 go through the tunnel (above
  // the default route, which stays for when the tunnel goes) and the gateway's own address
  // is pinned to the path it has now, so the tunnel does not swallow its own packets.
  std::string gateway;                // VPN server address the tunnel runs to (IPv4 or "")
};

class TunDevice {
 public:
  // IFF_TUN | IFF_NO_PI named ifname, IPv6 off on it (no ND/MLD noise in the counters).
  static Result<TunDevice> create(const std::string& ifname);
  Status configure(const TunConfig& c);

  const std::string& ifname() const { return ifname_; }
  std::uint32_t ifindex() const { return ifindex_; }
  int fd() const { return fd_.get(); }
  // Closing the last descriptor removes the device, its addresses and routes; the gateway's
  // pinned host route (full tunnel) is removed here.
  void close();
  ~TunDevice() { close(); }
  TunDevice() = default;
  TunDevice(TunDevice&& o) noexcept
      : fd_(std::move(o.fd_)), ifname_(std::move(o.ifname_)), ifindex_(o.ifindex_),
        pinned_gateway_(std::exchange(o.pinned_gateway_, {})) {}
  TunDevice& operator=(TunDevice&& o) {
    if (this != &o) {
      close();
      fd_ = std::move(o.fd_);
      ifname_ = std::move(o.ifname_);
      ifindex_ = o.ifindex_;
      pinned_gateway_ = std::move(o.pinned_gateway_);
      o.pinned_gateway_.clear();
    }
    return *this;
  }

 private:
  UniqueFd fd_;
  std::string ifname_;
  std::uint32_t ifindex_ = 0;
  std::string pinned_gateway_;
};

}  // namespace phonesec::vpn

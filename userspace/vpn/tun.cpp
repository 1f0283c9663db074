// SPDX-License-Identifier: Apache-2.0
#include "vpn/tun.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cstring>
#include <fstream>

#include "common/log.h"

namespace phonesec::vpn {

Result<TunDevice> TunDevice::create(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ)
    return make_error(Errc::invalid_argument, "tunnel device name '" + ifname + "' must be 1-15 characters");
  TunDevice t;
  t.fd_.reset(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!t.fd_.valid()) return sys_error("open /dev/net/tun");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  if (ioctl(t.fd_.get(), TUNSETIFF, &ifr) != 0) return sys_error("create tun device " + ifname);
  t.ifname_ = ifr.ifr_name;
  t.ifindex_ = if_nametoindex(t.ifname_.c_str());
  if (t.ifindex_ == 0) return sys_error("tun device " + t.ifname_ + " vanished");
  // Before the link goes up: no IPv6 link-local address, no MLD reports.
  std::ofstream f("/proc/sys/net/ipv6/conf/" + t.ifname_ + "/disable_ipv6");
  if (f) f << "1\n";
  return t;
}

void TunDevice::close() {
  if (!pinned_gateway_.empty()) {
    if (auto s = delete_host_route(pinned_gateway_); !s) log::warn("vpn", s.error().message());
    pinned_gateway_.clear();
  }
  fd_.reset();
}

Status TunDevice::configure(const TunConfig& c) {
  std::uint8_t plen = 32;
  if (!c.netmask.empty()) {
    auto p = mask_to_prefix(c.netmask);
    if (!p) return p.error();
    plen = *p;
  }
  if (auto s = set_link_up(ifindex_, c.mtu); !s) return s;
  if (auto s = add_ipv4_address(ifindex_, c.address, plen); !s) return s;
  std::vector<std::string> routes = c.routes;
  if (routes.empty()) {
    routes = {"0.0.0.0/1", "128.0.0.0/1"};
    if (auto path = lookup_route(c.gateway); path && path->oif != ifindex_) {
      if (auto s = replace_host_route(c.gateway, *path); !s) return s;
      pinned_gateway_ = c.gateway;
    } else if (!path && !c.gateway.empty()) {
      log::warn("vpn", "full tunnel without a pinned route to the gateway: ", path.error().message());
    }
  }
  for (const auto& r : routes) {
    auto route = parse_route(r);
    if (!route) {
      log::warn("vpn", "skipping route pushed by the server: ", route.error().message());
      continue;
    }
    if (auto s = replace_route(ifindex_, *route); !s) return s;
  }
  return {};
}

}  // namespace phonesec::vpn

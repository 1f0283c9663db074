// SPDX-License-Identifier: Apache-2.0
#include "fw/link_kind.h"

#include <bpf/bpf.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "common/fd.h"

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519
#endif

namespace phonesec::fw {

const char* link_kind_name(LinkKind k) { return k == LinkKind::l3 ? "l3" : "ethernet"; }

Result<unsigned> link_type(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) return make_error(Errc::invalid_argument, "interface name '" + ifname + "'");
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return sys_error("socket for SIOCGIFHWADDR");
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
  if (::ioctl(s.get(), SIOCGIFHWADDR, &ifr) != 0) return make_error(Errc::not_found, "interface " + ifname, errno);
  return unsigned(ifr.ifr_hwaddr.sa_family);
}

Result<LinkKind> link_kind(const std::string& ifname) {
  auto t = link_type(ifname);
  if (!t) return t.error();
  switch (t.value()) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK: return LinkKind::ethernet;  // lo carries a (zeroed) Ethernet header
    case ARPHRD_NONE:
    case ARPHRD_RAWIP: return LinkKind::l3;
    default:
      return make_error(Errc::unsupported, "firewall not attached to " + ifname + ": link type " + std::to_string(t.value()) +
                                               " is neither Ethernet nor bare IP (tun)");
  }
}

int adopt_pinned_link(const std::string& path, unsigned ifindex) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) return -1;
  bpf_link_info info{};
  __u32 len = sizeof info;
  // xdp.ifindex and tcx.ifindex sit at the same place (the union's first field); 0 once the
  // device is gone.
  if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.xdp.ifindex == ifindex) return fd;
  ::close(fd);
  ::unlink(path.c_str());
  return -1;
}

}  // namespace phonesec::fw

// SPDX-License-Identifier: Apache-2.0
#include "prov/dhcp_client.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <random>

#include "common/fd.h"

namespace phonesec::prov {

Result<DhcpReply> dhcp_query(const std::string& iface, bool v6, const std::vector<int>& request,
                             int timeout_ms) {
  unsigned idx = if_nametoindex(iface.c_str());
  if (idx == 0) return sys_error("interface '" + iface + "'");
  UniqueFd fd(socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sys_error("DHCP socket");
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, iface.c_str(), socklen_t(iface.size())) != 0)
    return sys_error("SO_BINDTODEVICE " + iface);
  std::uint8_t mac[6] = {0};
  {
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, iface.c_str(), IFNAMSIZ - 1);
    UniqueFd q(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (ioctl(q.get(), SIOCGIFHWADDR, &ifr) == 0) std::memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
  }
  std::uint32_t xid = std::random_device{}();
  Bytes msg;
  sockaddr_storage to{};
  socklen_t tl = 0;
  if (v6) {
    xid &= 0xffffff;
    int i = int(idx);
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &i, sizeof i);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(546);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sys_error("bind [::]:546");
    auto* t = reinterpret_cast<sockaddr_in6*>(&to);
    t->sin6_family = AF_INET6;
    t->sin6_port = htons(547);
    inet_pton(AF_INET6, "ff02::1:2", &t->sin6_addr);
    t->sin6_scope_id = idx;
    tl = sizeof(sockaddr_in6);
    msg = make_solicit(mac, xid, request);
  } else {
    setsockopt(fd.get(), SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(68);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sys_error("bind 0.0.0.0:68");
    auto* t = reinterpret_cast<sockaddr_in*>(&to);
    t->sin_family = AF_INET;
    t->sin_port = htons(67);
    t->sin_addr.s_addr = htonl(INADDR_BROADCAST);
    tl = sizeof(sockaddr_in);
    msg = make_discover(mac, xid, request);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto next_send = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::chrono::steady_clock::now() >= next_send) {
      if (sendto(fd.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to), tl) < 0)
        return sys_error(std::string(v6 ? "SOLICIT" : "DISCOVER") + " on " + iface);
      next_send += std::chrono::milliseconds(500);
    }
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, 100) != 1) continue;
    Bytes buf(4096);
    auto n = recv(fd.get(), buf.data(), buf.size(), 0);
    if (n <= 0) continue;
    buf.resize(std::size_t(n));
    auto r = v6 ? parse_dhcpv6(buf) : parse_dhcpv4(buf);
    if (r && r->xid == xid && r->message_type == 2) return r;  // OFFER / ADVERTISE
  }
  return make_error(Errc::timeout, std::string(v6 ? "DHCPv6" : "DHCP") + " on " + iface +
                                       ": no answer within " + std::to_string(timeout_ms) + " ms");
}

}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
#include "vpn/netlink.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

namespace phonesec::vpn {
namespace {

struct MnlClose {
  void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using MnlSocket = std::unique_ptr<mnl_socket, MnlClose>;

Result<MnlSocket> open_rtnl() {
  MnlSocket s(mnl_socket_open(NETLINK_ROUTE));
  if (!s) return sys_error("netlink: open NETLINK_ROUTE");
  if (mnl_socket_bind(s.get(), 0, MNL_SOCKET_AUTOPID) < 0) return sys_error("netlink: bind");
  return s;
}

// mnl_attr_for_each without its void* conversions (not valid C++).
template <typename F>
void for_each_attr(const nlmsghdr* nlh, std::size_t offset, F f) {
  auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, offset));
  const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  while (mnl_attr_ok(a, int(tail - reinterpret_cast<const char*>(a)))) {
    f(a);
    a = mnl_attr_next(a);
  }
}

// Sends nlh and runs cb on every reply message until the ACK / DONE. cb may be null.
Status transact(nlmsghdr* nlh, mnl_cb_t cb, void* data, const std::string& what) {
  auto s = open_rtnl();
  if (!s) return s.error();
  nlh->nlmsg_seq = std::uint32_t(std::time(nullptr));
  std::uint32_t portid = mnl_socket_get_portid(s->get());
  if (mnl_socket_sendto(s->get(), nlh, nlh->nlmsg_len) < 0) return sys_error("netlink: send " + what);
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(s->get(), buf.data(), buf.size());
    if (n < 0) return sys_error("netlink: receive " + what);
    int r = mnl_cb_run(buf.data(), std::size_t(n), nlh->nlmsg_seq, portid, cb, data);
    if (r < 0) return sys_error("netlink: " + what);
    if (r == MNL_CB_STOP) return {};
  }
}

int link_cb(const nlmsghdr* nlh, void* data) {
  auto* li = static_cast<LinkInfo*>(data);
  auto* ifm = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  li->ifindex = std::uint32_t(ifm->ifi_index);
  li->type = ifm->ifi_type;
  li->up = ifm->ifi_flags & IFF_UP;
  li->running = ifm->ifi_flags & IFF_RUNNING;
  for_each_attr(nlh, sizeof(*ifm), [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case IFLA_IFNAME:
        if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) li->ifname = mnl_attr_get_str(a);
        break;
      case IFLA_MTU:
        if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) li->mtu = mnl_attr_get_u32(a);
        break;
      case IFLA_STATS64:
        if (mnl_attr_get_payload_len(a) >= sizeof(rtnl_link_stats64)) {
          rtnl_link_stats64 st;
          std::memcpy(&st, mnl_attr_get_payload(a), sizeof st);
          li->rx_bytes = st.rx_bytes;
          li->tx_bytes = st.tx_bytes;
          li->rx_packets = st.rx_packets;
          li->tx_packets = st.tx_packets;
        }
        break;
      default: break;
    }
  });
  return MNL_CB_OK;
}

struct AddrQuery {
  std::uint32_t ifindex;
  LinkInfo* li;
};

int addr_cb(const nlmsghdr* nlh, void* data) {
  auto* q = static_cast<AddrQuery*>(data);
  auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  if (ifa->ifa_family != AF_INET || ifa->ifa_index != q->ifindex || !q->li->ipv4.empty()) return MNL_CB_OK;
  for_each_attr(nlh, sizeof(*ifa), [&](const nlattr* a) {
    if (mnl_attr_get_type(a) != IFA_LOCAL || mnl_attr_get_payload_len(a) != 4) return;
    char s[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, mnl_attr_get_payload(a), s, sizeof s);
    q->li->ipv4 = s;
    q->li->prefixlen = ifa->ifa_prefixlen;
  });
  return MNL_CB_OK;
}

int path_cb(const nlmsghdr* nlh, void* data) {
  auto* p = static_cast<Path*>(data);
  for_each_attr(nlh, sizeof(rtmsg), [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) >= 0) p->oif = mnl_attr_get_u32(a);
    if (mnl_attr_get_type(a) == RTA_GATEWAY && mnl_attr_get_payload_len(a) == 4) {
      char s[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, mnl_attr_get_payload(a), s, sizeof s);
      p->gateway = s;
    }
  });
  return MNL_CB_OK;
}

Result<in_addr> parse_v4(const std::string& s, const char* what) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return make_error(Errc::invalid_argument, std::string(what) + " '" + s + "' is not an IPv4 address");
  return a;
}

}  // namespace

std::string prefix_to_mask(std::uint8_t prefixlen) {
  std::uint32_t m = prefixlen == 0 ? 0 : ~std::uint32_t(0) << (32 - (prefixlen > 32 ? 32 : prefixlen));
  in_addr a{htonl(m)};
  char s[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, s, sizeof s);
  return s;
}

Result<std::uint8_t> mask_to_prefix(const std::string& mask) {
  auto a = parse_v4(mask, "netmask");
  if (!a) return a.error();
  std::uint32_t m = ntohl(a->s_addr);
  std::uint8_t n = 0;
  while (n < 32 && (m & (0x80000000u >> n))) ++n;
  if (n < 32 && (m << n) != 0) return make_error(Errc::invalid_argument, "netmask '" + mask + "' is not contiguous");
  return n;
}

Result<Route> parse_route(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return make_error(Errc::invalid_argument, "route '" + text + "': expected ADDR/MASK");
  Route r;
  r.dst = text.substr(0, slash);
  if (auto a = parse_v4(r.dst, "route destination"); !a) return a.error();
  std::string m = text.substr(slash + 1);
  if (m.find('.') != std::string::npos) {
    auto p = mask_to_prefix(m);
    if (!p) return p.error();
    r.prefixlen = *p;
  } else {
    char* end = nullptr;
    long v = std::strtol(m.c_str(), &end, 10);
    if (m.empty() || *end != '\0' || v < 0 || v > 32)
      return make_error(Errc::invalid_argument, "route '" + text + "': prefix length must be 0-32");
    r.prefixlen = std::uint8_t(v);
  }
  return r;
}

// A link message for interface ifindex in buf: header and ifinfomsg (more in *ifm for the caller).
static nlmsghdr* link_msg(char* buf, std::uint16_t type, std::uint16_t flags, std::uint32_t ifindex, ifinfomsg** ifm) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  *ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  (*ifm)->ifi_family = AF_UNSPEC;
  (*ifm)->ifi_index = int(ifindex);
  return nlh;
}

// An IPv4 address message in buf: header and ifaddrmsg for interface ifindex (0 in a dump).
static nlmsghdr* addr_msg(char* buf, std::uint16_t type, std::uint16_t flags, std::uint32_t ifindex, ifaddrmsg** ifa) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  *ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  (*ifa)->ifa_family = AF_INET;
  (*ifa)->ifa_index = ifindex;
  return nlh;
}

Result<LinkInfo> read_link(const std::string& ifname) {
  unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) return make_error(Errc::not_found, "link " + ifname + " does not exist", errno);
  LinkInfo li;
  {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    ifinfomsg* ifm;
    nlmsghdr* nlh = link_msg(buf, RTM_GETLINK, NLM_F_ACK, idx, &ifm);
    if (auto s = transact(nlh, link_cb, &li, "get link " + ifname); !s) {
      if (s.error().sys_errno == ENODEV) return make_error(Errc::not_found, "link " + ifname + " does not exist");
      return s.error();
    }
  }
  {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    ifaddrmsg* ifa;
    nlmsghdr* nlh = addr_msg(buf, RTM_GETADDR, NLM_F_DUMP, 0, &ifa);
    AddrQuery q{li.ifindex, &li};
    if (auto s = transact(nlh, addr_cb, &q, "get addresses of " + ifname); !s) return s.error();
  }
  return li;
}

// An IPv4 route message to `dst`/`dst_len` in buf: header, rtmsg and RTA_DST. Routes we add
// are static main-table unicast routes; `scope` is the one thing that differs between them.
static nlmsghdr* route_msg(char* buf, std::uint16_t type, std::uint16_t flags, const in_addr& dst, std::uint8_t dst_len,
                    std::uint8_t scope) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = dst_len;
  if (type != RTM_GETROUTE) {
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_STATIC;
    rtm->rtm_scope = scope;
    if (type == RTM_NEWROUTE) rtm->rtm_type = RTN_UNICAST;
  }
  mnl_attr_put(nlh, RTA_DST, 4, &dst.s_addr);
  return nlh;
}

Result<Path> lookup_route(const std::string& dst) {
  auto a = parse_v4(dst, "route lookup destination");
  if (!a) return a.error();
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = route_msg(buf, RTM_GETROUTE, 0, *a, 32, 0);
  Path p;
  if (auto s = transact(nlh, path_cb, &p, "route lookup for " + dst); !s) return s.error();
  if (p.oif == 0) return make_error(Errc::not_found, "no route to " + dst);
  return p;
}

Status replace_host_route(const std::string& dst, const Path& via) {
  auto a = parse_v4(dst, "host route destination");
  if (!a) return a.error();
  in_addr gw{};
  if (!via.gateway.empty()) {
    auto g = parse_v4(via.gateway, "host route gateway");
    if (!g) return g.error();
    gw = *g;
  }
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, *a, 32,
                            via.gateway.empty() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
  if (!via.gateway.empty()) mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw.s_addr);
  mnl_attr_put_u32(nlh, RTA_OIF, via.oif);
  return transact(nlh, nullptr, nullptr, "host route " + dst);
}

Status delete_host_route(const std::string& dst) {
  auto a = parse_v4(dst, "host route destination");
  if (!a) return a.error();
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = route_msg(buf, RTM_DELROUTE, 0, *a, 32, RT_SCOPE_NOWHERE);
  return transact(nlh, nullptr, nullptr, "delete host route " + dst);
}

Status set_link_up(std::uint32_t ifindex, std::uint32_t mtu) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  ifinfomsg* ifm;
  nlmsghdr* nlh = link_msg(buf, RTM_NEWLINK, NLM_F_ACK, ifindex, &ifm);
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  if (mtu) mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
  return transact(nlh, nullptr, nullptr, "set link " + std::to_string(ifindex) + " up");
}

Status add_ipv4_address(std::uint32_t ifindex, const std::string& addr, std::uint8_t prefixlen) {
  auto a = parse_v4(addr, "tunnel address");
  if (!a) return a.error();
  char buf[MNL_SOCKET_BUFFER_SIZE];
  ifaddrmsg* ifa;
  nlmsghdr* nlh = addr_msg(buf, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, ifindex, &ifa);
  ifa->ifa_prefixlen = prefixlen;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  mnl_attr_put(nlh, IFA_LOCAL, 4, &a->s_addr);
  mnl_attr_put(nlh, IFA_ADDRESS, 4, &a->s_addr);
  return transact(nlh, nullptr, nullptr, "add address " + addr + "/" + std::to_string(prefixlen));
}

Status replace_route(std::uint32_t ifindex, const Route& r) {
  auto a = parse_v4(r.dst, "route destination");
  if (!a) return a.error();
  // The kernel wants the network address: 172.30.0.5/24 -> 172.30.0.0/24.
  std::uint32_t m = r.prefixlen == 0 ? 0 : ~std::uint32_t(0) << (32 - r.prefixlen);
  a->s_addr &= htonl(m);
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, *a, r.prefixlen, RT_SCOPE_LINK);
  mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
  return transact(nlh, nullptr, nullptr, "route " + r.dst + "/" + std::to_string(r.prefixlen));
}

}  // namespace phonesec::vpn

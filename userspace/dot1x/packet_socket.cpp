// SPDX-License-Identifier: Apache-2.0
#include "dot1x/packet_socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

namespace phonesec::dot1x {

Result<Mac> interface_mac(const std::string& ifname) {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return sys_error("socket for SIOCGIFHWADDR");
  ifreq ifr{};
  if (ifname.size() >= IFNAMSIZ) return make_error(Errc::invalid_argument, "interface name too long: " + ifname);
  std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
  if (::ioctl(s.get(), SIOCGIFHWADDR, &ifr) != 0) return sys_error("MAC address of interface " + ifname);
  Mac m;
  std::memcpy(m.data(), ifr.ifr_hwaddr.sa_data, 6);
  return m;
}

Result<PacketSocket> PacketSocket::open(const std::string& ifname) {
  PacketSocket p;
  p.name_ = ifname;
  p.ifindex_ = int(if_nametoindex(ifname.c_str()));
  if (p.ifindex_ == 0) return sys_error("interface " + ifname);
  auto mac = interface_mac(ifname);
  if (!mac) return mac.error();
  p.mac_ = *mac;
  p.fd_.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL)));
  if (!p.fd_.valid()) return sys_error("AF_PACKET socket on " + ifname);
  // ldh [12]; jeq #0x888e, accept, drop. Untagged only: the voice VLAN is a separate netdev.
  static sock_filter code[] = {
      {0x28, 0, 0, 12},
      {0x15, 0, 1, 0x888e},
      {0x06, 0, 0, 0x40000},
      {0x06, 0, 0, 0},
  };
  sock_fprog prog{4, code};
  if (setsockopt(p.fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0)
    return sys_error("EAPOL filter on " + ifname);
  int one = 1;
  if (setsockopt(p.fd_.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0)
    return sys_error("PACKET_IGNORE_OUTGOING on " + ifname);
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = p.ifindex_;
  if (::bind(p.fd_.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) return sys_error("bind on " + ifname);
  // Drain what arrived between socket() and the filter taking effect.
  uint8_t junk[64];
  while (::recv(p.fd_.get(), junk, sizeof junk, MSG_DONTWAIT) > 0) {
  }
  packet_mreq mr{};
  mr.mr_ifindex = p.ifindex_;
  mr.mr_type = PACKET_MR_MULTICAST;
  mr.mr_alen = 6;
  std::memcpy(mr.mr_address, kPaeGroupAddr.data(), 6);
  if (setsockopt(p.fd_.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
    return sys_error("PAE group address membership on " + ifname);
  return p;
}

Status PacketSocket::send(ByteView frame) const {
  // A link down leaves ENETDOWN pending on the socket (reported once by the next call): clear
  // it so the EAPOL-Start sent right at link up is not the frame that absorbs it.
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (::send(fd_.get(), frame.data(), frame.size(), 0) != ssize_t(frame.size()))
    return sys_error("send EAPOL on " + name_);
  return {};
}

bool PacketSocket::recv(Bytes& buf) const {
  buf.resize(2048);
  ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
  if (n <= 0) {
    buf.clear();
    return false;
  }
  buf.resize(std::min(size_t(n), buf.size()));  // MSG_TRUNC: a larger frame arrives truncated
  return true;
}

}  // namespace phonesec::dot1x

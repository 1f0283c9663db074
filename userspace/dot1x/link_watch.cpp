// SPDX-License-Identifier: Apache-2.0
#include "dot1x/link_watch.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>

#include <ctime>

namespace phonesec::dot1x {

Result<std::unique_ptr<LinkWatch>> LinkWatch::open(OnChange cb) {
  std::unique_ptr<LinkWatch> w(new LinkWatch());
  w->cb_ = std::move(cb);
  w->nl_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (!w->nl_) return sys_error("rtnetlink socket");
  if (mnl_socket_bind(w->nl_, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) return sys_error("rtnetlink bind (RTMGRP_LINK)");
  return w;
}

LinkWatch::~LinkWatch() {
  if (nl_) mnl_socket_close(nl_);
}

int LinkWatch::fd() const { return mnl_socket_get_fd(nl_); }

Status LinkWatch::request_dump() {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq_ = unsigned(time(nullptr));
  auto* ifm = static_cast<rtgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtgenmsg)));
  ifm->rtgen_family = AF_PACKET;
  if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) return sys_error("rtnetlink link dump request");
  return {};
}

int LinkWatch::on_msg(const nlmsghdr* nlh, void* data) {
  auto* self = static_cast<LinkWatch*>(data);
  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return MNL_CB_OK;
  auto* ifm = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  std::string name;
  int oper = -1;
  // mnl_attr_for_each is C (void* → nlattr*); walk the attributes by hand.
  const size_t off = MNL_ALIGN(sizeof(*ifm));
  const auto* a = reinterpret_cast<const nlattr*>(static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) + off);
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (; mnl_attr_ok(a, int(end - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a)) {
    if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
      name = static_cast<const char*>(mnl_attr_get_payload(a));
    if (mnl_attr_get_type(a) == IFLA_OPERSTATE && mnl_attr_validate(a, MNL_TYPE_U8) >= 0) oper = mnl_attr_get_u8(a);
  }
  if (name.empty()) return MNL_CB_OK;
  // RFC 2863 operational state, not just carrier: the kernel sets it (linkwatch) after the
  // device's transmit path is activated. Carrier alone comes earlier, and a frame sent in that
  // gap is lost (a veth peer's first answer to our EAPOL-Start vanished that way). Drivers
  // without operstate report UNKNOWN: carrier decides.
  const bool carrier = (ifm->ifi_flags & IFF_UP) && (ifm->ifi_flags & IFF_LOWER_UP);
  const bool up = nlh->nlmsg_type == RTM_NEWLINK && carrier &&
                  (oper == IF_OPER_UP || oper == IF_OPER_UNKNOWN || oper == -1);
  auto it = self->state_.find(name);
  if (it == self->state_.end() || it->second != up) {
    self->state_[name] = up;
    if (self->cb_) self->cb_(name, up);
  }
  return MNL_CB_OK;
}

Status LinkWatch::process() {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
      if (errno == ENOBUFS) {  // events lost: resynchronise from a fresh dump
        if (auto s = request_dump(); !s) return s;
        continue;
      }
      return sys_error("rtnetlink receive");
    }
    // Sequence/port 0: accept both dump answers and multicast events.
    int r = mnl_cb_run(buf, size_t(n), 0, 0, on_msg, this);
    if (r < 0 && errno != EINTR) return sys_error("rtnetlink message");
  }
}

bool LinkWatch::up(const std::string& ifname) const {
  auto it = state_.find(ifname);
  return it != state_.end() && it->second;
}

}  // namespace phonesec::dot1x

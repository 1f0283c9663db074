// SPDX-License-Identifier: Apache-2.0
#include "fw/link_lifecycle.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>

#include <ctime>

#include "common/log.h"

namespace phonesec::fw {

Result<std::unique_ptr<LinkLifecycle>> LinkLifecycle::open() {
  std::unique_ptr<LinkLifecycle> w(new LinkLifecycle());
  w->nl_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (!w->nl_) return sys_error("fw link lifecycle: rtnetlink socket");
  if (mnl_socket_bind(w->nl_, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0)
    return sys_error("fw link lifecycle: rtnetlink bind (RTMGRP_LINK)");
  if (auto s = w->request_dump(); !s) return s.error();
  return w;
}

LinkLifecycle::~LinkLifecycle() {
  if (nl_) mnl_socket_close(nl_);
}

int LinkLifecycle::fd() const { return mnl_socket_get_fd(nl_); }

void LinkLifecycle::watch(const std::string& ifname, unsigned ifindex) {
  Watched& w = watched_[ifname];
  if (w.current == 0) w.current = ifindex;  // not seen yet: the dump will tell if it differs
  w.attached = ifindex;
  w.reported = false;
}

void LinkLifecycle::retry(const std::string& ifname) {
  if (auto it = watched_.find(ifname); it != watched_.end()) it->second.reported = false;
}

void LinkLifecycle::unwatch(const std::string& ifname) { watched_.erase(ifname); }

unsigned LinkLifecycle::current_ifindex(const std::string& ifname) const {
  auto it = watched_.find(ifname);
  return it == watched_.end() ? 0 : it->second.current;
}

Status LinkLifecycle::request_dump() {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq_ = unsigned(time(nullptr));
  auto* g = static_cast<rtgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtgenmsg)));
  g->rtgen_family = AF_PACKET;
  if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0)
    return sys_error("fw link lifecycle: rtnetlink link dump request");
  return {};
}

int LinkLifecycle::on_msg(const nlmsghdr* nlh, void* data) {
  auto* self = static_cast<LinkLifecycle*>(data);
  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return MNL_CB_OK;
  const auto* ifm = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  std::string name;
  // mnl_attr_for_each is C (void* → nlattr*): walk the attributes by hand.
  const auto* a = reinterpret_cast<const nlattr*>(static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) +
                                                  MNL_ALIGN(sizeof(*ifm)));
  const char* end = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (; mnl_attr_ok(a, int(end - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a))
    if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
      name = static_cast<const char*>(mnl_attr_get_payload(a));
  auto it = self->watched_.find(name);
  if (name.empty() || it == self->watched_.end()) return MNL_CB_OK;
  Watched& w = it->second;
  const unsigned idx = unsigned(ifm->ifi_index);
  if (nlh->nlmsg_type == RTM_DELLINK) {
    if (w.current == idx) w.current = 0;
    if (w.attached == idx) w.attached = 0;  // its links went with it: whatever comes next is new
  } else if (w.current != idx) {
    w.current = idx;
    w.reported = false;
  }
  return MNL_CB_OK;
}

Result<std::vector<std::string>> LinkLifecycle::process() {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {  // events lost: resynchronise from a fresh dump
        if (auto s = request_dump(); !s) return s.error();
        continue;
      }
      return sys_error("fw link lifecycle: rtnetlink receive");
    }
    // Sequence/port 0: dump answers and multicast events alike.
    if (mnl_cb_run(buf, size_t(n), 0, 0, on_msg, this) < 0 && errno != EINTR)
      return sys_error("fw link lifecycle: rtnetlink message");
  }
  std::vector<std::string> changed;
  for (auto& [name, w] : watched_) {
    if (w.current != 0 && w.current != w.attached && !w.reported) {
      w.reported = true;
      changed.push_back(name);
    }
  }
  return changed;
}

Result<std::vector<AttachInfo>> reattach_changed(Firewall& fw, LinkLifecycle& links, XdpMode xdp, TcMode tc) {
  auto changed = links.process();
  if (!changed) return changed.error();
  std::vector<AttachInfo> done;
  std::string failed;
  for (const auto& name : *changed) {
    auto a = fw.attach(name, xdp, tc);
    if (!a) {
      failed += (failed.empty() ? "" : "; ") + a.error().message();
      links.retry(name);
      continue;
    }
    log::info("fw", "interface ", name, " is a new device (ifindex ", a->ifindex,
              "): firewall attached again (XDP ", a->xdp_mode, ", egress ", a->tc_mode, ")");
    links.watch(name, a->ifindex);
    done.push_back(std::move(a.value()));
  }
  if (!failed.empty()) return make_error(Errc::bpf, "re-attach after an interface was recreated: " + failed);
  return done;
}

}  // namespace phonesec::fw

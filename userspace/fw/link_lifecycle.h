// SPDX-License-Identifier: Apache-2.0
// LinkLifecycle: follows the life of the interfaces the firewall is attached to, so a device
// deleted and recreated under the same name (a VLAN, a bridge, a tun, a driver reset) is
// filtered again (issue 19, point 1).
//
// XDP and tcx links belong to a device, not to a name: when the device goes, its links go
// with it, and a new device of the same name starts with no filter. The watcher listens to
// rtnetlink (libmnl, RTMGRP_LINK: RTM_NEWLINK / RTM_DELLINK) in the network namespace it was
// opened in, and reports each watched name that now belongs to another device than the one
// attached: a new ifindex, or the same index after the device was seen deleted. It asks for a
// dump of every link when opened and whenever events were lost (ENOBUFS), so a change between
// an attach and watch() is not missed either.
//
// Contract: one thread; fd() is non-blocking, poll it for POLLIN and call process() when
// readable; reattach_changed() does both steps of the daemon's reaction (attach again, then
// watch the new device). Errors name the call and the interface.
#pragma once

#include <libmnl/libmnl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "fw/firewall.h"

namespace phonesec::fw {

class LinkLifecycle {
 public:
  // A netlink socket bound to link events in the caller's network namespace; a dump request
  // is already sent (its answers arrive through process()).
  static Result<std::unique_ptr<LinkLifecycle>> open();
  ~LinkLifecycle();
  LinkLifecycle(const LinkLifecycle&) = delete;
  LinkLifecycle& operator=(const LinkLifecycle&) = delete;

  int fd() const;
  // Watch `ifname`, attached to the device `ifindex` (AttachInfo::ifindex); 0: not attached
  // (reported as soon as a device of that name exists).
  void watch(const std::string& ifname, unsigned ifindex);
  void unwatch(const std::string& ifname);
  // Reads what is pending (never blocks) and returns the watched names whose device is no
  // longer the attached one and that exist now (each once, until watch() records the new
  // device). A name whose device is deleted is not reported until a device of that name exists.
  Result<std::vector<std::string>> process();
  // The device of `ifname` as last seen: 0 while absent (deleted, or never seen).
  unsigned current_ifindex(const std::string& ifname) const;
  // A reported name could not be attached: report it again at the next process().
  void retry(const std::string& ifname);

 private:
  LinkLifecycle() = default;
  Status request_dump();
  static int on_msg(const nlmsghdr* nlh, void* data);

  struct Watched {
    unsigned attached = 0;  // the device the firewall is on (0: none)
    unsigned current = 0;   // the device of that name now (0: none)
    bool reported = false;  // `current` was handed out by process() already
  };
  mnl_socket* nl_ = nullptr;
  std::map<std::string, Watched> watched_;
  unsigned seq_ = 0;
};

// The daemon's reaction to a readable LinkLifecycle::fd(): process(), then for each name
// reported, Firewall::attach(name, xdp, tc) on the new device and watch() it. Returns the
// attachments made (for the status and the log); an interface that fails to attach is
// named in the error after the others were tried, and is tried again at the next call.
Result<std::vector<AttachInfo>> reattach_changed(Firewall& fw, LinkLifecycle& links,
                                                 XdpMode xdp = XdpMode::native_or_generic,
                                                 TcMode tc = TcMode::tcx_or_clsact);

}  // namespace phonesec::fw

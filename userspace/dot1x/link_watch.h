// SPDX-License-Identifier: Apache-2.0
// Link state of a few interfaces from rtnetlink (libmnl): one dump at start, then RTM_NEWLINK /
// RTM_DELLINK events. "Up" means administratively up with carrier and operstate UP (or UNKNOWN
// for drivers that do not report it).
#pragma once

#include <libmnl/libmnl.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/result.h"

namespace phonesec::dot1x {

class LinkWatch {
 public:
  using OnChange = std::function<void(const std::string& ifname, bool up)>;
  static Result<std::unique_ptr<LinkWatch>> open(OnChange cb);
  ~LinkWatch();
  int fd() const;
  // Requests a dump of every link (answers arrive through process()).
  Status request_dump();
  // Reads pending messages and calls the callback for each state change.
  Status process();
  // Last known state (false if never seen).
  bool up(const std::string& ifname) const;

 private:
  LinkWatch() = default;
  static int on_msg(const nlmsghdr* nlh, void* data);
  mnl_socket* nl_ = nullptr;
  OnChange cb_;
  std::map<std::string, bool> state_;
  unsigned seq_ = 0;
};

}  // namespace phonesec::dot1x

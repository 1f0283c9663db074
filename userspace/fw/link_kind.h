// SPDX-License-Identifier: Apache-2.0
// Which program variant an interface needs, from its link type: Ethernet frames (ARPHRD_ETHER)
// (ARPHRD_ETHER, and lo) or bare IP packets (ARPHRD_NONE tun devices, ARPHRD_RAWIP). Other link types are refused
// rather than given a parser that would read their headers wrong.
#pragma once

#include <string>

#include "common/result.h"

namespace phonesec::fw {

enum class LinkKind { ethernet, l3 };

const char* link_kind_name(LinkKind k);  // "ethernet" / "l3"

// The interface's link type (ARPHRD_*) in this network namespace (SIOCGIFHWADDR).
Result<unsigned> link_type(const std::string& ifname);

// The variant for `ifname`, or Errc::unsupported naming the interface and its link type.
Result<LinkKind> link_kind(const std::string& ifname);

// A pinned link at `path` that is still attached to ifindex: its fd, or -1 (a pin left by a
// device that is gone, a tun recreated under the same name, is removed).
int adopt_pinned_link(const std::string& path, unsigned ifindex);

}  // namespace phonesec::fw

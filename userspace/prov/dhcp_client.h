// SPDX-License-Identifier: Apache-2.0
// One DHCP exchange on an interface, for provisioning discovery: a DISCOVER (v4, broadcast
// flag, parameter request list) or a SOLICIT (v6, to ff02::1:2) asking for the provisioning
// options, resent every 500 ms until an OFFER / ADVERTISE with our transaction id arrives.
// No lease is taken: the phone's DHCP client owns addressing; this only reads the options.
// Needs CAP_NET_RAW/NET_BIND_SERVICE (ports 68/546) and SO_BINDTODEVICE.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "prov/dhcp.h"

namespace phonesec::prov {

// Errc::timeout when nothing answers within timeout_ms, Errc::system for socket errors.
Result<DhcpReply> dhcp_query(const std::string& iface, bool v6, const std::vector<int>& request,
                             int timeout_ms);

}  // namespace phonesec::prov

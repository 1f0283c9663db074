// SPDX-License-Identifier: Apache-2.0
// Putting the firewall on the VPN tunnel: the client reports each new tun device
// (ClientEvents::tunnel_up, again after every reconnect) and this attaches the same programs,
// hence the same policy and conntrack, to it.
//
// A tun device carries bare IP packets (ARPHRD_NONE): the loader gives it the L3 variant of
// the programs (parsing from the IP header), on the same maps, in generic XDP.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "fw/firewall.h"
#include "vpn/client.h"

namespace phonesec::vpn {

Result<fw::AttachInfo> attach_firewall_to_tunnel(fw::Firewall& fw, const std::string& ifname);

// Events for VpnClient that call attach_firewall_to_tunnel on every new tunnel and hand
// the outcome to report (log it, put it in the daemon's status).
ClientEvents firewall_events(fw::Firewall& fw, std::function<void(const std::string& ifname, const Status&)> report);

}  // namespace phonesec::vpn

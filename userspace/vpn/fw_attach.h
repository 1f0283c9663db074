// SPDX-License-Identifier: Apache-2.0
// Putting the firewall on the VPN tunnel: the client reports each new tun device
// (ClientEvents::tunnel_up, again after every reconnect) and this attaches the same programs,
// hence the same policy and conntrack, to it.
//
// Guarded: the programs parse Ethernet frames, and a tun device carries bare IP packets
// (ARPHRD_NONE). Attached there they would read IP addresses as EtherTypes and pass nearly
// everything as "non-IP". Until the programs learn L3 devices this returns Errc::unsupported
// with that reason instead of attaching a filter that does not filter.
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

// SPDX-License-Identifier: Apache-2.0
// The VPN part as a phonesecd worker (`phonesecd --worker vpn`), speaking common/channel.h.
// The first apply boots the client on the profile (Connect_on_Bootup); later ones go through
// VpnClient::apply (Enable_VPN_Connection switches the tunnel whatever started it; changed
// server or credentials restart it; the same settings do nothing). The apply message's
// "args" object carries the device's trust: {"ca": FILE, "pin": "pin-sha256:…", "ifname": IF}.
// Commands: {"name":"connect"} / {"name":"disconnect"}. Events: {"name":"tun_up","ifname",
// "ifindex"} and {"name":"tun_down","ifname"}: the controller puts its firewall on the tunnel
// (the worker holds no BPF privilege). Status: the VpnStatus object on change and every second
// while connected (counters). Needs CAP_NET_ADMIN only (tun device, addresses, routes).
#pragma once

#include "common/channel.h"

namespace phonesec::vpn {

Status run_worker(Channel& ch);

}  // namespace phonesec::vpn

// SPDX-License-Identifier: Apache-2.0
#include "vpn/fw_attach.h"

#include <net/if_arp.h>

#include "common/log.h"
#include "vpn/netlink.h"

namespace phonesec::vpn {

Result<fw::AttachInfo> attach_firewall_to_tunnel(fw::Firewall& fw, const std::string& ifname) {
  auto li = read_link(ifname);
  if (!li) return li.error();
  if (li->type != ARPHRD_ETHER)
    return make_error(Errc::unsupported, "firewall not attached to " + ifname + ": its programs parse Ethernet frames and " +
                                             ifname + " is an L3 device (link type " + std::to_string(li->type) +
                                             ") whose packets they would pass as non-IP");
  return fw.attach(ifname, fw::XdpMode::generic);
}

ClientEvents firewall_events(fw::Firewall& fw, std::function<void(const std::string&, const Status&)> report) {
  ClientEvents ev;
  ev.tunnel_up = [&fw, report](const std::string& ifname, std::uint32_t) {
    auto a = attach_firewall_to_tunnel(fw, ifname);
    Status s = a ? Status{} : Status{a.error()};
    if (a) log::info("vpn", "firewall attached to ", ifname, " (XDP ", a->xdp_mode, ", egress ", a->tc_mode, ")");
    else log::error("vpn", a.error().message());
    if (report) report(ifname, s);
  };
  // The kernel drops the device's hooks with it; this removes pinned links left behind.
  ev.tunnel_down = [&fw](const std::string& ifname) {
    for (const auto& a : fw.attached())
      if (a == ifname) (void)fw.detach(ifname);
  };
  return ev;
}

}  // namespace phonesec::vpn

// SPDX-License-Identifier: Apache-2.0
#include "vpn/fw_attach.h"

#include "common/log.h"

namespace phonesec::vpn {

Result<fw::AttachInfo> attach_firewall_to_tunnel(fw::Firewall& fw, const std::string& ifname) {
  // The loader picks the variant by link type (ARPHRD_NONE: the L3 programs).
  return fw.attach(ifname, fw::XdpMode::generic);
}

ClientEvents firewall_events(fw::Firewall& fw, std::function<void(const std::string&, const Status&)> report) {
  ClientEvents ev;
  ev.tunnel_up = [&fw, report](const std::string& ifname, std::uint32_t) {
    auto a = attach_firewall_to_tunnel(fw, ifname);
    Status s = a ? Status{} : Status{a.error()};
    if (a) log::info("vpn", "firewall attached to ", ifname, " (XDP ", a->xdp_mode, ", egress ", a->tc_mode, ", ", a->variant, " programs)");
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

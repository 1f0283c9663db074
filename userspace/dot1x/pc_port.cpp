// SPDX-License-Identifier: Apache-2.0
#include "dot1x/pc_port.h"

#include <fstream>

#include "common/log.h"

namespace phonesec::dot1x {

bool PcPortTracker::learn(ByteView frame) {
  auto f = parse_eapol(frame);
  if (!f) return false;
  if (f->src == phone_ || (f->src[0] & 1)) return false;  // not a station address
  return stations_.insert(f->src).second;
}

std::vector<Bytes> PcPortTracker::link_down() {
  std::vector<Bytes> out;
  for (const Mac& m : stations_) out.push_back(build_eapol(kPaeGroupAddr, m, version_, EapolType::logoff, {}));
  stations_.clear();
  return out;
}

Status enable_bridge_eapol_forwarding(const std::string& pc_ifname) {
  const std::string path = "/sys/class/net/" + pc_ifname + "/master/bridge/group_fwd_mask";
  std::ifstream in(path);
  if (!in) return {};  // not enslaved to a bridge: forwarding is the switch chip's business
  std::string v;
  in >> v;
  unsigned long mask = std::stoul(v.empty() ? "0" : v, nullptr, 0);
  if (mask & 8) return {};
  std::ofstream out(path);
  out << (mask | 8) << "\n";
  out.close();
  if (!out) return sys_error("write " + path);
  log::info("dot1x", "EAPOL forwarding enabled on the bridge of ", pc_ifname);
  return {};
}

}  // namespace phonesec::dot1x

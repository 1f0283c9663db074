// SPDX-License-Identifier: Apache-2.0
// The PC port behind the phone. Its EAPOL is forwarded by the switch chip (here: a Linux bridge
// with bit 3 of group_fwd_mask, so 01:80:c2:00:00:03 crosses it); the phone never answers it.
// PcPortTracker (pure) learns the stations that spoke EAPOL on the PC port and, when the port
// loses link, builds the EAPOL-Logoff the phone sends to the switch with each PC's MAC as source
// (a wired authenticator never notices a PC unplugged behind a phone otherwise).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "dot1x/eapol.h"

namespace phonesec::dot1x {

class PcPortTracker {
 public:
  explicit PcPortTracker(Mac phone_mac, uint8_t eapol_version = 2) : phone_(phone_mac), version_(eapol_version) {}
  // An EAPOL frame received from the PC port; returns true when its source is a new station.
  bool learn(ByteView frame);
  // The PC port lost link: one EAPOL-Logoff per learned station (source = the station's MAC,
  // destination = PAE group address); the stations are forgotten.
  std::vector<Bytes> link_down();
  const std::set<Mac>& stations() const { return stations_; }

 private:
  Mac phone_;
  uint8_t version_;
  std::set<Mac> stations_;
};

// Makes the bridge the PC port belongs to forward EAPOL (sets bit 3 of group_fwd_mask through
// sysfs). No-op when `pc_ifname` is not a bridge port. Errors name the sysfs file.
Status enable_bridge_eapol_forwarding(const std::string& pc_ifname);

}  // namespace phonesec::dot1x

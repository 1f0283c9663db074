// SPDX-License-Identifier: Apache-2.0
// AF_PACKET socket for EAPOL on one interface: receives only ethertype 0x888e (a classic BPF
// filter on ETH_P_ALL, so frames a bridge port hands to its bridge are seen too), joins the
// PAE group address, never sees its own transmissions, sends whole Ethernet frames.
#pragma once

#include <string>

#include "common/fd.h"
#include "common/result.h"
#include "dot1x/bytes.h"
#include "dot1x/eapol.h"

namespace phonesec::dot1x {

class PacketSocket {
 public:
  // Opens and binds on `ifname`. Errors name the interface and the call that failed.
  static Result<PacketSocket> open(const std::string& ifname);
  int fd() const { return fd_.get(); }
  int ifindex() const { return ifindex_; }
  const Mac& mac() const { return mac_; }
  const std::string& name() const { return name_; }
  Status send(ByteView frame) const;
  // One frame into buf (resized to the frame); false when nothing is pending.
  bool recv(Bytes& buf) const;

 private:
  UniqueFd fd_;
  int ifindex_ = 0;
  Mac mac_{};
  std::string name_;
};

// The interface's MAC (SIOCGIFHWADDR). Errors name the interface.
Result<Mac> interface_mac(const std::string& ifname);

}  // namespace phonesec::dot1x

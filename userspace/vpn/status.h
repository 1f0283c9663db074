// SPDX-License-Identifier: Apache-2.0
// The VPN status page: the switch, the connection state, the tunnel's address and mask and
// its byte counters (read from the tun device through netlink), and why the last attempt
// failed. Holds no secret.
#pragma once

#include <cstdint>
#include <string>

namespace phonesec::vpn {

// Connection state machine (one enum, every transition logged by the client).
enum class State { disconnected, connecting, connected, reconnecting };
const char* state_name(State s);

struct VpnStatus {
  bool enabled = false;            // the phone's "enable VPN connection" switch
  State state = State::disconnected;
  std::string server, user, group;  // group: the tunnel group the server accepted
  std::string ifname;              // tun device while connected
  std::uint32_t ifindex = 0;
  std::string address, netmask;    // from the device (netlink), "" when down
  std::uint64_t bytes_sent = 0, bytes_received = 0;  // device tx / rx bytes
  std::string transport;           // "DTLS" or "TLS" while connected
  std::uint32_t reconnects = 0;    // tunnels lost and re-established since the switch went on
  std::string last_error;          // why the last attempt failed or the tunnel was lost

  bool connected() const { return state == State::connected; }
};

// One JSON object, keys as in VpnStatus.
std::string to_json(const VpnStatus& s);

}  // namespace phonesec::vpn

// SPDX-License-Identifier: Apache-2.0
#include "vpn/status.h"

#include <nlohmann/json.hpp>

namespace phonesec::vpn {

const char* state_name(State s) {
  switch (s) {
    case State::disconnected: return "disconnected";
    case State::connecting: return "connecting";
    case State::connected: return "connected";
    case State::reconnecting: return "reconnecting";
  }
  return "?";
}

std::string to_json(const VpnStatus& s) {
  nlohmann::ordered_json j = {{"enabled", s.enabled},     {"state", state_name(s.state)},
                              {"server", s.server},       {"user", s.user},
                              {"group", s.group},         {"ifname", s.ifname},
                              {"ifindex", s.ifindex},     {"address", s.address},
                              {"netmask", s.netmask},     {"bytes_sent", s.bytes_sent},
                              {"bytes_received", s.bytes_received}, {"transport", s.transport},
                              {"reconnects", s.reconnects}, {"last_error", s.last_error}};
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace phonesec::vpn

// SPDX-License-Identifier: Apache-2.0
#include "vpn/status.h"

#include <cstdio>
#include <sstream>

namespace phonesec::vpn {
namespace {

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += char(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += char(c);
    }
  }
  return o + "\"";
}

}  // namespace

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
  std::ostringstream o;
  o << "{\"enabled\":" << (s.enabled ? "true" : "false") << ",\"state\":" << json_str(state_name(s.state))
    << ",\"server\":" << json_str(s.server) << ",\"user\":" << json_str(s.user) << ",\"group\":" << json_str(s.group)
    << ",\"ifname\":" << json_str(s.ifname) << ",\"ifindex\":" << s.ifindex << ",\"address\":" << json_str(s.address)
    << ",\"netmask\":" << json_str(s.netmask) << ",\"bytes_sent\":" << s.bytes_sent
    << ",\"bytes_received\":" << s.bytes_received << ",\"transport\":" << json_str(s.transport)
    << ",\"reconnects\":" << s.reconnects << ",\"last_error\":" << json_str(s.last_error) << "}";
  return o.str();
}

}  // namespace phonesec::vpn

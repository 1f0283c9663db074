// SPDX-License-Identifier: Apache-2.0
#include "vpn/settings.h"

#include <algorithm>
#include <cctype>

namespace phonesec::vpn {
namespace {

bool host_char_ok(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':';
}

Error bad_server(const std::string& v, const std::string& why) {
  return make_error(Errc::invalid_argument, "VPN_Server '" + v + "': " + why);
}

}  // namespace

Result<Settings> settings_from(const config::VpnConfig& c, TrustPolicy trust) {
  Settings s;
  std::string v = c.server;
  // Trim: provisioning files carry stray blanks.
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(v.begin());
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  if (v.empty()) return make_error(Errc::invalid_argument, "VPN_Server is empty");

  std::string rest = v;
  std::string lower = v;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  if (lower.rfind("https://", 0) == 0) {
    rest = v.substr(8);
  } else if (lower.find("://") != std::string::npos) {
    return bad_server(v, "only https:// is supported");
  }
  std::string path;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    path = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  std::string host = rest, port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return bad_server(v, "unclosed '[' in IPv6 address");
    host = rest.substr(1, close - 1);
    std::string after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_server(v, "unexpected text after ']'");
      port = after.substr(1);
    }
  } else if (auto colon = rest.find(':'); colon != std::string::npos) {
    if (rest.find(':', colon + 1) != std::string::npos) return bad_server(v, "IPv6 address must be in brackets");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad_server(v, "no host");
  if (!std::all_of(host.begin(), host.end(), host_char_ok)) return bad_server(v, "invalid character in host");
  if (!port.empty() || rest.back() == ':') {
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) || std::stoi(port) < 1 ||
        std::stoi(port) > 65535)
      return bad_server(v, "port must be 1-65535");
  }
  if (c.user_name.empty()) return make_error(Errc::invalid_argument, "VPN_User_Name is empty");

  s.host = host;
  bool v6 = host.find(':') != std::string::npos;
  s.url = "https://" + (v6 ? "[" + host + "]" : host) + (port.empty() ? "" : ":" + port) + path;
  s.user = c.user_name;
  s.password = c.password;
  s.tunnel_group = c.tunnel_group;
  s.trust = std::move(trust);
  return s;
}

std::chrono::milliseconds Backoff::next() {
  auto d = next_;
  next_ = std::min(next_ * 2, p_.max);
  return std::min(d, p_.max);
}

}  // namespace phonesec::vpn

// SPDX-License-Identifier: Apache-2.0
#include "dot1x/status.h"

#include <sstream>

#include <nlohmann/json.hpp>

namespace phonesec::dot1x {

std::string to_string(const Dot1xStatus& s) {
  std::ostringstream o;
  o << "Device Authentication: " << (s.enabled ? "On" : "Off") << "\n";
  o << "Transaction Status: " << s.transaction << "\n";
  o << "Protocol: " << (s.protocol.empty() ? "None" : s.protocol) << "\n";
  if (!s.enabled) return o.str();
  o << "Port: " << (s.port_authorized ? "Authorized" : "Unauthorized") << " (link " << (s.link_up ? "up" : "down")
    << ")\n";
  if (!s.reason.empty()) o << "Reason: " << s.reason << "\n";
  o << "States: SUPP_PAE=" << s.supp_pae << " SUPP_BE=" << s.supp_be << " EAP=" << s.eap << "\n";
  o << "MAC: " << s.mac;
  if (!s.authenticator.empty()) o << "  Authenticator: " << s.authenticator;
  o << "\n";
  if (!s.pc_macs.empty()) {
    o << "PC port stations:";
    for (auto& m : s.pc_macs) o << " " << m;
    o << "\n";
  }
  if (s.last_auth_ms >= 0) o << "Last authentication: " << s.last_auth_ms << " ms\n";
  const auto& c = s.counters;
  o << "Counters: rx " << c.rx_frames << " (eap " << c.rx_eap << ", malformed " << c.rx_malformed << ", unexpected "
    << c.rx_unexpected << ", not ours " << c.rx_not_ours << ", discarded " << c.rx_discarded << "), tx start "
    << c.tx_start << " logoff " << c.tx_logoff << " response " << c.tx_response << " proxy-logoff "
    << c.tx_proxy_logoff << ", success " << c.auth_success << " failure " << c.auth_failure << " timeout "
    << c.auth_timeout << "\n";
  return o.str();
}

std::string to_json(const Dot1xStatus& s) {
  const auto& c = s.counters;
  nlohmann::ordered_json j = {{"enabled", s.enabled},
                              {"transaction", s.transaction},
                              {"protocol", s.protocol},
                              {"supp_pae", s.supp_pae},
                              {"supp_be", s.supp_be},
                              {"eap", s.eap},
                              {"port_authorized", s.port_authorized},
                              {"link_up", s.link_up},
                              {"reason", s.reason},
                              {"mac", s.mac},
                              {"authenticator", s.authenticator},
                              {"pc_macs", s.pc_macs},
                              {"last_auth_ms", s.last_auth_ms}};
  j["counters"] = {{"rx_frames", c.rx_frames},       {"rx_eap", c.rx_eap},           {"rx_malformed", c.rx_malformed},
                   {"rx_unexpected", c.rx_unexpected}, {"rx_not_ours", c.rx_not_ours}, {"rx_discarded", c.rx_discarded},
                   {"tx_start", c.tx_start},         {"tx_logoff", c.tx_logoff},     {"tx_response", c.tx_response},
                   {"tx_proxy_logoff", c.tx_proxy_logoff}, {"auth_success", c.auth_success},
                   {"auth_failure", c.auth_failure}, {"auth_timeout", c.auth_timeout}};
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace phonesec::dot1x

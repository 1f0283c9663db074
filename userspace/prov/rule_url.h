// SPDX-License-Identifier: Apache-2.0
// The URL inside a provisioning rule (Profile_Rule, Upgrade_Rule, Report_Rule, Custom_CA_Rule)
// and the host of a SIP proxy setting (Proxy_n_, Outbound_Proxy_n_).
// Rule syntax accepted: optional "[--option …]" groups and "( condition )" prefixes, then
// "scheme://host[:port]/path", "host[:port]/path" (scheme tftp), or "/path" (relative: the
// server comes from DHCP or the previous rule). IPv6 literals in brackets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace phonesec::prov {

struct RuleUrl {
  std::string scheme;      // lowercase; "tftp" when the rule names none
  std::string host;        // empty for a relative rule; without brackets for IPv6
  std::uint16_t port = 0;  // 0 = the scheme's default
  std::string path;        // from the first '/', "/" when absent
  bool relative() const { return host.empty(); }
  std::uint16_t effective_port() const;  // port, or 69/80/443 by scheme
  std::string to_string() const;         // scheme://host[:port]path
};

// Errc::parse naming the rule when the URL part is malformed (bad port, unclosed bracket).
Result<RuleUrl> parse_rule_url(std::string_view rule);

// Host of a SIP proxy value: "host", "host:port", "sip:host;params", "[v6]:port". Empty when
// the value is empty.
Result<std::string> sip_proxy_host(std::string_view value);

bool is_ip_literal(std::string_view host);

}  // namespace phonesec::prov

namespace phonesec::prov {
// A relative rule ("/$PSN.xml") completed with the server a DHCP option named
// ("tftp://10.0.0.1", "https://prov.test:8443/base"): scheme, host and port from the server,
// path from the rule. An absolute rule is returned unchanged.
Result<RuleUrl> complete_rule(const RuleUrl& rule, std::string_view server_url);
}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
// Restricted_Access_Domains: when the list is not empty, registration (Proxy_n_,
// Outbound_Proxy_n_), provisioning (Profile_Rule, _B, _C, _D), upgrade (Upgrade_Rule,
// Cisco_Headset_Upgrade_Rule), Report_Rule and Custom_CA_Rule may only name hosts in it.
// Match: the exact FQDN, case-insensitive, a trailing dot ignored; entries separated by commas
// and/or spaces. An IP literal passes only when the list holds that literal. Every client calls
// check_host()/check_url() before it resolves or connects anything.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/phone_config.h"

namespace phonesec::prov {

class DomainPolicy {
 public:
  DomainPolicy() = default;
  explicit DomainPolicy(const std::vector<std::string>& entries);

  bool restricted() const { return !allowed_.empty(); }
  const std::vector<std::string>& allowed() const { return allowed_; }

  // ok, or Errc::auth "<what>: host 'x' is not in Restricted_Access_Domains (a, b)".
  Status check_host(std::string_view host, std::string_view what) const;
  // Parses the rule and checks its host. A relative rule ("/$PSN.xml") has no host yet: it is
  // checked again once the server is known (check_host on the DHCP-given server).
  Status check_rule(std::string_view rule, std::string_view what) const;

 private:
  std::vector<std::string> allowed_;  // normalized: lowercase, no trailing dot
};

// One configured value the policy refuses.
struct Refusal {
  std::string param;   // cfg.xml name, e.g. "Profile_Rule_B" or "Proxy_2_"
  std::string reason;  // the check's error message
};

// The provisioning rules of a configuration, by cfg.xml name, in the order above (empty
// rules included): what a client hands to Fetcher::fetch with the name as `what`.
std::vector<std::pair<std::string, std::string>> provisioning_rules(const config::PhoneConfig& c);

// Registration gate for line `index` (0-based): Proxy_n_ and Outbound_Proxy_n_ against the
// list, before any REGISTER or INVITE is sent. Errc::auth naming the parameter and host.
Status check_line_servers(const config::PhoneConfig& c, std::size_t index);

// Every rule and line proxy of the configuration checked against its Restricted_Access_Domains;
// empty values and rules whose host is a macro (checked after expansion) are not refused here.
std::vector<Refusal> audit(const config::PhoneConfig& c);

}  // namespace phonesec::prov

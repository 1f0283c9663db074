// SPDX-License-Identifier: Apache-2.0
// One profile resync: Profile_Rule, Profile_Rule_B, _C, _D in that order (empty ones skipped),
// macros expanded, a relative rule ("/$PSN.xml") completed with the DHCP-chosen server, each
// fetched through the caller's fetch function (the Fetcher: Restricted_Access_Domains, proxy,
// TLS, redundant A records, syslog), each validated with config::load_string. The profiles are
// then merged into one <flat-profile>: their parameter elements in rule order, so a later rule
// overrides an earlier one (the loader keeps the last duplicate), as on Cisco phones where
// every rule of a resync is applied in sequence.
// A resync fails — and nothing of it is applied — when a rule cannot be completed or fetched,
// or when a fetched profile is not well-formed (or has no <flat-profile>). With
// Resync_Fails_On_FNF = No, a profile the server does not have (HTTP 404, TFTP file not found)
// is skipped instead. Values in a profile that the loader refuses are diagnostics, not failures
// (the loader keeps those parameters), as for any profile.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "prov/fetch.h"
#include "prov/lease_file.h"
#include "prov/macros.h"
#include "prov/rule_url.h"

namespace phonesec::prov {

struct RuleRun {
  std::string name;  // "Profile_Rule_B"
  std::string rule;  // as configured, with any --key value redacted
  std::string url;   // as fetched (empty when it could not be completed)
  std::string server_ip;
  std::size_t bytes = 0;
  std::string result;  // "ok", "not found (skipped)", "failed: …", "not tried"
};

struct ResyncOutcome {
  bool ok = false;
  std::string error;           // why it failed, naming the rule
  std::vector<RuleRun> rules;  // the non-empty rules, in order
  std::string profile;         // the merged <flat-profile> (ok and at least one profile fetched)
  std::size_t profiles = 0;    // how many profiles went into it
};

using FetchFn = std::function<Result<FetchResult>(const RuleUrl& url, std::string_view what)>;

// The rule as status and messages may show it: the value after "--key" in a "[…]" option group
// (a profile's decryption key) is replaced by "********".
std::string redact_rule(std::string_view rule);

// Profile_Rule … Profile_Rule_D by name, in order, empty ones included.
std::vector<std::pair<std::string, std::string>> profile_rules(const config::ProvisioningConfig& p);

// `log` (optional) gets the failure message for a profile refused after it was fetched (the
// Fetcher already reports request, success and fetch failures).
ResyncOutcome run_resync(const config::ProvisioningConfig& p, const std::optional<ChosenSource>& source,
                         const MacroTable& macros, const FetchFn& fetch, bool fails_on_fnf,
                         const ProvisioningLog* log = nullptr);

// The parameter elements of each profile's <flat-profile> (anywhere in the document, prefixes
// dropped), in order, in one UTF-8 <flat-profile>. Errc::parse naming the profile (`names[i]`)
// that is not well-formed or has no <flat-profile>.
Result<std::string> merge_profiles(const std::vector<std::string>& texts, const std::vector<std::string>& names);

}  // namespace phonesec::prov

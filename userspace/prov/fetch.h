// SPDX-License-Identifier: Apache-2.0
// The provisioning HTTP(S)/TFTP client (libcurl): profile, upgrade, report and CA downloads.
// Order of a fetch:
//   1. Restricted_Access_Domains: a host outside the list is refused before anything is
//      resolved or connected (and the failure message goes to syslog).
//   2. Proxy choices (Off / Manual / PAC), tried in order; with a proxy the proxy resolves.
//   3. Direct: the host's A records, tried one by one (CURLOPT_RESOLVE pins each address)
//      until a server answers; a record that refuses or times out the connection is skipped.
//      When none answers, the failure message names every address.
// Each attempt logs the request message, the end logs success or failure (Log_*_Msg).
// HTTPS uses libcurl's own verification with FetchOptions::ca_file (not userspace/tls).
// Redirects are not followed (a redirect could leave the restricted domains).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "prov/domains.h"
#include "prov/proxy.h"
#include "prov/resolver.h"
#include "prov/rule_url.h"
#include "prov/syslog.h"

namespace phonesec::prov {

struct FetchOptions {
  std::string ca_file;  // CURLOPT_CAINFO; empty = the system store
  long connect_timeout_ms = 3000;
  long timeout_ms = 20000;
  ProvOp op = ProvOp::resync;  // which syslog messages
};

struct FetchResult {
  long status = 0;  // HTTP status (0 for TFTP)
  std::string body;
  std::string server_ip;  // the address that answered (the proxy's when proxied)
};

class Fetcher {
 public:
  Fetcher(DomainPolicy policy, Resolver& resolver, const ProvisioningLog* log, const ProxyChooser* proxy,
          FetchOptions o = {});
  // `what` names the rule for messages ("Profile_Rule_B"). Errc::auth when refused by the
  // domain policy, Errc::not_found when the name does not resolve, Errc::io when no server
  // answered or the server answered with an error status.
  Result<FetchResult> fetch(const RuleUrl& url, std::string_view what) const;
  Result<FetchResult> fetch(std::string_view rule, std::string_view what) const;

 private:
  Result<FetchResult> attempt(const RuleUrl& url, const std::string& pin_ip, const ProxyChoice& proxy,
                              bool& answered) const;
  Result<FetchResult> fail(RequestInfo r, Error e) const;
  DomainPolicy policy_;
  Resolver& resolver_;
  const ProvisioningLog* log_;
  const ProxyChooser* proxy_;
  FetchOptions o_;
};

}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
// Proxy auto-configuration: the PAC file (JavaScript) evaluated by duktape with the PAC helper
// functions (isPlainHostName, dnsDomainIs, localHostOrDomainIs, isResolvable, isInNet,
// dnsResolve, myIpAddress, dnsDomainLevels, shExpMatch, weekdayRange, dateRange, timeRange (hour
// forms), alert).
// dnsResolve goes through the injected Resolver (A records). For https URLs the script sees
// only "https://host/" (path and query stay private, as browsers do).
// Bounded: duktape here is built without an execution timeout, so each FindProxyForURL call
// runs in a forked child (a copy of the compiled heap) limited to cpu_ms of CPU time (a CPU-time
// timer, so a loaded machine does not cause false timeouts), with a wall-clock backstop. The file's
// top-level code is run the same way once before the parent evaluates it. Memory is bounded too:
// the heap's allocator refuses past heap_bytes (default 16 MiB; a PAC file is a few KiB and its
// heap well under 1 MiB), so a script that builds huge strings or arrays fails with
// Errc::invalid_argument "used more memory than its allowance" instead of taking the phone's RAM.
// Where the PAC file comes from (Proxy_Mode Auto): PAC_URL when WPAD is off; with WPAD, the
// DHCP option 252 URL, then http://wpad.<domain>/wpad.dat for the domain and each parent with
// at least two labels.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/phone_config.h"
#include "prov/proxy.h"
#include "common/resolver.h"

namespace phonesec::prov {

class Fetcher;

class PacScript {
 public:
  // Errc::parse with duktape's message when the script does not compile or has no
  // FindProxyForURL function.
  static Result<std::unique_ptr<PacScript>> load(const std::string& source, Resolver& resolver,
                                                 std::string my_ip, int timeout_ms = 1000,
                                                 std::size_t heap_bytes = std::size_t(16) << 20);
  ~PacScript();
  PacScript(const PacScript&) = delete;
  PacScript& operator=(const PacScript&) = delete;
  // FindProxyForURL(url, host) as a string; Errc::parse when it throws or returns a non-string,
  // Errc::timeout when it uses more than its CPU allowance (or hangs past the backstop).
  Result<std::string> find_proxy(const std::string& url, const std::string& host);

  struct Impl;

 private:
  explicit PacScript(std::unique_ptr<Impl> i);
  std::unique_ptr<Impl> impl_;
};

// ProxyChooser for Auto mode. A script error falls back to DIRECT (logged).
class PacProxy : public ProxyChooser {
 public:
  explicit PacProxy(std::unique_ptr<PacScript> s) : s_(std::move(s)) {}
  std::vector<ProxyChoice> choose(const RuleUrl& target) const override;

 private:
  std::unique_ptr<PacScript> s_;
};

struct WpadHints {
  std::string dhcp_url;  // DHCP option 252, empty when none
  std::string domain;    // the DHCP/DNS search domain ("corp.example.com"), empty when none
};

// The WPAD candidate URLs in order (see above).
std::vector<std::string> wpad_candidates(const WpadHints& h);

// The chooser for the configuration: StaticProxy for Off/Manual; for Auto, the PAC file fetched
// with `direct` (a fetcher without proxy) from PAC_URL or WPAD and compiled.
// Errc::invalid_argument naming the parameter (PAC_URL empty with WPAD off, Proxy_Host empty…),
// Errc::not_found when no WPAD candidate serves a PAC file.
Result<std::unique_ptr<ProxyChooser>> make_proxy_chooser(const config::HttpProxyConfig& c,
                                                         const WpadHints& hints, const Fetcher& direct,
                                                         Resolver& resolver, std::string my_ip);

}  // namespace phonesec::prov

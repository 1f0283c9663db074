// SPDX-License-Identifier: Apache-2.0
// HTTP proxy choice for every libcurl client (Proxy_Mode): Off = direct (environment proxies
// ignored), Manual = Proxy_Host:Proxy_Port with optional basic authentication, Auto = the
// PAC file's FindProxyForURL (see pac.h). A choice list is tried in order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/secure.h"
#include "config/phone_config.h"
#include "prov/rule_url.h"

namespace phonesec::prov {

struct ProxyChoice {
  bool direct = true;
  std::string host;
  std::uint16_t port = 0;
  std::string username;  // empty = no proxy authentication
  SecretString password;
  std::string url() const;  // "http://host:port" ("" when direct)
};

class ProxyChooser {
 public:
  virtual ~ProxyChooser() = default;
  virtual std::vector<ProxyChoice> choose(const RuleUrl& target) const = 0;
};

// Off and Manual modes. Errc::invalid_argument naming the parameter for Manual without
// Proxy_Host, or with authentication and no Proxy_Username.
class StaticProxy : public ProxyChooser {
 public:
  static Result<std::unique_ptr<StaticProxy>> from_config(const config::HttpProxyConfig& c);
  std::vector<ProxyChoice> choose(const RuleUrl&) const override { return {choice_}; }

 private:
  ProxyChoice choice_;
};

// "PROXY a:1; SOCKS b; DIRECT" -> choices (SOCKS entries are skipped: HTTP proxies only).
// A PROXY without a port uses 8080 (the PAC convention). No credentials: the seed makes proxy
// authentication a Manual-mode setting.
std::vector<ProxyChoice> parse_pac_result(const std::string& s);

}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
// The one name resolver of the project: provisioning (redundant A records, PAC dnsResolve),
// every TLS client (connect, the provisioning server's DNS address check) and LDAP.
// A resolver turns a host into numeric addresses in canonical text form ("192.0.2.1",
// "2001:db8::1"), in the order they should be tried; an IP literal (brackets allowed) resolves
// to itself. Injectable: tests map names with a StaticResolver (a table or /etc/hosts text)
// without touching the host's files, and count lookups to prove none happened.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace phonesec {

using HostTable = std::map<std::string, std::vector<std::string>>;

class Resolver {
 public:
  virtual ~Resolver() = default;
  // At least one address; Errc::not_found naming the host otherwise.
  virtual Result<std::vector<std::string>> resolve(const std::string& host) const = 0;
  Result<std::vector<std::string>> operator()(const std::string& host) const { return resolve(host); }
};

enum class AddressFamily { any, ipv4 };

// getaddrinfo(SOCK_STREAM) for the family; duplicates removed, order kept.
class SystemResolver : public Resolver {
 public:
  explicit SystemResolver(AddressFamily family = AddressFamily::any) : family_(family) {}
  Result<std::vector<std::string>> resolve(const std::string& host) const override;

 private:
  AddressFamily family_;
};

// A fixed table: names case-insensitive, a trailing dot ignored, addresses canonicalised.
// Counts every lookup so tests can prove none happened (single-threaded use).
class StaticResolver : public Resolver {
 public:
  explicit StaticResolver(const HostTable& table = {});
  // /etc/hosts-format text ("addr name [alias…]", '#' comments); bad lines are an error naming
  // the line.
  static Result<StaticResolver> from_hosts(std::string_view hosts_text);
  Result<std::vector<std::string>> resolve(const std::string& host) const override;
  int lookups() const { return lookups_; }

 private:
  HostTable t_;
  mutable int lookups_ = 0;
};

// Canonical text of an IPv4/IPv6 literal (brackets allowed), or nothing if `host` is a name.
std::optional<std::string> canonical_ip(std::string_view host);

}  // namespace phonesec

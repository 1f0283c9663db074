// SPDX-License-Identifier: Apache-2.0
// Name resolution for provisioning: A records only (the seed: no SRV for provisioning), in the
// order the resolver returns them. The static resolver is the tests' hosts injection.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace phonesec::prov {

using HostTable = std::map<std::string, std::vector<std::string>>;

class Resolver {
 public:
  virtual ~Resolver() = default;
  // IPv4 addresses of host, at least one; Errc::not_found naming the host otherwise.
  virtual Result<std::vector<std::string>> resolve(const std::string& host) = 0;
};

// getaddrinfo(AF_INET), duplicates removed, order kept.
class SystemResolver : public Resolver {
 public:
  Result<std::vector<std::string>> resolve(const std::string& host) override;
};

// Fixed table (case-insensitive names); counts lookups so tests can prove none happened.
class StaticResolver : public Resolver {
 public:
  explicit StaticResolver(HostTable table);
  Result<std::vector<std::string>> resolve(const std::string& host) override;
  int lookups() const { return lookups_; }

 private:
  std::map<std::string, std::vector<std::string>> t_;
  int lookups_ = 0;
};

}  // namespace phonesec::prov

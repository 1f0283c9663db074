// SPDX-License-Identifier: Apache-2.0
// Name resolution for the TLS clients, injectable so tests can map names without touching the
// host's /etc/hosts. A resolver returns numeric addresses in canonical text form
// ("192.0.2.1", "2001:db8::1"), in the order they should be tried.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace phonesec::tls {

using Resolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;

// getaddrinfo(host, AF_UNSPEC, SOCK_STREAM); duplicates removed, order kept.
Resolver system_resolver();

// A resolver over /etc/hosts-format text ("addr name [alias…]", '#' comments). Names are
// matched case-insensitively. Bad lines are an error naming the line, at construction.
Result<Resolver> hosts_resolver(std::string_view hosts_text);

// Canonical text of an IPv4/IPv6 literal (brackets allowed), or nothing if `host` is a name.
std::optional<std::string> canonical_ip(std::string_view host);

}  // namespace phonesec::tls

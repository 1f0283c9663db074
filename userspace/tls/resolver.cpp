// SPDX-License-Identifier: Apache-2.0
#include "tls/resolver.h"
#include "common/text.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <sstream>

namespace phonesec::tls {
using text::lower;
namespace {

void push_unique(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

std::optional<std::string> canonical_ip(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string h(host);
  char buf[INET6_ADDRSTRLEN];
  in_addr a4{};
  if (inet_pton(AF_INET, h.c_str(), &a4) == 1) return std::string(inet_ntop(AF_INET, &a4, buf, sizeof buf));
  in6_addr a6{};
  if (inet_pton(AF_INET6, h.c_str(), &a6) == 1) return std::string(inet_ntop(AF_INET6, &a6, buf, sizeof buf));
  return std::nullopt;
}

Resolver system_resolver() {
  return [](const std::string& host) -> Result<std::vector<std::string>> {
    if (auto ip = canonical_ip(host)) return std::vector<std::string>{*ip};
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (rc != 0) return make_error(Errc::not_found, "resolve " + host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
    std::vector<std::string> out;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      char buf[INET6_ADDRSTRLEN];
      const void* src =
          ai->ai_family == AF_INET
              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
              : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
      if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
          inet_ntop(ai->ai_family, src, buf, sizeof buf))
        push_unique(out, buf);
    }
    if (out.empty()) return make_error(Errc::not_found, "resolve " + host + ": no IPv4/IPv6 address");
    return out;
  };
}

Result<Resolver> hosts_resolver(std::string_view hosts_text) {
  auto table = std::make_shared<std::map<std::string, std::vector<std::string>>>();
  std::istringstream in{std::string(hosts_text)};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string addr, name;
    if (!(words >> addr)) continue;
    auto ip = canonical_ip(addr);
    if (!ip)
      return make_error(Errc::parse,
                        "hosts line " + std::to_string(n) + ": '" + addr + "' is not an IP address");
    bool any = false;
    while (words >> name) {
      push_unique((*table)[lower(name)], *ip);
      any = true;
    }
    if (!any) return make_error(Errc::parse, "hosts line " + std::to_string(n) + ": address without a name");
  }
  Resolver r = [table](const std::string& host) -> Result<std::vector<std::string>> {
    if (auto ip = canonical_ip(host)) return std::vector<std::string>{*ip};
    auto it = table->find(lower(host));
    if (it == table->end()) return make_error(Errc::not_found, "resolve " + host + ": unknown host");
    return it->second;
  };
  return r;
}

}  // namespace phonesec::tls

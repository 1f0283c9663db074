// SPDX-License-Identifier: Apache-2.0
#include "common/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "common/text.h"

namespace phonesec {
namespace {

void push_unique(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

std::string key(std::string_view host) {
  std::string k = text::lower(host);
  while (!k.empty() && k.back() == '.') k.pop_back();
  return k;
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

Result<std::vector<std::string>> SystemResolver::resolve(const std::string& host) const {
  if (auto ip = canonical_ip(host)) return std::vector<std::string>{*ip};
  addrinfo hints{};
  hints.ai_family = family_ == AddressFamily::ipv4 ? AF_INET : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0)
    return make_error(Errc::not_found, "resolve '" + host + "': " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  std::vector<std::string> out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN];
    const void* src = nullptr;
    if (ai->ai_family == AF_INET)
      src = &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr;
    else if (ai->ai_family == AF_INET6)
      src = &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr;
    if (src && inet_ntop(ai->ai_family, src, buf, sizeof buf)) push_unique(out, buf);
  }
  if (out.empty()) return make_error(Errc::not_found, "resolve '" + host + "': no address");
  return out;
}

StaticResolver::StaticResolver(const HostTable& table) {
  for (const auto& [name, addrs] : table)
    for (const auto& a : addrs) push_unique(t_[key(name)], canonical_ip(a).value_or(a));
}

Result<StaticResolver> StaticResolver::from_hosts(std::string_view hosts_text) {
  HostTable table;
  std::istringstream in{std::string(hosts_text)};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string addr, name;
    if (!(words >> addr)) continue;
    auto ip = canonical_ip(addr);
    if (!ip)
      return make_error(Errc::parse, "hosts line " + std::to_string(n) + ": '" + addr + "' is not an IP address");
    bool any = false;
    while (words >> name) {
      push_unique(table[key(name)], *ip);
      any = true;
    }
    if (!any) return make_error(Errc::parse, "hosts line " + std::to_string(n) + ": address without a name");
  }
  return StaticResolver(table);
}

Result<std::vector<std::string>> StaticResolver::resolve(const std::string& host) const {
  ++lookups_;
  if (auto ip = canonical_ip(host)) return std::vector<std::string>{*ip};
  auto it = t_.find(key(host));
  if (it == t_.end() || it->second.empty())
    return make_error(Errc::not_found, "resolve '" + host + "': unknown host");
  return it->second;
}

}  // namespace phonesec

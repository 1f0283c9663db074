// SPDX-License-Identifier: Apache-2.0
#include "prov/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace phonesec::prov {
namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}
}  // namespace

Result<std::vector<std::string>> SystemResolver::resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0)
    return make_error(Errc::not_found, "resolve '" + host + "': " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> g(res, freeaddrinfo);
  std::vector<std::string> out;
  for (auto* a = res; a; a = a->ai_next) {
    char b[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, b, sizeof b);
    if (std::find(out.begin(), out.end(), b) == out.end()) out.emplace_back(b);
  }
  if (out.empty()) return make_error(Errc::not_found, "resolve '" + host + "': no A record");
  return out;
}

StaticResolver::StaticResolver(HostTable table) {
  for (auto& [k, v] : table) t_[lower(k)] = v;
}

Result<std::vector<std::string>> StaticResolver::resolve(const std::string& host) {
  ++lookups_;
  auto it = t_.find(lower(host));
  if (it == t_.end() || it->second.empty())
    return make_error(Errc::not_found, "resolve '" + host + "': no A record");
  return it->second;
}

}  // namespace phonesec::prov

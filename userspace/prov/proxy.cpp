// SPDX-License-Identifier: Apache-2.0
#include "prov/proxy.h"

#include <cctype>

namespace phonesec::prov {

std::string ProxyChoice::url() const {
  if (direct) return "";
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "http://" + h + ":" + std::to_string(port);
}

Result<std::unique_ptr<StaticProxy>> StaticProxy::from_config(const config::HttpProxyConfig& c) {
  auto p = std::make_unique<StaticProxy>();
  if (c.mode == config::ProxyMode::Off) return p;
  if (c.mode != config::ProxyMode::Manual)
    return make_error(Errc::invalid_argument, "Proxy_Mode: Auto needs a PAC file, not a static proxy");
  std::string host = c.host;
  for (const char* scheme : {"http://", "https://"})  // "the scheme is not required": tolerate it
    if (host.rfind(scheme, 0) == 0) host = host.substr(std::string(scheme).size());
  while (!host.empty() && host.back() == '/') host.pop_back();
  if (host.empty()) return make_error(Errc::invalid_argument, "Proxy_Host: empty while Proxy_Mode is Manual");
  if (c.requires_auth && c.username.empty())
    return make_error(Errc::invalid_argument,
                      "Proxy_Username: empty while Proxy_Server_Requires_Authentication is Yes");
  p->choice_.direct = false;
  p->choice_.host = host;
  p->choice_.port = c.port;
  if (c.requires_auth) {
    p->choice_.username = c.username;
    p->choice_.password = c.password;
  }
  return p;
}

std::vector<ProxyChoice> parse_pac_result(const std::string& s) {
  std::vector<ProxyChoice> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    auto semi = s.find(';', pos);
    std::string item = s.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
    pos = semi == std::string::npos ? s.size() + 1 : semi + 1;
    std::size_t b = 0;
    while (b < item.size() && std::isspace(static_cast<unsigned char>(item[b]))) ++b;
    item = item.substr(b);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.pop_back();
    if (item.empty()) continue;
    std::string kw = item.substr(0, item.find_first_of(" \t"));
    for (auto& ch : kw) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    if (kw == "DIRECT") {
      out.push_back({});
      continue;
    }
    if (kw != "PROXY" && kw != "HTTP") continue;
    std::string hp = item.substr(kw.size());
    hp.erase(0, hp.find_first_not_of(" \t"));
    ProxyChoice ch;
    ch.direct = false;
    ch.port = 8080;
    auto colon = hp.rfind(':');
    if (colon != std::string::npos && hp.find(':') == colon) {
      ch.host = hp.substr(0, colon);
      ch.port = std::uint16_t(std::atoi(hp.c_str() + colon + 1));
    } else {
      ch.host = hp;
    }
    if (ch.host.empty() || ch.port == 0) continue;
    out.push_back(std::move(ch));
  }
  return out;
}

}  // namespace phonesec::prov

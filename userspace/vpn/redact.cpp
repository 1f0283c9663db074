// SPDX-License-Identifier: Apache-2.0
#include "vpn/redact.h"

#include <strings.h>

#include <array>
#include <string_view>

#include "common/secure.h"

namespace phonesec::vpn {
namespace {

bool starts_with_ci(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && strncasecmp(s.data(), p.data(), p.size()) == 0;
}

// "name=value; attr" -> "name=<elided>; attr" for each cookie of the header value.
std::string elide_cookies(const std::string& v) {
  std::string out;
  std::size_t i = 0;
  while (i < v.size()) {
    std::size_t semi = v.find(';', i);
    std::string part = v.substr(i, semi == std::string::npos ? std::string::npos : semi - i);
    std::size_t eq = part.find('=');
    std::string_view name = std::string_view(part).substr(0, eq == std::string::npos ? part.size() : eq);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    bool attribute = false;
    for (std::string_view a : {"expires", "path", "domain", "max-age", "secure", "httponly", "samesite"})
      if (name.size() == a.size() && strncasecmp(name.data(), a.data(), a.size()) == 0) attribute = true;
    if (eq != std::string::npos && !attribute && eq + 1 < part.size()) part = part.substr(0, eq + 1) + "<elided>";
    out += part;
    if (semi == std::string::npos) break;
    out += ';';
    i = semi + 1;
  }
  return out;
}

}  // namespace

std::string redact(std::string line, std::initializer_list<const std::string*> secrets) {
  for (const std::string* s : secrets) {
    if (!s || s->empty()) continue;
    for (std::size_t p; (p = line.find(*s)) != std::string::npos;) line.replace(p, s->size(), kRedacted);
  }
  for (std::string_view h : {"Set-Cookie:", "Cookie:"}) {
    if (starts_with_ci(line, h)) return line.substr(0, h.size()) + elide_cookies(line.substr(h.size()));
  }
  static constexpr std::array<std::string_view, 6> kSessionHeaders = {
      "X-DTLS-Master-Secret:", "X-DTLS-Session-ID:", "X-DTLS-App-ID:",
      "X-DTLS12-Master-Secret:", "X-DTLS12-Session-ID:", "X-DTLS12-App-ID:"};
  for (std::string_view h : kSessionHeaders)
    if (starts_with_ci(line, h)) return line.substr(0, h.size()) + " <elided>";
  return line;
}

}  // namespace phonesec::vpn

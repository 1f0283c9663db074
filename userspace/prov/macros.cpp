// SPDX-License-Identifier: Apache-2.0
#include "prov/macros.h"

#include <cctype>

namespace phonesec::prov {
namespace {

std::string mac_hex(std::string_view mac, bool upper) {
  std::string o;
  for (char c : mac)
    if (std::isxdigit(static_cast<unsigned char>(c)))
      o += char(upper ? std::toupper(static_cast<unsigned char>(c))
                      : std::tolower(static_cast<unsigned char>(c)));
  return o;
}

}  // namespace

MacroTable macro_table(const DeviceInfo& d, const RequestInfo& r) {
  MacroTable t;
  std::string ma = mac_hex(d.mac, false);
  std::string colons;
  for (std::size_t i = 0; i < ma.size(); i += 2) colons += (i ? ":" : "") + ma.substr(i, 2);
  t["PN"] = d.product_name;
  t["PSN"] = d.product_series;
  t["MA"] = ma;
  t["MAU"] = mac_hex(d.mac, true);
  t["MAC"] = colons;
  t["SN"] = d.serial;
  t["CCERT"] = d.client_cert_installed ? "Installed" : "Not Installed";
  t["SWVER"] = d.sw_version;
  t["HWVER"] = d.hw_version;
  t["IP"] = d.ip;
  t["SCHEME"] = r.scheme;
  t["SERV"] = r.server;
  t["SERVIP"] = r.server_ip;
  t["PORT"] = r.port ? std::to_string(r.port) : "";
  t["PATH"] = r.path;
  t["ERR"] = r.error;
  return t;
}

std::string expand(std::string_view s, const MacroTable& t) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '$') {
      out += s[i++];
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '(') {  // $(NAME)
      auto close = s.find(')', i + 2);
      if (close != std::string_view::npos) {
        auto it = t.find(s.substr(i + 2, close - i - 2));
        if (it != t.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
      out += s[i++];
      continue;
    }
    // $NAME: the longest known name that prefixes the following upper-case letters/digits.
    std::size_t end = i + 1;
    while (end < s.size() && (std::isupper(static_cast<unsigned char>(s[end])) ||
                              std::isdigit(static_cast<unsigned char>(s[end]))))
      ++end;
    bool done = false;
    for (std::size_t n = end - i - 1; n > 0; --n) {
      auto it = t.find(s.substr(i + 1, n));
      if (it != t.end()) {
        out += it->second;
        i += 1 + n;
        done = true;
        break;
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

}  // namespace phonesec::prov

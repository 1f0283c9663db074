// SPDX-License-Identifier: Apache-2.0
// ASCII text helpers shared by the parsers (cfg.xml, SIP, URLs, host names): whitespace trim,
// lower case, case-insensitive equality. Bytes outside ASCII pass through unchanged.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace phonesec::text {

// `s` without leading and trailing isspace() characters.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

inline std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace phonesec::text

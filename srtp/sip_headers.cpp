// SPDX-License-Identifier: Apache-2.0
#include "srtp/sip_headers.h"

#include <cctype>

namespace phonesec::srtp {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::vector<std::string> header_values(const SipHeaders& h, std::string_view name) {
  std::vector<std::string> v;
  for (auto& x : h)
    if (iequals(x.name, name)) v.push_back(x.value);
  return v;
}

}  // namespace phonesec::srtp

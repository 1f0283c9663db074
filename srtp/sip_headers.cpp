// SPDX-License-Identifier: Apache-2.0
#include "srtp/sip_headers.h"

#include <cctype>

namespace phonesec::srtp {

std::vector<std::string> header_values(const SipHeaders& h, std::string_view name) {
  std::vector<std::string> v;
  for (auto& x : h)
    if (iequals(x.name, name)) v.push_back(x.value);
  return v;
}

}  // namespace phonesec::srtp

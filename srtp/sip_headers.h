// SPDX-License-Identifier: Apache-2.0
// The small slice of a SIP message the MediaSec machine needs: an ordered list of headers.
// Names compare case-insensitively; compact forms are not used by the headers involved.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace phonesec::srtp {

struct SipHeader {
  std::string name;
  std::string value;
  bool operator==(const SipHeader&) const = default;
};
using SipHeaders = std::vector<SipHeader>;

bool iequals(std::string_view a, std::string_view b);

// Every value of header `name`, in message order.
std::vector<std::string> header_values(const SipHeaders& h, std::string_view name);

}  // namespace phonesec::srtp

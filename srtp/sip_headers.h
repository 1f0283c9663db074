// SPDX-License-Identifier: Apache-2.0
// The small slice of a SIP message the MediaSec machine needs: an ordered list of headers.
// Names compare case-insensitively; compact forms are not used by the headers involved.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"

namespace phonesec::srtp {

struct SipHeader {
  std::string name;
  std::string value;
  bool operator==(const SipHeader&) const = default;
};
using SipHeaders = std::vector<SipHeader>;

using text::iequals;  // header names compare case-insensitively

// Every value of header `name`, in message order.
std::vector<std::string> header_values(const SipHeaders& h, std::string_view name);

}  // namespace phonesec::srtp

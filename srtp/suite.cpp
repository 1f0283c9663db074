// SPDX-License-Identifier: Apache-2.0
#include "srtp/suite.h"

namespace phonesec::srtp {
namespace {
constexpr SuiteInfo kInfo[] = {
    {"AES_CM_128_HMAC_SHA1_80", 16, 14, 10, false}, {"AES_CM_128_HMAC_SHA1_32", 16, 14, 4, false},
    {"AES_256_CM_HMAC_SHA1_80", 32, 14, 10, false}, {"AES_256_CM_HMAC_SHA1_32", 32, 14, 4, false},
    {"AEAD_AES_128_GCM", 16, 12, 16, true},         {"AEAD_AES_256_GCM", 32, 12, 16, true},
};
}  // namespace

const SuiteInfo& suite_info(Suite s) { return kInfo[static_cast<int>(s)]; }
std::string_view suite_name(Suite s) { return suite_info(s).name; }
std::optional<Suite> suite_from_name(std::string_view name) {
  for (Suite s : kAllSuites)
    if (suite_name(s) == name) return s;
  return std::nullopt;
}

}  // namespace phonesec::srtp

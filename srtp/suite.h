// SPDX-License-Identifier: Apache-2.0
// SRTP crypto suites (RFC 4568 §6.2, RFC 6188, RFC 7714) and their key sizes.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace phonesec::srtp {

enum class Suite {
  AES_CM_128_HMAC_SHA1_80,
  AES_CM_128_HMAC_SHA1_32,
  AES_256_CM_HMAC_SHA1_80,
  AES_256_CM_HMAC_SHA1_32,
  AEAD_AES_128_GCM,
  AEAD_AES_256_GCM,
};

inline constexpr Suite kAllSuites[] = {Suite::AES_CM_128_HMAC_SHA1_80, Suite::AES_CM_128_HMAC_SHA1_32,
                                       Suite::AES_256_CM_HMAC_SHA1_80, Suite::AES_256_CM_HMAC_SHA1_32,
                                       Suite::AEAD_AES_128_GCM,        Suite::AEAD_AES_256_GCM};

struct SuiteInfo {
  std::string_view name;
  std::size_t key_len;   // master key octets
  std::size_t salt_len;  // master salt octets
  std::size_t rtp_tag;   // SRTP authentication tag octets
  bool aead;
};

const SuiteInfo& suite_info(Suite s);
std::string_view suite_name(Suite s);
std::optional<Suite> suite_from_name(std::string_view name);  // exact, case-sensitive (RFC 4568)
inline std::size_t master_len(Suite s) { return suite_info(s).key_len + suite_info(s).salt_len; }

inline constexpr std::size_t kMaxMasterLen = 46;  // 32-octet key + 14-octet salt

}  // namespace phonesec::srtp

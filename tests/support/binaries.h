// SPDX-License-Identifier: Apache-2.0
// phonesec's programs in the build tree, for the tests and benchmarks that run them. The target
// including this defines PS_BINARY_DIR (ps_gtest does; perf's ps_bench does).
#pragma once

#include <string>

namespace phonesec::test {

inline const std::string kDaemon = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesecd/phonesecd";
inline const std::string kCli = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec/phonesec";
inline const std::string kVpnBin = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec-vpn/phonesec-vpn";
inline const std::string kDot1xBin = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec-dot1x/phonesec-dot1x";
inline const std::string kProvBin = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec-prov/phonesec-prov";

}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
#include "labkit/binaries.h"

namespace phonesec::test {

const std::string kDaemon = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesecd/phonesecd";
const std::string kCli = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec/phonesec";
const std::string kVpnBin = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec-vpn/phonesec-vpn";
const std::string kDot1xBin = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec-dot1x/phonesec-dot1x";
const std::string kProvBin = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec-prov/phonesec-prov";
const std::string kSourceDir = PS_SOURCE_DIR;

}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
// phonesec's programs in the build tree, for the tests and benchmarks that run them (ps_labkit;
// the paths are fixed when ps_labkit is built, from CMAKE_BINARY_DIR / CMAKE_SOURCE_DIR).
// Lab tooling, never shipped.
#pragma once

#include <string>

namespace phonesec::test {

extern const std::string kDaemon;    // phonesecd
extern const std::string kCli;       // phonesec
extern const std::string kVpnBin;    // phonesec-vpn
extern const std::string kDot1xBin;  // phonesec-dot1x
extern const std::string kProvBin;   // phonesec-prov
// The source tree (scripts the lab runs, e.g. userspace/prov/hooks/phonesec-udhcpc.script).
extern const std::string kSourceDir;

}  // namespace phonesec::test

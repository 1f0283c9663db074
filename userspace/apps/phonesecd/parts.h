// SPDX-License-Identifier: Apache-2.0
// The parts phonesecd runs as workers, in one table: name, the privileges the worker keeps,
// when the profile wants it running, which settings are its own (a reload that leaves them
// equal does not disturb it), which secrets its copy of the profile carries, and its entry
// point on the worker side.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/channel.h"
#include "config/phone_config.h"
#include "phonesecd/privileges.h"

namespace phonesec::daemon {

// In start order: 802.1X first (the network waits for it), then the others.
const std::vector<std::string>& part_names();
Privileges part_privileges(const std::string& part);
// Whether the profile wants the part running (802.1X is decided by the controller: it also
// needs an uplink).
bool part_wanted(const std::string& part, const config::PhoneConfig& c);
bool same_settings(const std::string& part, const config::PhoneConfig& a, const config::PhoneConfig& b);
bool secret_for(const std::string& part, std::string_view param);
// The TLS policy in force, for status: the configured list, whether it applies, the error.
Json tls_status(const config::PhoneConfig& c);
// The worker side: runs the part on the channel (fd 3). Errc::not_found for an unknown name.
Status run_part(const std::string& part, Channel& ch);

}  // namespace phonesec::daemon

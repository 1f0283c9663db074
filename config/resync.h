// SPDX-License-Identifier: Apache-2.0
// The grammar of the resync timing parameters (Cisco MPP "Configurable Schedules"):
//   Resync_Periodic, Resync_Error_Retry_Delay: "d1[+r1],d2[+r2],…" seconds. Each element is a
//     delay d plus a random extra delay in [0, r]; consecutive resyncs (or retries) use
//     consecutive elements and the last one repeats forever. "3600" is the classic form;
//     "0" (or empty) disables the timer.
//   Resync_At: "HHmm", 0000-2400 (2400 = midnight); empty = off. When set, Resync_Periodic is
//     ignored (Cisco).
// Pure functions; config validates with them (a bad value is an error diagnostic and the
// parameter keeps its value) and prov's ResyncSchedule uses the parsed form.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace phonesec::config {

struct DelayStep {
  std::uint32_t base_s = 0;    // d
  std::uint32_t random_s = 0;  // r: a uniform extra in [0, r]
  bool operator==(const DelayStep&) const = default;
};
// Empty = disabled (the text "0" or "" parses to an empty list).
using DelayList = std::vector<DelayStep>;

// Errc::invalid_argument "'x' is not a delay list (seconds: d[+r],d[+r],…)".
Result<DelayList> parse_delay_list(std::string_view text);
// Minutes after midnight (0-1439), nullopt for empty text; Errc::invalid_argument otherwise.
Result<std::optional<int>> parse_hhmm(std::string_view text);

}  // namespace phonesec::config

// SPDX-License-Identifier: Apache-2.0
// When the next profile resync is due (pure: the time and the random source are injected).
// Cisco MPP semantics:
//   - at boot/reset: one resync when Resync_On_Reset, after a random delay in
//     [0, Resync_Random_Delay × 20 s] (the delay applies to this first attempt only);
//   - after a success: Resync_Periodic — element i of its list for the i-th consecutive
//     success ("d+r": d plus a random extra in [0, r]; the last element repeats); the periodic
//     timer runs only after a first successful resync; "0" = none;
//   - after a failure: Resync_Error_Retry_Delay — element k for the k-th consecutive failure;
//     "0" = no retry;
//   - Resync_At (HHmm, local time) replaces Resync_Periodic: every day at that time plus a
//     random delay in [0, Resync_At_Random_Delay]; after a failure the earlier of the retry and
//     the daily time;
//   - a resync that is due while the phone is busy (a call up) waits until it is idle, at most
//     Forced_Resync_Delay seconds.
// Other triggers (a new DHCP source, the resync command) run at once and report through done()
// like scheduled ones. Times are unix seconds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/phone_config.h"
#include "config/resync.h"

namespace phonesec::prov {

struct ResyncTiming {
  bool on_reset = true;
  std::uint32_t random_delay_s = 40;  // Resync_Random_Delay × 20
  std::optional<int> at_minute;       // Resync_At, minutes after local midnight
  std::uint32_t at_random_delay_s = 600;
  config::DelayList periodic{{3600, 0}};
  config::DelayList error_retry{{3600, 0}};
  std::uint32_t forced_delay_s = 14400;
  bool operator==(const ResyncTiming&) const = default;

  // From the profile's parameters. A value config already refused cannot reach here; should
  // one be malformed anyway, the Cisco default is used and `warnings` says so.
  static ResyncTiming from_config(const config::ResyncConfig& c, std::vector<std::string>* warnings = nullptr);
};

class ResyncSchedule {
 public:
  using Random = std::function<std::uint32_t(std::uint32_t max)>;      // uniform in [0, max]
  using UtcOffset = std::function<std::int64_t(std::int64_t unix_s)>;  // local − UTC, seconds

  explicit ResyncSchedule(ResyncTiming t, Random random, UtcOffset offset = [](std::int64_t) { return 0; });

  void boot(std::int64_t now);
  // New timing: the plan is made again from the last outcome (or from boot when none yet).
  void set_timing(const ResyncTiming& t, std::int64_t now);
  // A resync ended (any trigger).
  void done(bool ok, std::int64_t now);

  std::optional<std::int64_t> next() const { return next_; }
  // What the planned resync is: "reset", "periodic", "retry", "Resync_At", "" when none.
  const std::string& why() const { return why_; }
  bool due(std::int64_t now, bool busy = false) const;
  const ResyncTiming& timing() const { return t_; }

 private:
  std::int64_t step(const config::DelayList& l, std::size_t i);
  std::int64_t next_at(std::int64_t now);
  void plan(std::int64_t now);
  ResyncTiming t_;
  Random random_;
  UtcOffset offset_;
  std::optional<std::int64_t> next_;
  std::string why_;
  bool booted_ = false, have_outcome_ = false, last_ok_ = false;
  std::int64_t last_time_ = 0, boot_time_ = 0;
  std::size_t successes_ = 0, failures_ = 0;  // consecutive
};

}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
// The controller's side of its workers: one process per network-facing part, started as
// `<this binary> --worker NAME` with its channel on fd 3 and only the privileges the part needs
// (privileges.h). A worker that exits or dies is restarted with exponential backoff (1 s … 60 s,
// back to 1 s after a minute of good health); the firewall does not depend on any of them.
// What a worker last reported is shown only while that same process runs: a dead worker's
// status is dropped at once, never shown as current.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "common/channel.h"
#include "phonesecd/privileges.h"

namespace phonesec::daemon {

using Clock = std::chrono::steady_clock;

class Worker {
 public:
  Worker(std::string name, Privileges priv) : name_(std::move(name)), priv_(std::move(priv)) {}
  const std::string& name() const { return name_; }

  // fork + drop privileges + exec `exe --worker NAME`. The child gets the controller's death
  // as SIGTERM (and sees its channel close).
  Status start(const std::string& exe);
  // Reaps this worker if `pid` is its process; records why it ended and when to restart it.
  bool on_exit(pid_t pid, int wait_status);
  // The channel closed: the process is ending (reaped through SIGCHLD).
  void on_channel_closed();
  // Stop on purpose (part disabled or controller exiting): {"op":"stop"}, then SIGTERM, then
  // SIGKILL after a grace period; reaps.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  Channel& channel() { return ch_; }
  bool wanted = false;                 // should run (the part is enabled)
  Clock::time_point restart_at{};      // when a wanted, dead worker may start again
  Json status;                         // last status from the running process (null otherwise)
  Json last_apply;                     // {"generation", "outcome"} of the last apply answered
  std::uint32_t sent_generation = 0;   // the profile generation last sent to this process
  std::string last_error;              // what the last process said before it gave up
  // For `phonesec status`.
  Json describe() const;

 private:
  std::string name_;
  Privileges priv_;
  Channel ch_;
  pid_t pid_ = -1;
  Clock::time_point started_{};
  std::int64_t started_unix_ = 0;
  std::uint32_t restarts_ = 0;
  std::chrono::seconds backoff_{1};
  std::string last_exit_;
};

}  // namespace phonesec::daemon

// SPDX-License-Identifier: Apache-2.0
// Injected time for the 802.1X state machines: the standard's timers (startWhen, heldWhile,
// authWhile, idleWhile) are deadlines on this clock, so tests and the fuzzer run them fast.
#pragma once

#include <chrono>

namespace phonesec::dot1x {

using TimePoint = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// Manual clock for tests: time moves only when advanced.
class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return t_; }
  void advance(Millis d) { t_ += d; }

 private:
  TimePoint t_{std::chrono::hours(1)};
};

}  // namespace phonesec::dot1x

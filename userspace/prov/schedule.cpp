// SPDX-License-Identifier: Apache-2.0
#include "prov/schedule.h"

#include <algorithm>

namespace phonesec::prov {

ResyncTiming ResyncTiming::from_config(const config::ResyncConfig& c, std::vector<std::string>* warnings) {
  ResyncTiming t;
  t.on_reset = c.on_reset;
  t.random_delay_s = c.random_delay * 20;
  t.at_random_delay_s = c.at_random_delay_s;
  t.forced_delay_s = c.forced_delay_s;
  auto warn = [&](const std::string& m) {
    if (warnings) warnings->push_back(m);
  };
  if (auto at = config::parse_hhmm(c.at)) t.at_minute = *at;
  else warn("Resync_At: " + at.error().message() + "; ignored");
  if (auto p = config::parse_delay_list(c.periodic)) t.periodic = *p;
  else warn("Resync_Periodic: " + p.error().message() + "; using 3600");
  if (auto r = config::parse_delay_list(c.error_retry_delay)) t.error_retry = *r;
  else warn("Resync_Error_Retry_Delay: " + r.error().message() + "; using 3600");
  return t;
}

ResyncSchedule::ResyncSchedule(ResyncTiming t, Random random, UtcOffset offset)
    : t_(std::move(t)), random_(std::move(random)), offset_(std::move(offset)) {}

std::int64_t ResyncSchedule::step(const config::DelayList& l, std::size_t i) {
  const auto& s = l[std::min(i, l.size() - 1)];
  return std::int64_t(s.base_s) + (s.random_s ? std::int64_t(random_(s.random_s)) : 0);
}

std::int64_t ResyncSchedule::next_at(std::int64_t now) {
  std::int64_t off = offset_(now);
  std::int64_t local = now + off;
  std::int64_t day = local - ((local % 86400) + 86400) % 86400;
  std::int64_t t = day + std::int64_t(*t_.at_minute) * 60;
  if (t <= local) t += 86400;
  return t - off + (t_.at_random_delay_s ? std::int64_t(random_(t_.at_random_delay_s)) : 0);
}

void ResyncSchedule::boot(std::int64_t now) {
  booted_ = true;
  boot_time_ = now;
  have_outcome_ = false;
  successes_ = failures_ = 0;
  plan(now);
}

void ResyncSchedule::set_timing(const ResyncTiming& t, std::int64_t now) {
  if (t == t_) return;
  t_ = t;
  if (!booted_ && !have_outcome_) return;
  (void)now;
  plan(have_outcome_ ? last_time_ : boot_time_);
}

void ResyncSchedule::done(bool ok, std::int64_t now) {
  have_outcome_ = true;
  last_ok_ = ok;
  last_time_ = now;
  if (ok) {
    failures_ = 0;
    ++successes_;
  } else {
    successes_ = 0;
    ++failures_;
  }
  plan(now);
}

void ResyncSchedule::plan(std::int64_t from) {
  next_.reset();
  why_.clear();
  if (!have_outcome_) {  // after boot, before any resync
    if (t_.on_reset) {
      next_ = from + (t_.random_delay_s ? std::int64_t(random_(t_.random_delay_s)) : 0);
      why_ = "reset";
    } else if (t_.at_minute) {
      next_ = next_at(from);
      why_ = "Resync_At";
    }
    return;
  }
  if (last_ok_) {
    if (t_.at_minute) {
      next_ = next_at(from);
      why_ = "Resync_At";
    } else if (!t_.periodic.empty()) {
      next_ = from + step(t_.periodic, successes_ - 1);
      why_ = "periodic";
    }
    return;
  }
  if (!t_.error_retry.empty()) {
    next_ = from + step(t_.error_retry, failures_ - 1);
    why_ = "retry";
  }
  if (t_.at_minute) {
    std::int64_t at = next_at(from);
    if (!next_ || at < *next_) {
      next_ = at;
      why_ = "Resync_At";
    }
  }
}

bool ResyncSchedule::due(std::int64_t now, bool busy) const {
  if (!next_ || now < *next_) return false;
  return !busy || now >= *next_ + std::int64_t(t_.forced_delay_s);
}

}  // namespace phonesec::prov

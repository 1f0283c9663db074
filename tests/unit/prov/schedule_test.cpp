// SPDX-License-Identifier: Apache-2.0
// ResyncSchedule with a fixed clock and a scripted random source: reset, periodic (lists and
// random extras), retry after failures, Resync_At, Forced_Resync_Delay; the parameter grammar.
#include <gtest/gtest.h>

#include <deque>

#include "config/phone_config.h"
#include "config/resync.h"
#include "prov/schedule.h"

using namespace phonesec;
using namespace phonesec::prov;

namespace {

// Returns the scripted values in turn (clamped to max), recording each max asked for.
struct Rnd {
  std::deque<std::uint32_t> values;
  std::vector<std::uint32_t> asked;
  ResyncSchedule::Random fn() {
    return [this](std::uint32_t max) {
      asked.push_back(max);
      std::uint32_t v = values.empty() ? 0 : values.front();
      if (!values.empty()) values.pop_front();
      return std::min(v, max);
    };
  }
};

ResyncTiming timing(const std::string& xml) {
  auto r = config::load_string("<flat-profile>" + xml + "</flat-profile>");
  EXPECT_TRUE(r);
  for (const auto& d : r->diagnostics) ADD_FAILURE() << d.to_string();
  return ResyncTiming::from_config(r->config.resync);
}

}  // namespace

TEST(ResyncParams, CiscoDefaultsAndGrammar) {
  config::ResyncConfig d;
  EXPECT_TRUE(d.on_reset);
  EXPECT_EQ(d.random_delay, 2u);  // × 20 s
  EXPECT_EQ(d.periodic, "3600");
  EXPECT_EQ(d.error_retry_delay, "3600");
  EXPECT_EQ(d.at_random_delay_s, 600u);
  EXPECT_EQ(d.forced_delay_s, 14400u);
  EXPECT_TRUE(d.fails_on_fnf);
  auto t = ResyncTiming::from_config(d);
  EXPECT_EQ(t.random_delay_s, 40u);
  EXPECT_EQ(t.periodic, (config::DelayList{{3600, 0}}));

  EXPECT_EQ(config::parse_delay_list("1800,3600+600, 7200").value(),
            (config::DelayList{{1800, 0}, {3600, 600}, {7200, 0}}));
  EXPECT_TRUE(config::parse_delay_list("0").value().empty());
  EXPECT_TRUE(config::parse_delay_list("").value().empty());
  for (const char* bad : {"abc", "10,", "10,0", "+5", "-1", "99999999999", "10+x"})
    EXPECT_FALSE(config::parse_delay_list(bad)) << bad;
  EXPECT_EQ(config::parse_hhmm("0959").value(), 9 * 60 + 59);
  EXPECT_EQ(config::parse_hhmm("2400").value(), 0);
  EXPECT_FALSE(config::parse_hhmm("").value());
  for (const char* bad : {"959", "2401", "1260", "ab12", "12:00"}) EXPECT_FALSE(config::parse_hhmm(bad)) << bad;

  // A bad value in a profile is an error naming the parameter; the default stays.
  auto r = config::load_string(
      "<flat-profile><Resync_Periodic>soon</Resync_Periodic><Resync_At>25:00</Resync_At>"
      "<Resync_Error_Retry_Delay>30,60+10</Resync_Error_Retry_Delay><Resync_Random_Delay>0</Resync_Random_Delay>"
      "</flat-profile>");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->diagnostics.size(), 2u);
  EXPECT_NE(r->diagnostics[0].to_string().find("Resync_Periodic: 'soon' is not a delay list"), std::string::npos)
      << r->diagnostics[0].to_string();
  EXPECT_NE(r->diagnostics[1].to_string().find("Resync_At: '25:00' is not a time HHmm"), std::string::npos);
  EXPECT_EQ(r->config.resync.periodic, "3600");
  EXPECT_EQ(r->config.resync.error_retry_delay, "30,60+10");
  EXPECT_EQ(r->config.resync.random_delay, 0u);
}

TEST(ResyncSchedule, ResetWaitsARandomDelayThenPeriodicAfterSuccess) {
  Rnd rnd{{17}};
  ResyncSchedule s(timing(""), rnd.fn());
  EXPECT_FALSE(s.next());
  s.boot(1000);
  ASSERT_TRUE(s.next());
  EXPECT_EQ(*s.next(), 1017);
  EXPECT_EQ(s.why(), "reset");
  EXPECT_EQ(rnd.asked, std::vector<std::uint32_t>{40});  // Resync_Random_Delay 2 × 20 s
  EXPECT_FALSE(s.due(1016));
  EXPECT_TRUE(s.due(1017));
  s.done(true, 1020);
  EXPECT_EQ(*s.next(), 1020 + 3600);
  EXPECT_EQ(s.why(), "periodic");
  s.done(true, 4620);
  EXPECT_EQ(*s.next(), 4620 + 3600);
}

TEST(ResyncSchedule, NoResetResyncAndNoPeriodicBeforeAFirstSuccess) {
  Rnd rnd;
  ResyncSchedule s(timing("<Resync_On_Reset>No</Resync_On_Reset>"), rnd.fn());
  s.boot(0);
  EXPECT_FALSE(s.next());
  s.done(true, 50);  // a triggered resync (DHCP, command) starts the periodic timer
  EXPECT_EQ(*s.next(), 3650);
  ResyncSchedule off(timing("<Resync_Periodic>0</Resync_Periodic><Resync_Random_Delay>0</Resync_Random_Delay>"),
                     rnd.fn());
  off.boot(0);
  EXPECT_EQ(*off.next(), 0);
  off.done(true, 5);
  EXPECT_FALSE(off.next());
}

TEST(ResyncSchedule, RetryListAfterConsecutiveFailuresAndResetOnSuccess) {
  Rnd rnd{{0, 7, 9}};
  ResyncSchedule s(timing("<Resync_Error_Retry_Delay>30,60+10,120</Resync_Error_Retry_Delay>"
                          "<Resync_Periodic>600,900+100</Resync_Periodic>"),
                   rnd.fn());
  s.boot(0);  // random 0
  s.done(false, 10);
  EXPECT_EQ(*s.next(), 40);
  EXPECT_EQ(s.why(), "retry");
  s.done(false, 40);
  EXPECT_EQ(*s.next(), 40 + 60 + 7);
  s.done(false, 107);
  EXPECT_EQ(*s.next(), 107 + 120);
  s.done(false, 227);
  EXPECT_EQ(*s.next(), 227 + 120);  // the last element repeats
  s.done(true, 347);
  EXPECT_EQ(*s.next(), 347 + 600);  // first periodic element
  EXPECT_EQ(s.why(), "periodic");
  s.done(true, 947);
  EXPECT_EQ(*s.next(), 947 + 900 + 9);
  s.done(false, 2000);
  EXPECT_EQ(*s.next(), 2030);  // the retry list starts again
  ResyncSchedule noretry(timing("<Resync_Error_Retry_Delay>0</Resync_Error_Retry_Delay>"), rnd.fn());
  noretry.boot(0);
  noretry.done(false, 10);
  EXPECT_FALSE(noretry.next());
}

TEST(ResyncSchedule, ResyncAtReplacesPeriodicInLocalTime) {
  Rnd rnd{{0, 0, 120}};
  // Local time = UTC + 2 h. Day 0 starts at unix 0 UTC = 02:00 local.
  ResyncSchedule s(timing("<Resync_At>0300</Resync_At><Resync_At_Random_Delay>300</Resync_At_Random_Delay>"),
                   rnd.fn(), [](std::int64_t) { return 7200; });
  s.boot(0);  // reset resync first (random 0)
  EXPECT_EQ(s.why(), "reset");
  s.done(true, 60);                  // 02:01 local
  EXPECT_EQ(*s.next(), 3600);        // 03:00 local = 01:00 UTC, random 0
  EXPECT_EQ(s.why(), "Resync_At");
  s.done(true, 3600 + 10);           // after 03:00: tomorrow
  EXPECT_EQ(*s.next(), 3600 + 86400 + 120);
  EXPECT_EQ(rnd.asked.back(), 300u);
  // After a failure: the retry (3600) when it comes before the daily time.
  s.done(false, 86400 + 3600 + 200);
  EXPECT_EQ(*s.next(), 86400 + 3600 + 200 + 3600);
  EXPECT_EQ(s.why(), "retry");
}

TEST(ResyncSchedule, BusyPhoneWaitsAtMostForcedResyncDelay) {
  Rnd rnd;
  ResyncSchedule s(timing("<Resync_Random_Delay>0</Resync_Random_Delay><Forced_Resync_Delay>600</Forced_Resync_Delay>"),
                   rnd.fn());
  s.boot(100);
  EXPECT_TRUE(s.due(100, false));
  EXPECT_FALSE(s.due(100, true));
  EXPECT_FALSE(s.due(699, true));
  EXPECT_TRUE(s.due(700, true));
}

TEST(ResyncSchedule, NewTimingReplansFromTheLastOutcome) {
  Rnd rnd;
  ResyncSchedule s(timing("<Resync_Random_Delay>0</Resync_Random_Delay>"), rnd.fn());
  s.boot(0);
  s.done(true, 100);
  EXPECT_EQ(*s.next(), 3700);
  s.set_timing(timing("<Resync_Periodic>60</Resync_Periodic>"), 200);
  EXPECT_EQ(*s.next(), 160);  // due at once on the next look
  EXPECT_TRUE(s.due(200));
}

// SPDX-License-Identifier: Apache-2.0
// Agent options: defaults, errors naming the option, secrets only from a file; a disabled
// agent reports "Disabled" and opens nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dot1x/agent.h"

namespace phonesec::dot1x {
namespace {

TEST(Options, DefaultsAndErrors) {
  auto d = parse_options({});
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->enable) << "Enable_802.1X_Authentication defaults to No";
  EXPECT_TRUE(d->pc_port_enable);
  EXPECT_EQ(d->timers.start_period, Millis(30000));
  EXPECT_EQ(d->timers.held_period, Millis(60000));
  EXPECT_EQ(d->timers.auth_period, Millis(30000));
  EXPECT_EQ(d->timers.max_start, 3u);
  struct Case {
    std::vector<std::string> args;
    const char* expect;
  };
  std::vector<Case> cases = {
      {{"--enable", "maybe"}, "--enable: \"maybe\" is not yes/no"},
      {{"--enable", "yes"}, "--iface is required"},
      {{"--enable", "yes", "--iface", "eth0"}, "EAP-TLS needs --cert"},
      {{"--enable=yes", "--iface=eth0", "--method=fast"}, "EAP-FAST needs --inner-identity and --password-file"},
      {{"--method", "peap"}, "--method: \"peap\" is not tls or fast"},
      {{"--start-period-ms", "-5"}, "--start-period-ms: \"-5\" is not a positive number"},
      {{"--fragment-size", "10"}, "--fragment-size: 10 outside 64..1490"},
      {{"--fast-provisioning", "7"}, "--fast-provisioning: \"7\" is not 0..3"},
      {{"--password-file", "/nonexistent/pw"}, "--password-file: cannot read /nonexistent/pw"},
      {{"--bogus", "1"}, "unknown option --bogus"},
      {{"--iface"}, "--iface needs a value"},
      {{"stray"}, "unexpected argument \"stray\""},
  };
  for (auto& c : cases) {
    auto r = parse_options(c.args);
    ASSERT_FALSE(r) << c.expect;
    EXPECT_NE(r.error().message().find(c.expect), std::string::npos) << r.error().message();
  }
}

TEST(Options, FastPasswordFromFileNeverPrinted) {
  const std::string pw = std::filesystem::temp_directory_path() / ("pdx-pw-" + std::to_string(getpid()));
  std::ofstream(pw) << "s3cret\nignored\n";
  auto r = parse_options({"--enable", "yes", "--iface", "eth0", "--method", "fast", "--inner-identity", "u", "--password-file", pw,
                          "--fast-provisioning", "1", "--inner", "gtc"});
  std::filesystem::remove(pw);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->password.reveal(), "s3cret");
  std::ostringstream os;
  os << r->password;
  EXPECT_EQ(os.str(), "********");
  EXPECT_EQ(r->fast_inner, eap_type::gtc);
  EXPECT_EQ(r->uplink, "eth0");
}

TEST(Options, CfgXmlGivesDefaultsTheCommandLineOverrides) {
  config::Dot1xConfig c;
  c.enable = true;
  c.pc_port_enable = false;
  auto r = parse_options({"--iface", "eth0", "--ca", "ca.pem", "--cert", "c.pem"}, &c);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->enable);
  EXPECT_FALSE(r->pc_port_enable);
  r = parse_options({"--enable", "no"}, &c);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->enable);
  auto e = parse_options({}, &c);
  ASSERT_FALSE(e) << "enabled by cfg.xml: --iface required";
}

TEST(Agent, DisabledReportsDisabled) {
  auto a = Agent::create(parse_options({"--enable", "no"}).value());
  ASSERT_TRUE(a) << a.error().message();
  auto s = (*a)->status();
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.transaction, "Disabled");
  EXPECT_EQ(to_string(s), "Device Authentication: Off\nTransaction Status: Disabled\nProtocol: None\n");
}

}  // namespace
}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// Firewall_Config grammar (seed table 5): keywords, ranges, limits, and the bad tokens that are
// skipped with a warning naming them while the rest applies.
#include <gtest/gtest.h>

#include "config/phone_config.h"

namespace phonesec::config {
namespace {

struct Parsed {
  FirewallOptions o;
  std::vector<Diagnostic> d;
};
Parsed parse(std::string_view s) {
  Parsed p;
  p.o = parse_firewall_config(s, p.d, "cfg.xml", 7);
  return p;
}

TEST(FirewallConfig, EmptyMeansDefaultsOnly) {
  auto p = parse("");
  EXPECT_EQ(p.o, FirewallOptions{});
  EXPECT_TRUE(p.d.empty());
  EXPECT_EQ(parse("  , ,").o, FirewallOptions{});
}

TEST(FirewallConfig, SeedExample) {
  auto p = parse("NO_ICMP_PING,TCP:12000,UDP:8000:8010");
  EXPECT_TRUE(p.o.no_icmp_ping);
  EXPECT_FALSE(p.o.no_icmp_unreachable);
  EXPECT_FALSE(p.o.no_cisco_tftp);
  ASSERT_EQ(p.o.tcp.size(), 1u);
  EXPECT_EQ(p.o.tcp[0], (PortRange{12000, 12000}));
  ASSERT_EQ(p.o.udp.size(), 1u);
  EXPECT_EQ(p.o.udp[0], (PortRange{8000, 8010}));
  EXPECT_TRUE(p.d.empty());
}

TEST(FirewallConfig, CaseInsensitiveAndSpacesTolerated) {
  auto p = parse(" no_icmp_unreachable ,  No_Cisco_Tftp,udp : 9000 : 9001 , Tcp:443 ");
  EXPECT_TRUE(p.o.no_icmp_unreachable);
  EXPECT_TRUE(p.o.no_cisco_tftp);
  EXPECT_EQ(p.o.udp, (std::vector<PortRange>{{9000, 9001}}));
  EXPECT_EQ(p.o.tcp, (std::vector<PortRange>{{443, 443}}));
  EXPECT_TRUE(p.d.empty());
}

TEST(FirewallConfig, BoundsInclusive) {
  auto p = parse("UDP:1,UDP:65535,TCP:1:65535,UDP:5:5");
  EXPECT_EQ(p.o.udp, (std::vector<PortRange>{{1, 1}, {65535, 65535}, {5, 5}}));
  EXPECT_EQ(p.o.tcp, (std::vector<PortRange>{{1, 65535}}));
  EXPECT_TRUE(p.d.empty());
}

struct BadCase {
  const char* text;
  const char* token;  // must be named in the warning
  const char* why;
};

class FirewallConfigBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(FirewallConfigBad, SkippedWithWarningNamingTokenRestApplies) {
  const auto& c = GetParam();
  std::string text = std::string(c.text) + ",NO_ICMP_PING,TCP:8443";
  auto p = parse(text);
  ASSERT_EQ(p.d.size(), 1u) << text;
  const auto& d = p.d[0];
  EXPECT_EQ(d.severity, Severity::warning);
  EXPECT_EQ(d.param, "Firewall_Config");
  EXPECT_EQ(d.line, 7);
  EXPECT_NE(d.message.find(std::string("'") + c.token + "'"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find(c.why), std::string::npos) << d.message;
  EXPECT_NE(d.to_string().find("cfg.xml:7:"), std::string::npos) << d.to_string();
  EXPECT_TRUE(p.o.no_icmp_ping);
  EXPECT_EQ(p.o.tcp, (std::vector<PortRange>{{8443, 8443}}));
}

INSTANTIATE_TEST_SUITE_P(
    Tokens, FirewallConfigBad,
    ::testing::Values(BadCase{"NO_SSH", "NO_SSH", "unknown keyword"},
                      BadCase{"UDP:0", "UDP:0", "outside 1-65535"},
                      BadCase{"UDP:65536", "UDP:65536", "outside 1-65535"},
                      BadCase{"TCP:99999999999", "TCP:99999999999", "outside 1-65535"},
                      BadCase{"TCP:-5", "TCP:-5", "not a port number"},
                      BadCase{"UDP:9000:8000", "UDP:9000:8000", "start above its end"},
                      BadCase{"UDP:abc", "UDP:abc", "not a port number"},
                      BadCase{"UDP", "UDP", "expected UDP:port"},
                      BadCase{"TCP:1:2:3", "TCP:1:2:3", "expected TCP:port"},
                      BadCase{"NO_ICMP_PING:1", "NO_ICMP_PING:1", "unknown keyword"},
                      BadCase{"ICMP:5", "ICMP:5", "unknown keyword"}));

TEST(FirewallConfig, SixthEntryPerProtocolSkipped) {
  auto p = parse("UDP:1,UDP:2,UDP:3,UDP:4,UDP:5,UDP:6,TCP:1,TCP:2,TCP:3,TCP:4,TCP:5:9,TCP:7");
  EXPECT_EQ(p.o.udp.size(), 5u);
  EXPECT_EQ(p.o.tcp.size(), 5u);
  EXPECT_EQ(p.o.tcp.back(), (PortRange{5, 9}));
  ASSERT_EQ(p.d.size(), 2u);
  EXPECT_NE(p.d[0].message.find("'UDP:6'"), std::string::npos);
  EXPECT_NE(p.d[0].message.find("more than 5 UDP"), std::string::npos);
  EXPECT_NE(p.d[1].message.find("'TCP:7'"), std::string::npos);
}

TEST(FirewallConfig, BadTokensDoNotCountTowardsTheFive) {
  auto p = parse("UDP:0,UDP:1,UDP:2,UDP:3,UDP:4,UDP:5");
  EXPECT_EQ(p.o.udp.size(), 5u);
  EXPECT_EQ(p.d.size(), 1u);
}

TEST(FirewallConfig, FormatIsCanonicalAndRoundTrips) {
  auto p = parse(" tcp:12000 ,udp:8000:8010,no_icmp_ping, NO_CISCO_TFTP");
  std::string f = format_firewall_config(p.o);
  EXPECT_EQ(f, "NO_ICMP_PING,NO_CISCO_TFTP,UDP:8000:8010,TCP:12000");
  EXPECT_EQ(parse(f).o, p.o);
  EXPECT_EQ(format_firewall_config({}), "");
}

}  // namespace
}  // namespace phonesec::config

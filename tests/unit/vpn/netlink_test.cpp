// SPDX-License-Identifier: Apache-2.0
#include "vpn/netlink.h"

#include <gtest/gtest.h>

#include "vpn/status.h"

namespace phonesec::vpn {
namespace {

TEST(VpnNetlink, MaskPrefixRoundTrip) {
  for (int p = 0; p <= 32; ++p) {
    std::string m = prefix_to_mask(std::uint8_t(p));
    auto back = mask_to_prefix(m);
    ASSERT_TRUE(back) << m;
    EXPECT_EQ(*back, p) << m;
  }
  EXPECT_EQ(prefix_to_mask(24), "255.255.255.0");
  EXPECT_EQ(prefix_to_mask(0), "0.0.0.0");
  EXPECT_EQ(prefix_to_mask(32), "255.255.255.255");
}

TEST(VpnNetlink, BadMasks) {
  for (const char* m : {"255.0.255.0", "255.255.255.1", "nonsense", "255.255.255", "0.0.0.255"}) {
    auto r = mask_to_prefix(m);
    ASSERT_FALSE(r) << m;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_NE(r.error().message().find(m), std::string::npos) << r.error().message();
  }
}

TEST(VpnNetlink, SplitIncludeRoutes) {
  auto a = parse_route("172.30.0.0/255.255.255.0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->dst, "172.30.0.0");
  EXPECT_EQ(a->prefixlen, 24);
  auto b = parse_route("10.0.0.0/8");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->prefixlen, 8);
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "10.0.0.0/255.0.255.0", "x/8"}) {
    auto r = parse_route(bad);
    EXPECT_FALSE(r) << bad;
  }
}

TEST(VpnNetlink, MissingLinkIsNotFound) {
  auto r = read_link("psvnope0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_NE(r.error().message().find("psvnope0"), std::string::npos);
}

TEST(VpnNetlink, LoopbackIsReadable) {
  auto r = read_link("lo");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->ifname, "lo");
  EXPECT_EQ(r->ifindex, 1u);
}

TEST(VpnNetlink, RouteLookup) {
  auto p = lookup_route("127.0.0.1");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->oif, 1u);  // lo
  EXPECT_EQ(p->gateway, "");
  auto bad = lookup_route("not-an-address");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

TEST(VpnStatusJson, AllFieldsEscaped) {
  VpnStatus s;
  s.enabled = true;
  s.state = State::reconnecting;
  s.server = "vpn\"x";
  s.address = "192.168.99.50";
  s.netmask = "255.255.255.0";
  s.bytes_sent = 1234;
  s.bytes_received = 5678;
  s.last_error = "line1\nline2";
  EXPECT_EQ(to_json(s),
            "{\"enabled\":true,\"state\":\"reconnecting\",\"server\":\"vpn\\\"x\",\"user\":\"\",\"group\":\"\",\"ifname\":\"\","
            "\"ifindex\":0,\"address\":\"192.168.99.50\",\"netmask\":\"255.255.255.0\",\"bytes_sent\":1234,"
            "\"bytes_received\":5678,\"transport\":\"\",\"reconnects\":0,\"last_error\":\"line1\\nline2\"}");
}

}  // namespace
}  // namespace phonesec::vpn

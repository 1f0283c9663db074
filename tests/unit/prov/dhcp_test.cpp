// SPDX-License-Identifier: Apache-2.0
// DHCPv4/DHCPv6 reply parsing and the choice of the provisioning source (hand-built packets;
// the lab test uses dnsmasq).
#include "prov/dhcp.h"

#include <gtest/gtest.h>

#include "prov/rule_url.h"

using namespace phonesec;
using namespace phonesec::prov;

namespace {

Bytes v4(std::initializer_list<std::pair<int, Bytes>> opts) {
  Bytes b(240, 0);
  b.reserve(512);
  b[0] = 2;
  b[4] = 0x12, b[5] = 0x34, b[6] = 0x56, b[7] = 0x78;
  b[16] = 10, b[17] = 77, b[18] = 0, b[19] = 50;
  b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;
  for (std::uint8_t x : {53, 1, 2}) b.push_back(x);
  for (auto& [c, v] : opts) {
    b.push_back(std::uint8_t(c));
    b.push_back(std::uint8_t(v.size()));
    b.insert(b.end(), v.begin(), v.end());
  }
  b.push_back(255);
  return b;
}
Bytes str(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST(Dhcp, V4OptionsAndOrder) {
  auto r = parse_dhcpv4(v4({{66, str("tftp.prov.test")},
                            {150, {10, 77, 0, 1, 10, 77, 0, 9}},
                            {160, str("https://prov.test/cfg")},
                            {159, {192, 0, 2, 5}},
                            {43, {1, 4, 0xff, 0xfe, 0, 1, 2, 9, 'a', 'c', 's', '.', 't', 'e', 's', 't', '/'}},
                            {125, {0, 0, 0, 9, 12, 1, 10, 'h', 't', 't', 'p', ':', '/', '/', 'a', 'c', 's'}},
                            {60, str("vendor.test")}}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->message_type, 2);
  EXPECT_EQ(r->xid, 0x12345678u);
  EXPECT_EQ(r->your_ip, "10.77.0.50");
  EXPECT_EQ(*source_from_option(*r, 66), "tftp://tftp.prov.test");
  EXPECT_EQ(*source_from_option(*r, 150), "tftp://10.77.0.1");
  EXPECT_EQ(*source_from_option(*r, 160), "https://prov.test/cfg");
  EXPECT_EQ(*source_from_option(*r, 159), "tftp://192.0.2.5");
  EXPECT_EQ(*source_from_option(*r, 43), "tftp://acs.test/");
  EXPECT_EQ(*source_from_option(*r, 125), "http://acs");
  EXPECT_EQ(*source_from_option(*r, 60), "tftp://vendor.test");

  auto first = choose_source(*r, {66, 160, 159, 150, 60, 43, 125});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->option, 66);
  auto by_url = choose_source(*r, {160, 66});
  EXPECT_EQ(by_url->option, 160);
  EXPECT_EQ(by_url->url, "https://prov.test/cfg");
  EXPECT_EQ(choose_source(*r, {150})->url, "tftp://10.77.0.1");
  EXPECT_FALSE(choose_source(*r, {}));
}

TEST(Dhcp, V4SkipsUnusableAndJoinsSplitOptions) {
  // 160 split in two instances (RFC 3396); 66 not printable; 150 of a bad length.
  auto r = parse_dhcpv4(
      v4({{66, {0x01, 0x02}}, {150, {10, 0, 0}}, {160, str("http://prov")}, {160, str(".test/x")}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*source_from_option(*r, 160), "http://prov.test/x");
  auto s = choose_source(*r, {66, 150, 160});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->option, 160);
  EXPECT_FALSE(choose_source(*r, {66, 150, 159}));
}

TEST(Dhcp, V4Malformed) {
  EXPECT_FALSE(parse_dhcpv4(Bytes(100, 0)));
  Bytes b = v4({});
  b[236] = 0;
  auto bad = parse_dhcpv4(b);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("magic cookie"), std::string::npos);
  Bytes t = v4({{160, str("http://x")}});
  t.pop_back();
  t.pop_back();  // option 160 now runs past the end
  auto trunc = parse_dhcpv4(t);
  ASSERT_FALSE(trunc);
  EXPECT_NE(trunc.error().message().find("option 160"), std::string::npos);
}

TEST(Dhcp, V6Options) {
  Bytes b{7, 0xab, 0xcd, 0xef};
  auto opt = [&](int code, const Bytes& v) {
    b.push_back(std::uint8_t(code >> 8));
    b.push_back(std::uint8_t(code));
    b.push_back(std::uint8_t(v.size() >> 8));
    b.push_back(std::uint8_t(v.size()));
    b.insert(b.end(), v.begin(), v.end());
  };
  Bytes vendor{0, 0, 0, 9, 0, 1, 0, 16, 0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  opt(17, vendor);
  opt(160, str("https://[fd77::1]/cfg"));
  opt(159, {0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5});
  auto r = parse_dhcpv6(b);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->message_type, 7);
  EXPECT_EQ(r->xid, 0xabcdefu);
  EXPECT_EQ(*source_from_option(*r, 17), "tftp://[fd77::1]");
  EXPECT_EQ(*source_from_option(*r, 160), "https://[fd77::1]/cfg");
  EXPECT_EQ(*source_from_option(*r, 159), "tftp://[fd77::5]");
  EXPECT_EQ(choose_source(*r, {160, 17})->option, 160);
  EXPECT_EQ(choose_source(*r, {17, 160, 159})->option, 17);
  b.resize(b.size() - 3);
  EXPECT_FALSE(parse_dhcpv6(b));
}

TEST(Dhcp, ClientMessagesRoundTrip) {
  const std::uint8_t mac[6] = {0, 0x0e, 8, 0xab, 0xcd, 0xef};
  auto d = parse_dhcpv4(make_discover(mac, 7, {66, 160}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message_type, 1);
  EXPECT_EQ(d->options.at(55), (Bytes{66, 160}));
  auto s = parse_dhcpv6(make_solicit(mac, 9, {17, 160}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->message_type, 1);
  EXPECT_EQ(s->options.at(6), (Bytes{0, 17, 0, 160}));
}

TEST(Dhcp, RelativeRuleCompletedWithTheDhcpServer) {
  auto rule = parse_rule_url("/$PSN.xml").value();
  auto u = complete_rule(rule, "https://prov.test:8443/base");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->to_string(), "https://prov.test:8443/$PSN.xml");
  EXPECT_EQ(complete_rule(rule, "tftp://10.77.0.1").value().to_string(), "tftp://10.77.0.1/$PSN.xml");
  auto abs = parse_rule_url("http://a.test/x").value();
  EXPECT_EQ(complete_rule(abs, "tftp://10.77.0.1").value().host, "a.test");
}

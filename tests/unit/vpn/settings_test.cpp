// SPDX-License-Identifier: Apache-2.0
#include "vpn/settings.h"

#include <gtest/gtest.h>

namespace phonesec::vpn {
namespace {

using namespace std::chrono_literals;

config::VpnConfig cfg(std::string server, std::string user = "alice") {
  config::VpnConfig c;
  c.server = std::move(server);
  c.user_name = std::move(user);
  c.password = SecretString("pw");
  c.tunnel_group = "voice";
  return c;
}

TEST(VpnSettings, ServerForms) {
  struct Case {
    const char* in;
    const char* url;
    const char* host;
  } cases[] = {
      {"vpn.example.com", "https://vpn.example.com", "vpn.example.com"},
      {"  10.0.0.1 ", "https://10.0.0.1", "10.0.0.1"},
      {"vpn.example.com:8443", "https://vpn.example.com:8443", "vpn.example.com"},
      {"HTTPS://vpn.example.com/phones", "https://vpn.example.com/phones", "vpn.example.com"},
      {"[2001:db8::1]:443", "https://[2001:db8::1]:443", "2001:db8::1"},
      {"https://[2001:db8::1]", "https://[2001:db8::1]", "2001:db8::1"},
  };
  for (const auto& c : cases) {
    auto s = settings_from(cfg(c.in));
    ASSERT_TRUE(s) << c.in << ": " << s.error().message();
    EXPECT_EQ(s->url, c.url) << c.in;
    EXPECT_EQ(s->host, c.host) << c.in;
    EXPECT_EQ(s->user, "alice");
    EXPECT_EQ(s->tunnel_group, "voice");
    EXPECT_EQ(s->password.reveal(), "pw");
  }
}

TEST(VpnSettings, BadInputNamesTheParameter) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", "VPN_Server is empty"},
      {"   ", "VPN_Server is empty"},
      {"http://vpn.example.com", "VPN_Server 'http://vpn.example.com': only https:// is supported"},
      {"vpn.example.com:0", "port must be 1-65535"},
      {"vpn.example.com:70000", "port must be 1-65535"},
      {"vpn.example.com:", "port must be 1-65535"},
      {"vpn.example.com:44x", "port must be 1-65535"},
      {"2001:db8::1", "IPv6 address must be in brackets"},
      {"[2001:db8::1", "unclosed '['"},
      {"vpn example.com", "invalid character in host"},
      {"https:///path", "no host"},
  };
  for (const auto& c : cases) {
    auto s = settings_from(cfg(c.in));
    ASSERT_FALSE(s) << c.in;
    EXPECT_EQ(s.error().code, Errc::invalid_argument);
    EXPECT_NE(s.error().message().find(c.want), std::string::npos) << c.in << " -> " << s.error().message();
  }
  auto s = settings_from(cfg("vpn.example.com", ""));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "VPN_User_Name is empty");
}

TEST(VpnSettings, TrustIsCarried) {
  auto s = settings_from(cfg("vpn.example.com"), TrustPolicy{"/etc/ca.pem", "pin-sha256:abc="});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->trust.ca_file, "/etc/ca.pem");
  EXPECT_EQ(s->trust.pin, "pin-sha256:abc=");
}

TEST(VpnBackoff, DoublesUpToTheCapAndResets) {
  ReconnectPolicy p;
  p.initial = 500ms;
  p.max = 5000ms;
  Backoff b(p);
  std::vector<std::chrono::milliseconds> got;
  for (int i = 0; i < 7; ++i) got.push_back(b.next());
  EXPECT_EQ(got, (std::vector<std::chrono::milliseconds>{500ms, 1000ms, 2000ms, 4000ms, 5000ms, 5000ms, 5000ms}));
  b.reset();
  EXPECT_EQ(b.next(), 500ms);
  EXPECT_EQ(b.next(), 1000ms);
}

}  // namespace
}  // namespace phonesec::vpn

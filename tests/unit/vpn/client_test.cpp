// SPDX-License-Identifier: Apache-2.0
// The client's failure path without a gateway: a profile it cannot use, a server that is not
// there. The switch ends off and status says why (and holds no password).
#include "vpn/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace phonesec::vpn {
namespace {

using namespace std::chrono_literals;

TEST(VpnClient, UnusableProfileLeavesSwitchOffWithReason) {
  VpnClient c(ClientOptions{});
  config::VpnConfig p;
  p.user_name = "alice";
  p.password = SecretString("pw-77");
  p.connect_on_bootup = true;
  c.boot(p);  // Connect_on_Bootup with no VPN_Server
  VpnStatus s = c.status();
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.state, State::disconnected);
  EXPECT_EQ(s.last_error, "VPN_Server is empty");
  auto r = c.connect();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(VpnClient, UnreachableServerFailsWithReason) {
  VpnClient c(ClientOptions{});
  config::VpnConfig p;
  p.server = "127.0.0.1:1";  // nothing listens there
  p.user_name = "alice";
  p.password = SecretString("pw-77");
  c.boot(p);
  EXPECT_FALSE(c.status().enabled);  // Connect_on_Bootup = No
  ASSERT_TRUE(c.connect());
  ASSERT_TRUE(c.wait_for([](const VpnStatus& s) { return !s.enabled && s.state == State::disconnected; }, 10s));
  VpnStatus s = c.status();
  EXPECT_NE(s.last_error.find("cannot log in to 127.0.0.1"), std::string::npos) << s.last_error;
  EXPECT_EQ(to_json(s).find("pw-77"), std::string::npos);
  EXPECT_EQ(s.server, "127.0.0.1");
  EXPECT_EQ(s.user, "alice");
}

TEST(VpnClient, DisconnectCancelsALoginInProgress) {
  // A server that accepts TCP and never answers the TLS handshake: the login blocks there
  // until disconnect() cancels it through libopenconnect's command pipe.
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(l, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(l, 4), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(l, reinterpret_cast<sockaddr*>(&a), &len), 0);

  VpnClient c(ClientOptions{});
  config::VpnConfig p;
  p.server = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  p.user_name = "alice";
  c.boot(p);
  ASSERT_TRUE(c.connect());
  std::this_thread::sleep_for(300ms);  // into the TLS handshake
  EXPECT_EQ(c.status().state, State::connecting);
  c.disconnect();
  VpnStatus s = c.status();
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.state, State::disconnected);
  EXPECT_EQ(s.last_error, "") << "a disconnect is not a failure";
  close(l);
}

}  // namespace
}  // namespace phonesec::vpn

// SPDX-License-Identifier: Apache-2.0
// Fetcher on loopback: Restricted_Access_Domains refuses before any lookup or connection
// (a listening server counts connections, the injected resolver counts lookups), for every
// provisioning rule; allowed hosts do connect; HTTP errors and syslog messages.
#include "prov/fetch.h"

#include <gtest/gtest.h>

#include "loopback_http.h"

using namespace phonesec;
using namespace phonesec::prov;
using namespace phonesec::test;

namespace {
DeviceInfo dev() {
  DeviceInfo d;
  d.product_name = "CP-8851-3PCC";
  d.mac = "000e08abcdef";
  return d;
}
}  // namespace

TEST(Fetch, RefusedHostIsNeverResolvedNorConnected) {
  LoopbackHttp srv;
  UdpReceiver rx;
  auto sender = SyslogSender::open(rx.server());
  ASSERT_TRUE(sender);
  ProvisioningLog log({}, dev(), &*sender);
  StaticResolver res(HostTable{{"evil.test", {"127.0.0.1"}}, {"prov.test", {"127.0.0.1"}}});
  config::PhoneConfig c;
  c.prov.restricted_access_domains = {"prov.test"};
  std::string port = std::to_string(srv.port());
  c.prov.profile_rule = "http://evil.test:" + port + "/a.xml";
  c.prov.profile_rule_b = "[--key x] http://EVIL.test:" + port + "/b.xml";
  c.prov.profile_rule_c = "http://evil.test:" + port + "/c.xml";
  c.prov.profile_rule_d = "http://127.0.0.1:" + port + "/d.xml";  // an address not in the list
  c.prov.upgrade_rule = "http://evil.test:" + port + "/fw.bin";
  c.prov.headset_upgrade_rule = "http://evil.test:" + port + "/hs.bin";
  c.prov.report_rule = "http://evil.test:" + port + "/report";
  c.prov.custom_ca_rule = "http://evil.test:" + port + "/ca.pem";
  Fetcher f(DomainPolicy(c.prov.restricted_access_domains), res, &log, nullptr);
  for (const auto& [name, rule] : provisioning_rules(c)) {
    auto r = f.fetch(rule, name);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, Errc::auth) << name;
    EXPECT_NE(r.error().message().find(name + ": host '"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("not in Restricted_Access_Domains (prov.test)"), std::string::npos);
    // The failure message reaches syslog with the reason as $ERR; no request message before it.
    std::string msg = rx.next();
    EXPECT_NE(msg.find("Resync failed: " + name + ": host '"), std::string::npos) << msg;
  }
  EXPECT_EQ(res.lookups(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(srv.connections(), 0);

  // The same server under an allowed name is reached: the counters above would have seen it.
  auto ok = f.fetch("http://Prov.Test:" + port + "/a.xml", "Profile_Rule");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->body, "hello");
  EXPECT_EQ(ok->server_ip, "127.0.0.1");
  EXPECT_EQ(res.lookups(), 1);
  EXPECT_EQ(srv.connections(), 1);
  EXPECT_NE(rx.next().find("Requesting resync http://127.0.0.1:" + port + "/a.xml"), std::string::npos);
  EXPECT_NE(rx.next().find("Successful resync http://127.0.0.1:" + port + "/a.xml"), std::string::npos);
}

TEST(Fetch, NoRestrictionFetchesAnyHost) {
  LoopbackHttp srv;
  StaticResolver res(HostTable{{"any.test", {"127.0.0.1"}}});
  Fetcher f(DomainPolicy{}, res, nullptr, nullptr);
  auto r = f.fetch("http://any.test:" + std::to_string(srv.port()) + "/x", "Profile_Rule");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
}

TEST(Fetch, HttpErrorStatusIsAFailureWithErr) {
  LoopbackHttp srv("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  UdpReceiver rx;
  auto sender = SyslogSender::open(rx.server());
  ASSERT_TRUE(sender);
  config::SyslogConfig sc;
  sc.log_upgrade_request_msg = "";  // only the failure arrives
  ProvisioningLog log(sc, dev(), &*sender);
  StaticResolver res(HostTable{{"prov.test", {"127.0.0.1"}}});
  Fetcher f(DomainPolicy({"prov.test"}), res, &log, nullptr, {.op = ProvOp::upgrade});
  std::string url = "http://prov.test:" + std::to_string(srv.port()) + "/fw.bin";
  auto r = f.fetch(url, "Upgrade_Rule");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("HTTP 404"), std::string::npos);
  EXPECT_EQ(srv.connections(), 1);  // one server answered: no retry elsewhere
  std::string msg = rx.next();
  EXPECT_NE(msg.find("Upgrade failed: Upgrade_Rule: HTTP 404 from " + url), std::string::npos) << msg;
}

TEST(Fetch, UnresolvableAndRelativeRules) {
  StaticResolver res(HostTable{});
  Fetcher f(DomainPolicy{}, res, nullptr, nullptr);
  auto r = f.fetch("http://nowhere.test/x", "Profile_Rule");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_NE(r.error().message().find("nowhere.test"), std::string::npos);
  auto rel = f.fetch("/$PSN.xml", "Profile_Rule");
  ASSERT_FALSE(rel);
  EXPECT_NE(rel.error().message().find("relative"), std::string::npos);
}

TEST(Fetch, DhcpGivenServerOfARelativeRuleIsChecked) {
  LoopbackHttp srv;
  StaticResolver res(HostTable{{"dhcp-server.evil", {"127.0.0.1"}}, {"prov.test", {"127.0.0.1"}}});
  Fetcher f(DomainPolicy({"prov.test"}), res, nullptr, nullptr);
  auto rule = parse_rule_url("/cp$PSN.xml").value();
  std::string port = std::to_string(srv.port());
  // Option 160 named a server outside the list: refused, nothing resolved or connected.
  auto evil = complete_rule(rule, "http://dhcp-server.evil:" + port);
  ASSERT_TRUE(evil);
  auto r = f.fetch(*evil, "Profile_Rule");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::auth);
  EXPECT_EQ(res.lookups(), 0);
  EXPECT_EQ(srv.connections(), 0);
  auto good = f.fetch(complete_rule(rule, "http://prov.test:" + port).value(), "Profile_Rule");
  EXPECT_TRUE(good) << good.error().message();
  EXPECT_EQ(srv.connections(), 1);
}

TEST(Fetch, RedirectIsNotFollowedOutOfTheRestrictedDomains) {
  LoopbackHttp evil;
  LoopbackHttp redirector("HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:" + std::to_string(evil.port()) +
                          "/x\r\nContent-Length: 0\r\n\r\n");
  StaticResolver res(HostTable{{"prov.test", {"127.0.0.1"}}});
  Fetcher f(DomainPolicy({"prov.test"}), res, nullptr, nullptr);
  auto r = f.fetch("http://prov.test:" + std::to_string(redirector.port()) + "/cfg.xml", "Profile_Rule");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("HTTP 302"), std::string::npos) << r.error().message();
  EXPECT_EQ(redirector.connections(), 1);
  EXPECT_EQ(evil.connections(), 0);
}

// SPDX-License-Identifier: Apache-2.0
// Every TLS client rule against real `openssl s_server` peers on 127.0.0.1: good, expired,
// wrong-name, wrong-CA, CN-only, IP-SAN and CN-with-slash certificates, and servers restricted
// to one TLS 1.2 suite. Each bad case must fail with its own reason, in the value and in words.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "servers.h"
#include "test_pki.h"
#include "tls/apps.h"
#include "tls/client.h"
#include "tls/from_config.h"
#include "tls/sip_transport.h"

using namespace phonesec;
using namespace phonesec::tls;
using namespace phonesec::test;

namespace {

struct Env {
  TempDir dir{"pstlssrv"};
  TestPki pki{dir.path()};
  Issued ca, other_ca;
  std::map<std::string, std::uint16_t> port;
  std::vector<Process> procs;
  std::vector<std::uint16_t> order;
  std::string error;
  StaticResolver resolve;

  void serve(const std::string& name, const Issued& leaf, const std::string& cipher = "",
             bool tls12 = false) {
    std::uint16_t p = free_port();
    procs.push_back(
        start_s_server({leaf.cert_file, leaf.key_file, cipher, tls12}, p, dir.path().string(), name));
    port[name] = p;
    order.push_back(p);
  }

  Env() {
    if (find_tool("openssl").empty()) {
      error = "openssl not found in PATH (Debian package openssl)";
      return;
    }
    ca = pki.make_ca("ca", "phonesec test CA");
    other_ca = pki.make_ca("other-ca", "someone else's CA");
    serve("good", pki.issue(ca, "good", {.cn = "server.test", .dns_sans = {"server.test"}}));
    serve("expired", pki.issue(ca, "expired",
                               {.cn = "server.test",
                                .dns_sans = {"server.test"},
                                .not_before_days = -60,
                                .not_after_days = -1}));
    serve("wrong-name", pki.issue(ca, "wrong-name", {.cn = "other.test", .dns_sans = {"other.test"}}));
    serve("wrong-ca", pki.issue(other_ca, "wrong-ca", {.cn = "server.test", .dns_sans = {"server.test"}}));
    // SAN wins over CN: the CN names the host but the SAN does not.
    serve("san-wins", pki.issue(ca, "san-wins", {.cn = "server.test", .dns_sans = {"other.test"}}));
    serve("cn-only", pki.issue(ca, "cn-only", {.cn = "server.test"}));
    serve("ip", pki.issue(ca, "ip", {.cn = "127.0.0.1", .ip_sans = {"127.0.0.1"}}));
    serve("cn-slash", pki.issue(ca, "cn-slash", {.cn = "pv.telco.net/mailto:admin@telco.net"}));
    Issued good = pki.issue(ca, "good12", {.cn = "server.test", .dns_sans = {"server.test"}});
    serve("only-aes128-sha", good, "AES128-SHA", true);
    serve("only-aes256-gcm", good, "ECDHE-RSA-AES256-GCM-SHA384", true);
    auto r = StaticResolver::from_hosts("127.0.0.1 server.test pv.telco.net\n");
    resolve = *r;
    for (std::size_t k = 0; k < procs.size() && error.empty(); ++k)
      if (!procs[k].wait_listening(order[k], error)) break;
  }
};

Env* env = nullptr;

class SServer : public testing::Test {
 protected:
  static void SetUpTestSuite() { env = new Env(); }
  static void TearDownTestSuite() {
    delete env;
    env = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(env->error.empty()) << env->error; }

  TrustOptions trust() const { return {env->ca.cert_file, std::nullopt}; }

  TlsConnectResult connect(TlsApp app, const std::string& server, const std::string& host = "server.test",
                           const std::string& cipher_list = "", bool validate_name = true) {
    TlsPolicy policy({cipher_list});
    auto ctx = TlsClientContext::create(policy, app, trust());
    EXPECT_TRUE(ctx) << ctx.error().message();
    if (!ctx) return {TlsFailure::protocol, ctx.error()};
    return tls_connect(*ctx, {host, env->port.at(server), validate_name}, env->resolve);
  }
};

std::string msg(const TlsConnectResult& r) { return r.ok() ? "connected" : r.session.error().message(); }

}  // namespace

TEST_F(SServer, GoodCertificateConnectsForEveryClientApplication) {
  for (TlsApp app : kAllApps) {
    if (app == TlsApp::web_server) continue;
    auto r = connect(app, "good");
    ASSERT_TRUE(r.ok()) << app_name(app) << ": " << msg(r);
    EXPECT_EQ(r.session->peer_ip(), "127.0.0.1");
    EXPECT_FALSE(r.session->version().empty());
  }
}

TEST_F(SServer, ExpiredCertificateFails) {
  for (TlsApp app : {TlsApp::xsi, TlsApp::ldaps, TlsApp::tr069, TlsApp::sip, TlsApp::provisioning}) {
    auto r = connect(app, "expired");
    EXPECT_EQ(r.failure, TlsFailure::expired) << app_name(app) << ": " << msg(r);
    EXPECT_NE(msg(r).find("certificate expired"), std::string::npos) << msg(r);
    EXPECT_NE(msg(r).find(std::string(app_name(app))), std::string::npos) << msg(r);
  }
}

TEST_F(SServer, WrongNameFailsForTheAlwaysCheckedApplications) {
  for (TlsApp app : {TlsApp::ldaps, TlsApp::ldap_starttls, TlsApp::xmpp, TlsApp::firmware_upgrade,
                     TlsApp::xsi, TlsApp::image_download, TlsApp::tr069}) {
    auto r = connect(app, "wrong-name");
    EXPECT_EQ(r.failure, TlsFailure::hostname_mismatch) << app_name(app) << ": " << msg(r);
    EXPECT_NE(msg(r).find("hostname mismatch"), std::string::npos) << msg(r);
    EXPECT_NE(msg(r).find("server.test"), std::string::npos) << msg(r);
  }
}

TEST_F(SServer, WrongCaFailsEvenWithoutNameValidation) {
  for (TlsApp app : {TlsApp::xsi, TlsApp::provisioning, TlsApp::sip}) {
    auto r = connect(app, "wrong-ca", "server.test", "", /*validate_name=*/false);
    EXPECT_EQ(r.failure, TlsFailure::unknown_ca) << app_name(app) << ": " << msg(r);
    EXPECT_NE(msg(r).find("unknown CA"), std::string::npos) << msg(r);
  }
}

TEST_F(SServer, SanIsCheckedBeforeCnAndCnOnlyWithoutSan) {
  auto cn_only = connect(TlsApp::xsi, "cn-only");
  EXPECT_TRUE(cn_only.ok()) << msg(cn_only);
  auto san_wins = connect(TlsApp::xsi, "san-wins");
  EXPECT_EQ(san_wins.failure, TlsFailure::hostname_mismatch) << msg(san_wins);
}

TEST_F(SServer, IpLiteralHostIsCheckedAgainstIpSans) {
  auto ip = connect(TlsApp::tr069, "ip", "127.0.0.1");
  EXPECT_TRUE(ip.ok()) << msg(ip);
  // A certificate naming only server.test does not vouch for the address.
  auto by_ip = connect(TlsApp::tr069, "good", "127.0.0.1");
  EXPECT_EQ(by_ip.failure, TlsFailure::hostname_mismatch) << msg(by_ip);
}

TEST_F(SServer, SipNameValidationFollowsTheLineSetting) {
  auto cfg = config::load_string(
      "<flat-profile><SIP_Transport_1_>TLS</SIP_Transport_1_><TLS_Name_Validate_1_>No</TLS_Name_Validate_1_>"
      "<SIP_Transport_2_>TLS</SIP_Transport_2_></flat-profile>");
  ASSERT_TRUE(cfg);
  auto plans = sip_transport_plans(cfg->config);
  TlsPolicy policy(tls_policy_options(cfg->config));
  auto ctx = TlsClientContext::create(policy, TlsApp::sip, trust());
  ASSERT_TRUE(ctx) << ctx.error().message();
  {  // s_server serves one connection at a time: each session ends before the next connect
    auto target1 = sip_tls_target(plans[0], "server.test", env->port.at("wrong-name"));
    auto line1 = tls_connect(*ctx, target1, env->resolve);
    EXPECT_TRUE(line1.ok()) << "line 1 (TLS_Name_Validate_1_ = No): " << msg(line1);
  }
  auto target2 = sip_tls_target(plans[1], "server.test", env->port.at("wrong-name"));
  auto line2 = tls_connect(*ctx, target2, env->resolve);
  EXPECT_EQ(line2.failure, TlsFailure::hostname_mismatch) << "line 2 (default Yes): " << msg(line2);
  auto good2 = tls_connect(*ctx, sip_tls_target(plans[1], "server.test", env->port.at("good")), env->resolve);
  EXPECT_TRUE(good2.ok()) << msg(good2);
}

TEST_F(SServer, ProvisioningAcceptsCnWithSlashAndChecksTheAddressAgainstDns) {
  // URL by IP: the name is the CN's part before '/', and 127.0.0.1 is among its DNS addresses.
  {
    auto ok = connect(TlsApp::provisioning, "cn-slash", "127.0.0.1");
    EXPECT_TRUE(ok.ok()) << msg(ok);
  }
  {  // URL by name.
    auto by_name = connect(TlsApp::provisioning, "cn-slash", "pv.telco.net");
    EXPECT_TRUE(by_name.ok()) << msg(by_name);
  }
  // The name's DNS points elsewhere: the server at 127.0.0.1 is not the one the cert names.
  TlsPolicy policy;
  auto ctx = TlsClientContext::create(policy, TlsApp::provisioning, trust());
  ASSERT_TRUE(ctx);
  auto elsewhere = StaticResolver::from_hosts("192.0.2.7 pv.telco.net\n").value();
  auto bad = tls_connect(*ctx, {"127.0.0.1", env->port.at("cn-slash"), true}, elsewhere);
  EXPECT_EQ(bad.failure, TlsFailure::address_mismatch) << msg(bad);
  EXPECT_NE(msg(bad).find("127.0.0.1 is not among the DNS addresses of pv.telco.net (192.0.2.7)"),
            std::string::npos)
      << msg(bad);
  auto no_dns = tls_connect(*ctx, {"127.0.0.1", env->port.at("cn-slash"), true}, StaticResolver::from_hosts("").value());
  EXPECT_EQ(no_dns.failure, TlsFailure::address_mismatch) << msg(no_dns);
  // Other applications do not take "/…" in a CN: the name check fails.
  auto xsi = connect(TlsApp::xsi, "cn-slash", "pv.telco.net");
  EXPECT_EQ(xsi.failure, TlsFailure::hostname_mismatch) << msg(xsi);
}

TEST_F(SServer, ConfiguredCipherListGovernsEveryApplication) {
  for (TlsApp app : kAllApps) {
    if (app == TlsApp::web_server) continue;
    {
      auto ok = connect(app, "only-aes128-sha", "server.test", "AES128-SHA");
      ASSERT_TRUE(ok.ok()) << app_name(app) << ": " << msg(ok);
      EXPECT_EQ(ok.session->cipher(), "AES128-SHA") << app_name(app);
      EXPECT_EQ(ok.session->version(), "TLSv1.2");
    }
    auto none = connect(app, "only-aes128-sha", "server.test", "ECDHE-RSA-AES256-GCM-SHA384");
    EXPECT_EQ(none.failure, TlsFailure::cipher_mismatch) << app_name(app) << ": " << msg(none);
    EXPECT_NE(msg(none).find("cipher mismatch"), std::string::npos) << msg(none);
  }
}

TEST_F(SServer, InvalidOrEmptyListFallsBackToEachApplicationsDefault) {
  // "RSA:TOUT" is refused (TOUT is the French table's ALL), so every app uses its default
  // (DEFAULT for SIP/TR-069/curl users, HIGH:MEDIUM:AES:@STRENGTH for XMPP), which reaches a
  // server that only speaks ECDHE-RSA-AES256-GCM-SHA384 — the RSA-only list would not.
  for (const char* list : {"RSA:TOUT", ""}) {
    for (TlsApp app : {TlsApp::sip, TlsApp::tr069, TlsApp::xmpp, TlsApp::xsi}) {
      auto r = connect(app, "only-aes256-gcm", "server.test", list);
      ASSERT_TRUE(r.ok()) << app_name(app) << " with '" << list << "': " << msg(r);
      EXPECT_EQ(r.session->cipher(), "ECDHE-RSA-AES256-GCM-SHA384");
    }
  }
  // A valid list that excludes the server's suite proves the list is really in force.
  auto r = connect(TlsApp::sip, "only-aes256-gcm", "server.test", "AES128-SHA");
  EXPECT_EQ(r.failure, TlsFailure::cipher_mismatch) << msg(r);
}

TEST_F(SServer, SeedExampleListIsAppliedAsWritten) {
  // "RSA:!aNULL:!eNULL" (the seed's example) keeps only RSA key exchange: no ECDHE suite.
  auto r = connect(TlsApp::xsi, "only-aes256-gcm", "server.test", "RSA:!aNULL:!eNULL");
  EXPECT_EQ(r.failure, TlsFailure::cipher_mismatch) << msg(r);
  auto ok = connect(TlsApp::xsi, "only-aes128-sha", "server.test", "RSA:!aNULL:!eNULL");
  EXPECT_TRUE(ok.ok()) << msg(ok);
}

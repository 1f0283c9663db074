// SPDX-License-Identifier: Apache-2.0
// The directory client against real slapd instances started by the test (foreground, own
// slapd.conf and mdb in a temp dir, never the system instance): one with TLS on ldap:// (for
// StartTLS) and ldaps://, one without TLS (it refuses StartTLS). ldaps and StartTLS sessions,
// plain text only on refusal (and said in status), never a downgrade after a failed handshake.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "config/phone_config.h"
#include "servers.h"
#include "test_pki.h"
#include "tls/from_config.h"
#include "tls/ldap_client.h"

using namespace phonesec;
using namespace phonesec::tls;
using namespace phonesec::test;

namespace {

constexpr const char* kBase = "dc=example,dc=com";
constexpr const char* kRootDn = "cn=admin,dc=example,dc=com";

const char* kData =
    "dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n"
    "dn: cn=Alice Martin,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Alice Martin\nsn: Martin\n"
    "telephoneNumber: 1001\n\n"
    "dn: cn=Bob Durand,dc=example,dc=com\nobjectClass: inetOrgPerson\ncn: Bob Durand\nsn: Durand\n"
    "telephoneNumber: 1002\n";

struct SlapdEnv {
  TempDir dir{"pstlsldap"};
  TestPki pki{dir.path()};
  Issued ca, other_ca, server;
  std::uint16_t ldap_port = 0, ldaps_port = 0, plain_port = 0;
  Process tls_slapd, plain_slapd;
  std::string error;

  // Writes <name>.conf and loads the data with slapadd; empty cert = no TLS.
  bool prepare(const std::string& name, const Issued* cert) {
    std::string d = dir.path().string() + "/" + name;
    std::filesystem::create_directories(d + "/db");
    std::ofstream conf(d + "/slapd.conf");
    conf << "include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n"
            "include /etc/ldap/schema/inetorgperson.schema\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
         << "pidfile " << d << "/slapd.pid\nargsfile " << d << "/slapd.args\n";
    if (cert)
      conf << "TLSCertificateFile " << cert->cert_file << "\nTLSCertificateKeyFile " << cert->key_file
           << "\n";
    conf << "database mdb\nmaxsize 10485760\nsuffix \"" << kBase << "\"\nrootdn \"" << kRootDn
         << "\"\nrootpw secret\ndirectory " << d << "/db\n";
    conf.close();
    std::ofstream(d + "/data.ldif") << kData;
    Process add({find_tool("slapadd"), "-f", d + "/slapd.conf", "-l", d + "/data.ldif"}, d + "/slapadd.log");
    for (int i = 0; i < 500 && add.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream check(d + "/db/data.mdb");
    if (!check) {
      error = "slapadd failed for " + name + ":\n" + add.log();
      return false;
    }
    return true;
  }

  SlapdEnv() {
    std::string slapd = find_tool("slapd");
    if (slapd.empty() || find_tool("slapadd").empty()) {
      error = "slapd/slapadd not found (Debian package slapd)";
      return;
    }
    ca = pki.make_ca("ca", "directory CA");
    other_ca = pki.make_ca("other-ca", "someone else's CA");
    server = pki.issue(ca, "ldap", {.cn = "ldap.test", .dns_sans = {"ldap.test"}});
    if (!prepare("tls", &server) || !prepare("plain", nullptr)) return;
    ldap_port = free_port();
    ldaps_port = free_port();
    plain_port = free_port();
    std::string d = dir.path().string();
    tls_slapd = Process({slapd, "-d", "0", "-f", d + "/tls/slapd.conf", "-h",
                         "ldap://127.0.0.1:" + std::to_string(ldap_port) +
                             "/ ldaps://127.0.0.1:" + std::to_string(ldaps_port) + "/"},
                        d + "/tls/slapd.log");
    plain_slapd = Process({slapd, "-d", "0", "-f", d + "/plain/slapd.conf", "-h",
                           "ldap://127.0.0.1:" + std::to_string(plain_port) + "/"},
                          d + "/plain/slapd.log");
    if (!tls_slapd.wait_listening(ldap_port, error) || !tls_slapd.wait_listening(ldaps_port, error)) return;
    plain_slapd.wait_listening(plain_port, error);
  }
};

SlapdEnv* env = nullptr;

class Slapd : public testing::Test {
 protected:
  static void SetUpTestSuite() { env = new SlapdEnv(); }
  static void TearDownTestSuite() {
    delete env;
    env = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(env->error.empty()) << env->error; }

  Result<LdapSession> open(const std::string& server, bool starttls,
                           LdapAuthMethod auth = LdapAuthMethod::none, const std::string& dn = "",
                           const std::string& password = "", const std::string& cipher_list = "") {
    LdapOptions o;
    o.server = server;
    o.starttls_enable = starttls;
    o.auth = auth;
    o.bind_dn = dn;
    o.password = SecretString(password);
    return LdapSession::open(TlsPolicy({cipher_list}), {env->ca.cert_file, std::nullopt}, o, dns());
  }
  static StaticResolver dns() { return StaticResolver::from_hosts("127.0.0.1 ldap.test\n").value(); }
  static std::string p(std::uint16_t port) { return std::to_string(port); }

  static void expect_alice(LdapSession& s) {
    auto r = s.search(kBase, ldap::Scope::sub, "(&(objectClass=inetOrgPerson)(cn=Ali*))",
                      {"cn", "telephoneNumber"});
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].dn, "cn=Alice Martin,dc=example,dc=com");
    EXPECT_EQ((*r)[0].attrs.at("telephoneNumber"), std::vector<std::string>{"1001"});
  }
};

std::string msg(const Result<LdapSession>& r) { return r ? r->status() : r.error().message(); }

}  // namespace

TEST_F(Slapd, LdapsFromTheFirstByte) {
  auto s = open("ldaps://ldap.test:" + p(env->ldaps_port), false);
  ASSERT_TRUE(s) << msg(s);
  EXPECT_EQ(s->security(), LdapSecurity::ldaps);
  EXPECT_NE(s->status().find("LDAPS TLSv1."), std::string::npos) << s->status();
  expect_alice(*s);
  auto all = s->search(kBase, ldap::Scope::one, "(|(sn=Martin)(telephoneNumber=1002))");
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(Slapd, StartTlsUpgradesTheSessionAndBindsOverIt) {
  auto s = open("ldap://ldap.test:" + p(env->ldap_port), true, LdapAuthMethod::simple, kRootDn, "secret");
  ASSERT_TRUE(s) << msg(s);
  EXPECT_EQ(s->security(), LdapSecurity::starttls);
  EXPECT_FALSE(s->tls_version().empty());
  EXPECT_NE(s->status().find("StartTLS TLSv1."), std::string::npos) << s->status();
  EXPECT_NE(s->status().find("bound as cn=admin"), std::string::npos) << s->status();
  EXPECT_EQ(s->status().find("secret"), std::string::npos) << s->status();
  expect_alice(*s);
}

TEST_F(Slapd, WrongPasswordIsRefusedWithTheServersReason) {
  auto s = open("ldaps://ldap.test:" + p(env->ldaps_port), false, LdapAuthMethod::simple, kRootDn, "wrong");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::auth);
  EXPECT_NE(msg(s).find("invalidCredentials"), std::string::npos) << msg(s);
  EXPECT_EQ(msg(s).find("wrong"), std::string::npos) << "password in message: " << msg(s);
}

TEST_F(Slapd, RefusedStartTlsGoesOnInPlainTextAndSaysSo) {
  auto s = open("ldap://ldap.test:" + p(env->plain_port), true);
  ASSERT_TRUE(s) << msg(s);
  EXPECT_EQ(s->security(), LdapSecurity::plain_starttls_refused);
  EXPECT_NE(s->status().find("plain text: the server refused StartTLS"), std::string::npos) << s->status();
  EXPECT_TRUE(s->tls_version().empty());
  expect_alice(*s);
}

TEST_F(Slapd, NoPasswordInPlainTextAfterARefusedStartTls) {
  auto s = open("ldap://ldap.test:" + p(env->plain_port), true, LdapAuthMethod::simple, kRootDn, "secret");
  ASSERT_FALSE(s);
  EXPECT_NE(msg(s).find("refused StartTLS; LDAP_Password is not sent in plain text"), std::string::npos)
      << msg(s);
}

TEST_F(Slapd, StartTlsDisabledIsPlainTextAndSaysSo) {
  auto s = open("ldap://ldap.test:" + p(env->ldap_port), false);
  ASSERT_TRUE(s) << msg(s);
  EXPECT_EQ(s->security(), LdapSecurity::plain_starttls_disabled);
  EXPECT_NE(s->status().find("plain text (LDAP_StartTLS_Enable is No)"), std::string::npos) << s->status();
  expect_alice(*s);
}

TEST_F(Slapd, FailedHandshakeAfterStartTlsIsAnErrorNotADowngrade) {
  // The certificate names ldap.test, not 127.0.0.1: the server accepts StartTLS, our check fails.
  auto s = open("ldap://127.0.0.1:" + p(env->ldap_port), true);
  ASSERT_FALSE(s) << msg(s);
  EXPECT_NE(msg(s).find("hostname mismatch"), std::string::npos) << msg(s);
  EXPECT_NE(msg(s).find("after StartTLS"), std::string::npos) << msg(s);
  auto ldaps = open("ldaps://127.0.0.1:" + p(env->ldaps_port), false);
  ASSERT_FALSE(ldaps);
  EXPECT_NE(msg(ldaps).find("hostname mismatch"), std::string::npos) << msg(ldaps);
}

TEST_F(Slapd, UntrustedServerCertificateFails) {
  LdapOptions o;
  o.server = "ldaps://ldap.test:" + p(env->ldaps_port);
  auto s = LdapSession::open(TlsPolicy(), {env->other_ca.cert_file, std::nullopt}, o, dns());
  ASSERT_FALSE(s);
  EXPECT_NE(msg(s).find("unknown CA"), std::string::npos) << msg(s);
  o.server = "ldap://ldap.test:" + p(env->ldap_port);
  o.starttls_enable = true;
  auto st = LdapSession::open(TlsPolicy(), {env->other_ca.cert_file, std::nullopt}, o, dns());
  ASSERT_FALSE(st);
  EXPECT_NE(msg(st).find("unknown CA"), std::string::npos) << msg(st);
}

TEST_F(Slapd, SettingsFromCfgXml) {
  auto cfg = config::load_string(
      "<flat-profile><LDAP_Server ua=\"na\">ldaps://ldap.test:" + p(env->ldaps_port) +
      "</LDAP_Server><LDAP_Authentication_Method>Simple</LDAP_Authentication_Method>"
      "<LDAP_Client_DN>cn=admin,dc=example,dc=com</LDAP_Client_DN><LDAP_Password>secret</LDAP_Password>"
      "<TLS_Cipher_List>ECDHE:!aNULL</TLS_Cipher_List></flat-profile>");
  ASSERT_TRUE(cfg) << cfg.error().message();
  auto s = LdapSession::open(TlsPolicy(tls_policy_options(cfg->config)), {env->ca.cert_file, std::nullopt},
                             ldap_options(cfg->config), dns());
  ASSERT_TRUE(s) << msg(s);
  EXPECT_EQ(s->security(), LdapSecurity::ldaps);
  EXPECT_NE(s->status().find("bound as cn=admin"), std::string::npos);
  expect_alice(*s);
}

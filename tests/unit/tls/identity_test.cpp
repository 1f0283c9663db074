// SPDX-License-Identifier: Apache-2.0
// Identity rules on certificates built here (SAN then CN, CN with "/…", DNS address check,
// check_server_identity per application); the resolver; the device certificate (encrypted
// key, mismatch, MAC in S).
#include <gtest/gtest.h>

#include "test_pki.h"
#include "tls/client_cert.h"
#include "tls/client.h"
#include "tls/identity.h"
#include "common/resolver.h"

using namespace phonesec;
using namespace phonesec::tls;
using namespace phonesec::test;

class Identity : public testing::Test {
 protected:
  TempDir dir{"pstlsid"};
  TestPki pki{dir.path()};
  Issued ca = pki.make_ca("ca", "CA");
};

TEST_F(Identity, SanThenCn) {
  Issued san = pki.issue(ca, "san", {.cn = "cn.test", .dns_sans = {"san.test", "*.wild.test"}});
  EXPECT_TRUE(cert_matches_host(san.cert.get(), "san.test"));
  EXPECT_TRUE(cert_matches_host(san.cert.get(), "SAN.test."));
  EXPECT_TRUE(cert_matches_host(san.cert.get(), "a.wild.test"));
  EXPECT_FALSE(cert_matches_host(san.cert.get(), "a.b.wild.test"));
  EXPECT_FALSE(cert_matches_host(san.cert.get(), "cn.test"));  // a DNS SAN exists: CN not used
  Issued cn = pki.issue(ca, "cn", {.cn = "cn.test"});
  EXPECT_TRUE(cert_matches_host(cn.cert.get(), "cn.test"));
  EXPECT_FALSE(cert_matches_host(cn.cert.get(), "other.test"));
  Issued ip = pki.issue(ca, "ip", {.cn = "x", .ip_sans = {"192.0.2.1", "2001:db8::1"}});
  EXPECT_TRUE(cert_matches_host(ip.cert.get(), "192.0.2.1"));
  EXPECT_TRUE(cert_matches_host(ip.cert.get(), "[2001:db8:0::1]"));
  EXPECT_FALSE(cert_matches_host(ip.cert.get(), "192.0.2.2"));
}

TEST_F(Identity, ProvisioningCnWithSlash) {
  EXPECT_EQ(cn_fqdn("pv.telco.net/mailto:admin@telco.net"), "pv.telco.net");
  EXPECT_EQ(cn_fqdn("sprov.callme.com"), "sprov.callme.com");
  auto dns = StaticResolver::from_hosts("192.0.2.10 prof.voice.com\n192.0.2.11 prof.voice.com\n").value();
  Issued c = pki.issue(ca, "prof", {.cn = "prof.voice.com/info@voice.com"});
  EXPECT_EQ(subject_cn(c.cert.get()), "prof.voice.com/info@voice.com");
  EXPECT_TRUE(check_provisioning_identity(c.cert.get(), "192.0.2.11", "192.0.2.11", dns).ok());
  EXPECT_TRUE(check_provisioning_identity(c.cert.get(), "prof.voice.com", "192.0.2.10", dns).ok());
  auto wrong_ip = check_provisioning_identity(c.cert.get(), "192.0.2.99", "192.0.2.99", dns);
  EXPECT_EQ(wrong_ip.failure, TlsFailure::address_mismatch);
  EXPECT_EQ(wrong_ip.detail,
            "server 192.0.2.99 is not among the DNS addresses of prof.voice.com (192.0.2.10, 192.0.2.11)");
  auto wrong_name = check_provisioning_identity(c.cert.get(), "other.voice.com", "192.0.2.10", dns);
  EXPECT_EQ(wrong_name.failure, TlsFailure::hostname_mismatch);
  EXPECT_NE(wrong_name.detail.find("the certificate names CN=prof.voice.com/info@voice.com, not other.voice.com"), std::string::npos);
  Issued no_cn = pki.issue(ca, "nocn", {.dns_sans = {"prof.voice.com"}});
  EXPECT_EQ(check_provisioning_identity(no_cn.cert.get(), "192.0.2.10", "192.0.2.10", dns).failure,
            TlsFailure::hostname_mismatch);
}

TEST_F(Identity, ClientCertificateLoading) {
  Issued dev =
      pki.issue(ca, "dev", {.client = true, .ou = "CP-6841-3PCC", .l = "88012BA01234", .st = "000e08abcdef"});
  ClientCertFiles plain{dev.cert_file, dev.key_file, {}};
  ASSERT_TRUE(load_client_identity(plain));
  EXPECT_EQ(ccert_macro(&plain, "00:0E:08:AB:CD:EF"), "Installed");
  EXPECT_EQ(ccert_macro(&plain, ""), "Installed");  // MAC unknown: a loadable pair counts
  EXPECT_EQ(ccert_macro(&plain, "000e08abcd00"), "Not Installed");

  std::string enc = pki.write_encrypted_key(dev, "dev", "s3cret-pass");
  ClientCertFiles good_pw{dev.cert_file, enc, SecretString("s3cret-pass")};
  EXPECT_TRUE(load_client_identity(good_pw));
  ClientCertFiles bad_pw{dev.cert_file, enc, SecretString("nope-nope")};
  auto bad = load_client_identity(bad_pw);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("wrong password"), std::string::npos);
  EXPECT_EQ(bad.error().message().find("nope-nope"), std::string::npos);
  EXPECT_EQ(ccert_macro(&bad_pw, ""), "Not Installed");

  Issued other = pki.issue(ca, "other", {.cn = "x", .client = true});
  ClientCertFiles mismatch{dev.cert_file, other.key_file, {}};
  auto mm = load_client_identity(mismatch);
  ASSERT_FALSE(mm);
  EXPECT_NE(mm.error().message().find("does not match certificate"), std::string::npos);
  ClientCertFiles missing{dir.file("none.crt"), dev.key_file, {}};
  auto ms = load_client_identity(missing);
  ASSERT_FALSE(ms);
  EXPECT_NE(ms.error().message().find("none.crt"), std::string::npos);
}

TEST(Resolver, HostsTextAndLiterals) {
  auto r = StaticResolver::from_hosts("# comment\n192.0.2.1 a.test A2.test\n2001:db8::1 a.test\n").value();
  EXPECT_EQ(r("A.TEST.").value(), (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
  EXPECT_EQ(r("[2001:0db8::1]").value(), std::vector<std::string>{"2001:db8::1"});
  EXPECT_FALSE(r("b.test"));
  EXPECT_EQ(StaticResolver::from_hosts("300.1.1.1 x\n").error().message(),
            "hosts line 1: '300.1.1.1' is not an IP address");
  EXPECT_EQ(StaticResolver::from_hosts("\n192.0.2.1\n").error().message(), "hosts line 2: address without a name");
}

// One rule per application, for our own connections and libcurl's alike (tls/external.h).
TEST_F(Identity, ServerIdentityRulePerApplication) {
  auto dns = StaticResolver::from_hosts("192.0.2.10 pv.telco.net\n").value();
  Issued slash = pki.issue(ca, "slash", {.cn = "pv.telco.net/mailto:admin@telco.net"});
  Issued san = pki.issue(ca, "san2", {.cn = "x.test", .dns_sans = {"pv.telco.net"}});
  // Provisioning takes the CN=fqdn/ form and checks the address against the DNS of the name.
  EXPECT_TRUE(check_server_identity(slash.cert.get(), TlsApp::provisioning, "pv.telco.net", true, "192.0.2.10", dns).ok());
  EXPECT_TRUE(
      check_server_identity(slash.cert.get(), TlsApp::client_ca_provisioning, "pv.telco.net", true, "192.0.2.10", dns)
          .ok());
  EXPECT_EQ(check_server_identity(slash.cert.get(), TlsApp::provisioning, "pv.telco.net", true, "192.0.2.99", dns)
                .failure,
            TlsFailure::address_mismatch);
  // Through a proxy (no server address known): the name is still checked, the address cannot be.
  EXPECT_TRUE(check_server_identity(slash.cert.get(), TlsApp::provisioning, "pv.telco.net", true, "", dns).ok());
  EXPECT_EQ(check_server_identity(slash.cert.get(), TlsApp::provisioning, "other.telco.net", true, "", dns).failure,
            TlsFailure::hostname_mismatch);
  // Everyone else: SAN, then CN, as written.
  auto up = check_server_identity(slash.cert.get(), TlsApp::firmware_upgrade, "pv.telco.net", true, "192.0.2.10", dns);
  EXPECT_EQ(up.failure, TlsFailure::hostname_mismatch);
  EXPECT_EQ(up.detail, "the certificate names CN=pv.telco.net/mailto:admin@telco.net, not pv.telco.net");
  EXPECT_TRUE(check_server_identity(san.cert.get(), TlsApp::firmware_upgrade, "pv.telco.net", true, "", dns).ok());
  EXPECT_EQ(check_server_identity(san.cert.get(), TlsApp::ldaps, "x.test", true, "", dns).detail,
            "the certificate names DNS:pv.telco.net, CN=x.test, not x.test");
  // SIP: TLS_Name_Validate_n_ = No skips the name (the chain is still verified by the caller).
  EXPECT_TRUE(check_server_identity(san.cert.get(), TlsApp::sip, "x.test", false, "", dns).ok());
  EXPECT_FALSE(check_server_identity(san.cert.get(), TlsApp::sip, "x.test", true, "", dns).ok());
}

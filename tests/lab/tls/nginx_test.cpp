// SPDX-License-Identifier: Apache-2.0
// HTTPS provisioning against a real nginx that requires a client certificate
// (ssl_verify_client on): the device presents its unique certificate, $CCERT expands to
// Installed / Not Installed, the server's CN carries "/mailto:…" after its FQDN, and the
// server address is checked against the DNS of that name. nginx runs in the foreground without
// a master, with its prefix, config, pid and logs in a temp dir, on a free port.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "servers.h"
#include "test_pki.h"
#include "tls/client_cert.h"
#include "tls/https_get.h"

using namespace phonesec;
using namespace phonesec::tls;
using namespace phonesec::test;

namespace {

constexpr const char* kMac = "00:0e:08:ab:cd:ef";

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

struct NginxEnv {
  TempDir dir{"pstlsngx"};
  TestPki pki{dir.path()};
  Issued server_ca, client_ca, other_ca, server, device, generic, foreign;
  std::uint16_t port = 0;
  Process nginx;
  std::string error;

  NginxEnv() {
    std::string bin = find_tool("nginx");
    if (bin.empty()) {
      error = "nginx not found in PATH or /usr/sbin (Debian package nginx)";
      return;
    }
    server_ca = pki.make_ca("server-ca", "provisioning server CA");
    client_ca = pki.make_ca("client-ca", "multiplatform phone client CA");
    other_ca = pki.make_ca("other-ca", "another client CA");
    server = pki.issue(server_ca, "pv", {.cn = "pv.telco.net/mailto:admin@telco.net"});
    device = pki.issue(client_ca, "device",
                       {.client = true, .ou = "CP-6841-3PCC", .l = "88012BA01234", .st = "000e08abcdef"});
    generic = pki.issue(client_ca, "generic", {.cn = "generic phone", .client = true, .ou = "CP-6841-3PCC"});
    foreign = pki.issue(other_ca, "foreign", {.client = true, .ou = "CP-6841-3PCC", .st = "000e08abcdef"});
    std::string d = dir.path().string();
    std::filesystem::create_directories(d + "/www");
    write(d + "/www/profile-Installed.xml", "<flat-profile><!-- unique certificate --></flat-profile>\n");
    port = free_port();
    write(d + "/nginx.conf",
          "daemon off;\nmaster_process off;\nuser root;\nworker_processes 1;\npid " + d +
              "/nginx.pid;\n"
              "error_log " +
              d +
              "/error.log info;\nevents { worker_connections 64; }\n"
              "http {\n  access_log " +
              d +
              "/access.log;\n"
              "  client_body_temp_path " +
              d + "/body;\n  proxy_temp_path " + d +
              "/proxy;\n"
              "  fastcgi_temp_path " +
              d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n  scgi_temp_path " + d +
              "/scgi;\n"
              "  server {\n    listen 127.0.0.1:" +
              std::to_string(port) +
              " ssl;\n"
              "    ssl_certificate " +
              server.cert_file + ";\n    ssl_certificate_key " + server.key_file +
              ";\n"
              "    ssl_client_certificate " +
              client_ca.cert_file +
              ";\n    ssl_verify_client on;\n"
              "    root " +
              d +
              "/www;\n"
              "    location = /whoami { default_type text/plain; return 200 \"$ssl_client_s_dn\\n\"; }\n"
              "  }\n}\n");
    nginx = Process({bin, "-p", d, "-c", d + "/nginx.conf", "-e", d + "/error.log"}, d + "/nginx.out");
    nginx.wait_listening(port, error);
  }
};

NginxEnv* env = nullptr;

class Nginx : public testing::Test {
 protected:
  static void SetUpTestSuite() { env = new NginxEnv(); }
  static void TearDownTestSuite() {
    delete env;
    env = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(env->error.empty()) << env->error; }

  // GET through the provisioning context: server CA trusted, `client` presented.
  HttpsResult get(const std::string& url_text, const Issued* client, const Resolver& resolve) {
    TlsPolicy policy;
    ClientCertFiles files;
    if (client) files = {client->cert_file, client->key_file, {}};
    auto ctx = TlsClientContext::create(policy, TlsApp::provisioning,
                                        {env->server_ca.cert_file, std::nullopt}, client ? &files : nullptr);
    EXPECT_TRUE(ctx) << ctx.error().message();
    auto url = parse_https_url(url_text);
    EXPECT_TRUE(url) << url.error().message();
    if (!ctx || !url) return {};
    return https_get(*ctx, *url, resolve, "Cisco-CP-6841-3PCC/11.3 (000e08abcdef)");
  }
  std::string base() const { return "https://127.0.0.1:" + std::to_string(env->port); }
  Resolver dns() const { return hosts_resolver("127.0.0.1 pv.telco.net\n").value(); }
};

std::string msg(const HttpsResult& r) { return r.ok() ? "ok" : r.response.error().message(); }

}  // namespace

TEST_F(Nginx, DevicePresentsItsUniqueCertificateAndCcertIsInstalled) {
  ClientCertFiles files{env->device.cert_file, env->device.key_file, {}};
  std::string ccert(ccert_macro(&files, kMac));
  EXPECT_EQ(ccert, "Installed");
  auto who = get(base() + "/whoami", &env->device, dns());
  ASSERT_TRUE(who.ok()) << msg(who);
  EXPECT_EQ(who.response->status, 200);
  // What the server's CGI would see: the device's OU, L (serial) and S (MAC).
  EXPECT_NE(who.response->body.find("OU=CP-6841-3PCC"), std::string::npos) << who.response->body;
  EXPECT_NE(who.response->body.find("L=88012BA01234"), std::string::npos) << who.response->body;
  EXPECT_NE(who.response->body.find("ST=000e08abcdef"), std::string::npos) << who.response->body;
  auto profile = get(expand_ccert(base() + "/profile-$CCERT.xml", ccert), &env->device, dns());
  ASSERT_TRUE(profile.ok()) << msg(profile);
  EXPECT_NE(profile.response->body.find("unique certificate"), std::string::npos);
  EXPECT_EQ(profile.response->peer_ip, "127.0.0.1");
}

TEST_F(Nginx, UrlByNameWithSlashCnIsAccepted) {
  auto r = get("https://pv.telco.net:" + std::to_string(env->port) + "/profile-Installed.xml", &env->device,
               dns());
  EXPECT_TRUE(r.ok()) << msg(r);
}

TEST_F(Nginx, WithoutClientCertificateCcertIsNotInstalledAndTheServerRefuses) {
  EXPECT_EQ(ccert_macro(nullptr, kMac), "Not Installed");
  ClientCertFiles missing{env->dir.file("absent.crt"), env->dir.file("absent.key"), {}};
  EXPECT_EQ(ccert_macro(&missing, kMac), "Not Installed");
  auto r = get(expand_ccert(base() + "/profile-$CCERT.xml", ccert_macro(nullptr, kMac)), nullptr, dns());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.response.error().code, Errc::auth) << msg(r);
  EXPECT_NE(msg(r).find("400"), std::string::npos) << msg(r);
  EXPECT_NE(msg(r).find("No required SSL certificate was sent"), std::string::npos) << msg(r);
  // $CCERT went into the path percent-encoded.
  EXPECT_NE(msg(r).find("profile-Not Installed.xml"), std::string::npos) << msg(r);
}

TEST_F(Nginx, GenericCertificateIsNotAUniqueOne) {
  ClientCertFiles generic{env->generic.cert_file, env->generic.key_file, {}};
  EXPECT_EQ(ccert_macro(&generic, kMac), "Not Installed");
  ClientCertFiles device{env->device.cert_file, env->device.key_file, {}};
  EXPECT_EQ(ccert_macro(&device, "00:0e:08:00:00:01"), "Not Installed");  // another unit's certificate
  // The server still accepts a generic certificate from its CA (the seed: serial in User-Agent).
  auto r = get(base() + "/whoami", &env->generic, dns());
  EXPECT_TRUE(r.ok()) << msg(r);
}

TEST_F(Nginx, CertificateFromAnotherCaIsRefused) {
  auto r = get(base() + "/whoami", &env->foreign, dns());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.response.error().code, Errc::auth) << msg(r);
  EXPECT_NE(msg(r).find("400"), std::string::npos) << msg(r);
  EXPECT_NE(msg(r).find("SSL certificate error"), std::string::npos) << msg(r);
}

TEST_F(Nginx, ServerAddressMustBeAmongTheDnsAddressesOfTheCertificateName) {
  auto elsewhere = hosts_resolver("198.51.100.4 pv.telco.net\n").value();
  auto r = get(base() + "/whoami", &env->device, elsewhere);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure, TlsFailure::address_mismatch) << msg(r);
  EXPECT_NE(msg(r).find("server 127.0.0.1 is not among the DNS addresses of pv.telco.net (198.51.100.4)"),
            std::string::npos)
      << msg(r);
}

TEST_F(Nginx, ServerCertificateFromAnUntrustedCaIsRefused) {
  TlsPolicy policy;
  ClientCertFiles files{env->device.cert_file, env->device.key_file, {}};
  auto ctx = TlsClientContext::create(policy, TlsApp::provisioning, {env->client_ca.cert_file, std::nullopt},
                                      &files);
  ASSERT_TRUE(ctx);
  auto r = https_get(*ctx, parse_https_url(base() + "/whoami").value(), dns());
  EXPECT_EQ(r.failure, TlsFailure::unknown_ca) << msg(r);
}

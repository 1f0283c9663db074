// SPDX-License-Identifier: Apache-2.0
// HTTPS provisioning through the one HTTPS client (prov::Fetcher: libcurl for the connection,
// userspace/tls for every handshake) against a real nginx the test starts on 127.0.0.1, with a
// PKI the test generates (server CA, phone client CA, another CA). Three servers:
//  - "device": requires a client certificate from the phone client CA (ssl_verify_client on),
//    certificate CN=pv.telco.net/mailto:admin@telco.net (the seed's CN=fqdn/… form, no SAN);
//    /whoami echoes the client certificate's subject and nginx's verification result.
//  - "gcm-only": TLS 1.2 only, the one suite ECDHE-RSA-AES256-GCM-SHA384, named prov.example.
//  - "wrong-name": a certificate naming other.example only.
// Asserted: TLS_Cipher_List decides the handshake (refused with a reason naming the list, and
// the request never reaches the server; served when the list includes the suite), the device
// certificate reaches nginx and $CCERT expands from it, names are checked (SAN/CN, and the
// CN=fqdn/ form with the DNS address check), an untrusted server CA is refused. Root (nginx
// runs as root with its prefix in a temp dir); a missing nginx is a failure.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "labkit/binaries.h"
#include "prov/fetch.h"
#include "prov/macros.h"
#include "servers.h"
#include "test_pki.h"
#include "tls/client_cert.h"

using namespace phonesec;
using namespace phonesec::prov;
using namespace phonesec::test;

namespace {

constexpr const char* kMac = "000e08abcdef";

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string server_block(std::uint16_t port, const Issued& cert, const std::string& extra, const std::string& www) {
  return "  server {\n    listen 127.0.0.1:" + std::to_string(port) + " ssl;\n    ssl_certificate " +
         cert.cert_file + ";\n    ssl_certificate_key " + cert.key_file + ";\n" + extra + "    root " + www +
         ";\n    location = /whoami { default_type text/plain; return 200 \"$ssl_client_s_dn|$ssl_client_verify\\n\"; }\n"
         "  }\n";
}

struct NginxEnv {
  TempDir dir{"psprovtls"};
  TestPki pki{dir.path()};
  Issued server_ca, client_ca, other_ca, device_srv, gcm_srv, wrong_srv, device, generic, foreign;
  std::uint16_t device_port = 0, gcm_port = 0, wrong_port = 0;
  Process nginx;
  std::string error;

  NginxEnv() {
    std::string bin = find_tool("nginx");
    if (bin.empty()) {
      error = "nginx not found in PATH or /usr/sbin (Debian package nginx-light)";
      return;
    }
    server_ca = pki.make_ca("server-ca", "provisioning server CA");
    client_ca = pki.make_ca("client-ca", "multiplatform phone client CA");
    other_ca = pki.make_ca("other-ca", "another CA");
    device_srv = pki.issue(server_ca, "pv", {.cn = "pv.telco.net/mailto:admin@telco.net"});
    gcm_srv = pki.issue(server_ca, "gcm", {.cn = "prov.example", .dns_sans = {"prov.example"}});
    wrong_srv = pki.issue(server_ca, "wrong", {.cn = "other.example", .dns_sans = {"other.example"}});
    device = pki.issue(client_ca, "device", {.client = true, .ou = "CP-6841-3PCC", .l = "88012BA01234", .st = kMac});
    generic = pki.issue(client_ca, "generic", {.cn = "generic phone", .client = true, .ou = "CP-6841-3PCC"});
    foreign = pki.issue(other_ca, "foreign", {.client = true, .ou = "CP-6841-3PCC", .st = kMac});
    std::string d = dir.path().string();
    std::filesystem::create_directories(d + "/www");
    write(d + "/www/profile-Installed.xml", "<flat-profile><!-- unique certificate --></flat-profile>\n");
    write(d + "/www/cfg.xml", "<flat-profile><Resync_Periodic>3600</Resync_Periodic></flat-profile>\n");
    device_port = free_port();
    gcm_port = free_port();
    wrong_port = free_port();
    write(d + "/nginx.conf",
          "daemon off;\nmaster_process off;\nuser root;\nworker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " +
              d + "/error.log info;\nevents { worker_connections 64; }\nhttp {\n  access_log " + d +
              "/access.log;\n  client_body_temp_path " + d + "/body;\n  proxy_temp_path " + d +
              "/proxy;\n  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n  scgi_temp_path " +
              d + "/scgi;\n" +
              server_block(device_port, device_srv,
                           "    ssl_client_certificate " + client_ca.cert_file + ";\n    ssl_verify_client on;\n",
                           d + "/www") +
              server_block(gcm_port, gcm_srv,
                           "    ssl_protocols TLSv1.2;\n    ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384;\n", d + "/www") +
              server_block(wrong_port, wrong_srv, "", d + "/www") + "}\n");
    nginx = Process({bin, "-p", d, "-c", d + "/nginx.conf", "-e", d + "/error.log"}, d + "/nginx.out");
    for (auto p : {device_port, gcm_port, wrong_port})
      if (!nginx.wait_listening(p, error)) break;
  }
  std::string access_log() const {
    std::ifstream in(dir.file("access.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

NginxEnv* env = nullptr;

class ProvHttps : public testing::Test {
 protected:
  static void SetUpTestSuite() { env = new NginxEnv(); }
  static void TearDownTestSuite() {
    delete env;
    env = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(env->error.empty()) << env->error; }

  // A Fetcher as the provisioning worker builds it: cfg.xml's TLS_Cipher_List, the server CA,
  // the device certificate when installed.
  static FetchOptions options(const std::string& cipher_list, const Issued* client) {
    FetchOptions o;
    o.ca_file = env->server_ca.cert_file;
    o.tls_policy = tls::TlsPolicy({cipher_list});
    if (client) o.device_cert = tls::ClientCertFiles{client->cert_file, client->key_file, {}};
    o.connect_timeout_ms = 2000;
    o.timeout_ms = 5000;
    return o;
  }
  static Result<FetchResult> get(const std::string& url, const FetchOptions& o, const StaticResolver& dns) {
    Fetcher f(DomainPolicy{}, dns, nullptr, nullptr, o);
    return f.fetch(url, "Profile_Rule");
  }
  static std::string msg(const Result<FetchResult>& r) { return r ? "ok" : r.error().message(); }
  static StaticResolver dns(const std::string& hosts) { return StaticResolver::from_hosts(hosts).value(); }
  static std::string at(const std::string& host, std::uint16_t port) {
    return "https://" + host + ":" + std::to_string(port);
  }
};

}  // namespace

TEST_F(ProvHttps, CipherListOutsideTheServersSuiteIsRefusedWithTheReason) {
  auto names = dns("127.0.0.1 prov.example\n");
  std::string url = at("prov.example", env->gcm_port) + "/cfg.xml?refused";
  auto r = get(url, options("AES128-SHA", nullptr), names);
  ASSERT_FALSE(r) << "TLS_Cipher_List=AES128-SHA fetched from a server that only offers "
                     "ECDHE-RSA-AES256-GCM-SHA384";
  EXPECT_EQ(r.error().code, Errc::crypto) << msg(r);
  EXPECT_NE(msg(r).find("Profile_Rule: TLS handshake with prov.example:" + std::to_string(env->gcm_port) +
                        " failed: no shared cipher (TLS_Cipher_List 'AES128-SHA'"),
            std::string::npos)
      << msg(r);
  // The same server, a list that includes its suite: served, over that suite.
  auto ok = get(at("prov.example", env->gcm_port) + "/cfg.xml", options("ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA", nullptr),
                names);
  ASSERT_TRUE(ok) << msg(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("Resync_Periodic"), std::string::npos);
  EXPECT_EQ(ok->tls_version, "TLSv1.2");
  EXPECT_EQ(ok->tls_cipher, "ECDHE-RSA-AES256-GCM-SHA384");
  // No TLS_Cipher_List: the provisioning default (DEFAULT) includes it too.
  auto dflt = get(at("prov.example", env->gcm_port) + "/cfg.xml", options("", nullptr), names);
  EXPECT_TRUE(dflt) << msg(dflt);
  // The refused request never reached the server (nginx logs every request it parsed).
  std::string log;
  for (int i = 0; i < 100 && log.find("GET /cfg.xml HTTP") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = env->access_log();
  }
  EXPECT_NE(log.find("GET /cfg.xml HTTP"), std::string::npos) << log;
  EXPECT_EQ(log.find("refused"), std::string::npos) << log;
}

TEST_F(ProvHttps, NginxReceivesTheDeviceCertificateAndCcertExpandsFromIt) {
  tls::ClientCertFiles files{env->device.cert_file, env->device.key_file, {}};
  DeviceInfo d;
  d.mac = kMac;
  d.client_cert_installed = tls::unique_client_cert_installed(&files, kMac);
  EXPECT_TRUE(d.client_cert_installed);
  auto names = dns("127.0.0.1 pv.telco.net\n");
  auto who = get(at("pv.telco.net", env->device_port) + "/whoami", options("", &env->device), names);
  ASSERT_TRUE(who) << msg(who);
  EXPECT_EQ(who->server_ip, "127.0.0.1");
  // What a server-side script sees: the device's OU, L (serial), S (MAC), verified by nginx.
  EXPECT_NE(who->body.find("OU=CP-6841-3PCC"), std::string::npos) << who->body;
  EXPECT_NE(who->body.find("L=88012BA01234"), std::string::npos) << who->body;
  EXPECT_NE(who->body.find("ST=000e08abcdef"), std::string::npos) << who->body;
  EXPECT_NE(who->body.find("|SUCCESS"), std::string::npos) << who->body;
  std::string rule = expand(at("pv.telco.net", env->device_port) + "/profile-$CCERT.xml", macro_table(d, {}));
  auto profile = get(rule, options("", &env->device), names);
  ASSERT_TRUE(profile) << msg(profile);
  EXPECT_NE(profile->body.find("unique certificate"), std::string::npos);
  // A generic certificate of the same CA: accepted by the server, but $CCERT is Not Installed.
  tls::ClientCertFiles generic{env->generic.cert_file, env->generic.key_file, {}};
  EXPECT_FALSE(tls::unique_client_cert_installed(&generic, kMac));
  EXPECT_TRUE(get(at("pv.telco.net", env->device_port) + "/whoami", options("", &env->generic), names));
}

TEST_F(ProvHttps, WithoutOrWithAForeignDeviceCertificateTheServerRefuses) {
  auto names = dns("127.0.0.1 pv.telco.net\n");
  DeviceInfo d;  // no certificate: $CCERT is Not Installed
  // Macros are expanded in the parsed path: "Not Installed" holds a space, which the rule
  // syntax would take as the end of the URL; the Fetcher percent-encodes it on the wire.
  auto rule = parse_rule_url(at("pv.telco.net", env->device_port) + "/profile-$CCERT.xml").value();
  rule.path = expand(rule.path, macro_table(d, {}));
  auto none = Fetcher(DomainPolicy{}, names, nullptr, nullptr, options("", nullptr)).fetch(rule, "Profile_Rule");
  ASSERT_FALSE(none);
  EXPECT_NE(msg(none).find("HTTP 400 from " + at("pv.telco.net", env->device_port) + "/profile-Not Installed.xml"),
            std::string::npos)
      << msg(none);
  EXPECT_NE(msg(none).find("No required SSL certificate was sent"), std::string::npos) << msg(none);
  std::string log;
  for (int i = 0; i < 100 && log.find("profile-Not%20Installed.xml") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = env->access_log();
  }
  EXPECT_NE(log.find("GET /profile-Not%20Installed.xml"), std::string::npos) << log;
  // Configured files that do not exist: not installed, nothing presented (same answer).
  FetchOptions absent = options("", nullptr);
  absent.device_cert = tls::ClientCertFiles{env->dir.file("absent.crt"), env->dir.file("absent.key"), {}};
  auto a = get(at("pv.telco.net", env->device_port) + "/whoami", absent, names);
  EXPECT_NE(msg(a).find("No required SSL certificate was sent"), std::string::npos) << msg(a);
  auto foreign = get(at("pv.telco.net", env->device_port) + "/whoami", options("", &env->foreign), names);
  ASSERT_FALSE(foreign);
  EXPECT_NE(msg(foreign).find("HTTP 400"), std::string::npos) << msg(foreign);
  EXPECT_NE(msg(foreign).find("SSL certificate error"), std::string::npos) << msg(foreign);
}

TEST_F(ProvHttps, CnFqdnSlashRuleNeedsTheNameAndTheAddressToMatch) {
  std::string path = "/whoami";
  // By name: the CN's part before '/' names the host, and 127.0.0.1 is its DNS address.
  auto by_name = get(at("pv.telco.net", env->device_port) + path, options("", &env->device),
                     dns("127.0.0.1 pv.telco.net\n"));
  EXPECT_TRUE(by_name) << msg(by_name);
  // By address: the name comes from the CN, and the address is among its DNS addresses.
  auto by_ip = get(at("127.0.0.1", env->device_port) + path, options("", &env->device),
                   dns("192.0.2.9 pv.telco.net\n127.0.0.1 pv.telco.net\n"));
  EXPECT_TRUE(by_ip) << msg(by_ip);
  // The name's DNS points elsewhere: the server at 127.0.0.1 is not the one the CN names.
  auto moved = get(at("127.0.0.1", env->device_port) + path, options("", &env->device),
                   dns("198.51.100.4 pv.telco.net\n"));
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, Errc::auth);
  EXPECT_NE(msg(moved).find("failed: address mismatch: server 127.0.0.1 is not among the DNS addresses of "
                            "pv.telco.net (198.51.100.4)"),
            std::string::npos)
      << msg(moved);
  // Another name for the same address: the certificate does not name it.
  auto alias = get(at("alias.telco.net", env->device_port) + path, options("", &env->device),
                   dns("127.0.0.1 alias.telco.net pv.telco.net\n"));
  ASSERT_FALSE(alias);
  EXPECT_NE(msg(alias).find("certificate name mismatch: the certificate names CN=pv.telco.net/mailto:admin@telco.net, "
                            "not alias.telco.net"),
            std::string::npos)
      << msg(alias);
  // The "/…" form is provisioning's: an upgrade checks SAN/CN as written, so it refuses the CN.
  FetchOptions up = options("", &env->device);
  up.op = ProvOp::upgrade;
  auto upgrade = get(at("pv.telco.net", env->device_port) + path, up, dns("127.0.0.1 pv.telco.net\n"));
  ASSERT_FALSE(upgrade);
  EXPECT_NE(msg(upgrade).find("certificate name mismatch"), std::string::npos) << msg(upgrade);
}

TEST_F(ProvHttps, ServerCertificateNamingAnotherHostIsRefused) {
  auto names = dns("127.0.0.1 prov.example other.example\n");
  for (ProvOp op : {ProvOp::resync, ProvOp::upgrade}) {
    FetchOptions o = options("", nullptr);
    o.op = op;
    auto r = get(at("prov.example", env->wrong_port) + "/cfg.xml", o, names);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::auth);
    EXPECT_NE(msg(r).find("TLS handshake with prov.example:" + std::to_string(env->wrong_port) +
                          " failed: certificate name mismatch: the certificate names DNS:other.example, "
                          "CN=other.example, not prov.example"),
              std::string::npos)
        << msg(r);
  }
  // The name it does carry is accepted.
  auto ok = get(at("other.example", env->wrong_port) + "/cfg.xml", options("", nullptr), names);
  EXPECT_TRUE(ok) << msg(ok);
}

TEST_F(ProvHttps, ServerCertificateFromAnUntrustedCaIsRefused) {
  FetchOptions o = options("", &env->device);
  o.ca_file = env->other_ca.cert_file;
  auto r = get(at("prov.example", env->gcm_port) + "/cfg.xml", o, dns("127.0.0.1 prov.example\n"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::auth);
  EXPECT_NE(msg(r).find("failed: unknown CA: "), std::string::npos) << msg(r);
  // The custom CA (what Custom_CA_Rule installed) is trusted in addition.
  o.custom_ca_file = env->server_ca.cert_file;
  auto ok = get(at("prov.example", env->gcm_port) + "/cfg.xml", o, dns("127.0.0.1 prov.example\n"));
  EXPECT_TRUE(ok) << msg(ok);
}

// The program people run reads TLS_Cipher_List from cfg.xml: the same refusal, the same reason.
TEST_F(ProvHttps, ProvToolTakesTheCipherListFromCfgXml) {
  auto run = [](const std::string& list) {
    std::string cfg = env->dir.file("cfg-" + std::to_string(list.size()) + ".xml");
    write(cfg, "<flat-profile><TLS_Cipher_List>" + list + "</TLS_Cipher_List></flat-profile>\n");
    std::string cmd = kProvBin + " fetch --config " + cfg + " --url https://prov.example:" +
                      std::to_string(env->gcm_port) + "/cfg.xml --ca " + env->server_ca.cert_file +
                      " --resolve prov.example=127.0.0.1 --out /dev/null 2>&1";
    std::string out;
    FILE* f = popen(cmd.c_str(), "r");
    char buf[512];
    while (auto n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
    int st = pclose(f);
    return std::make_pair(WIFEXITED(st) ? WEXITSTATUS(st) : -1, out);
  };
  auto [rc, out] = run("AES128-SHA");
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("URL: TLS handshake with prov.example:" + std::to_string(env->gcm_port) +
                     " failed: no shared cipher (TLS_Cipher_List 'AES128-SHA'"),
            std::string::npos)
      << out;
  auto [rc2, out2] = run("AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384");
  EXPECT_EQ(rc2, 0) << out2;
  EXPECT_NE(out2.find("TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"), std::string::npos) << out2;
}

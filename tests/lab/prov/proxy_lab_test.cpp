// SPDX-License-Identifier: Apache-2.0
// HTTP proxy against squid, started by the test in a private namespace with a temporary
// configuration: port 3128 open, port 3129 with basic authentication (basic_ncsa_auth). The
// origin is nginx on 127.0.0.5 (HTTP 8080, HTTPS 8443), known to squid through its hosts_file
// and unknown to the phone's resolver, so a success proves the request went through squid
// (squid's access.log is checked too). Proxy_Mode Off ignores an http_proxy environment
// variable; Auto evaluates a PAC file served over HTTP (PAC_URL, WPAD via DHCP 252 and DNS).
// Root only.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "lab_util.h"
#include "prov/fetch.h"
#include "prov/pac.h"

using namespace phonesec;
using namespace phonesec::prov;
using namespace phonesec::test;

namespace {

const char* kPac = R"(function FindProxyForURL(url, host) {
  if (dnsDomainIs(host, "origin.test")) return "PROXY 127.0.0.9:3128; PROXY 127.0.0.1:3128; DIRECT";
  return "DIRECT";
}
)";

struct Lab {
  LoopNs ns{"pspvp"};
  ScratchDir d{"pspvp"};
  std::unique_ptr<Peer> nginx, squid;
  Lab() {
    chmod(d.path.c_str(), 0777);  // squid runs as user proxy
    make_cert(d, "origin", "origin.test");
    std::filesystem::create_directories(d.path / "www");
    d.write("www/cp.xml", "<flat-profile/>\n");
    d.write("www/proxy.pac", kPac);
    d.write("www/wpad.dat", kPac);
    d.write("nginx.conf", nginx_conf(d, {"127.0.0.5:80", "127.0.0.5:8080", "127.0.0.5:8443 ssl"}, "origin"));
    d.write("hosts", "127.0.0.5 origin.test\n");
    sh_or_throw("printf 'alice:%s\\n' \"$(openssl passwd -apr1 wonderland)\" > " + d.file("passwd"));
    d.write("squid.conf",
            "http_port 127.0.0.1:3128 name=open\nhttp_port 127.0.0.1:3129 name=auth\n"
            "pid_filename " +
                d.file("squid.pid") + "\ncache_log " + d.file("cache.log") +
                "\naccess_log stdio:" + d.file("squid-access.log") +
                " squid\n"
                "cache deny all\ncache_mem 4 MB\ncoredump_dir " +
                d.path.string() +
                "\nnetdb_filename none\npinger_enable off\nlogfile_rotate 0\nshutdown_lifetime 0 seconds\n"
                "hosts_file " +
                d.file("hosts") +
                "\ndns_nameservers 127.0.0.1\ncache_effective_user proxy\n"
                "auth_param basic program /usr/lib/squid/basic_ncsa_auth " +
                d.file("passwd") +
                "\nauth_param basic realm phonesec-lab\n"
                "acl open_port myportname open\nacl authed proxy_auth REQUIRED\n"
                "http_access allow open_port\nhttp_access allow authed\nhttp_access deny all\n");
    sh("chmod 0666 " + d.file("passwd") + " " + d.file("hosts") + " " + d.file("squid.conf"));
    nginx = std::make_unique<Peer>(ns.in("nginx -c " + d.file("nginx.conf") + " -p " + d.path.string()),
                                   d.file("nginx.out"));
    squid = std::make_unique<Peer>(ns.in("squid -N -f " + d.file("squid.conf")), d.file("squid.out"));
    if (!wait_tcp(ns.name(), "127.0.0.5", 8080))
      throw std::runtime_error("nginx did not start: " + d.read("nginx-error.log"));
    for (int port : {3128, 3129})
      if (!wait_tcp(ns.name(), "127.0.0.1", port))
        throw std::runtime_error("squid did not start: " + d.read("squid.out") + d.read("cache.log"));
  }
  ~Lab() {
    squid.reset();
    nginx.reset();
  }
  // Lines of squid's access.log (it writes them as requests end): once `needle` is there, or
  // after a short wait when the caller expects something to be absent.
  std::string access_log(const std::string& needle = "") {
    if (!needle.empty()) return d.read_when("squid-access.log", needle);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return d.read("squid-access.log");
  }
};

config::HttpProxyConfig manual(std::uint16_t port) {
  config::HttpProxyConfig c;
  c.mode = config::ProxyMode::Manual;
  c.host = "127.0.0.1";
  c.port = port;
  return c;
}

// The phone's resolver knows neither origin.test nor the proxy's name: only squid can reach it.
StaticResolver phone_dns(HostTable{{"direct.test", {"127.0.0.5"}}, {"wpad.corp.test", {"127.0.0.5"}}});

}  // namespace

TEST(ProxyLab, ManualWithoutAuthAndOffIgnoresEnvironment) {
  ASSERT_EQ(sh("command -v squid >/dev/null && command -v nginx >/dev/null"), 0)
      << "squid and nginx needed in PATH";
  Lab lab;
  InNetns in(lab.ns.name());
  auto p = StaticProxy::from_config(manual(3128));
  ASSERT_TRUE(p);
  FetchOptions o;
  o.ca_file = lab.d.file("origin.crt");
  Fetcher f(DomainPolicy({"origin.test"}), phone_dns, nullptr, p->get(), o);
  auto r = f.fetch("http://origin.test:8080/cp.xml", "Profile_Rule");
  ASSERT_TRUE(r) << r.error().message() << "\n" << lab.d.read("cache.log");
  EXPECT_EQ(r->body, "<flat-profile/>\n");
  EXPECT_EQ(r->server_ip, "127.0.0.1");  // the proxy answered
  // HTTPS through the proxy (CONNECT tunnel), certificate checked end to end.
  auto s = f.fetch("https://origin.test:8443/cp.xml", "Profile_Rule");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->body, "<flat-profile/>\n");
  std::string log = lab.access_log("CONNECT origin.test:8443");
  EXPECT_NE(log.find("GET http://origin.test:8080/cp.xml"), std::string::npos) << log;
  EXPECT_NE(log.find("CONNECT origin.test:8443"), std::string::npos) << log;

  // Off: direct, even with http_proxy pointing at squid in the environment.
  setenv("http_proxy", "http://127.0.0.1:3128", 1);
  auto off = StaticProxy::from_config({});
  Fetcher direct(DomainPolicy{}, phone_dns, nullptr, off->get(), o);
  auto d = direct.fetch("http://direct.test:8080/cp.xml", "Profile_Rule");
  unsetenv("http_proxy");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->server_ip, "127.0.0.5");
  EXPECT_EQ(lab.access_log().find("direct.test"), std::string::npos);
}

TEST(ProxyLab, ManualWithBasicAuthentication) {
  ASSERT_EQ(sh("command -v squid >/dev/null && command -v nginx >/dev/null"), 0)
      << "squid and nginx needed in PATH";
  Lab lab;
  InNetns in(lab.ns.name());
  auto cfg = manual(3129);
  cfg.requires_auth = true;
  cfg.username = "alice";
  cfg.password = SecretString("wonderland");
  auto good = StaticProxy::from_config(cfg);
  ASSERT_TRUE(good);
  Fetcher f(DomainPolicy{}, phone_dns, nullptr, good->get());
  auto r = f.fetch("http://origin.test:8080/cp.xml", "Profile_Rule");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "<flat-profile/>\n");
  EXPECT_NE(lab.access_log(" alice ").find(" alice "), std::string::npos);

  cfg.password = SecretString("not-the-password");
  auto bad = StaticProxy::from_config(cfg);
  Fetcher fb(DomainPolicy{}, phone_dns, nullptr, bad->get());
  auto rb = fb.fetch("http://origin.test:8080/cp.xml", "Profile_Rule");
  ASSERT_FALSE(rb);
  EXPECT_EQ(rb.error().code, Errc::auth);
  EXPECT_NE(rb.error().message().find("407"), std::string::npos) << rb.error().message();
  EXPECT_EQ(rb.error().message().find("not-the-password"), std::string::npos);

  auto none = StaticProxy::from_config(manual(3129));  // no credentials at all
  Fetcher fn(DomainPolicy{}, phone_dns, nullptr, none->get());
  auto rn = fn.fetch("https://origin.test:8443/cp.xml", "Profile_Rule");
  ASSERT_FALSE(rn);
  EXPECT_NE(rn.error().message().find("407"), std::string::npos) << rn.error().message();
}

TEST(ProxyLab, AutoWithPacUrlAndWpad) {
  ASSERT_EQ(sh("command -v squid >/dev/null && command -v nginx >/dev/null"), 0)
      << "squid and nginx needed in PATH";
  Lab lab;
  InNetns in(lab.ns.name());
  Fetcher plain(DomainPolicy{}, phone_dns, nullptr, nullptr);  // fetches the PAC file itself
  config::HttpProxyConfig c;
  c.mode = config::ProxyMode::Auto;
  c.use_wpad = false;
  auto missing = make_proxy_chooser(c, {}, plain, phone_dns, "127.0.0.1");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("PAC_URL"), std::string::npos);

  c.pac_url = "http://127.0.0.5:8080/proxy.pac";
  auto chooser = make_proxy_chooser(c, {}, plain, phone_dns, "127.0.0.1");
  ASSERT_TRUE(chooser) << chooser.error().message();
  Fetcher f(DomainPolicy{}, phone_dns, nullptr, chooser->get());
  // origin.test: the PAC's first proxy (127.0.0.9) is dead, the second (squid) answers.
  auto r = f.fetch("http://origin.test:8080/cp.xml", "Profile_Rule");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->server_ip, "127.0.0.1");
  // direct.test: DIRECT by the PAC.
  auto d = f.fetch("http://direct.test:8080/cp.xml", "Profile_Rule");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->server_ip, "127.0.0.5");
  std::string log = lab.access_log("GET http://origin.test:8080/cp.xml");
  EXPECT_NE(log.find("GET http://origin.test:8080/cp.xml"), std::string::npos) << log;
  EXPECT_EQ(log.find("direct.test"), std::string::npos) << log;

  // WPAD: DHCP option 252 first; then DNS wpad.<domain> (the 252 URL here is dead).
  c.use_wpad = true;
  auto by_dhcp = make_proxy_chooser(c, {"http://127.0.0.5:8080/wpad.dat", ""}, plain, phone_dns, "127.0.0.1");
  ASSERT_TRUE(by_dhcp) << by_dhcp.error().message();
  EXPECT_FALSE((*by_dhcp)->choose(parse_rule_url("http://origin.test/").value())[0].direct);
  auto by_dns =
      make_proxy_chooser(c, {"http://127.0.0.5:9/wpad.dat", "corp.test"}, plain, phone_dns, "127.0.0.1");
  ASSERT_TRUE(by_dns) << by_dns.error().message();
  auto ch = (*by_dns)->choose(parse_rule_url("http://origin.test/").value());
  ASSERT_EQ(ch.size(), 3u);
  EXPECT_EQ(ch[1].url(), "http://127.0.0.1:3128");
  // Both WPAD fetches reached nginx (the 252 URL on 8080, then wpad.corp.test on port 80).
  auto count = [](const std::string& log) {
    std::size_t n = 0;
    for (auto p = log.find("GET /wpad.dat"); p != std::string::npos; p = log.find("GET /wpad.dat", p + 1)) ++n;
    return n;
  };
  std::string served = lab.d.read("access.log");
  for (int waited = 0; count(served) < 2 && waited < 3000; waited += 20) {  // nginx logs after answering
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    served = lab.d.read("access.log");
  }
  EXPECT_EQ(count(served), 2u) << served;
  auto none = make_proxy_chooser(c, {"", "nowhere.test"}, plain, phone_dns, "127.0.0.1");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::not_found);
}

// SPDX-License-Identifier: Apache-2.0
// PAC evaluation by duktape: helper functions, native dnsResolve/myIpAddress through the
// injected resolver, errors; PAC result parsing; Manual/Off choices; WPAD candidates.
#include "prov/pac.h"

#include <gtest/gtest.h>

using namespace phonesec;
using namespace phonesec::prov;

namespace {
StaticResolver resolver(HostTable{{"intranet.corp.test", {"10.1.2.3"}}, {"web.test", {"192.0.2.10"}}});

std::string eval(const std::string& body, const std::string& url = "http://x/",
                 const std::string& host = "x") {
  auto s = PacScript::load("function FindProxyForURL(url, host) { " + body + " }", resolver, "10.77.0.2");
  if (!s) return "LOAD: " + s.error().message();
  auto r = (*s)->find_proxy(url, host);
  return r ? *r : "ERR: " + r.error().message();
}
std::string b(const std::string& expr) { return eval("return (" + expr + ") ? 'T' : 'F';"); }
}  // namespace

TEST(Pac, HelperFunctions) {
  EXPECT_EQ(b("isPlainHostName('www')"), "T");
  EXPECT_EQ(b("isPlainHostName('www.corp.test')"), "F");
  EXPECT_EQ(b("dnsDomainIs('www.CORP.test', '.corp.test')"), "T");
  EXPECT_EQ(b("dnsDomainIs('www.other.test', '.corp.test')"), "F");
  EXPECT_EQ(b("localHostOrDomainIs('www', 'www.corp.test')"), "T");
  EXPECT_EQ(b("localHostOrDomainIs('www.corp.test', 'www.corp.test')"), "T");
  EXPECT_EQ(b("localHostOrDomainIs('home', 'www.corp.test')"), "F");
  EXPECT_EQ(b("shExpMatch('http://a.corp.test/x/y.pac', '*.corp.test/*')"), "T");
  EXPECT_EQ(b("shExpMatch('http://acorp.test/', '*.corp.test/*')"), "F");
  EXPECT_EQ(b("shExpMatch('a.b', 'a?b')"), "T");
  EXPECT_EQ(b("shExpMatch('axxb', 'a?b')"), "F");
  EXPECT_EQ(b("shExpMatch('a(b)+c', 'a(b)+c')"), "T");  // regex characters are literal
  EXPECT_EQ(b("isInNet('10.1.2.3', '10.1.0.0', '255.255.0.0')"), "T");
  EXPECT_EQ(b("isInNet('10.2.2.3', '10.1.0.0', '255.255.0.0')"), "F");
  EXPECT_EQ(b("isInNet('intranet.corp.test', '10.0.0.0', '255.0.0.0')"), "T");  // resolved
  EXPECT_EQ(b("isInNet('unknown.test', '10.0.0.0', '255.0.0.0')"), "F");
  EXPECT_EQ(b("isResolvable('web.test') && !isResolvable('nope.test')"), "T");
  EXPECT_EQ(eval("return dnsResolve('web.test');"), "192.0.2.10");
  EXPECT_EQ(b("dnsResolve('nope.test') === null"), "T");
  EXPECT_EQ(eval("return myIpAddress();"), "10.77.0.2");
  EXPECT_EQ(eval("return '' + dnsDomainLevels('a.b.c');"), "2");
  EXPECT_EQ(b("weekdayRange('SUN', 'SAT')"), "T");
  EXPECT_EQ(b("timeRange(0, 24)"), "T");
  EXPECT_EQ(b("timeRange(new Date().getHours())"), "T");
  EXPECT_EQ(b("timeRange((new Date().getHours() + 1) % 24)"), "F");
  EXPECT_EQ(b("weekdayRange(['SUN','MON','TUE','WED','THU','FRI','SAT'][new Date().getDay()])"), "T");
  EXPECT_EQ(b("weekdayRange(['SUN','MON','TUE','WED','THU','FRI','SAT'][(new Date().getDay() + 1) % 7])"), "F");
  EXPECT_EQ(b("dateRange(1, 31) && dateRange('JAN', 'DEC')"), "T");
  EXPECT_EQ(b("dateRange(new Date().getFullYear())"), "T");
  EXPECT_EQ(b("dateRange(1990, 1999)"), "F");
  EXPECT_EQ(b("dateRange(1, 'JAN', 1990, 31, 'DEC', 2999)"), "T");
  EXPECT_EQ(b("dateRange(['JAN','FEB','MAR','APR','MAY','JUN','JUL','AUG','SEP','OCT','NOV','DEC'][(new Date().getMonth() + 1) % 12])"),
            "F");
}

TEST(Pac, RealScriptLogic) {
  const char* pac = R"(
    function FindProxyForURL(url, host) {
      if (isPlainHostName(host) || dnsDomainIs(host, ".corp.test")) return "DIRECT";
      if (isInNet(dnsResolve(host), "192.0.2.0", "255.255.255.0")) return "PROXY web-proxy:3128";
      if (url.substring(0, 6) == "https:") return "PROXY tls-proxy:8443; DIRECT";
      return "PROXY a.test:3128; PROXY b.test; DIRECT";
    })";
  auto s = PacScript::load(pac, resolver, "");
  ASSERT_TRUE(s) << s.error().message();
  PacProxy p(std::move(*s));
  auto c1 = p.choose(parse_rule_url("http://printer/x").value());
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_TRUE(c1[0].direct);
  auto c2 = p.choose(parse_rule_url("http://web.test/x").value());
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_EQ(c2[0].url(), "http://web-proxy:3128");
  auto c3 = p.choose(parse_rule_url("https://prov.test/secret/path?token=1").value());
  ASSERT_EQ(c3.size(), 2u);
  EXPECT_EQ(c3[0].url(), "http://tls-proxy:8443");
  EXPECT_TRUE(c3[1].direct);
  auto c4 = p.choose(parse_rule_url("http://else.test/").value());
  ASSERT_EQ(c4.size(), 3u);
  EXPECT_EQ(c4[1].url(), "http://b.test:8080");
}

TEST(Pac, HttpsUrlIsStrippedBeforeTheScriptSeesIt) {
  auto s = PacScript::load(
      "function FindProxyForURL(url, host) { return 'PROXY ' + url.replace(/[:\\/]/g, '_') + ':1'; }",
      resolver, "");
  ASSERT_TRUE(s);
  PacProxy p(std::move(*s));
  auto c = p.choose(parse_rule_url("https://prov.test:8443/secret/a.xml").value());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].host, "https___prov.test_8443_");
}

TEST(Pac, Errors) {
  auto bad = PacScript::load("function FindProxyForURL(url, host) { return 'DIRECT' ", resolver, "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::parse);
  EXPECT_NE(bad.error().message().find("PAC file:"), std::string::npos);
  auto nofn = PacScript::load("var x = 1;", resolver, "");
  ASSERT_FALSE(nofn);
  EXPECT_NE(nofn.error().message().find("no FindProxyForURL"), std::string::npos);
  EXPECT_NE(eval("throw new Error('boom');").find("boom"), std::string::npos);
  EXPECT_NE(eval("return 42;").find("non-string"), std::string::npos);
  // A throwing script makes the chooser go DIRECT.
  auto s = PacScript::load("function FindProxyForURL(u, h) { return undefinedFn(); }", resolver, "");
  ASSERT_TRUE(s);
  PacProxy p(std::move(*s));
  auto c = p.choose(parse_rule_url("http://a.test/").value());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].direct);
}

TEST(Proxy, PacResultParsing) {
  auto v = parse_pac_result(" PROXY p1.test:3128 ;SOCKS s.test:1080; proxy p2.test; DIRECT;; HTTPS x:1");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].url(), "http://p1.test:3128");
  EXPECT_EQ(v[1].url(), "http://p2.test:8080");
  EXPECT_TRUE(v[2].direct);
  EXPECT_TRUE(parse_pac_result("").empty());
}

TEST(Proxy, OffAndManualFromConfig) {
  config::HttpProxyConfig c;
  auto off = StaticProxy::from_config(c);
  ASSERT_TRUE(off);
  auto ch = (*off)->choose({});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_TRUE(ch[0].direct);
  EXPECT_EQ(ch[0].url(), "");

  c.mode = config::ProxyMode::Manual;
  auto nohost = StaticProxy::from_config(c);
  ASSERT_FALSE(nohost);
  EXPECT_NE(nohost.error().message().find("Proxy_Host"), std::string::npos);
  c.host = "http://proxy.corp.test/";
  auto m = StaticProxy::from_config(c);
  ASSERT_TRUE(m);
  auto mc = (*m)->choose({});
  EXPECT_EQ(mc[0].url(), "http://proxy.corp.test:3128");
  EXPECT_TRUE(mc[0].username.empty());
  c.requires_auth = true;
  auto nouser = StaticProxy::from_config(c);
  ASSERT_FALSE(nouser);
  EXPECT_NE(nouser.error().message().find("Proxy_Username"), std::string::npos);
  c.username = "alice";
  c.password = SecretString("pw");
  auto a = StaticProxy::from_config(c);
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)->choose({})[0].username, "alice");
  EXPECT_EQ((*a)->choose({})[0].password.reveal(), "pw");
}

TEST(Proxy, WpadCandidates) {
  EXPECT_EQ(wpad_candidates({"http://10.0.0.1/wpad.dat", "a.corp.example.com"}),
            (std::vector<std::string>{"http://10.0.0.1/wpad.dat", "http://wpad.a.corp.example.com/wpad.dat",
                                      "http://wpad.corp.example.com/wpad.dat",
                                      "http://wpad.example.com/wpad.dat"}));
  EXPECT_EQ(wpad_candidates({"", "example.com."}),
            (std::vector<std::string>{"http://wpad.example.com/wpad.dat"}));
  EXPECT_TRUE(wpad_candidates({"", "localdomain"}).empty());
}

TEST(Pac, RunawayScriptIsStoppedAtItsCpuAllowance) {
  auto s = PacScript::load("function FindProxyForURL(u, h) { if (h == 'loop') for (;;) {} return 'DIRECT'; }",
                           resolver, "", 200);
  ASSERT_TRUE(s) << s.error().message();
  auto r = (*s)->find_proxy("http://loop/", "loop");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::timeout);
  EXPECT_NE(r.error().message().find("more than 200 ms of CPU"), std::string::npos);
  // The script still answers other hosts afterwards.
  EXPECT_EQ((*s)->find_proxy("http://a/", "a").value(), "DIRECT");
  // Top-level code that never ends is refused at load.
  auto top = PacScript::load("while (true) {} function FindProxyForURL(u, h) { return 'DIRECT'; }", resolver,
                             "", 200);
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().code, Errc::timeout);
  // The chooser goes DIRECT on a timeout.
  PacProxy p(std::move(*s));
  auto c = p.choose(parse_rule_url("http://loop/").value());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].direct);
}

TEST(Pac, GreedyScriptIsStoppedAtItsMemoryAllowance) {
  // Doubling a string reaches 64 MiB in a few milliseconds of CPU: only a memory bound stops it.
  const std::string greedy =
      "function FindProxyForURL(u, h) { if (h == 'big') { var s = 'x'; while (s.length < 67108864) s = s + s;"
      " return 'PROXY p:' + s.length; } return 'DIRECT'; }";
  auto s = PacScript::load(greedy, resolver, "", 2000, std::size_t(8) << 20);
  ASSERT_TRUE(s) << s.error().message();
  auto r = (*s)->find_proxy("http://big/", "big");
  ASSERT_FALSE(r) << "the script built a 64 MiB string under an 8 MiB allowance: " << r.value();
  EXPECT_EQ(r.error().code, Errc::invalid_argument) << r.error().message();
  EXPECT_NE(r.error().message().find("more memory than its allowance of 8 MiB"), std::string::npos)
      << r.error().message();
  // The same script answers other hosts, and with room enough the big one too (the bound, not the
  // script, is what failed above).
  EXPECT_EQ((*s)->find_proxy("http://a/", "a").value(), "DIRECT");
  auto roomy = PacScript::load(greedy, resolver, "", 2000, std::size_t(512) << 20);
  ASSERT_TRUE(roomy) << roomy.error().message();
  EXPECT_EQ((*roomy)->find_proxy("http://big/", "big").value(), "PROXY p:67108864");
  // Top-level code is bounded the same way at load.
  auto top = PacScript::load("var g = 'x'; while (g.length < 67108864) g = g + g;"
                             " function FindProxyForURL(u, h) { return 'DIRECT'; }",
                             resolver, "", 2000, std::size_t(8) << 20);
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().code, Errc::invalid_argument) << top.error().message();
}

// SPDX-License-Identifier: Apache-2.0
// phonesec-prov from the command line: audit, pac and fetch (loopback HTTP server, injected
// A records, syslog receiver), exit codes and messages.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "loopback_http.h"

using namespace phonesec::test;

namespace {

const std::string kTool = PS_BINARY_DIR "/userspace/apps/phonesec-prov/phonesec-prov";

struct Run {
  int rc;
  std::string out;
};
Run run(const std::string& args) {
  std::string out;
  FILE* f = popen((kTool + " " + args + " 2>&1").c_str(), "r");
  char buf[512];
  while (auto n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  int st = pclose(f);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

struct Files {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("pspvtool." + std::to_string(getpid()));
  Files() { std::filesystem::create_directories(dir); }
  ~Files() { std::filesystem::remove_all(dir); }
  std::string put(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

}  // namespace

TEST(Tool, AuditListsRefusalsAndExitsNonZero) {
  Files f;
  auto bad =
      f.put("bad.xml",
            "<flat-profile><Restricted_Access_Domains>voiceip.com, voiceipl.com</Restricted_Access_Domains>"
            "<Profile_Rule>https://voiceip.com/$PSN.xml</Profile_Rule><Upgrade_Rule>http://fw.evil.net/f"
            "</Upgrade_Rule><Proxy_2_>sip.evil.net</Proxy_2_></flat-profile>");
  auto r = run("audit --config " + bad);
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("Upgrade_Rule: Upgrade_Rule: host 'fw.evil.net' is not in Restricted_Access_Domains "
                       "(voiceip.com, voiceipl.com)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Proxy_2_: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Profile_Rule:"), std::string::npos) << r.out;
  auto good = f.put("good.xml",
                    "<flat-profile><Restricted_Access_Domains>voiceip.com</Restricted_Access_Domains>"
                    "<Profile_Rule>https://VoiceIP.com/$PSN.xml</Profile_Rule></flat-profile>");
  auto g = run("audit --config " + good);
  EXPECT_EQ(g.rc, 0) << g.out;
  EXPECT_NE(g.out.find("no refusal"), std::string::npos);
  EXPECT_EQ(run("audit --bogus").rc, 2);
}

TEST(Tool, PacEvaluation) {
  Files f;
  auto pac = f.put("p.pac",
                   "function FindProxyForURL(u, h) { return isInNet(h, '10.0.0.0', '255.0.0.0') ? "
                   "'PROXY p:3128' : 'DIRECT'; }");
  auto r = run("pac --pac " + pac + " --url http://intra.test/x --resolve intra.test=10.1.1.1");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, "PROXY p:3128\n");
  auto d = run("pac --pac " + pac + " --url http://out.test/x --resolve out.test=192.0.2.1");
  EXPECT_EQ(d.out, "DIRECT\n");
  auto broken = f.put("b.pac", "function FindProxyForURL(u, h) {");
  auto b = run("pac --pac " + broken + " --url http://a/");
  EXPECT_EQ(b.rc, 1);
  EXPECT_NE(b.out.find("PAC file:"), std::string::npos) << b.out;
}

TEST(Tool, FetchRuleWithSyslogAndDomains) {
  LoopbackHttp srv;
  UdpReceiver rx;
  Files f;
  std::string port = std::to_string(srv.port());
  auto cfg = f.put("c.xml",
                   "<flat-profile><Restricted_Access_Domains>prov.test</Restricted_Access_Domains>"
                   "<Profile_Rule>http://prov.test:" +
                       port +
                       "/$MA.xml</Profile_Rule>"
                       "<Profile_Rule_B>http://evil.test:" +
                       port +
                       "/b.xml</Profile_Rule_B>"
                       "<Syslog_Server>" +
                       rx.server() + "</Syslog_Server></flat-profile>");
  auto out = (f.dir / "body").string();
  auto r = run("fetch --config " + cfg +
               " --rule Profile_Rule --mac 00:0E:08:AB:CD:EF --resolve prov.test=127.0.0.1 "
               "--resolve evil.test=127.0.0.1 --out " +
               out);
  EXPECT_EQ(r.rc, 0) << r.out;
  std::ifstream in(out);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "hello");
  EXPECT_NE(rx.next().find("phonesec 00:0e:08:ab:cd:ef -- Requesting resync http://127.0.0.1:" + port +
                           "/000e08abcdef.xml"),
            std::string::npos);
  EXPECT_NE(rx.next().find("Successful resync"), std::string::npos);
  auto b = run("fetch --config " + cfg + " --rule Profile_Rule_B --resolve evil.test=127.0.0.1");
  EXPECT_EQ(b.rc, 1);
  EXPECT_NE(b.out.find("Profile_Rule_B: host 'evil.test' is not in Restricted_Access_Domains"),
            std::string::npos)
      << b.out;
  EXPECT_NE(rx.next().find("Resync failed: Profile_Rule_B: host 'evil.test'"), std::string::npos);
  EXPECT_EQ(srv.connections(), 1);
}

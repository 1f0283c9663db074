// SPDX-License-Identifier: Apache-2.0
// Redundant provisioning servers: prov.test has several A records (injected resolver) on
// loopback addresses of a private namespace: 127.0.0.2 refuses connections, 127.0.0.4 drops
// them (nftables, so the connect times out), 127.0.0.3 is nginx serving the profile over HTTPS.
// The fetcher goes record by record until one answers; with none alive the failure reaches the
// syslog receiver naming every address. Root only.
#include <gtest/gtest.h>

#include "lab_util.h"
#include "loopback_http.h"
#include "prov/fetch.h"

using namespace phonesec;
using namespace phonesec::prov;
using namespace phonesec::test;

namespace {

struct Lab {
  LoopNs ns{"pspvr"};
  ScratchDir d{"pspvr"};
  std::unique_ptr<Peer> nginx;
  Lab() {
    make_cert(d, "prov", "prov.test");
    std::filesystem::create_directories(d.path / "www");
    d.write("www/cp8851.xml", "<flat-profile><Profile_Rule>ok</Profile_Rule></flat-profile>\n");
    d.write("nginx.conf", nginx_conf(d, {"127.0.0.3:8443 ssl"}, "prov"));
    sh_or_throw(ns.in("nft add table inet pspvr") + " && " +
                ns.in("nft add chain inet pspvr in '{ type filter hook input priority 0; }'") + " && " +
                ns.in("nft add rule inet pspvr in tcp dport 8443 tcp flags syn counter") + " && " +
                ns.in("nft add rule inet pspvr in ip daddr 127.0.0.4 tcp dport 8443 drop"));
    nginx = std::make_unique<Peer>(ns.in("nginx -c " + d.file("nginx.conf") + " -p " + d.path.string()),
                                   d.file("nginx.out"));
    if (!wait_tcp(ns.name(), "127.0.0.3", 8443))
      throw std::runtime_error("nginx did not start: " + d.read("nginx-error.log"));
  }
};

// SYN packets to port 8443 seen in the namespace (the nftables counter).
int syn_count(const LoopNs& ns) {
  std::string out = ScratchDir::read_cmd(ns.in("nft list chain inet pspvr in"));
  auto p = out.find("counter packets ");
  return p == std::string::npos ? -1 : std::atoi(out.c_str() + p + 16);
}

DeviceInfo dev() {
  DeviceInfo d;
  d.product_name = "CP-8851-3PCC";
  d.mac = "000e08abcdef";
  return d;
}

}  // namespace

TEST(RedundantLab, TriesEachARecordUntilOneAnswers) {
  ASSERT_EQ(sh("command -v nginx >/dev/null"), 0) << "nginx (Debian nginx-light) not found in PATH";
  Lab lab;
  InNetns in(lab.ns.name());
  UdpReceiver rx;
  auto sender = SyslogSender::open(rx.server());
  ASSERT_TRUE(sender);
  ProvisioningLog log({}, dev(), &*sender);
  StaticResolver res(HostTable{{"prov.test", {"127.0.0.2", "127.0.0.4", "127.0.0.3"}}});
  FetchOptions o;
  o.ca_file = lab.d.file("prov.crt");
  o.connect_timeout_ms = 700;
  Fetcher f(DomainPolicy({"prov.test"}), res, &log, nullptr, o);
  auto r = f.fetch("https://prov.test:8443/cp8851.xml", "Profile_Rule");
  ASSERT_TRUE(r) << r.error().message() << "\n" << lab.d.read("nginx-error.log");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<flat-profile><Profile_Rule>ok</Profile_Rule></flat-profile>\n");
  EXPECT_EQ(r->server_ip, "127.0.0.3");
  // One request message per record tried, in order, then the success.
  for (const char* ip : {"127.0.0.2", "127.0.0.4", "127.0.0.3"}) {
    std::string m = rx.next();
    EXPECT_NE(m.find(std::string("Requesting resync https://") + ip + ":8443/cp8851.xml"), std::string::npos)
        << m;
  }
  EXPECT_NE(rx.next().find("Successful resync https://127.0.0.3:8443/cp8851.xml"), std::string::npos);
  EXPECT_NE(lab.d.read_when("access.log", "GET /cp8851.xml").find("GET /cp8851.xml"), std::string::npos);
}

TEST(RedundantLab, NoRecordAnswersFailureGoesToSyslog) {
  ASSERT_EQ(sh("command -v nginx >/dev/null"), 0) << "nginx (Debian nginx-light) not found in PATH";
  Lab lab;
  InNetns in(lab.ns.name());
  UdpReceiver rx;
  auto sender = SyslogSender::open(rx.server());
  ASSERT_TRUE(sender);
  config::SyslogConfig sc;
  sc.log_request_msg = "";
  ProvisioningLog log(sc, dev(), &*sender);
  StaticResolver res(HostTable{{"prov.test", {"127.0.0.2", "127.0.0.4"}}});
  FetchOptions o;
  o.ca_file = lab.d.file("prov.crt");
  o.connect_timeout_ms = 700;
  Fetcher f(DomainPolicy{}, res, &log, nullptr, o);
  auto r = f.fetch("https://prov.test:8443/cp8851.xml", "Profile_Rule");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  std::string m = rx.next();
  EXPECT_NE(m.find("<131>1 "), std::string::npos) << m;  // local0.err
  EXPECT_NE(m.find("Resync failed: Profile_Rule: no server answered for prov.test (127.0.0.2: "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(", 127.0.0.4: "), std::string::npos) << m;
}

TEST(RedundantLab, ServerWithWrongCertificateAnswersAndFails) {
  ASSERT_EQ(sh("command -v nginx >/dev/null"), 0) << "nginx (Debian nginx-light) not found in PATH";
  Lab lab;
  make_cert(lab.d, "other", "prov.test");  // a CA that did not sign nginx's certificate
  InNetns in(lab.ns.name());
  StaticResolver res(HostTable{{"prov.test", {"127.0.0.3", "127.0.0.2"}}});
  FetchOptions o;
  o.ca_file = lab.d.file("other.crt");
  Fetcher f(DomainPolicy{}, res, nullptr, nullptr, o);
  auto r = f.fetch("https://prov.test:8443/cp8851.xml", "Profile_Rule");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("certificate"), std::string::npos) << r.error().message();
}

TEST(RedundantLab, RefusedDomainSendsNoPacketToAnyRecord) {
  ASSERT_EQ(sh("command -v nginx >/dev/null"), 0) << "nginx (Debian nginx-light) not found in PATH";
  Lab lab;
  InNetns in(lab.ns.name());
  StaticResolver res(HostTable{{"prov.test", {"127.0.0.2", "127.0.0.4", "127.0.0.3"}}});
  FetchOptions o;
  o.ca_file = lab.d.file("prov.crt");
  o.connect_timeout_ms = 700;
  Fetcher refused(DomainPolicy({"voiceip.com", "voiceipl.com"}), res, nullptr, nullptr, o);
  int before = syn_count(lab.ns);  // the readiness probe's SYNs
  ASSERT_GE(before, 1);
  auto r = refused.fetch("https://prov.test:8443/cp8851.xml", "Profile_Rule");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::auth);
  EXPECT_EQ(res.lookups(), 0);
  EXPECT_EQ(syn_count(lab.ns), before);
  EXPECT_EQ(lab.d.read("access.log"), "");
  // The counter does count: the same fetch allowed sends SYNs (one per record tried).
  Fetcher allowed(DomainPolicy({"voiceip.com", "PROV.test"}), res, nullptr, nullptr, o);
  ASSERT_TRUE(allowed.fetch("https://prov.test:8443/cp8851.xml", "Profile_Rule"));
  EXPECT_GE(syn_count(lab.ns), before + 3);
}

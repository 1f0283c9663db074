// SPDX-License-Identifier: Apache-2.0
// Syslog messages through a real UDP receiver socket on loopback.
#include "prov/syslog.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "common/fd.h"

using namespace phonesec;
using namespace phonesec::prov;

namespace {

struct Receiver {
  UniqueFd fd{socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  std::uint16_t port = 0;
  Receiver() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t l = sizeof a;
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &l);
    port = ntohs(a.sin_port);
  }
  std::string server() const { return "127.0.0.1:" + std::to_string(port); }
  // The next datagram, or "" after ms milliseconds.
  std::string next(int ms = 1000) {
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, ms) != 1) return "";
    char buf[2048];
    auto n = recv(fd.get(), buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, std::size_t(n)) : "";
  }
};

std::chrono::system_clock::time_point fixed() {
  return std::chrono::system_clock::from_time_t(1764000000) +
         std::chrono::milliseconds(42);  // 2025-11-24T16:00:00.042Z
}

DeviceInfo device() {
  DeviceInfo d;
  d.product_name = "CP-8851-3PCC";
  d.mac = "00:0e:08:ab:cd:ef";
  d.serial = "FCH1";
  return d;
}

}  // namespace

TEST(Syslog, Rfc5424AndRfc3164Framing) {
  SyslogOptions o;
  o.hostname = "phone1";
  EXPECT_EQ(format_syslog(o, Severity::err, "resync", "boom", fixed()),
            "<131>1 2025-11-24T16:00:00.042Z phone1 phonesec-prov - resync - boom");
  o.format = SyslogFormat::rfc3164;
  EXPECT_EQ(format_syslog(o, Severity::info, "resync", "hello", fixed()),
            "<134>Nov 24 16:00:00 phone1 phonesec-prov: hello");
}

TEST(Syslog, DefaultMessagesExpandedAndSentOverUdp) {
  Receiver rx;
  SyslogOptions o;
  o.hostname = "phone1";
  o.now = fixed;
  auto s = SyslogSender::open(rx.server(), o);
  ASSERT_TRUE(s) << s.error().message();
  config::SyslogConfig cfg;
  ProvisioningLog log(cfg, device(), &*s);
  RequestInfo r{"https", "prov.test", "192.0.2.7", "/cfg/000e08abcdef.xml", "", 443};
  log.request(ProvOp::resync, r);
  EXPECT_EQ(rx.next(),
            "<134>1 2025-11-24T16:00:00.042Z phone1 phonesec-prov - resync - "
            "CP-8851-3PCC 00:0e:08:ab:cd:ef -- Requesting resync https://192.0.2.7:443/cfg/000e08abcdef.xml");
  log.success(ProvOp::resync, r);
  EXPECT_NE(rx.next().find("<133>1 "), std::string::npos);
  r.error = "connection refused";
  log.failure(ProvOp::resync, r);
  EXPECT_EQ(rx.next(),
            "<131>1 2025-11-24T16:00:00.042Z phone1 phonesec-prov - resync - "
            "CP-8851-3PCC 00:0e:08:ab:cd:ef -- Resync failed: connection refused");
  log.failure(ProvOp::upgrade, r);
  EXPECT_EQ(rx.next(),
            "<131>1 2025-11-24T16:00:00.042Z phone1 phonesec-prov - upgrade - "
            "CP-8851-3PCC 00:0e:08:ab:cd:ef -- Upgrade failed: connection refused");
}

TEST(Syslog, CustomMessageEveryMacroAndRfc3164) {
  Receiver rx;
  SyslogOptions o;
  o.format = SyslogFormat::rfc3164;
  o.now = fixed;
  auto s = SyslogSender::open(rx.server(), o);
  ASSERT_TRUE(s);
  config::SyslogConfig cfg;
  cfg.log_upgrade_success_msg =
      "$PN|$MA|$MAU|$MAC|$SN|$CCERT|$SCHEME|$SERV|$SERVIP|$PORT|$PATH|$ERR|$$|$(MA)";
  ProvisioningLog log(cfg, device(), &*s);
  log.success(ProvOp::upgrade, {"http", "fw.test", "192.0.2.8", "/fw.bin", "ok", 8080});
  EXPECT_EQ(rx.next(),
            "<133>Nov 24 16:00:00 localhost phonesec-prov: CP-8851-3PCC|000e08abcdef|000E08ABCDEF|"
            "00:0e:08:ab:cd:ef|FCH1|Not Installed|http|fw.test|192.0.2.8|8080|/fw.bin|ok|$|000e08abcdef");
}

TEST(Syslog, EmptyMessageSendsNothing) {
  Receiver rx;
  auto s = SyslogSender::open(rx.server());
  ASSERT_TRUE(s);
  config::SyslogConfig cfg;
  cfg.log_request_msg = "";
  cfg.log_failure_msg = "   ";
  ProvisioningLog log(cfg, device(), &*s);
  log.request(ProvOp::resync, {});
  log.failure(ProvOp::resync, {});
  EXPECT_TRUE(log.render_request(ProvOp::resync, {}).empty());
  log.success(ProvOp::resync, {});  // the default success message is not empty: it is the one that arrives
  std::string got = rx.next();
  EXPECT_NE(got.find("Successful resync"), std::string::npos) << got;
  EXPECT_EQ(rx.next(200), "");
  EXPECT_TRUE(s->send(Severity::info, "x", ""));
  EXPECT_EQ(rx.next(200), "");
}

TEST(Syslog, BadServerIsNamed) {
  auto s = SyslogSender::open("127.0.0.1:notaport");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("Syslog_Server"), std::string::npos);
  EXPECT_FALSE(SyslogSender::open("  "));
  auto def = SyslogSender::open("127.0.0.1");  // port 514 by default
  EXPECT_TRUE(def);
}

// SPDX-License-Identifier: Apache-2.0
// DHCP_Option_To_Use / DHCPv6_Option_To_Use against dnsmasq: dnsmasq runs in the server
// namespace offering provisioning options; the client namespace sends a real DISCOVER and
// SOLICIT, the replies are parsed and the provisioning source chosen in the order a cfg.xml
// gives. Root only.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "config/phone_config.h"
#include "lab_util.h"
#include "prov/dhcp.h"

using namespace phonesec;
using namespace phonesec::prov;
using namespace phonesec::test;

namespace {

const std::uint8_t kMac[6] = {0x02, 0x0e, 0x08, 0xab, 0xcd, 0xef};
const std::vector<int> kRequest{66, 160, 159, 150, 60, 43, 125, 252};

std::string dnsmasq(const LabLink& l, const ScratchDir& d, const std::string& options) {
  return "ip netns exec " + l.server() + " dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --user=root" +
         " --interface=" + l.server_if() + " --bind-interfaces --dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h" +
         " --dhcp-range=fd77::50,fd77::60,64,1h --dhcp-leasefile=" + d.file("leases") + " --pid-file=" + d.file("pid") +
         " --no-ping --log-dhcp " + options;
}

// Sends the request every 500 ms until a reply with our transaction id arrives (dnsmasq may
// still be starting). Returns the raw reply or empty after ~8 s.
Bytes exchange(int fd, const Bytes& req, const sockaddr* to, socklen_t tl, bool v6, std::uint32_t xid) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    sendto(fd, req.data(), req.size(), 0, to, tl);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < until) {
      if (!wait_readable(fd, 100)) continue;
      Bytes buf(4096);
      auto n = recv(fd, buf.data(), buf.size(), 0);
      if (n <= 0) continue;
      buf.resize(std::size_t(n));
      auto r = v6 ? parse_dhcpv6(buf) : parse_dhcpv4(buf);
      if (r && r->xid == xid && (v6 ? r->message_type == 2 : r->message_type == 2)) return buf;
    }
  }
  return {};
}

DhcpReply discover(const LabLink& l) {
  int fd = socket_in(l.client(), AF_INET, SOCK_DGRAM);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  std::string ifn = l.client_if();
  setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifn.c_str(), socklen_t(ifn.size()));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(68);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind :68");
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(67);
  to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
  Bytes raw = exchange(fd, make_discover(kMac, 0x5eed0001, kRequest), reinterpret_cast<sockaddr*>(&to), sizeof to, false,
                       0x5eed0001);
  close(fd);
  if (raw.empty()) throw std::runtime_error("no DHCPOFFER from dnsmasq");
  return parse_dhcpv4(raw).value();
}

DhcpReply solicit(const LabLink& l) {
  int fd = socket_in(l.client(), AF_INET6, SOCK_DGRAM);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  std::string ifn = l.client_if();
  setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifn.c_str(), socklen_t(ifn.size()));
  int idx = l.client_ifindex();
  setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(546);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind :546");
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_port = htons(547);
  inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
  to.sin6_scope_id = std::uint32_t(idx);
  Bytes raw = exchange(fd, make_solicit(kMac, 0x5eed02, {17, 160, 159}), reinterpret_cast<sockaddr*>(&to), sizeof to,
                       true, 0x5eed02);
  close(fd);
  if (raw.empty()) throw std::runtime_error("no DHCPv6 ADVERTISE from dnsmasq");
  return parse_dhcpv6(raw).value();
}

std::vector<int> order_from_cfg(const std::string& v4, const std::string& v6) {
  std::string xml = "<flat-profile>";
  if (!v4.empty()) xml += "<DHCP_Option_To_Use>" + v4 + "</DHCP_Option_To_Use>";
  if (!v6.empty()) xml += "<DHCPv6_Option_To_Use>" + v6 + "</DHCPv6_Option_To_Use>";
  xml += "</flat-profile>";
  auto r = config::load_string(xml);
  if (!r) throw std::runtime_error(r.error().message());
  return v6.empty() ? r->config.prov.dhcp_options : r->config.prov.dhcpv6_options;
}

}  // namespace

TEST(DhcpLab, OptionsFromDnsmasqChosenInConfiguredOrder) {
  ASSERT_EQ(sh("command -v dnsmasq >/dev/null"), 0) << "dnsmasq (Debian dnsmasq-base) not found in PATH";
  LabLink l("pspvd");
  ScratchDir d("pspvd");
  Peer srv(dnsmasq(l, d,
                   "--dhcp-option=66,tftp.prov.test --dhcp-option=150,10.77.0.1 "
                   "--dhcp-option=160,https://prov.test/cfg --dhcp-option=252,http://10.77.0.1/wpad.dat "
                   "--dhcp-option=option6:160,https://prov6.test/cfg "
                   "--dhcp-option=option6:17,00:00:00:09:00:01:00:10:fd:77:00:00:00:00:00:00:00:00:00:00:00:00:00:01"),
           d.file("dnsmasq.log"));
  DhcpReply offer;
  ASSERT_NO_THROW(offer = discover(l)) << d.read("dnsmasq.log");
  EXPECT_EQ(offer.your_ip.rfind("10.77.0.", 0), 0u) << offer.your_ip;
  EXPECT_EQ(*source_from_option(offer, 66), "tftp://tftp.prov.test");
  EXPECT_EQ(*source_from_option(offer, 150), "tftp://10.77.0.1");
  EXPECT_EQ(*source_from_option(offer, 160), "https://prov.test/cfg");
  EXPECT_EQ(*wpad_url(offer), "http://10.77.0.1/wpad.dat");

  auto def = choose_source(offer, config::PhoneConfig{}.prov.dhcp_options);  // 66 first
  ASSERT_TRUE(def);
  EXPECT_EQ(def->option, 66);
  auto url_first = choose_source(offer, order_from_cfg("160,66,150", ""));
  ASSERT_TRUE(url_first);
  EXPECT_EQ(url_first->option, 160);
  EXPECT_EQ(url_first->url, "https://prov.test/cfg");
  auto tftp_first = choose_source(offer, order_from_cfg("159, 150 ,66", ""));  // 159 not offered
  EXPECT_EQ(tftp_first->option, 150);
  EXPECT_FALSE(choose_source(offer, order_from_cfg("159,43,125", "")));

  DhcpReply adv;
  ASSERT_NO_THROW(adv = solicit(l)) << d.read("dnsmasq.log");
  EXPECT_EQ(*source_from_option(adv, 160), "https://prov6.test/cfg");
  EXPECT_EQ(*source_from_option(adv, 17), "tftp://[fd77::1]");
  EXPECT_EQ(choose_source(adv, config::PhoneConfig{}.prov.dhcpv6_options)->option, 17);  // 17,160,159
  EXPECT_EQ(choose_source(adv, order_from_cfg("", "160,17"))->url, "https://prov6.test/cfg");
  EXPECT_FALSE(choose_source(adv, order_from_cfg("", "159")));
}

TEST(DhcpLab, DefaultOrderFallsThroughToWhatIsOffered) {
  ASSERT_EQ(sh("command -v dnsmasq >/dev/null"), 0) << "dnsmasq (Debian dnsmasq-base) not found in PATH";
  LabLink l("pspvd");
  ScratchDir d("pspvd");
  Peer srv(dnsmasq(l, d, "--dhcp-option=150,10.77.0.9 --dhcp-option=159,http://10.77.0.8:8080"),
           d.file("dnsmasq.log"));
  DhcpReply offer;
  ASSERT_NO_THROW(offer = discover(l)) << d.read("dnsmasq.log");
  EXPECT_FALSE(source_from_option(offer, 66));
  EXPECT_FALSE(source_from_option(offer, 160));
  auto s = choose_source(offer, config::PhoneConfig{}.prov.dhcp_options);  // 66,160,159,…
  ASSERT_TRUE(s);
  EXPECT_EQ(s->option, 159);
  EXPECT_EQ(s->url, "http://10.77.0.8:8080");
}

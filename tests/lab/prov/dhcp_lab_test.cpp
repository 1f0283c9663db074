// SPDX-License-Identifier: Apache-2.0
// DHCP_Option_To_Use / DHCPv6_Option_To_Use against dnsmasq: dnsmasq runs in the server
// namespace offering provisioning options; the client namespace sends a real DISCOVER and
// SOLICIT, the replies are parsed and the provisioning source chosen in the order a cfg.xml
// gives. Root only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "config/phone_config.h"
#include "lab_util.h"
#include "prov/dhcp.h"
#include "prov/dhcp_client.h"

using namespace phonesec;
using namespace phonesec::prov;
using namespace phonesec::test;

namespace {

const std::vector<int> kRequest{66, 160, 159, 150, 60, 43, 125, 252};

std::string dnsmasq(const LabLink& l, const ScratchDir& d, const std::string& options) {
  return "ip netns exec " + l.server() +
         " dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --user=root" +
         " --interface=" + l.server_if() +
         " --bind-interfaces --dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h" +
         " --dhcp-range=fd77::50,fd77::60,64,1h --dhcp-leasefile=" + d.file("leases") +
         " --pid-file=" + d.file("pid") + " --no-ping --log-dhcp " + options;
}

// The product's client (dhcp_query) run from inside the client namespace.
DhcpReply query(const LabLink& l, bool v6, const std::vector<int>& request) {
  InNetns in(l.client());
  auto r = dhcp_query(l.client_if(), v6, request, 8000);
  if (!r) throw std::runtime_error(r.error().message());
  return *r;
}
DhcpReply discover(const LabLink& l) { return query(l, false, kRequest); }
DhcpReply solicit(const LabLink& l) { return query(l, true, {17, 160, 159}); }

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
  Peer srv(
      dnsmasq(
          l, d,
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

TEST(DhcpLab, CommandLineToolReportsTheChosenSource) {
  ASSERT_EQ(sh("command -v dnsmasq >/dev/null"), 0) << "dnsmasq (Debian dnsmasq-base) not found in PATH";
  LabLink l("pspvd");
  ScratchDir d("pspvd");
  Peer srv(dnsmasq(l, d, "--dhcp-option=66,tftp.prov.test --dhcp-option=160,https://prov.test/cfg"),
           d.file("dnsmasq.log"));
  d.write("cfg.xml", "<flat-profile><DHCP_Option_To_Use>160,66</DHCP_Option_To_Use></flat-profile>");
  const std::string tool = PS_BINARY_DIR "/userspace/apps/phonesec-prov/phonesec-prov";
  std::string out =
      ScratchDir::read_cmd("ip netns exec " + l.client() + " " + tool + " dhcp --iface " + l.client_if() +
                           " --config " + d.file("cfg.xml") + " 2>&1; echo rc=$?");
  EXPECT_NE(out.find("option 160: https://prov.test/cfg\noption 66: tftp://tftp.prov.test\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("source: option 160 https://prov.test/cfg"), std::string::npos) << out;
  EXPECT_NE(out.find("rc=0"), std::string::npos) << out;
  std::string none = ScratchDir::read_cmd("ip netns exec " + l.client() + " " + tool + " dhcp --iface " +
                                          l.client_if() + " --v6 --timeout-ms 1500 2>&1; echo rc=$?");
  EXPECT_NE(none.find("no provisioning source"), std::string::npos) << none;  // no v6 option offered
  EXPECT_NE(none.find("rc=1"), std::string::npos) << none;
}

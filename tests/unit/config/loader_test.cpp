// SPDX-License-Identifier: Apache-2.0
// cfg.xml loader: what real-world files contain must parse; bad input is reported with its
// place and never costs more than the one parameter (or, for broken XML, the whole file).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "config/params.h"

namespace phonesec::config {
namespace {

LoadResult load_ok(std::string_view xml) {
  auto r = load_string(xml, "t.xml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().context);
  return r.ok() ? std::move(r).value() : LoadResult{};
}

std::string diags(const LoadResult& r) {
  std::string s;
  for (const auto& d : r.diagnostics) s += d.to_string() + "\n";
  return s;
}

TEST(Loader, FlatProfileAloneOrInsideDevice) {
  for (auto x : {"<flat-profile><Web_Server_Port>8080</Web_Server_Port></flat-profile>",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<device><flat-profile><Web_Server_Port>8080</Web_Server_Port>"
                 "</flat-profile></device>",
                 "<device><settings><flat-profile><Web_Server_Port>8080</Web_Server_Port></flat-profile></settings></device>"}) {
    auto r = load_ok(x);
    EXPECT_EQ(r.config.web_server_port, 8080) << x;
    EXPECT_EQ(r.applied, 1) << x;
  }
}

TEST(Loader, NamespacesDefaultAndPrefixed) {
  auto r = load_ok(
      "<flat-profile xmlns=\"http://www.sipura.net/xsd/SPA50x-30x-SIP\"><Web_Server_Port>81</Web_Server_Port></flat-profile>");
  EXPECT_EQ(r.config.web_server_port, 81);
  r = load_ok("<p:flat-profile xmlns:p=\"urn:x\"><p:Web_Server_Port>82</p:Web_Server_Port></p:flat-profile>");
  EXPECT_EQ(r.config.web_server_port, 82);
}

TEST(Loader, UaAttributePresentAbsentOrExtra) {
  auto r = load_ok(
      "<flat-profile><Upgrade_Enable ua=\"na\">No</Upgrade_Enable><Enable_Web_Server>No</Enable_Web_Server>"
      "<Broadcast_Echo ua=\"rw\" group=\"x\" lang='fr'>Yes</Broadcast_Echo></flat-profile>");
  EXPECT_FALSE(r.config.upgrade_enable);
  EXPECT_FALSE(r.config.web_server_enabled);
  EXPECT_TRUE(r.config.broadcast_echo);
  EXPECT_TRUE(r.diagnostics.empty()) << diags(r);
}

TEST(Loader, PaddingCommentsCdataAndCaseOfNames) {
  auto r = load_ok(
      "<flat-profile>\n  <!-- the phone's web server -->\n  <web_server_port>\n    8443\n  </web_server_port>\n"
      "  <LINE_ENABLE_2_>  no  </LINE_ENABLE_2_>\n  <Profile_Rule><![CDATA[https://pv.telco.net/$MA.xml?a=1&b=2]]></Profile_Rule>\n"
      "  <Syslog_Server> <!-- inside --> 10.0.0.9:514 </Syslog_Server>\n</flat-profile>");
  EXPECT_EQ(r.config.web_server_port, 8443);
  EXPECT_FALSE(r.config.lines[1].enable);
  EXPECT_EQ(r.config.prov.profile_rule, "https://pv.telco.net/$MA.xml?a=1&b=2");
  EXPECT_EQ(r.config.syslog.server, "10.0.0.9:514");
  EXPECT_TRUE(r.diagnostics.empty()) << diags(r);
}

TEST(Loader, DuplicatesLastWins) {
  auto r = load_ok(
      "<flat-profile><SIP_Port_1_>5070</SIP_Port_1_><Web_Server_Port>81</Web_Server_Port>"
      "<SIP_Port_1_>5080</SIP_Port_1_><sip_port_1_>0x13c6</sip_port_1_></flat-profile>");
  EXPECT_EQ(r.config.lines[0].sip_port, 5062);
  EXPECT_EQ(r.config.web_server_port, 81);
}

TEST(Loader, NamesWithDotsDashesAndDoubleUnderscores) {
  auto r = load_ok(
      "<flat-profile><Enable_802.1X_Authentication ua=\"rw\">Yes</Enable_802.1X_Authentication>"
      "<Enable_TR-069>yes</Enable_TR-069><Use_Auto_Discovery__WPAD__>No</Use_Auto_Discovery__WPAD__>"
      "<TR-069_Connection_Request_Port>0x1F90</TR-069_Connection_Request_Port></flat-profile>");
  EXPECT_TRUE(r.config.dot1x.enable);
  EXPECT_TRUE(r.config.tr069_enabled);
  EXPECT_FALSE(r.config.http_proxy.use_wpad);
  EXPECT_EQ(r.config.tr069_connection_request_port, 8080);
}

TEST(Loader, AbsentAndEmptyTypedKeepDefault) {
  auto r = load_ok(
      "<flat-profile><Web_Server_Port></Web_Server_Port><Upgrade_Enable/><SIP_Transport_1_>  </SIP_Transport_1_>"
      "<Profile_Rule></Profile_Rule></flat-profile>");
  EXPECT_EQ(r.config.web_server_port, 80);
  EXPECT_TRUE(r.config.upgrade_enable);
  EXPECT_EQ(r.config.lines[0].sip_transport, SipTransport::UDP);
  EXPECT_EQ(r.config.prov.profile_rule, "");  // a text value may be empty on purpose
  EXPECT_TRUE(r.diagnostics.empty()) << diags(r);
  r = load_ok("<flat-profile/>");
  EXPECT_TRUE(r.config == factory());
}

TEST(Loader, NotWellFormedRejectedWholeWithPlace) {
  auto r = load_string("<flat-profile>\n  <Firewall>Disabled</Firewall>\n  <Web_Server_Port>81</Web_Port>\n</flat-profile>",
                       "bad.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::parse);
  EXPECT_EQ(r.error().context.rfind("bad.xml:3:", 0), 0u) << r.error().context;
  EXPECT_NE(r.error().context.find("not well-formed"), std::string::npos);
}

TEST(Loader, NoFlatProfileRejected) {
  auto r = load_string("<device><something/></device>", "nofp.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().context.find("nofp.xml: no <flat-profile>"), std::string::npos);
  EXPECT_FALSE(load_string("", "empty.xml").ok());
}

TEST(Loader, BadValueNamesParameterValueAllowedAndKeepsDefault) {
  auto r = load_ok(
      "<flat-profile>\n<SIP_Transport_2_>SCTP</SIP_Transport_2_>\n<Web_Server_Port>70000</Web_Server_Port>\n"
      "<Connect_on_Bootup>perhaps</Connect_on_Bootup>\n<Upgrade_Enable>No</Upgrade_Enable>\n</flat-profile>");
  ASSERT_EQ(r.diagnostics.size(), 3u) << diags(r);
  EXPECT_EQ(r.diagnostics[0].to_string(),
            "t.xml:2:1: error: SIP_Transport_2_: 'SCTP' is not one of UDP, TCP, TLS, Auto; keeping 'UDP'");
  EXPECT_EQ(r.diagnostics[1].to_string(), "t.xml:3:1: error: Web_Server_Port: '70000' is not a number in 1-65535; keeping '80'");
  EXPECT_EQ(r.diagnostics[2].to_string(), "t.xml:4:1: error: Connect_on_Bootup: 'perhaps' is not one of Yes, No; keeping 'No'");
  EXPECT_EQ(r.config.lines[1].sip_transport, SipTransport::UDP);
  EXPECT_EQ(r.config.web_server_port, 80);
  EXPECT_FALSE(r.config.upgrade_enable);  // the good one applied
}

TEST(Loader, BadValueKeepsEarlierGoodValueOfSameFile) {
  auto r = load_ok("<flat-profile><Web_Server_Port>81</Web_Server_Port><Web_Server_Port>x</Web_Server_Port></flat-profile>");
  EXPECT_EQ(r.config.web_server_port, 81);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("keeping '81'"), std::string::npos);
}

TEST(Loader, RtpMinAboveMaxFallsBackToDefaults) {
  auto r = load_ok("<flat-profile><RTP_Port_Min>30000</RTP_Port_Min><RTP_Port_Max>20000</RTP_Port_Max></flat-profile>");
  EXPECT_EQ(r.config.rtp_port_min, 16384);
  EXPECT_EQ(r.config.rtp_port_max, 16482);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].param, "RTP_Port_Min");
}

TEST(Loader, FirewallConfigWarningsCarryTheLine) {
  auto r = load_ok("<flat-profile>\n\n<Firewall_Config ua=\"na\">NO_ICMP_PING, FOO ,UDP:8000:8010</Firewall_Config>\n</flat-profile>");
  EXPECT_TRUE(r.config.firewall.no_icmp_ping);
  EXPECT_EQ(r.config.firewall.udp, (std::vector<PortRange>{{8000, 8010}}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].severity, Severity::warning);
  EXPECT_EQ(r.diagnostics[0].to_string().rfind("t.xml:3:1: warning: Firewall_Config: token 'FOO' skipped", 0), 0u)
      << r.diagnostics[0].to_string();
}

TEST(Loader, SecretsNeverInDiagnostics) {
  // Secrets reach the config verbatim but neither dump() nor any diagnostic shows them.
  auto r = load_ok("<flat-profile><VPN_Password> hunter2 </VPN_Password><Proxy_Password>pr0xy</Proxy_Password></flat-profile>");
  EXPECT_EQ(r.config.vpn.password.reveal(), " hunter2 ");  // taken verbatim: spaces may be part of it
  EXPECT_EQ(r.config.http_proxy.password.reveal(), "pr0xy");
  std::string d = dump(r.config) + diags(r);
  EXPECT_EQ(d.find("hunter2"), std::string::npos);
  EXPECT_EQ(d.find("pr0xy"), std::string::npos);
}

TEST(Loader, UnknownElementsCountedNotErrors) {
  auto r = load_ok("<flat-profile><Station_Name>desk</Station_Name><Line_Enable_17_>No</Line_Enable_17_>"
                   "<Dial_Plan_1_>(*xx|[3469]11)</Dial_Plan_1_><Firewall>Disabled</Firewall></flat-profile>");
  EXPECT_EQ(r.unknown_elements, 3);
  EXPECT_EQ(r.applied, 1);
  EXPECT_FALSE(r.config.firewall_enabled);
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(Loader, FileMissingIsIoErrorWithPath) {
  auto r = load_file("/nonexistent/dir/cfg.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_NE(r.error().message().find("/nonexistent/dir/cfg.xml"), std::string::npos);
}

TEST(Loader, FileNameInErrors) {
  std::string path = ::testing::TempDir() + "cfg_loader_test.xml";
  {
    std::ofstream f(path);
    f << "<flat-profile>\n<Firewall>Maybe</Firewall>\n</flat-profile>\n";
  }
  auto r = load_file(path);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->diagnostics.size(), 1u);
  EXPECT_EQ(r->diagnostics[0].to_string().rfind(path + ":2:1: error: Firewall: 'Maybe'", 0), 0u) << r->diagnostics[0].to_string();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace phonesec::config

namespace phonesec::config {
namespace {

// Bounded input: a FIFO, a device or a runaway file never blocks or exhausts the reader.
TEST(LoaderBounds, FifoDeviceAndHugeFilesAreRefusedAtOnce) {
  const std::string dir = ::testing::TempDir();
  const std::string fifo = dir + "/ps-cfg-fifo";
  std::remove(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto r = load_file(fifo);  // no writer: a blocking open would hang here forever
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("not a regular file"), std::string::npos) << r.error().message();
  std::remove(fifo.c_str());
  auto z = load_file("/dev/zero");
  ASSERT_FALSE(z);
  EXPECT_NE(z.error().message().find("/dev/zero"), std::string::npos);
  const std::string big = dir + "/ps-cfg-big.xml";
  {
    std::ofstream f(big);
    f << "<flat-profile><Firewall_Config>";
    for (std::size_t i = 0; i < kMaxProfileBytes / 8 + 10; ++i) f << "UDP:1,  ";
    f << "</Firewall_Config></flat-profile>";
  }
  auto b = load_file(big);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message().find("more than the"), std::string::npos) << b.error().message();
  std::remove(big.c_str());
}

// A profile wrong a hundred thousand times over: the first 100 diagnostics, each cut to a
// readable length, then one that counts the rest; places stay exact for the last element.
TEST(LoaderBounds, DiagnosticsAreBoundedAndPlacesStayExact) {
  std::string fw = "UDP:9000";
  for (int i = 0; fw.size() < 800000; ++i) fw += ",bogus" + std::to_string(i);
  fw += ",UDP:" + std::string(5000, '7');  // one huge token
  std::string xml = "<flat-profile>\n<Firewall_Config>" + fw + "</Firewall_Config>\n";
  for (int i = 0; i < 5000; ++i) xml += "<Syslog_Server>h" + std::to_string(i) + "</Syslog_Server>\n";
  xml += "<Web_Server_Port>notaport</Web_Server_Port>\n</flat-profile>\n";
  auto r = load_string(xml, "big.xml");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->config.firewall.udp.size() == 1) << "the good token still applies";
  ASSERT_EQ(r->diagnostics.size(), 101u);
  const auto& last = r->diagnostics.back();
  EXPECT_NE(last.message.find("more diagnostics not shown"), std::string::npos) << last.message;
  EXPECT_EQ(last.severity, Severity::error) << "the error about Web_Server_Port is among those not shown";
  for (const auto& d : r->diagnostics) EXPECT_LE(d.message.size(), 260u) << d.message.substr(0, 80);
  // The bad port sits on line 5003 (1 profile, 2 firewall, 5000 syslog): the element locator
  // must still place it there when many elements come before it.
  auto small = load_string(xml.substr(0, xml.find("<Firewall_Config>")) + "<Firewall_Config>UDP:1</Firewall_Config>\n" +
                               xml.substr(xml.find("<Syslog_Server>")),
                           "big.xml");
  ASSERT_TRUE(small);
  ASSERT_EQ(small->diagnostics.size(), 1u);
  EXPECT_EQ(small->diagnostics[0].line, 5003) << small->diagnostics[0].to_string();
  EXPECT_EQ(small->diagnostics[0].param, "Web_Server_Port");
}

// A provisioned profile over the device's: what it does not name keeps the device's value.
TEST(LoaderBase, ProfileOverABaseKeepsWhatItDoesNotName) {
  auto base = load_string("<flat-profile><Web_Server_Port>82</Web_Server_Port><RTP_Port_Min>20000</RTP_Port_Min>"
                          "<RTP_Port_Max>20100</RTP_Port_Max></flat-profile>");
  ASSERT_TRUE(base);
  auto over = load_string("<flat-profile><Web_Server_Port>8080</Web_Server_Port></flat-profile>", "prov", &base->config);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->config.web_server_port, 8080);
  EXPECT_EQ(over->config.rtp_port_min, 20000);
  EXPECT_EQ(over->config.rtp_port_max, 20100);
  auto plain = load_string("<flat-profile><Web_Server_Port>8080</Web_Server_Port></flat-profile>");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->config.rtp_port_min, 16384) << "without a base: the factory defaults";
}

// Provisioned parameters accumulate across resyncs, the later value winning, one per name.
TEST(MergeProfiles, LaterWinsOnePerNameAndBadNextIsRefused) {
  auto m = merge_profiles("<flat-profile><Web_Server_Port>81</Web_Server_Port><Line_Enable_2_>No</Line_Enable_2_></flat-profile>",
                          "<?xml version=\"1.0\"?><p:flat-profile xmlns:p=\"urn:x\"><p:Web_Server_Port>82</p:Web_Server_Port>"
                          "<Line_Enable_2>Yes</Line_Enable_2><RTP_Port_Min>20000</RTP_Port_Min><RTP_Port_Max>20100</RTP_Port_Max>"
                          "</p:flat-profile>",
                          "next.xml");
  ASSERT_TRUE(m) << m.error().message();
  auto r = load_string(m.value());
  ASSERT_TRUE(r) << m.value();
  EXPECT_EQ(r->config.web_server_port, 82);
  EXPECT_TRUE(r->config.lines[1].enable) << "Line_Enable_2 and Line_Enable_2_ are one parameter";
  EXPECT_EQ(r->config.rtp_port_min, 20000);
  std::size_t n = 0;
  for (std::size_t p = 0; (p = m.value().find("Web_Server_Port>", p)) != std::string::npos; ++p) ++n;
  EXPECT_EQ(n, 2u) << "one element (open and close tag): " << m.value();
  auto bad = merge_profiles("<flat-profile/>", "<flat-profile><Web_Server_Port>8", "next.xml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("next.xml:1:"), std::string::npos) << bad.error().message();
}

// Each worker's copy of the profile carries only the secrets it is given.
TEST(ToXml, SecretFilterKeepsOnlyTheNamedSecrets) {
  auto r = load_string("<flat-profile><VPN_Password>vpn-pw</VPN_Password><Password_1_>line-pw</Password_1_></flat-profile>");
  ASSERT_TRUE(r);
  std::string x = to_xml_keeping(r->config, [](std::string_view p) { return p == "VPN_Password"; });
  EXPECT_NE(x.find("vpn-pw"), std::string::npos);
  EXPECT_EQ(x.find("line-pw"), std::string::npos);
}

}  // namespace
}  // namespace phonesec::config

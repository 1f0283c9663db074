// SPDX-License-Identifier: Apache-2.0
// The firewall's behaviour as a table: each case is a config and an ordered list of frames
// (in or out) with the verdict and reason the real BPF programs must give, run with
// BPF_PROG_TEST_RUN on fresh maps. Rows of the seed's tables 3, 4 and 5, the stateful rules,
// and the frames the filter must not be fooled by.
#include <netinet/in.h>

#include <gtest/gtest.h>

#include "labkit/fw_harness.h"

namespace phonesec::test {
namespace {

using config::PhoneConfig;
using config::SipTransport;

// --- frame shorthands: "in" = remote → local, "out" = local → remote ----------------------
Frame udp_in(std::uint16_t sp, std::uint16_t dp) { return Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(sp, dp).done(); }
Frame udp_out(std::uint16_t sp, std::uint16_t dp) { return Build().eth().ipv4(L4, R4, IPPROTO_UDP).udp(sp, dp).done(); }
// Sequence numbers: ours start at 1000 (our SYN: 1000, so the peer acknowledges 1001), the
// peer's at 2000 (our segments acknowledge 2000: the peer's next segment is at 2000).
Frame tcp_in(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl, std::uint32_t seq = 2000, std::uint32_t ack = 1001) {
  return Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(sp, dp, fl, seq, (fl & 0x10) ? ack : 0).done();
}
Frame tcp_out(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl) { return Build().eth().ipv4(L4, R4, IPPROTO_TCP).tcp(sp, dp, fl).done(); }
Frame udp6_in(std::uint16_t sp, std::uint16_t dp) { return Build().eth().ipv6(R6, L6, IPPROTO_UDP).udp(sp, dp).done(); }
Frame udp6_out(std::uint16_t sp, std::uint16_t dp) { return Build().eth().ipv6(L6, R6, IPPROTO_UDP).udp(sp, dp).done(); }
Frame tcp6_in(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl, std::uint32_t seq = 2000) {
  return Build().eth().ipv6(R6, L6, IPPROTO_TCP).tcp(sp, dp, fl, seq, (fl & 0x10) ? 1001 : 0).done();
}
Frame tcp6_out(std::uint16_t sp, std::uint16_t dp, std::uint8_t fl) { return Build().eth().ipv6(L6, R6, IPPROTO_TCP).tcp(sp, dp, fl).done(); }
Frame icmp_in(std::uint8_t t, std::uint8_t c, std::uint16_t id = 0x77) { return Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(t, c, id).done(); }
Frame icmp_out(std::uint8_t t, std::uint8_t c, std::uint16_t id = 0x77) { return Build().eth().ipv4(L4, R4, IPPROTO_ICMP).icmp(t, c, id).done(); }
Frame icmp6_in(std::uint8_t t, std::uint8_t c, std::uint16_t id = 0x77, const std::string& dst = L6) {
  return Build().eth().ipv6(R6, dst, IPPROTO_ICMPV6).icmp(t, c, id).done();
}
Frame icmp6_out(std::uint8_t t, std::uint8_t c, std::uint16_t id = 0x77) { return Build().eth().ipv6(L6, R6, IPPROTO_ICMPV6).icmp(t, c, id).done(); }
// An ICMP error from a router (192.0.2.1) quoting a packet we sent to R4.
Frame icmp_err_in(std::uint8_t t, std::uint8_t c, const Frame& quoted_l3) {
  return Build().eth().ipv4("192.0.2.1", L4, IPPROTO_ICMP).icmp(t, c, 0, 0).bytes(quoted_l3).done();
}
// Our port-unreachable quoting a datagram R4 sent to our port dp.
Frame unreach_out(std::uint16_t dp) {
  return Build().eth().ipv4(L4, R4, IPPROTO_ICMP).icmp(3, 3, 0, 0).bytes(Build().ipv4(R4, L4, IPPROTO_UDP).udp(4000, dp).l3_only()).done();
}
Frame unreach6_out(std::uint16_t dp) {
  return Build().eth().ipv6(L6, R6, IPPROTO_ICMPV6).icmp(1, 4, 0, 0).bytes(Build().ipv6(R6, L6, IPPROTO_UDP).udp(4000, dp).l3_only()).done();
}

constexpr std::uint8_t SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08;

struct Step {
  bool out;
  Frame frame;
  bool pass;
  unsigned reason;
};
Step In(Frame f, bool pass, unsigned reason) { return {false, std::move(f), pass, reason}; }
Step Out(Frame f, bool pass = true, unsigned reason = PS_R_PASS_OUTBOUND) { return {true, std::move(f), pass, reason}; }
// Marker step: install the case's `reload` config (double-buffer swap) at this point.
Step Reload() { return {true, {}, true, PS_R_NONE}; }

struct Case {
  std::string name;
  std::function<void(PhoneConfig&)> cfg;
  std::vector<Step> steps;
  std::function<void(PhoneConfig&)> reload = nullptr;
};

void none(PhoneConfig&) {}

// A Firewall_Config value as cfg.xml carries it, through the grammar (seed table 5).
std::function<void(PhoneConfig&)> fw_config(std::string text) {
  return [text](PhoneConfig& c) {
    std::vector<config::Diagnostic> d;
    c.firewall = config::parse_firewall_config(text, d);
  };
}

std::vector<Case> cases() {
  std::vector<Case> v;
  // ---- Table 3: default-open UDP ports ------------------------------------------------------
  v.push_back({"dhcp_clients", none,
               {In(udp_in(67, 68), true, PS_R_PASS_UDP_PORT), In(udp6_in(547, 546), true, PS_R_PASS_UDP_PORT),
                In(udp_in(67, 69), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"sip_udp_line_enabled", none,
               {In(udp_in(5060, 5060), true, PS_R_PASS_UDP_PORT), In(udp6_in(5060, 5060), true, PS_R_PASS_UDP_PORT),
                In(udp_in(5060, 5061), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"sip_auto_transport_opens_udp", [](PhoneConfig& c) { c.lines[1] = c.lines[0]; c.lines[1].sip_port = 5062; c.lines[1].sip_transport = SipTransport::Auto; },
               {In(udp_in(5060, 5062), true, PS_R_PASS_UDP_PORT)}});
  v.push_back({"sip_tcp_or_tls_transport_keeps_udp_closed", [](PhoneConfig& c) { c.lines[0].sip_transport = SipTransport::TCP; c.lines[1] = c.lines[0]; c.lines[1].sip_port = 5062; c.lines[1].sip_transport = SipTransport::TLS; },
               {In(udp_in(5060, 5060), false, PS_R_DROP_UDP_PORT), In(udp_in(5060, 5062), false, PS_R_DROP_UDP_PORT),
                In(tcp_in(5060, 5060, SYN), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"sip_line_disabled", [](PhoneConfig& c) { c.lines[0].enable = false; },
               {In(udp_in(5060, 5060), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"rtp_range_min_to_max_plus_one", none,
               {In(udp_in(30000, 16384), true, PS_R_PASS_UDP_PORT), In(udp_in(30000, 16482), true, PS_R_PASS_UDP_PORT),
                In(udp_in(30000, 16483), true, PS_R_PASS_UDP_PORT), In(udp_in(30000, 16484), false, PS_R_DROP_UDP_PORT),
                In(udp_in(30000, 16383), false, PS_R_DROP_UDP_PORT), In(udp6_in(30000, 16400), true, PS_R_PASS_UDP_PORT)}});
  v.push_back({"pfs_needs_upgrade_and_sharing", [](PhoneConfig& c) { c.upgrade_enable = true; c.peer_firmware_sharing = true; },
               {In(udp_in(4051, 4051), true, PS_R_PASS_UDP_PORT), In(tcp_in(40000, 4051, SYN), true, PS_R_PASS_TCP_PORT),
                In(tcp_in(40000, 6970, SYN), true, PS_R_PASS_TCP_PORT)}});
  v.push_back({"pfs_off_when_only_upgrade", [](PhoneConfig& c) { c.upgrade_enable = true; c.peer_firmware_sharing = false; },
               {In(udp_in(4051, 4051), false, PS_R_DROP_UDP_PORT), In(tcp_in(40000, 6970, SYN), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"pfs_off_when_only_sharing", [](PhoneConfig& c) { c.upgrade_enable = false; c.peer_firmware_sharing = true; },
               {In(udp_in(4051, 4051), false, PS_R_DROP_UDP_PORT), In(tcp_in(40000, 4051, SYN), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"cisco_tftp_range", none,
               {In(udp_in(69, 53240), true, PS_R_PASS_UDP_PORT), In(udp_in(69, 53245), true, PS_R_PASS_UDP_PORT),
                In(udp_in(69, 53246), false, PS_R_DROP_UDP_PORT), In(udp_in(69, 53239), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"tr069_udp_and_connection_request", [](PhoneConfig& c) { c.tr069_enabled = true; },
               {In(udp_in(3478, 7999), true, PS_R_PASS_UDP_PORT), In(tcp_in(40000, kTr069Port, SYN), true, PS_R_PASS_TCP_PORT)}});
  v.push_back({"tr069_off", none,
               {In(udp_in(3478, 7999), false, PS_R_DROP_UDP_PORT), In(tcp_in(40000, kTr069Port, SYN), false, PS_R_DROP_TCP_PORT)}});
  // ---- Table 4: default-open TCP ports -------------------------------------------------------
  v.push_back({"web_server_port", none,
               {In(tcp_in(40000, 80, SYN), true, PS_R_PASS_TCP_PORT), In(tcp6_in(40000, 80, SYN), true, PS_R_PASS_TCP_PORT),
                In(tcp_in(40000, 443, SYN), false, PS_R_DROP_TCP_PORT), In(udp_in(40000, 80), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"web_server_custom_port", [](PhoneConfig& c) { c.web_server_port = 8080; },
               {In(tcp_in(40000, 8080, SYN), true, PS_R_PASS_TCP_PORT), In(tcp_in(40000, 80, SYN), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"web_server_disabled", [](PhoneConfig& c) { c.web_server_enabled = false; },
               {In(tcp_in(40000, 80, SYN), false, PS_R_DROP_TCP_PORT)}});
  // ---- Table 5: Firewall_Config options -----------------------------------------------------
  v.push_back({"ping_allowed_by_default", none,
               {In(icmp_in(8, 0), true, PS_R_PASS_ECHO_REQ), In(icmp6_in(128, 0), true, PS_R_PASS_ECHO_REQ)}});
  v.push_back({"no_icmp_ping", [](PhoneConfig& c) { c.firewall.no_icmp_ping = true; },
               {In(icmp_in(8, 0), false, PS_R_DROP_NO_PING), In(icmp6_in(128, 0), false, PS_R_DROP_NO_PING),
                Out(icmp_out(8, 0, 0x99)), In(icmp_in(0, 0, 0x99), true, PS_R_PASS_ECHO_REPLY)}});
  v.push_back({"no_icmp_unreachable_spares_rtp", [](PhoneConfig& c) { c.firewall.no_icmp_unreachable = true; },
               {Out(unreach_out(5555), false, PS_R_DROP_UNREACH), Out(unreach_out(16400)), Out(unreach_out(16483)),
                Out(unreach_out(16484), false, PS_R_DROP_UNREACH), Out(unreach6_out(5555), false, PS_R_DROP_UNREACH),
                Out(unreach6_out(16384)), Out(icmp_out(3, 1))}});
  v.push_back({"unreachable_sent_by_default", none, {Out(unreach_out(5555)), Out(unreach6_out(5555))}});
  v.push_back({"no_cisco_tftp_closes_range_but_port_69_works", [](PhoneConfig& c) { c.firewall.no_cisco_tftp = true; },
               {In(udp_in(69, 53240), false, PS_R_DROP_UDP_PORT), Out(udp_out(50000, 69)),
                In(udp_in(41000, 50000), true, PS_R_PASS_TFTP), In(udp_in(41001, 50000), true, PS_R_PASS_TFTP),
                In(udp_in(41000, 50001), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().ipv4("10.9.9.9", L4, IPPROTO_UDP).udp(41000, 50000).done(), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"udp_and_tcp_options", [](PhoneConfig& c) { c.firewall.udp = {{8000, 8010}, {9000, 9000}}; c.firewall.tcp = {{12000, 12000}, {13000, 13002}}; },
               {In(udp_in(1, 8000), true, PS_R_PASS_UDP_PORT), In(udp_in(1, 8010), true, PS_R_PASS_UDP_PORT),
                In(udp_in(1, 8011), false, PS_R_DROP_UDP_PORT), In(udp_in(1, 9000), true, PS_R_PASS_UDP_PORT),
                In(tcp_in(1, 12000, SYN), true, PS_R_PASS_TCP_PORT), In(tcp_in(1, 13002, SYN), true, PS_R_PASS_TCP_PORT),
                In(tcp_in(1, 13003, SYN), false, PS_R_DROP_TCP_PORT), In(tcp_in(1, 8000, SYN), false, PS_R_DROP_TCP_PORT),
                In(tcp6_in(1, 12000, SYN), true, PS_R_PASS_TCP_PORT)}});
  v.push_back({"seed_example_no_icmp_ping_tcp_12000_udp_8000_8010_v4_and_v6", fw_config("NO_ICMP_PING,TCP:12000,UDP:8000:8010"),
               {In(icmp_in(8, 0), false, PS_R_DROP_NO_PING), In(icmp6_in(128, 0), false, PS_R_DROP_NO_PING),
                In(tcp_in(1, 12000, SYN), true, PS_R_PASS_TCP_PORT), In(tcp6_in(1, 12000, SYN), true, PS_R_PASS_TCP_PORT),
                In(tcp_in(1, 12001, SYN), false, PS_R_DROP_TCP_PORT), In(udp_in(1, 8000), true, PS_R_PASS_UDP_PORT),
                In(udp6_in(1, 8010), true, PS_R_PASS_UDP_PORT), In(udp6_in(1, 8011), false, PS_R_DROP_UDP_PORT),
                In(udp_in(1, 7999), false, PS_R_DROP_UDP_PORT), In(udp_in(1, 12000), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"empty_firewall_config_keeps_the_default_ports", fw_config(""),
               {In(udp_in(67, 68), true, PS_R_PASS_UDP_PORT), In(udp_in(1, 53240), true, PS_R_PASS_UDP_PORT),
                In(icmp_in(8, 0), true, PS_R_PASS_ECHO_REQ), Out(unreach_out(5555))}});
  v.push_back({"at_most_five_udp_and_five_tcp_options", fw_config("UDP:9001,UDP:9002,udp:9003, UDP : 9004,UDP:9005:9006,UDP:9007,"
                                                                  "TCP:9101,TCP:9102,TCP:9103,TCP:9104:9105,TCP:9106,TCP:9107"),
               {In(udp_in(1, 9001), true, PS_R_PASS_UDP_PORT), In(udp_in(1, 9004), true, PS_R_PASS_UDP_PORT),
                In(udp_in(1, 9006), true, PS_R_PASS_UDP_PORT), In(udp_in(1, 9007), false, PS_R_DROP_UDP_PORT),
                In(tcp_in(1, 9105, SYN), true, PS_R_PASS_TCP_PORT), In(tcp_in(1, 9106, SYN), true, PS_R_PASS_TCP_PORT),
                In(tcp_in(1, 9107, SYN), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"bad_option_tokens_skipped_the_rest_applies", fw_config("FOO,UDP:0,UDP:70000,UDP:9:5,TCP:1:2:3,UDP:9100,NO_CISCO_TFTP"),
               {In(udp_in(1, 9100), true, PS_R_PASS_UDP_PORT), In(udp_in(1, 5), false, PS_R_DROP_UDP_PORT),
                In(udp_in(1, 9), false, PS_R_DROP_UDP_PORT), In(tcp_in(1, 2, SYN), false, PS_R_DROP_TCP_PORT),
                In(udp_in(69, 53240), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"no_icmp_unreachable_is_for_udp_only", [](PhoneConfig& c) { c.firewall.no_icmp_unreachable = true; },
               {Out(Build().eth().ipv4(L4, R4, IPPROTO_ICMP).icmp(3, 3, 0, 0).bytes(Build().ipv4(R4, L4, IPPROTO_TCP).tcp(4000, 5555, SYN).l3_only()).done()),
                Out(Build().eth().ipv4(L4, R4, IPPROTO_ICMP).icmp(3, 2, 0, 0).bytes(Build().ipv4(R4, L4, 47).payload(8).l3_only()).done()),
                Out(Build().eth().ipv6(L6, R6, IPPROTO_ICMPV6).icmp(1, 3, 0, 0).bytes(Build().ipv6(R6, L6, IPPROTO_UDP).udp(4000, 5555).l3_only()).done()),
                Out(unreach_out(5555), false, PS_R_DROP_UNREACH)}});
  v.push_back({"no_icmp_unreachable_rtp_range_edges", [](PhoneConfig& c) { c.firewall.no_icmp_unreachable = true; c.rtp_port_min = 20000; c.rtp_port_max = 20010; },
               {Out(unreach_out(19999), false, PS_R_DROP_UNREACH), Out(unreach_out(20000)), Out(unreach_out(20011)),
                Out(unreach_out(20012), false, PS_R_DROP_UNREACH), Out(unreach6_out(20011)), Out(unreach6_out(19999), false, PS_R_DROP_UNREACH)}});
  v.push_back({"no_icmp_unreachable_ignored_when_disabled", [](PhoneConfig& c) { c.firewall.no_icmp_unreachable = true; c.firewall_enabled = false; },
               {Out(unreach_out(5555))}});
  v.push_back({"tftp_port_69_over_ipv6_with_no_cisco_tftp", [](PhoneConfig& c) { c.firewall.no_cisco_tftp = true; },
               {In(udp6_in(41000, 50000), false, PS_R_DROP_UDP_PORT), Out(udp6_out(50000, 69)),
                In(udp6_in(41000, 50000), true, PS_R_PASS_TFTP), In(udp6_in(41000, 50002), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().ipv6("fd00::9", L6, IPPROTO_UDP).udp(41000, 50000).done(), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"tftp_port_69_also_without_no_cisco_tftp", none,
               {Out(udp_out(50000, 69)), In(udp_in(41000, 50000), true, PS_R_PASS_TFTP)}});
  v.push_back({"tftp_expectation_ends_with_the_udp_timeout", [](PhoneConfig& c) { c.firewall.no_cisco_tftp = true; c.fw_tunables.udp_timeout_s = 0; },
               {Out(udp_out(50000, 69)), In(udp_in(41000, 50000), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"table3_rows_over_ipv6", [](PhoneConfig& c) { c.upgrade_enable = true; c.peer_firmware_sharing = true; c.tr069_enabled = true; },
               {In(udp6_in(1, 16384), true, PS_R_PASS_UDP_PORT), In(udp6_in(1, 16483), true, PS_R_PASS_UDP_PORT),
                In(udp6_in(1, 4051), true, PS_R_PASS_UDP_PORT), In(udp6_in(1, 53245), true, PS_R_PASS_UDP_PORT),
                In(udp6_in(1, 7999), true, PS_R_PASS_UDP_PORT), In(tcp6_in(1, 6970, SYN), true, PS_R_PASS_TCP_PORT),
                In(tcp6_in(1, kTr069Port, SYN), true, PS_R_PASS_TCP_PORT), In(udp6_in(1, 6970), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"sip_ports_of_several_lines", [](PhoneConfig& c) {
                 c.lines[1] = c.lines[0]; c.lines[1].sip_port = 5070;
                 c.lines[2] = c.lines[0]; c.lines[2].sip_port = 5080; c.lines[2].enable = false;
                 c.lines[3] = c.lines[0]; c.lines[3].sip_port = 5090; c.lines[3].sip_transport = SipTransport::Auto; },
               {In(udp_in(1, 5060), true, PS_R_PASS_UDP_PORT), In(udp_in(1, 5070), true, PS_R_PASS_UDP_PORT),
                In(udp_in(1, 5080), false, PS_R_DROP_UDP_PORT), In(udp6_in(1, 5090), true, PS_R_PASS_UDP_PORT),
                In(tcp_in(1, 5090, SYN), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"ipv6_multicast_echo_with_broadcast_echo_ignores_no_icmp_ping_unicast_does_not", [](PhoneConfig& c) { c.broadcast_echo = true; },
               {In(icmp6_in(128, 0, 1, "ff02::1"), true, PS_R_PASS_MCAST_ECHO6), In(icmp6_in(128, 0, 1, "ff05::1:3"), true, PS_R_PASS_MCAST_ECHO6),
                In(icmp6_in(128, 0, 1), true, PS_R_PASS_ECHO_REQ)}});
  v.push_back({"firewall_disabled_passes_everything", [](PhoneConfig& c) { c.firewall_enabled = false; },
               {In(udp_in(1, 9), true, PS_R_PASS_DISABLED), In(tcp_in(1, 22, SYN), true, PS_R_PASS_DISABLED),
                In(icmp_in(13, 0), true, PS_R_PASS_DISABLED)}});
  // ---- always ---------------------------------------------------------------------------------
  v.push_back({"non_ip_frames_pass", none,
               {In(Build().eth(0x0806).payload(28).done(), true, PS_R_PASS_NON_IP),
                In(Build().eth(0x888e).payload(4).done(), true, PS_R_PASS_NON_IP),
                In(Build().eth(0x88cc).payload(20).done(), true, PS_R_PASS_NON_IP),
                In(Build().eth().vlan(100).ethertype(0x888e).payload(4).done(), true, PS_R_PASS_NON_IP)}});
  v.push_back({"icmp6_nd_and_mld_pass", [](PhoneConfig& c) { c.firewall.no_icmp_ping = true; },
               {In(icmp6_in(135, 0), true, PS_R_PASS_ICMP6_NDP), In(icmp6_in(136, 0), true, PS_R_PASS_ICMP6_NDP),
                In(icmp6_in(134, 0, 0, "ff02::1"), true, PS_R_PASS_ICMP6_NDP), In(icmp6_in(130, 0, 0, "ff02::1"), true, PS_R_PASS_ICMP6_NDP),
                In(icmp6_in(143, 0, 0, "ff02::16"), true, PS_R_PASS_ICMP6_NDP), In(icmp6_in(200, 0), false, PS_R_DROP_ICMP)}});
  // Redirects drop in both families (README, firewall semantics): a phone never needs another
  // first hop, and a forged redirect diverts its traffic.
  v.push_back({"redirects_drop_v4_and_v6", none,
               {Out(udp_out(33000, 53)), Out(udp6_out(33000, 53)),
                In(Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(5, 1, 0, 0).bytes(Build().ipv4(L4, "192.0.2.9", IPPROTO_UDP).udp(33000, 53).l3_only()).done(), false, PS_R_DROP_ICMP),
                In(Build().eth().ipv6("fe80::1", L6, IPPROTO_ICMPV6).icmp(137, 0, 0, 0).payload(32).done(), false, PS_R_DROP_ICMP),
                In(icmp6_in(137, 0), false, PS_R_DROP_ICMP)}});
  v.push_back({"ipv6_multicast_echo_follows_broadcast_echo", [](PhoneConfig& c) { c.broadcast_echo = true; c.firewall.no_icmp_ping = true; },
               {In(icmp6_in(128, 0, 1, "ff02::1"), true, PS_R_PASS_MCAST_ECHO6), In(icmp6_in(128, 0, 1), false, PS_R_DROP_NO_PING)}});
  v.push_back({"ipv6_multicast_echo_off", none,
               {In(icmp6_in(128, 0, 1, "ff02::1"), false, PS_R_DROP_MCAST_ECHO6), In(icmp6_in(128, 0, 1), true, PS_R_PASS_ECHO_REQ)}});
  v.push_back({"outbound_always_passes", [](PhoneConfig& c) { c.firewall.no_icmp_ping = true; },
               {Out(tcp_out(40000, 22, SYN)), Out(udp_out(1, 9)), Out(icmp_out(8, 0)), Out(icmp6_out(128, 0)),
                Out(Build().eth().ipv4(L4, R4, 47).payload(8).done())}});
  v.push_back({"igmp_passes_other_protocols_drop", none,
               {In(Build().eth().ipv4(R4, L4, IPPROTO_IGMP).payload(8).done(), true, PS_R_PASS_IGMP),
                In(Build().eth().ipv4(R4, L4, 47).payload(8).done(), false, PS_R_DROP_PROTO),
                In(Build().eth().ipv4(R4, L4, 50).payload(8).done(), false, PS_R_DROP_PROTO),
                In(Build().eth().ipv6(R6, L6, 59).done(), false, PS_R_DROP_PROTO)}});
  // ---- stateful --------------------------------------------------------------------------------
  v.push_back({"tcp_outbound_opens_return_path", none,
               {In(tcp_in(443, 40000, SYN | ACK), false, PS_R_DROP_TCP_PORT), Out(tcp_out(40000, 443, SYN)),
                In(tcp_in(443, 40000, SYN | ACK), true, PS_R_PASS_CT), Out(tcp_out(40000, 443, ACK)),
                In(tcp_in(443, 40000, ACK | PSH), true, PS_R_PASS_CT),
                In(tcp_in(443, 40001, ACK), false, PS_R_DROP_TCP_PORT),
                In(Build().eth().ipv4("10.0.0.3", L4, IPPROTO_TCP).tcp(443, 40000, ACK).done(), false, PS_R_DROP_TCP_PORT),
                In(tcp_in(444, 40000, ACK), false, PS_R_DROP_TCP_PORT)}});
  // RFC 5961 §3: an inbound RST ends a flow only at exactly the sequence number our last ACK
  // asked for (2000 here); inside the window (65535 << 14) it passes and the flow stays (the
  // stack challenges it); outside it drops.
  v.push_back({"tcp_rst_ends_flow", none,
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, SYN | ACK), true, PS_R_PASS_CT),
                Out(tcp_out(40000, 443, ACK)),
                In(tcp_in(443, 40000, RST), true, PS_R_PASS_CT), In(tcp_in(443, 40000, ACK), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"tcp_blind_rst_cannot_end_flow", none,
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, SYN | ACK), true, PS_R_PASS_CT),
                Out(tcp_out(40000, 443, ACK)),
                In(tcp_in(443, 40000, RST, 1999), false, PS_R_DROP_RST_WINDOW),
                In(tcp_in(443, 40000, RST | ACK, 2000u + (65535u << 14)), false, PS_R_DROP_RST_WINDOW),
                In(tcp_in(443, 40000, RST, 0x80000000u), false, PS_R_DROP_RST_WINDOW),
                In(tcp_in(443, 40000, RST, 2001), true, PS_R_PASS_RST_IN_WINDOW),
                In(tcp_in(443, 40000, RST | ACK, 2000u + (65535u << 14) - 1), true, PS_R_PASS_RST_IN_WINDOW),
                In(tcp_in(443, 40000, ACK | PSH), true, PS_R_PASS_CT),
                In(tcp_in(443, 40000, RST | ACK), true, PS_R_PASS_CT), In(tcp_in(443, 40000, ACK), false, PS_R_DROP_TCP_PORT)}});
  // The window is the one of our last ACK: 0 leaves the exact sequence number only.
  v.push_back({"tcp_rst_zero_window_exact_only", none,
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, SYN | ACK), true, PS_R_PASS_CT),
                Out(Build().eth().ipv4(L4, R4, IPPROTO_TCP).tcp(40000, 443, ACK, 1001, 5000, 0).done()),
                In(tcp_in(443, 40000, RST, 5001), false, PS_R_DROP_RST_WINDOW),
                In(tcp_in(443, 40000, RST, 2000), false, PS_R_DROP_RST_WINDOW),
                In(tcp_in(443, 40000, RST, 5000), true, PS_R_PASS_CT), In(tcp_in(443, 40000, ACK), false, PS_R_DROP_TCP_PORT)}});
  // Before any ACK of ours (our SYN out): an RST ends the attempt only when it acknowledges our
  // SYN (a refused connection: RST|ACK, ack 1001).
  v.push_back({"tcp_rst_to_our_syn", none,
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, RST), false, PS_R_DROP_RST_WINDOW),
                In(tcp_in(443, 40000, RST | ACK, 0, 1002), false, PS_R_DROP_RST_WINDOW),
                In(tcp_in(443, 40000, RST | ACK, 0, 1001), true, PS_R_PASS_CT),
                In(tcp_in(443, 40000, SYN | ACK), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"tcp_outbound_rst_ends_flow", none,
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, SYN | ACK), true, PS_R_PASS_CT),
                Out(tcp_out(40000, 443, RST)), In(tcp_in(443, 40000, ACK), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"tcp_fin_both_ways_then_close_timeout", [](PhoneConfig& c) { c.fw_tunables.tcp_close_timeout_s = 0; },
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, SYN | ACK), true, PS_R_PASS_CT),
                Out(tcp_out(40000, 443, FIN | ACK)), In(tcp_in(443, 40000, ACK), true, PS_R_PASS_CT),
                In(tcp_in(443, 40000, FIN | ACK), true, PS_R_PASS_CT), In(tcp_in(443, 40000, ACK), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"tcp_half_close_keeps_flow", [](PhoneConfig& c) { c.fw_tunables.tcp_close_timeout_s = 0; },
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, SYN | ACK), true, PS_R_PASS_CT),
                Out(tcp_out(40000, 443, FIN | ACK)), In(tcp_in(443, 40000, ACK | PSH), true, PS_R_PASS_CT),
                In(tcp_in(443, 40000, ACK | PSH), true, PS_R_PASS_CT)}});
  v.push_back({"tcp_syn_timeout", [](PhoneConfig& c) { c.fw_tunables.tcp_syn_timeout_s = 0; },
               {Out(tcp_out(40000, 443, SYN)), In(tcp_in(443, 40000, SYN | ACK), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"tcp_v6_flow", none,
               {Out(tcp6_out(40000, 5061, SYN)), In(tcp6_in(5061, 40000, SYN | ACK), true, PS_R_PASS_CT),
                In(tcp6_in(5061, 40001, SYN | ACK), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"udp_outbound_opens_return_path", none,
               {In(udp_in(53, 33000), false, PS_R_DROP_UDP_PORT), Out(udp_out(33000, 53)), In(udp_in(53, 33000), true, PS_R_PASS_CT),
                In(udp_in(54, 33000), false, PS_R_DROP_UDP_PORT), Out(udp6_out(33000, 53)),
                In(udp6_in(53, 33000), true, PS_R_PASS_CT)}});
  v.push_back({"udp_idle_timeout", [](PhoneConfig& c) { c.fw_tunables.udp_timeout_s = 0; },
               {Out(udp_out(33000, 53)), In(udp_in(53, 33000), false, PS_R_DROP_UDP_PORT)}});
  v.push_back({"spoofed_inbound_creates_nothing", none,
               {In(udp_in(53, 33000), false, PS_R_DROP_UDP_PORT), In(udp_in(53, 33000), false, PS_R_DROP_UDP_PORT),
                In(tcp_in(443, 40000, SYN), false, PS_R_DROP_TCP_PORT), In(tcp_in(443, 40000, ACK), false, PS_R_DROP_TCP_PORT),
                In(icmp_in(0, 0), false, PS_R_DROP_ICMP), In(icmp_in(0, 0), false, PS_R_DROP_ICMP)}});
  v.push_back({"echo_reply_to_our_ping_only", none,
               {In(icmp_in(0, 0, 0x77), false, PS_R_DROP_ICMP), Out(icmp_out(8, 0, 0x77)), In(icmp_in(0, 0, 0x77), true, PS_R_PASS_ECHO_REPLY),
                In(icmp_in(0, 0, 0x78), false, PS_R_DROP_ICMP), Out(icmp6_out(128, 0, 0x55)),
                In(icmp6_in(129, 0, 0x55), true, PS_R_PASS_ECHO_REPLY), In(icmp6_in(129, 0, 0x56), false, PS_R_DROP_ICMP)}});
  v.push_back({"icmp_errors_related_to_tracked_flows", none,
               {In(icmp_err_in(3, 3, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), false, PS_R_DROP_ICMP),
                Out(udp_out(33000, 53)),
                In(icmp_err_in(3, 1, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                In(icmp_err_in(11, 0, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                In(icmp_err_in(3, 3, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33001, 53).l3_only()), false, PS_R_DROP_ICMP),
                Out(tcp_out(40000, 443, SYN)),
                In(icmp_err_in(3, 4, Build().ipv4(L4, R4, IPPROTO_TCP).tcp(40000, 443, SYN).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                Out(icmp_out(8, 0, 0x31)),
                In(icmp_err_in(11, 0, Build().ipv4(L4, R4, IPPROTO_ICMP).icmp(8, 0, 0x31).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                In(icmp_err_in(5, 0, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), false, PS_R_DROP_ICMP)}});
  // Port and protocol unreachable come from the quoted destination itself (R4 here), not from
  // a third party; errors routers send (host unreachable, frag needed, time exceeded, parameter
  // problem) may come from anywhere on the path.
  v.push_back({"icmp_host_errors_from_the_quoted_destination_only", none,
               {Out(udp_out(33000, 53)), Out(tcp_out(40000, 443, SYN)),
                In(icmp_err_in(3, 3, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), false, PS_R_DROP_ICMP_SOURCE),
                In(icmp_err_in(3, 2, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), false, PS_R_DROP_ICMP_SOURCE),
                In(Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(3, 3, 0, 0).bytes(Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()).done(), true, PS_R_PASS_ICMP_RELATED),
                In(Build().eth().ipv4(R4, L4, IPPROTO_ICMP).icmp(3, 2, 0, 0).bytes(Build().ipv4(L4, R4, IPPROTO_TCP).tcp(40000, 443, SYN).l3_only()).done(), true, PS_R_PASS_ICMP_RELATED),
                In(icmp_err_in(3, 1, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                In(icmp_err_in(3, 13, Build().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                In(icmp_err_in(3, 4, Build().ipv4(L4, R4, IPPROTO_TCP).tcp(40000, 443, SYN).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                In(icmp_err_in(12, 0, Build().ipv4(L4, R4, IPPROTO_TCP).tcp(40000, 443, SYN).l3_only()), true, PS_R_PASS_ICMP_RELATED),
                Out(udp6_out(33000, 53)),
                In(Build().eth().ipv6("fd00::99", L6, IPPROTO_ICMPV6).icmp(1, 4, 0, 0).bytes(Build().ipv6(L6, R6, IPPROTO_UDP).udp(33000, 53).l3_only()).done(), false, PS_R_DROP_ICMP_SOURCE),
                In(Build().eth().ipv6(R6, L6, IPPROTO_ICMPV6).icmp(1, 4, 0, 0).bytes(Build().ipv6(L6, R6, IPPROTO_UDP).udp(33000, 53).l3_only()).done(), true, PS_R_PASS_ICMP_RELATED),
                In(Build().eth().ipv6("fd00::99", L6, IPPROTO_ICMPV6).icmp(1, 3, 0, 0).bytes(Build().ipv6(L6, R6, IPPROTO_UDP).udp(33000, 53).l3_only()).done(), true, PS_R_PASS_ICMP_RELATED),
                In(Build().eth().ipv6("fd00::99", L6, IPPROTO_ICMPV6).icmp(3, 0, 0, 0).bytes(Build().ipv6(L6, R6, IPPROTO_UDP).udp(33000, 53).l3_only()).done(), true, PS_R_PASS_ICMP_RELATED)}});
  v.push_back({"icmp6_errors_related", none,
               {Out(udp6_out(33000, 53)),
                In(Build().eth().ipv6("fd00::99", L6, IPPROTO_ICMPV6).icmp(2, 0, 0, 1280).bytes(Build().ipv6(L6, R6, IPPROTO_UDP).udp(33000, 53).l3_only()).done(), true, PS_R_PASS_ICMP_RELATED),
                In(Build().eth().ipv6("fd00::99", L6, IPPROTO_ICMPV6).icmp(1, 4, 0, 0).bytes(Build().ipv6(L6, R6, IPPROTO_UDP).udp(33001, 53).l3_only()).done(), false, PS_R_DROP_ICMP)}});
  // ---- reload keeps flows ------------------------------------------------------------------------
  v.push_back({"reload_keeps_outbound_flow_and_applies_new_ports", none,
               {Out(tcp_out(40000, 5061, SYN)), In(tcp_in(5061, 40000, SYN | ACK), true, PS_R_PASS_CT),
                In(udp_in(1, 9000), false, PS_R_DROP_UDP_PORT), Reload(),
                In(tcp_in(5061, 40000, ACK), true, PS_R_PASS_CT), In(udp_in(1, 9000), true, PS_R_PASS_UDP_PORT),
                In(tcp_in(40000, 80, SYN), false, PS_R_DROP_TCP_PORT)},
               [](PhoneConfig& c) { c.firewall.udp = {{9000, 9000}}; c.web_server_enabled = false; }});
  v.push_back({"reload_closing_a_port_keeps_its_established_connections", none,
               {In(tcp_in(40000, 80, SYN), true, PS_R_PASS_TCP_PORT), Out(tcp_out(80, 40000, SYN | ACK)), Reload(),
                In(tcp_in(40000, 80, ACK), true, PS_R_PASS_CT), In(tcp_in(40001, 80, SYN), false, PS_R_DROP_TCP_PORT)},
               [](PhoneConfig& c) { c.web_server_enabled = false; }});
  // ---- not fooled ------------------------------------------------------------------------------------
  v.push_back({"vlan_tags", none,
               {In(Build().eth().vlan(100).ipv4(R4, L4, IPPROTO_UDP).udp(1, 5060).done(), true, PS_R_PASS_UDP_PORT),
                In(Build().eth().vlan(100).ipv4(R4, L4, IPPROTO_UDP).udp(1, 5059).done(), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().vlan(10, 0x88a8).vlan(100).ipv4(R4, L4, IPPROTO_UDP).udp(1, 5059).done(), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().vlan(10, 0x88a8).vlan(100).ipv6(R6, L6, IPPROTO_TCP).tcp(1, 80, SYN).done(), true, PS_R_PASS_TCP_PORT),
                In(Build().eth().vlan(100).ipv6(R6, L6, IPPROTO_TCP).tcp(1, 81, SYN).done(), false, PS_R_DROP_TCP_PORT)}});
  v.push_back({"ipv4_options", none,
               {In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {0x94, 0x04, 0, 0}).udp(1, 5060).done(), true, PS_R_PASS_UDP_PORT),
                In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, std::vector<std::uint8_t>(40, 1)).udp(1, 5059).done(), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().ipv4(R4, L4, IPPROTO_TCP, std::vector<std::uint8_t>(40, 1)).tcp(1, 80, SYN).done(), true, PS_R_PASS_TCP_PORT)}});
  v.push_back({"ipv6_extension_headers", none,
               {In(Build().eth().ipv6(R6, L6, 0).ext6(0, 60).ext6(60, IPPROTO_UDP, 1).udp(1, 5060).done(), true, PS_R_PASS_UDP_PORT),
                In(Build().eth().ipv6(R6, L6, 0).ext6(0, 43).ext6(43, IPPROTO_UDP).udp(1, 5059).done(), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().ipv6(R6, L6, 0).ext6(0, 60).ext6(60, IPPROTO_TCP).tcp(1, 80, SYN).done(), true, PS_R_PASS_TCP_PORT),
                In(Build().eth().ipv6(R6, L6, 0).ext6(0, IPPROTO_ICMPV6).icmp(135, 0).done(), true, PS_R_PASS_ICMP6_NDP)}});
  {
    auto long_chain = [](int n, std::uint16_t port) {
      Build b;
      b.eth().ipv6(R6, L6, 60);
      for (int i = 0; i < n; ++i) b.ext6(60, i + 1 < n ? 60 : IPPROTO_UDP);
      return b.udp(1, port).done();
    };
    // An extension header whose length runs past the end of the frame.
    Frame truncated_ext = Build().eth().ipv6(R6, L6, 60).ext6(60, IPPROTO_UDP, 4).udp(1, 5060).done();
    truncated_ext.resize(14 + 40 + 16);
    v.push_back({"ipv6_extension_chain_bounded", none,
                 {In(long_chain(8, 5060), true, PS_R_PASS_UDP_PORT), In(long_chain(9, 5060), false, PS_R_DROP_EXTHDR),
                  In(long_chain(20, 5060), false, PS_R_DROP_EXTHDR),
                  // A whole header that ends beyond what the filter parses (1023 bytes): fail closed.
                  In(Build().eth().ipv6(R6, L6, 60).ext6(60, IPPROTO_UDP, 200).udp(1, 5060).done(), false, PS_R_DROP_EXTHDR),
                  In(truncated_ext, false, PS_R_DROP_MALFORMED)}});
  }
  v.push_back({"third_vlan_tag_is_malformed_not_non_ip", none,
               {In(Build().eth().vlan(10, 0x88a8).vlan(100).vlan(200).ipv4(R4, L4, IPPROTO_UDP).udp(1, 5059).done(), false, PS_R_DROP_MALFORMED),
                In(Build().eth().vlan(10, 0x9100).vlan(100).vlan(200).ethertype(0x0806).payload(28).done(), false, PS_R_DROP_MALFORMED),
                Out(Build().eth().vlan(10, 0x88a8).vlan(100).vlan(200).ipv4(L4, R4, IPPROTO_UDP).udp(1, 53).done())}});
  {
    // IPv4 options cut short by the end of the frame: a later fragment and an IGMP packet
    // (neither has a transport header the filter would otherwise check).
    Frame frag = Build().eth().ipv4(R4, L4, IPPROTO_UDP, std::vector<std::uint8_t>(40, 1), 0x100, 9, false).done();
    frag.resize(14 + 20 + 8);
    Frame igmp = Build().eth().ipv4(R4, L4, IPPROTO_IGMP, std::vector<std::uint8_t>(40, 1)).done();
    igmp.resize(14 + 30);
    v.push_back({"ipv4_options_must_be_whole", none, {In(frag, false, PS_R_DROP_MALFORMED), In(igmp, false, PS_R_DROP_MALFORMED)}});
  }
  v.push_back({"ipv6_fragments_with_headers_after_the_fragment_header", none,
               {In(Build().eth().ipv6(R6, L6, IPPROTO_UDP).frag6(IPPROTO_UDP, 21, 0, true).ext6(60, IPPROTO_UDP).udp(1, 5060).payload(64).done(), true, PS_R_PASS_UDP_PORT),
                In(Build().eth().ipv6(R6, L6, 60).frag6(60, 21, 9, false).payload(64).done(), true, PS_R_PASS_FRAG),
                In(Build().eth().ipv6(R6, L6, IPPROTO_UDP).frag6(IPPROTO_UDP, 22, 0, true).ext6(60, IPPROTO_UDP).udp(1, 5059).payload(64).done(), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().ipv6(R6, L6, 60).frag6(60, 22, 9, false).payload(64).done(), false, PS_R_DROP_FRAG)}});
  {
    Build b;
    b.eth().ipv6(R6, L6, IPPROTO_UDP);
    for (int i = 0; i < 8; ++i) b.ext6(60, IPPROTO_UDP);
    v.push_back({"ninth_header_a_later_fragment_is_one_too_many", none,
                 {In(b.frag6(IPPROTO_UDP, 5, 9, false).payload(16).done(), false, PS_R_DROP_EXTHDR)}});
  }
  v.push_back({"ipv4_fragments_follow_first", none,
               {In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x100, 0, true).udp(1, 5060).payload(64).done(), true, PS_R_PASS_UDP_PORT),
                In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x100, 9, false).payload(64).done(), true, PS_R_PASS_FRAG),
                In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x101, 0, true).udp(1, 5059).payload(64).done(), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x101, 9, false).payload(64).done(), false, PS_R_DROP_FRAG),
                In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x102, 9, false).payload(64).done(), false, PS_R_DROP_FRAG_ORPHAN),
                In(Build().eth().ipv4("10.0.0.3", L4, IPPROTO_UDP, {}, 0x100, 9, false).payload(64).done(), false, PS_R_DROP_FRAG_ORPHAN),
                In(Build().eth().ipv4(R4, L4, IPPROTO_TCP, {}, 0x100, 9, false).payload(64).done(), false, PS_R_DROP_FRAG_ORPHAN)}});
  v.push_back({"ipv6_fragments_follow_first", none,
               {In(Build().eth().ipv6(R6, L6, 0).frag6(IPPROTO_UDP, 7, 0, true).udp(1, 5060).payload(64).done(), true, PS_R_PASS_UDP_PORT),
                In(Build().eth().ipv6(R6, L6, 0).frag6(IPPROTO_UDP, 7, 9, false).payload(64).done(), true, PS_R_PASS_FRAG),
                In(Build().eth().ipv6(R6, L6, 0).frag6(IPPROTO_UDP, 8, 0, true).udp(1, 5059).payload(64).done(), false, PS_R_DROP_UDP_PORT),
                In(Build().eth().ipv6(R6, L6, 0).frag6(IPPROTO_UDP, 8, 9, false).payload(64).done(), false, PS_R_DROP_FRAG),
                In(Build().eth().ipv6(R6, L6, 0).frag6(IPPROTO_UDP, 9, 9, true).payload(64).done(), false, PS_R_DROP_FRAG_ORPHAN),
                In(Build().eth().ipv6(R6, L6, 0).ext6(0, 44).frag6(IPPROTO_UDP, 7, 18, false).payload(64).done(), true, PS_R_PASS_FRAG)}});
  v.push_back({"fragment_timeout", [](PhoneConfig& c) { c.fw_tunables.frag_timeout_s = 0; },
               {In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x100, 0, true).udp(1, 5060).payload(64).done(), true, PS_R_PASS_UDP_PORT),
                In(Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x100, 9, false).payload(64).done(), false, PS_R_DROP_FRAG_ORPHAN)}});
  {
    Frame short_ip = Build().eth().ipv4(R4, L4, IPPROTO_UDP).udp(1, 5060).done();
    Frame cut_ip(short_ip.begin(), short_ip.begin() + 14 + 12);
    Frame bad_ihl = short_ip;
    bad_ihl[14] = 0x44;  // IHL 4 (< 20 bytes)
    Frame bad_ver = short_ip;
    bad_ver[14] = 0x65;
    Frame tcp_short = Build().eth().ipv4(R4, L4, IPPROTO_TCP).payload(10).done();
    tcp_short.resize(14 + 20 + 10);
    Frame bad_doff = Build().eth().ipv4(R4, L4, IPPROTO_TCP).tcp(1, 80, SYN).done();
    bad_doff[14 + 20 + 12] = 0x40;  // data offset 4 words
    Frame first_frag_no_l4 = Build().eth().ipv4(R4, L4, IPPROTO_UDP, {}, 0x200, 0, true).payload(4).done();
    first_frag_no_l4.resize(14 + 20 + 4);
    Frame tiny = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};  // EtherType IPv4, no header
    Frame v6_cut = Build().eth().ipv6(R6, L6, IPPROTO_UDP).udp(1, 5060).done();
    v6_cut.resize(14 + 30);
    v.push_back({"truncated_and_malformed_headers", none,
                 {In(cut_ip, false, PS_R_DROP_MALFORMED), In(bad_ihl, false, PS_R_DROP_MALFORMED), In(bad_ver, false, PS_R_DROP_MALFORMED),
                  In(tcp_short, false, PS_R_DROP_MALFORMED), In(bad_doff, false, PS_R_DROP_MALFORMED),
                  In(first_frag_no_l4, false, PS_R_DROP_MALFORMED), In(tiny, false, PS_R_DROP_MALFORMED),
                  In(v6_cut, false, PS_R_DROP_MALFORMED), Out(bad_ihl), Out(tcp_short)}});  // ours: pass
  }
  return v;
}

class VerdictTable : public ::testing::TestWithParam<Case> {};

TEST_P(VerdictTable, FramesGetTheirVerdictAndReason) {
  const Case& c = GetParam();
  FwHarness h;
  PhoneConfig cfg = base_config();
  c.cfg(cfg);
  h.install(cfg);
  int i = 0;
  for (const auto& s : c.steps) {
    ++i;
    if (s.frame.empty()) {  // Reload()
      ASSERT_TRUE(c.reload) << "case has a Reload step but no reload config";
      PhoneConfig next = base_config();
      c.cfg(next);
      c.reload(next);
      h.install(next);
      continue;
    }
    auto v = s.out ? h.out(s.frame) : h.in(s.frame);
    EXPECT_EQ(v.pass, s.pass) << c.name << " step " << i << " (" << (s.out ? "out" : "in") << "): reason "
                              << fw::reason_name(v.reason);
    EXPECT_EQ(fw::reason_name(v.reason), std::string(fw::reason_name(s.reason))) << c.name << " step " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Firewall, VerdictTable, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

// Without any installed policy the ingress program fails closed for IP, passes non-IP.
TEST(VerdictNoPolicy, FailsClosed) {
  FwHarness h;
  auto v = h.in(udp_in(1, 5060));
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.reason, unsigned(PS_R_DROP_NO_POLICY));
  v = h.in(Build().eth(0x0806).payload(28).done());
  EXPECT_TRUE(v.pass);
}

// Conntrack is created on egress only: after a burst of spoofed inbound frames the tables
// are empty; one outbound flow makes exactly one entry with our side as "local".
TEST(Conntrack, OnlyEgressCreatesEntries) {
  FwHarness h;
  h.install(base_config());
  for (std::uint16_t p = 1000; p < 1100; ++p) {
    h.in(udp_in(p, 33000));
    h.in(tcp_in(p, 40000, SYN | ACK));
  }
  auto flows = fw::read_flows(h.fw().maps());
  ASSERT_TRUE(flows.ok());
  EXPECT_TRUE(flows->empty());
  h.out(udp_out(33000, 53));
  flows = fw::read_flows(h.fw().maps());
  ASSERT_TRUE(flows.ok());
  ASSERT_EQ(flows->size(), 1u);
  const auto& f = flows->front();
  EXPECT_EQ(f.key.proto, IPPROTO_UDP);
  EXPECT_EQ(ntohs(f.key.lport), 33000);
  EXPECT_EQ(ntohs(f.key.rport), 53);
  EXPECT_EQ(f.key.laddr[0], inet_addr(L4.c_str()));
  EXPECT_EQ(f.key.raddr[0], inet_addr(R4.c_str()));
}

// Counters: each verdict bumps its reason for its direction, bytes included.
TEST(Stats, PerReasonCounters) {
  FwHarness h;
  h.install(base_config());
  Frame f = udp_in(1, 5059);
  for (int i = 0; i < 3; ++i) h.in(f);
  h.out(udp_out(1, 2));
  auto s = fw::read_stats(h.fw().maps());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[PS_DIR_IN * PS_R_MAX + PS_R_DROP_UDP_PORT].packets, 3u);
  EXPECT_EQ((*s)[PS_DIR_IN * PS_R_MAX + PS_R_DROP_UDP_PORT].bytes, 3u * f.size());
  EXPECT_EQ((*s)[PS_DIR_OUT * PS_R_MAX + PS_R_PASS_OUTBOUND].packets, 1u);
}

}  // namespace
}  // namespace phonesec::test

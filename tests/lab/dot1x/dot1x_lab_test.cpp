// SPDX-License-Identifier: Apache-2.0
// phonesec-dot1x against hostapd (driver=wired, integrated EAP server) on veth pairs in
// namespaces: EAP-TLS success, wrong CA both ways, PC behind the phone, proxy Logoff. Root only.
#include <gtest/gtest.h>

#include "dot1x_lab.h"

namespace phonesec::test::dot1x {
namespace {

using namespace std::chrono_literals;

// A number from the status JSON ("key":123), -1 if absent.
long json_num(const std::string& j, const std::string& key) {
  auto p = j.find("\"" + key + "\":");
  return p == std::string::npos ? -1 : std::atol(j.c_str() + p + key.size() + 3);
}

TEST(Dot1xLab, EapTlsSuccessFromLinkUp) {
  Lab lab;
  lab.start_hostapd();
  auto& phone = lab.start_phone(lab.tls_args());
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Authenticating\""); }, 3s)) << lab.status_json();
  EXPECT_EQ(lab.sta(kPhoneMac), "") << "the wired driver must not know the phone before link up";
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Authenticated\""); }, 10s))
      << lab.status_json() << "\n" << slurp(lab.dir() + "/phone.log");
  EXPECT_TRUE(lab.status_has("\"protocol\":\"EAP-TLS\""));
  EXPECT_TRUE(lab.status_has("\"port_authorized\":true"));
  EXPECT_TRUE(lab.status_has("\"tx_start\":1,")) << "one EAPOL-Start at link up";
  EXPECT_TRUE(lab.status_has("\"authenticator\":\"02:00:00:00:0a:01\""));
  const std::string sta = lab.sta(kPhoneMac);
  EXPECT_NE(sta.find("flags=[AUTHORIZED]"), std::string::npos) << sta;
  EXPECT_NE(lab.hostapd_log().find("phone-SEP001122334455"), std::string::npos) << "identity seen by the server";
  // The text status carries what the phone's menu shows.
  const std::string txt = slurp(lab.dir() + "/phone/dot1x.txt");
  EXPECT_NE(txt.find("Transaction Status: Authenticated"), std::string::npos) << txt;
  EXPECT_NE(txt.find("Protocol: EAP-TLS"), std::string::npos) << txt;
  // `phonesec status` shows it (firewall not loaded here: its exit code is not the point).
  const std::string cli = capture(kCli + " status --pin-dir /nonexistent --run-dir " +
                                  lab.dir() + "/phone 2>/dev/null");
  EXPECT_NE(cli.find("802.1X:\n  Device Authentication: On\n  Transaction Status: Authenticated\n  Protocol: EAP-TLS"),
            std::string::npos) << cli;
  const std::string cli_json = capture(kCli + " status --json --pin-dir /nonexistent --run-dir " +
                                       lab.dir() + "/phone 2>/dev/null");
  EXPECT_NE(cli_json.find("\"dot1x\":{\"enabled\":true,\"transaction\":\"Authenticated\""), std::string::npos) << cli_json;

  // Re-authentication on request (SIGUSR1): a new EAPOL-Start, a new EAP-TLS exchange.
  kill(phone.pid(), SIGUSR1);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"auth_success\":2,"); }, 10s)) << lab.status_json();
  EXPECT_TRUE(lab.status_has("\"tx_start\":2,"));
  EXPECT_TRUE(lab.status_has("\"transaction\":\"Authenticated\""));

  // Link down: port unauthorized, back to Authenticating; link up again: authenticated again
  // (hostapd sees a fresh EAPOL-Start).
  lab.uplink(false);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"link_up\":false"); }, 3s)) << lab.status_json();
  EXPECT_TRUE(lab.status_has("\"port_authorized\":false"));
  EXPECT_TRUE(lab.status_has("\"transaction\":\"Authenticating\""));
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"auth_success\":3"); }, 10s)) << lab.status_json();
  EXPECT_TRUE(lab.status_has("\"transaction\":\"Authenticated\""));
}

TEST(Dot1xLab, PhoneRejectsServerFromUnknownCa) {
  Lab lab;
  lab.start_hostapd();
  // The phone trusts only the rogue CA: the server's certificate cannot be verified.
  lab.start_phone(lab.tls_args("rogueca.pem"));
  wait_for([&] { return lab.status_has("\"transaction\""); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Held\""); }, 10s))
      << lab.status_json() << "\n" << slurp(lab.dir() + "/phone.log");
  const std::string s = lab.status_json();
  EXPECT_NE(s.find("server certificate rejected"), std::string::npos) << s;
  // hostapd sends the CA in the chain: OpenSSL names it as the untrusted anchor.
  EXPECT_NE(s.find("self-signed certificate in certificate chain (depth 1, /CN=pdx Lab CA)"), std::string::npos) << s;
  EXPECT_NE(s.find("\"port_authorized\":false"), std::string::npos) << s;
  EXPECT_NE(s.find("\"protocol\":\"EAP-TLS\""), std::string::npos) << s;
  EXPECT_EQ(lab.sta(kPhoneMac).find("flags=[AUTHORIZED]"), std::string::npos);
}

TEST(Dot1xLab, ServerRejectsDeviceCertificateFromUnknownCa) {
  Lab lab;
  lab.start_hostapd();
  // Device certificate issued by a CA the server does not trust.
  lab.start_phone(lab.tls_args("ca.pem", "badclient"));
  wait_for([&] { return lab.status_has("\"transaction\""); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Held\""); }, 10s))
      << lab.status_json() << "\n" << slurp(lab.dir() + "/phone.log");
  const std::string s = lab.status_json();
  EXPECT_NE(s.find("server rejected the device certificate"), std::string::npos) << s;
  // hostapd ends with a bare EAP-Failure (no alert): the reason says at which step.
  EXPECT_NE(s.find("after it was sent"), std::string::npos) << s;
  EXPECT_NE(lab.hostapd_log().find("unable to get local issuer certificate"), std::string::npos);
  EXPECT_NE(s.find("\"port_authorized\":false"), std::string::npos) << s;
  EXPECT_EQ(lab.sta(kPhoneMac).find("flags=[AUTHORIZED]"), std::string::npos);
}

TEST(Dot1xLab, PcBehindPhoneAuthenticatesThroughItAndIsLoggedOffOnLinkDown) {
  Lab lab(/*with_pc=*/true);
  lab.start_hostapd(/*group_addr=*/false);
  lab.start_phone(lab.tls_args());
  wait_for([&] { return lab.status_has("\"transaction\""); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Authenticated\""); }, 10s))
      << lab.status_json() << "\n" << slurp(lab.dir() + "/phone.log");
  const long responses = json_num(lab.status_json(), "tx_response");
  ASSERT_GT(responses, 0);
  // The agent turned on EAPOL forwarding on the bridge (bit 3 of group_fwd_mask).
  EXPECT_NE(capture("ip netns exec pdxs cat /sys/class/net/pdx-br/bridge/group_fwd_mask"), "0x0\n");

  // The PC runs wpa_supplicant (wired) with its own certificate.
  const std::string d = lab.dir();
  std::ofstream(d + "/pc.conf") << "ctrl_interface=" << d << "/pc_ctrl\nap_scan=0\neapol_version=2\nnetwork={\n"
                                << " key_mgmt=IEEE8021X\n eap=TLS\n identity=\"pc.lab.local\"\n ca_cert=\"" << lab.pki("ca.pem")
                                << "\"\n client_cert=\"" << lab.pki("pc.pem") << "\"\n private_key=\"" << lab.pki("pc.key")
                                << "\"\n eapol_flags=0\n}\n";
  lab.spawn({"ip", "netns", "exec", "pdxc", "wpa_supplicant", "-D", "wired", "-i", "pdx-p0", "-c", d + "/pc.conf"}, d + "/pc.log");
  ASSERT_TRUE(wait_for([&] { return lab.sta(kPcMac).find("flags=[AUTHORIZED]") != std::string::npos; }, 10s))
      << lab.all_sta() << "\n" << slurp(d + "/pc.log");
  ASSERT_TRUE(wait_for([&] { return lab.status_has(std::string("\"pc_macs\":[\"") + kPcMac + "\"]"); }, 3s)) << lab.status_json();
  // The phone never answered the PC's EAPOL and stayed authorized.
  EXPECT_NE(lab.sta(kPhoneMac).find("flags=[AUTHORIZED]"), std::string::npos) << lab.all_sta();
  EXPECT_TRUE(lab.status_has("\"auth_success\":1,")) << lab.status_json();
  EXPECT_TRUE(lab.status_has("\"tx_start\":1,")) << lab.status_json();
  // It saw the PC's EAPOL (through the bridge) and answered none of it.
  wait_for([&] { return json_num(lab.status_json(), "tx_response") != responses; }, 300ms);
  EXPECT_EQ(json_num(lab.status_json(), "tx_response"), responses) << lab.status_json();
  EXPECT_GT(json_num(lab.status_json(), "rx_unexpected") + json_num(lab.status_json(), "rx_not_ours"), 0) << lab.status_json();
  EXPECT_EQ(lab.hostapd_log().find(std::string(kPcMac) + ": received EAPOL-Logoff"), std::string::npos);

  // Unplug the PC: the PC port loses carrier; the phone sends EAPOL-Logoff with the PC's MAC.
  must("ip -n pdxc link set pdx-p0 down");
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"tx_proxy_logoff\":1"); }, 3s)) << lab.status_json();
  ASSERT_TRUE(wait_for([&] { return lab.sta(kPcMac).find("dot1xAuthEapolLogoffFramesRx=1") != std::string::npos; }, 3s))
      << lab.all_sta();
  EXPECT_EQ(lab.sta(kPcMac).find("flags=[AUTHORIZED]"), std::string::npos) << lab.all_sta();
  const std::string phone = lab.sta(kPhoneMac);
  EXPECT_NE(phone.find("flags=[AUTHORIZED]"), std::string::npos) << "phone stays authorized:\n" << lab.all_sta();
  EXPECT_NE(phone.find("dot1xAuthEapolLogoffFramesRx=0"), std::string::npos) << phone;
  EXPECT_TRUE(lab.status_has("\"transaction\":\"Authenticated\""));
  EXPECT_TRUE(lab.status_has("\"pc_macs\":[]"));
}

std::vector<std::string> fast_args(const Lab& lab, const std::string& prov, const std::string& inner = "mschapv2") {
  std::ofstream(lab.dir() + "/fast.pw") << "fastpass\n";
  std::vector<std::string> a = {"--method", "fast", "--fast-provisioning", prov, "--inner", inner, "--inner-identity", "fastuser",
                                "--password-file", lab.dir() + "/fast.pw", "--pac-file", lab.dir() + "/fast.pac",
                                "--identity", "anonymous"};
  if (prov != "1") a.insert(a.end(), {"--ca", lab.pki("ca.pem")});
  return a;
}

TEST(Dot1xLab, EapFastAnonymousProvisioningThenPacReuse) {
  Lab lab;
  lab.start_hostapd();
  auto& phone = lab.start_phone(fast_args(lab, "1"));
  wait_for([&] { return lab.status_has("\"transaction\""); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Authenticated\""); }, 10s))
      << lab.status_json() << "\n" << slurp(lab.dir() + "/phone.log");
  EXPECT_TRUE(lab.status_has("\"protocol\":\"EAP-FAST\""));
  const std::string log = slurp(lab.dir() + "/phone.log");
  EXPECT_NE(log.find("tunnel up (anonymous"), std::string::npos) << log;
  EXPECT_NE(log.find("new PAC stored"), std::string::npos);
  EXPECT_NE(log.find("tunnel up (pac"), std::string::npos) << "second attempt resumes with the PAC";
  // By design the anonymous provisioning ends in EAP-Failure, then the PAC is used at once.
  EXPECT_TRUE(lab.status_has("\"auth_failure\":1,")) << lab.status_json();
  EXPECT_TRUE(lab.status_has("\"auth_success\":1,")) << lab.status_json();
  EXPECT_NE(lab.sta(kPhoneMac).find("flags=[AUTHORIZED]"), std::string::npos) << lab.all_sta();
  const std::string pac = slurp(lab.dir() + "/fast.pac");
  EXPECT_NE(pac.find("101112131415161718191a1b1c1d1e1f "), std::string::npos) << "PAC stored for hostapd's A-ID";

  // A restarted phone finds the PAC on disk and goes straight to PAC use.
  phone.stop();
  lab.uplink(false);
  lab.start_phone(fast_args(lab, "1"), "phone2");
  wait_for([&] { return lab.status_has("\"transaction\"", "phone2"); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Authenticated\"", "phone2"); }, 10s))
      << lab.status_json("phone2") << "\n" << slurp(lab.dir() + "/phone2.log");
  const std::string log2 = slurp(lab.dir() + "/phone2.log");
  EXPECT_NE(log2.find("using the stored PAC"), std::string::npos) << log2;
  EXPECT_NE(log2.find("tunnel up (pac"), std::string::npos) << log2;
  EXPECT_EQ(log2.find("tunnel up (anonymous"), std::string::npos);
  EXPECT_TRUE(lab.status_has("\"auth_failure\":0,", "phone2"));
}

TEST(Dot1xLab, EapFastAuthenticatedProvisioningWithGtc) {
  Lab lab;
  lab.start_hostapd();
  lab.start_phone(fast_args(lab, "2", "gtc"));
  wait_for([&] { return lab.status_has("\"transaction\""); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Authenticated\""); }, 10s))
      << lab.status_json() << "\n" << slurp(lab.dir() + "/phone.log");
  const std::string log = slurp(lab.dir() + "/phone.log");
  EXPECT_NE(log.find("tunnel up (authenticated"), std::string::npos) << log;
  EXPECT_NE(log.find("new PAC stored"), std::string::npos) << log;
  EXPECT_TRUE(lab.status_has("\"auth_failure\":0,")) << lab.status_json();
  EXPECT_TRUE(lab.status_has("\"protocol\":\"EAP-FAST\""));
  EXPECT_NE(lab.sta(kPhoneMac).find("flags=[AUTHORIZED]"), std::string::npos) << lab.all_sta();
  // Re-authentication uses the PAC it was given.
  lab.uplink(false);
  wait_for([&] { return lab.status_has("\"link_up\":false"); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"auth_success\":2"); }, 10s)) << lab.status_json();
  EXPECT_NE(slurp(lab.dir() + "/phone.log").find("tunnel up (pac"), std::string::npos);
}

TEST(Dot1xLab, EapFastWrongPasswordIsHeldWithReason) {
  Lab lab;
  lab.start_hostapd();
  auto a = fast_args(lab, "2");
  std::ofstream(lab.dir() + "/fast.pw") << "not-the-password\n";
  lab.start_phone(a);
  wait_for([&] { return lab.status_has("\"transaction\""); }, 3s);
  lab.uplink(true);
  ASSERT_TRUE(wait_for([&] { return lab.status_has("\"transaction\":\"Held\""); }, 10s))
      << lab.status_json() << "\n" << slurp(lab.dir() + "/phone.log");
  // hostapd ends the inner method without an MSCHAPv2 Failure packet: the reason names the step.
  EXPECT_TRUE(lab.status_has("inner MSCHAPv2 refused by the server")) << lab.status_json();
  EXPECT_NE(lab.hostapd_log().find("EAP-FAST: Phase2 method failed"), std::string::npos);
  EXPECT_FALSE(lab.status_has("not-the-password")) << "secrets never in status";
}

}  // namespace
}  // namespace phonesec::test::dot1x

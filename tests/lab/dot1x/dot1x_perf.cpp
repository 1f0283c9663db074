// SPDX-License-Identifier: Apache-2.0
// Benchmark: link up → EAP-Success on the wire, phonesec-dot1x vs wpa_supplicant -D wired, same
// hostapd, same PKI (EAP-TLS), same run, rounds interleaved. Clock: t0 right before the
// SIOCSIFFLAGS that raises the phone's link, t1 when the EAP-Success frame leaves hostapd
// (packet socket on the authenticator's port). Prints one JSON object; exit 1 if a round fails.
// Not part of the default test run (label perf; `ctest -L perf` with -DPS_PERF_TESTS=ON, or run
// the binary directly as root). Usage: dot1x_perf [rounds=7] [tls|fast]
// fast: EAP-FAST with a PAC (authenticated provisioning once per supplicant, not measured,
// then PAC reuse with MSCHAPv2 inside measured).
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <optional>
#include <cstring>
#include <iostream>

#include "dot1x_lab.h"
#include "netns.h"

using namespace phonesec::test;
using namespace phonesec::test::dot1x;
using Clock = std::chrono::steady_clock;

namespace {

void set_up(int ctl, const char* ifn, bool up) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, ifn, IFNAMSIZ - 1);
  if (ioctl(ctl, SIOCGIFFLAGS, &ifr) != 0) throw std::runtime_error("SIOCGIFFLAGS");
  if (up) ifr.ifr_flags |= IFF_UP;
  else ifr.ifr_flags &= ~IFF_UP;
  if (ioctl(ctl, SIOCSIFFLAGS, &ifr) != 0) throw std::runtime_error("SIOCSIFFLAGS");
}

struct Seen {
  std::optional<Clock::time_point> start;    // first EAPOL-Start from the supplicant
  std::optional<Clock::time_point> success;  // hostapd's EAP-Success
};
// Watches the authenticator's port until hostapd sends EAP-Success (EAPOL type 0, EAP code 3).
Seen wait_success(int sock, const std::string& mac, std::chrono::milliseconds timeout) {
  Seen seen;
  uint8_t want[6];
  std::sscanf(mac.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &want[0], &want[1], &want[2], &want[3], &want[4], &want[5]);
  const auto end = Clock::now() + timeout;
  uint8_t buf[2048];
  while (Clock::now() < end) {
    if (!wait_readable(sock, 20)) continue;
    ssize_t n = recv(sock, buf, sizeof buf, 0);
    const auto t = Clock::now();
    if (n < 18 || buf[12] != 0x88 || buf[13] != 0x8e) continue;
    if (buf[15] == 1 && std::memcmp(buf + 6, want, 6) == 0 && !seen.start) seen.start = t;
    if (n < 19 || buf[15] != 0 || buf[18] != 3) continue;
    if (std::memcmp(buf, want, 6) != 0 && !(buf[0] & 1)) continue;
    seen.success = t;
    return seen;
  }
  return seen;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
double minimum(const std::vector<double>& v) { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
  const bool fast = argc > 2 && std::string(argv[2]) == "fast";
  Lab lab;
  lab.start_hostapd();
  const std::string d = lab.dir();
  if (!fast)
    std::ofstream(d + "/wpas.conf") << "ctrl_interface=" << d << "/wpas_ctrl\nap_scan=0\neapol_version=2\nnetwork={\n key_mgmt=IEEE8021X\n"
                                    << " eap=TLS\n identity=\"phone-SEP001122334455\"\n ca_cert=\"" << lab.pki("ca.pem")
                                    << "\"\n client_cert=\"" << lab.pki("client.pem") << "\"\n private_key=\"" << lab.pki("client.key")
                                    << "\"\n eapol_flags=0\n}\n";
  else
    std::ofstream(d + "/wpas.conf") << "ctrl_interface=" << d << "/wpas_ctrl\nap_scan=0\neapol_version=2\nnetwork={\n key_mgmt=IEEE8021X\n"
                                    << " eap=FAST\n identity=\"fastuser\"\n anonymous_identity=\"anonymous\"\n password=\"fastpass\"\n"
                                    << " ca_cert=\"" << lab.pki("ca.pem") << "\"\n phase1=\"fast_provisioning=2\"\n phase2=\"auth=MSCHAPV2\"\n"
                                    << " pac_file=\"" << d << "/wpas.pac\"\n eapol_flags=0\n}\n";
  std::ofstream(d + "/fast.pw") << "fastpass\n";
  // Taps: all frames on the authenticator's port, outgoing included.
  int tap = socket_in("pdxa", AF_PACKET, SOCK_RAW);
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = int(if_nametoindex("pdx-a0"));  // same index inside pdxa? resolved below
  {
    std::string idx = capture("ip netns exec pdxa cat /sys/class/net/pdx-a0/ifindex");
    sll.sll_ifindex = std::atoi(idx.c_str());
  }
  if (bind(tap, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) throw std::runtime_error("bind tap");
  int ctl = socket_in("pdxs", AF_INET, SOCK_DGRAM);

  std::vector<double> ours, wpas, ours_eap, wpas_eap;
  int failures = 0;
  for (int r = fast ? -1 : 0; r < rounds; ++r) {  // fast: round -1 provisions the PACs
    for (int which = 0; which < 2; ++which) {
      const std::string mac = which == 0 ? "02:00:00:00:05:01" : "02:00:00:00:05:02";
      set_up(ctl, "pdx-s0", false);
      must("ip -n pdxs link set pdx-s0 address " + mac);
      std::unique_ptr<Child> c;
      const std::string tag = (which == 0 ? "ours" : "wpas") + std::to_string(r);
      if (which == 0) {
        std::vector<std::string> a = {"ip", "netns", "exec", "pdxs", kDot1xBin,
                                      "--enable", "yes", "--iface", "pdx-s0", "--status-dir", d + "/" + tag, "--ca", lab.pki("ca.pem")};
        if (fast)
          a.insert(a.end(), {"--method", "fast", "--fast-provisioning", "2", "--inner-identity", "fastuser", "--password-file",
                             d + "/fast.pw", "--pac-file", d + "/ours.pac", "--identity", "anonymous"});
        else
          a.insert(a.end(), {"--identity", "phone-SEP001122334455", "--cert", lab.pki("client.pem"), "--key", lab.pki("client.key")});
        c = std::make_unique<Child>(a, d + "/" + tag + ".log");
        wait_for([&] { return slurp(d + "/" + tag + "/dot1x.json").find("\"link_up\":false") != std::string::npos; },
                 std::chrono::seconds(5));
      } else {
        c = std::make_unique<Child>(std::vector<std::string>{"ip", "netns", "exec", "pdxs", "wpa_supplicant", "-D", "wired", "-i",
                                                             "pdx-s0", "-c", d + "/wpas.conf"},
                                    d + "/" + tag + ".log");
        wait_for([&] { return std::filesystem::exists(d + "/wpas_ctrl/pdx-s0"); }, std::chrono::seconds(5));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // both settled, idle
      uint8_t junk[2048];
      while (recv(tap, junk, sizeof junk, MSG_DONTWAIT) > 0) {
      }
      const auto t0 = Clock::now();
      set_up(ctl, "pdx-s0", true);
      auto t1 = wait_success(tap, mac, std::chrono::seconds(which == 0 ? 5 : 40));
      if (r < 0) {  // provisioning round: not measured
        if (!t1.success) ++failures;
        c->stop();
        continue;
      }
      if (!t1.success || !t1.start) {
        ++failures;
        std::cerr << tag << ": no EAPOL-Start or no EAP-Success\n";
      } else {
        (which == 0 ? ours : wpas).push_back(std::chrono::duration<double, std::milli>(*t1.success - t0).count());
        (which == 0 ? ours_eap : wpas_eap).push_back(std::chrono::duration<double, std::milli>(*t1.success - *t1.start).count());
      }
      c->stop();
    }
  }
  const double mo = median(ours), mw = median(wpas);
  std::cout << "{\"bench\":\"dot1x_linkup_to_success_" << (fast ? "eap_fast_pac" : "eap_tls") << "\",\"rounds\":" << rounds << ",\"ours_median_ms\":" << mo
            << ",\"wpa_supplicant_median_ms\":" << mw << ",\"ratio_ours_over_wpa\":" << (mw > 0 ? mo / mw : 0) << ",\"ours_ms\":[";
  for (size_t i = 0; i < ours.size(); ++i) std::cout << (i ? "," : "") << ours[i];
  std::cout << "],\"wpa_supplicant_ms\":[";
  for (size_t i = 0; i < wpas.size(); ++i) std::cout << (i ? "," : "") << wpas[i];
  const double eo = median(ours_eap), ew = median(wpas_eap);
  std::cout << "],\"ours_start_to_success_median_ms\":" << eo << ",\"wpa_supplicant_start_to_success_median_ms\":" << ew
            << ",\"ratio_start_to_success\":" << (ew > 0 ? eo / ew : 0) << ",\"ours_start_to_success_min_ms\":" << minimum(ours_eap)
            << ",\"wpa_supplicant_start_to_success_min_ms\":" << minimum(wpas_eap) << ",\"failures\":" << failures << "}\n";
  close(tap);
  close(ctl);
  return failures ? 1 : 0;
}

// SPDX-License-Identifier: Apache-2.0
// The phone-boot lab (ps_labkit; lab tooling, never shipped), shared by tests/lab/boot and
// perf's boot-timeline benchmark: a "network" namespace psbs holding every server a phone
// meets at boot — hostapd (wired 802.1X authenticator, integrated EAP server), dnsmasq (DHCP
// with the provisioning options and the network's DNS), nginx (HTTPS, the profile at its rule
// URL), ocserv (the VPN gateway) and a syslog receiver — and a "phone" namespace psbp joined to
// it by the veth psb-p/psb-s. The phone side runs only what a phone runs: phonesecd (or, for
// reference figures, the standalone tools), and the OS's DHCP client (busybox udhcpc with
// phonesec's hook). One PKI (openssl CLI, RSA): a CA, the servers' certificate
// (prov.lab.local, 10.77.0.1), the device certificate. Root only. Every method throws
// std::runtime_error naming what failed. Everything is removed in the destructor (PSB_KEEP=1
// keeps the folder); one BootLab at a time on a machine (fixed namespace names).
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "labkit/binaries.h"
#include "labkit/process.h"

namespace phonesec::test::boot {

using Json = nlohmann::json;

inline constexpr const char* kServerNs = "psbs";
inline constexpr const char* kPhoneNs = "psbp";
inline constexpr const char* kServerIp = "10.77.0.1";
inline constexpr const char* kPhoneIf = "psb-p";
inline constexpr const char* kPhoneMac = "02:00:00:00:77:02";
inline constexpr const char* kVpnUser = "alice";
inline constexpr const char* kVpnPassword = "Alice-Boot-5521";

class BootLab {
 public:
  BootLab();
  ~BootLab();
  BootLab(const BootLab&) = delete;
  BootLab& operator=(const BootLab&) = delete;
  std::string dir() const { return dir_.string(); }
  std::string pki(const std::string& f) const { return (dir_ / "pki" / f).string(); }
  std::string in_server(const std::string& cmd) const {
    return std::string("ip netns exec ") + kServerNs + " " + cmd;
  }
  std::string in_phone(const std::string& cmd) const {
    return std::string("ip netns exec ") + kPhoneNs + " " + cmd;
  }
  // argv that runs `argv` in the phone's network namespace with its own /etc/resolv.conf (the
  // one the DHCP script writes) bound in a mount namespace that still sees the host's bpffs
  // (as `ip netns exec` does for resolv.conf, without hiding /sys/fs/bpf).
  static std::vector<std::string> phone_argv(const std::vector<std::string>& argv);
  // phonesecd on the phone (phone_argv) with cfg, the uplink psb-p, the lab's CA and device
  // certificate, and run/state folders; `extra` is appended.
  std::vector<std::string> phonesecd_argv(const std::string& cfg, const std::string& pin_dir,
                                          const std::string& run_dir, const std::string& state_dir,
                                          const std::vector<std::string>& extra = {}) const;

  // A child stopped with the lab (before the namespaces go).
  Child& spawn(const std::vector<std::string>& argv, const std::string& log);

  // hostapd on psb-s: EAP-TLS for any identity whose certificate chains to the lab CA.
  void start_hostapd();
  // EAP-Success frames hostapd sent to the phone (each authentication counts once).
  int hostapd_successes() const;
  // ocserv on 10.77.0.1:443, user alice in group voice (192.168.99.0/24, route 172.31.0.0/24).
  void start_ocserv();
  // The gateway dies at once (every ocserv process), as a crashed or unplugged server would.
  void kill_ocserv();
  // nginx: HTTPS on 10.77.0.1:8443 serving www/ with the given ssl_ciphers (TLS 1.2 only, so
  // the cipher list is what decides), access log in nginx-access.log, TLS details in nginx-tls.log.
  void start_nginx(const std::string& ciphers = "HIGH");
  void restart_nginx(const std::string& ciphers);
  void serve(const std::string& name, const std::string& body) const;
  // dnsmasq: DHCP 10.77.0.50-60 with the provisioning options given as "NUM,VALUE", and the
  // network's DNS (prov.lab.local = the server), announced in the lease.
  void start_dnsmasq(const std::vector<std::string>& options);
  // The phone's OS DHCP client: busybox udhcpc with phonesec's hook, chained to a script that
  // configures the address (what the OS's own script does). Returns when the lease is taken.
  void dhcp_lease(const std::string& run_dir);
  // Drops the phone's address and DHCP state (resolv.conf emptied), for another boot.
  void release_address();
  // A syslog receiver on 10.77.0.1:514/udp: every datagram, one per line, in syslog.txt.
  void start_syslog();

 private:
  void cleanup();
  void make_pki();

  std::filesystem::path dir_;
  std::vector<std::unique_ptr<Child>> children_;
  Child* nginx_ = nullptr;
  Child* ocserv_ = nullptr;
};

}  // namespace phonesec::test::boot

// SPDX-License-Identifier: Apache-2.0
// Benchmark: the phone's boot with phonesecd, against real peers in namespaces (the boot lab,
// userspace/labkit/boot_lab.h: hostapd, dnsmasq with option 160 and DNS, nginx over HTTPS,
// ocserv; busybox udhcpc with phonesec's hook), from start to each step of its status.json
// "boot" (enforcing, dot1x_authenticated, network, provisioned, vpn_up: "unix_ms" of each).
// Reference figures, same run, same peers: the standalone tools doing the same step —
// phonesec-dot1x (start → Authenticated in its status file), wpa_supplicant -D wired (start →
// CTRL-EVENT-EAP-SUCCESS), phonesec-prov run --follow (lease → profile event), phonesec-vpn
// run --connect (start → "tunnel up" in its log; "connected" in its vpn.json as info: that file
// is rewritten once a second), openconnect (start → "Configured as").
// Ratios controller/standalone per step ("ratio", lower is better): what assembling the parts
// in one controller costs (or saves) against running each tool alone.
//
// Step durations compared:
//   dot1x: controller start (and enforcing) → dot1x_authenticated   vs tool start → authenticated
//   prov:  lease file written → provisioned (fetched over HTTPS and applied) vs lease → profile event
//   vpn:   provisioned → vpn_up (the profile brings the VPN settings) vs tool start → tunnel up
// Times are wall clock (unix ms): the controller's own marks, the lease file's mtime, and the
// moments this program saw a tool's file/log change (polled every 2 ms).
// Rounds: 5 (--quick: 1), medians. Root only.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "bench_common.h"
#include "labkit/boot_lab.h"

namespace {

using namespace phonesec;
using namespace phonesec::test;
using namespace phonesec::test::boot;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kPin = "/sys/fs/bpf/psb-perf";

double unix_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls pred every 2 ms; the wall-clock time (unix ms) it first held, or throws after `timeout`.
double when(const std::function<bool()>& pred, std::chrono::milliseconds timeout, const std::string& what) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return unix_ms();
    if (std::chrono::steady_clock::now() > end) throw std::runtime_error("timed out waiting for " + what);
    std::this_thread::sleep_for(2ms);
  }
}

Json parse_file(const std::string& path) {
  Json j = Json::parse(slurp(path), nullptr, false);
  return j.is_object() ? j : Json::object();
}

// Does the JSON-lines output `path` (phonesec-prov run) hold a message with this op (and name)?
bool has_message(const std::string& path, const std::string& op, const std::string& name = "") {
  std::istringstream in(slurp(path));
  for (std::string line; std::getline(in, line);) {
    Json m = Json::parse(line, nullptr, false);
    if (m.is_object() && m.value("op", "") == op && (name.empty() || m.value("name", "") == name))
      return true;
  }
  return false;
}

double mtime_unix_ms(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("no lease file " + path);
  return double(st.st_mtim.tv_sec) * 1000.0 + double(st.st_mtim.tv_nsec) / 1e6;
}

std::string profile(const std::string& body) { return "<flat-profile>\n" + body + "</flat-profile>\n"; }

// The profile the server hands out: the VPN on at boot, a firewall port.
std::string served_profile() {
  return profile(
      std::string("<VPN_Server>") + kServerIp + "</VPN_Server>\n<VPN_User_Name>" + kVpnUser +
      "</VPN_User_Name>\n<VPN_Password>" + kVpnPassword +
      "</VPN_Password>\n<VPN_Tunnel_Group>voice</VPN_Tunnel_Group>\n"
      "<Connect_on_Bootup>Yes</Connect_on_Bootup>\n<Enable_VPN_Connection>Yes</Enable_VPN_Connection>\n"
      "<Firewall_Config>UDP:7000</Firewall_Config>\n");
}

// What the device holds at boot: 802.1X on, the provisioning rule, DHCP option 160.
std::string device_profile() {
  return profile(
      "<Enable_802.1X_Authentication>Yes</Enable_802.1X_Authentication>\n<Profile_Rule>/phone.xml</"
      "Profile_Rule>\n"
      "<DHCP_Option_To_Use>160</DHCP_Option_To_Use>\n<Resync_Random_Delay>0</Resync_Random_Delay>\n");
}

// A fresh link: hostapd sees carrier go and come back (a new port session), no address.
void fresh_link(BootLab& lab) {
  lab.release_address();
  must(std::string("ip -n ") + kPhoneNs + " link set " + kPhoneIf + " down");
  std::this_thread::sleep_for(50ms);
  must(std::string("ip -n ") + kPhoneNs + " link set " + kPhoneIf + " up");
  std::this_thread::sleep_for(150ms);
}

struct ControllerRound {
  double enforcing, dot1x, network, prov_ready, lease, provisioned,
      vpn_up;  // ms since start (lease: file written)
};

ControllerRound controller_round(BootLab& lab, int r) {
  const std::string d = lab.dir() + "/ctl" + std::to_string(r);
  fs::create_directories(d);
  std::ofstream(d + "/cfg.xml") << device_profile();
  sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
  fresh_link(lab);
  const double t0 = unix_ms();
  Child daemon(lab.phonesecd_argv(d + "/cfg.xml", kPin, d + "/run", d + "/state"), d + "/phonesecd.log");
  auto status = [&] { return parse_file(d + "/run/status.json"); };
  auto step = [&](const Json& s, const char* name) -> const Json* {
    if (!s.is_object() || !s.contains("boot") || !s["boot"].contains(name)) return nullptr;
    return &s["boot"][name];
  };
  // The OS's DHCP client runs once the provisioning worker listens for its leases (as the lab test).
  const double prov_ready = when(
      [&] {
        Json s = status();
        return s.is_object() && s.contains("parts") && s["parts"].contains("prov") &&
               s["parts"]["prov"].value("running", false);
      },
      20s, "the provisioning worker (" + d + "/phonesecd.log)");
  lab.dhcp_lease(d + "/run");
  const double lease = mtime_unix_ms(d + "/run/dhcp/" + kPhoneIf + ".v4");
  Json s;
  when([&] { return step(s = status(), "vpn_up") != nullptr; }, 30s, "vpn_up in " + d + "/run/status.json");
  for (const char* n : {"enforcing", "dot1x_authenticated", "network", "provisioned"})
    if (!step(s, n)) throw std::runtime_error(std::string("no boot step ") + n + ": " + s["boot"].dump());
  auto at = [&](const char* n) { return (*step(s, n))["unix_ms"].get<double>() - t0; };
  ControllerRound out{at("enforcing"), at("dot1x_authenticated"), at("network"), prov_ready - t0,
                      lease - t0,      at("provisioned"),         at("vpn_up")};
  daemon.stop();
  sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
  return out;
}

// phonesec-dot1x alone: start → "Authenticated" in its status file.
double dot1x_round(BootLab& lab, int r) {
  const std::string d = lab.dir() + "/dot1x" + std::to_string(r);
  fs::create_directories(d);
  fresh_link(lab);
  const double t0 = unix_ms();
  Child c({"ip", "netns", "exec", kPhoneNs, kDot1xBin, "--enable", "yes", "--iface", kPhoneIf, "--status-dir",
           d, "--ca", lab.pki("ca.pem"), "--identity", "SEP020000007702", "--cert", lab.pki("device.pem"),
           "--key", lab.pki("device.key")},
          d + "/dot1x.log");
  return when([&] { return parse_file(d + "/dot1x.json").value("transaction", "") == "Authenticated"; }, 20s,
              "phonesec-dot1x Authenticated (" + d + ")") -
         t0;
}

// wpa_supplicant -D wired alone: start → CTRL-EVENT-EAP-SUCCESS.
double wpas_round(BootLab& lab, int r) {
  const std::string d = lab.dir() + "/wpas" + std::to_string(r);
  fs::create_directories(d);
  std::ofstream(d + "/wpas.conf") << "ctrl_interface=" << d
                                  << "/ctrl\nap_scan=0\neapol_version=2\nnetwork={\n key_mgmt=IEEE8021X\n"
                                  << " eap=TLS\n identity=\"SEP020000007702\"\n ca_cert=\""
                                  << lab.pki("ca.pem") << "\"\n client_cert=\"" << lab.pki("device.pem")
                                  << "\"\n private_key=\"" << lab.pki("device.key")
                                  << "\"\n eapol_flags=0\n}\n";
  fresh_link(lab);
  const double t0 = unix_ms();
  Child c({"ip", "netns", "exec", kPhoneNs, "wpa_supplicant", "-D", "wired", "-i", kPhoneIf, "-c",
           d + "/wpas.conf"},
          d + "/wpas.log");
  return when([&] { return slurp(d + "/wpas.log").find("CTRL-EVENT-EAP-SUCCESS") != std::string::npos; }, 20s,
              "wpa_supplicant EAP success (" + d + "/wpas.log)") -
         t0;
}

// phonesec-prov run --follow alone: lease file written → its "profile" event. Leaves the
// phone with its leased address (for the VPN rounds).
double prov_round(BootLab& lab, int r) {
  const std::string d = lab.dir() + "/prov" + std::to_string(r);
  fs::create_directories(d + "/in");
  std::ofstream(d + "/cfg.xml") << device_profile();
  fresh_link(lab);
  Child c(
      BootLab::phone_argv({kProvBin, "run", "--config", d + "/cfg.xml", "--run-dir", d + "/run", "--iface",
                           kPhoneIf, "--incoming-dir", d + "/in", "--ca", lab.pki("ca.pem"), "--follow"}),
      d + "/prov.log");
  // Ready: its first status line (the boot resync, failing for want of a lease).
  when([&] { return has_message(d + "/prov.log", "status"); }, 10s,
       "phonesec-prov status (" + d + "/prov.log)");
  lab.dhcp_lease(d + "/run");
  const double lease = mtime_unix_ms(d + "/run/dhcp/" + kPhoneIf + ".v4");
  const double t = when([&] { return has_message(d + "/prov.log", "event", "profile"); }, 20s,
                        "phonesec-prov profile event (" + d + "/prov.log)");
  return t - lease;
}

// phonesec-vpn run --connect alone: start → its log's "tunnel up" line, and start → "connected"
// in its vpn.json (the tool rewrites that file once a second, so it lags by up to 1 s).
struct VpnTool {
  double tunnel_up, status_connected;
};
VpnTool vpn_round(BootLab& lab, int r) {
  const std::string d = lab.dir() + "/vpn" + std::to_string(r);
  fs::create_directories(d);
  std::ofstream(d + "/cfg.xml") << served_profile();
  const double t0 = unix_ms();
  Child c({"ip", "netns", "exec", kPhoneNs, kVpnBin, "run", "--config", d + "/cfg.xml", "--connect", "--ca",
           lab.pki("ca.pem"), "--run-dir", d},
          d + "/vpn.log");
  const double up = when([&] { return slurp(d + "/vpn.log").find("tunnel up on ") != std::string::npos; },
                         20s, "phonesec-vpn tunnel up (" + d + "/vpn.log)");
  const double st = when([&] { return parse_file(d + "/vpn.json").value("state", "") == "connected"; }, 20s,
                         "phonesec-vpn connected (" + d + ")");
  return {up - t0, st - t0};
}

// openconnect alone (its own vpnc-script): start → "Configured as" (tunnel up, its vpnc-script run).
double openconnect_round(BootLab& lab, int r) {
  const std::string d = lab.dir() + "/oc" + std::to_string(r);
  fs::create_directories(d);
  const double t0 = unix_ms();
  Child c(
      {"sh", "-c",
       std::string("echo '") + kVpnPassword + "' | exec ip netns exec " + kPhoneNs +
           " openconnect --non-inter --passwd-on-stdin --user " + kVpnUser + " --authgroup voice --cafile " +
           lab.pki("ca.pem") + " --interface ocbench0 https://" + kServerIp},
      d + "/oc.log");
  const double t = when([&] { return slurp(d + "/oc.log").find("Configured as") != std::string::npos; }, 20s,
                        "openconnect connected (" + d + "/oc.log)");
  return t - t0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = perf::parse_args(
      argc, argv, "boot_timeline",
      "phonesecd's boot (start → enforcing, 802.1X Authenticated, provisioned, VPN up) against\n"
      "real peers in namespaces, with the standalone tools' figures for the same steps.");
  if (geteuid() != 0) {
    std::cerr << "boot_timeline: run as root (namespaces, BPF)\n";
    return 2;
  }
  const int rounds = args.quick ? 1 : 5;
  const bool have_oc = perf::sh("command -v openconnect >/dev/null 2>&1") == 0;
  std::vector<double> enf, dot, net, ready, lease, prov, vpn, prov_step, vpn_step, t_dot1x, t_wpas, t_prov,
      t_vpn, t_vpn_status, t_oc, dot_step;
  try {
    BootLab lab;
    lab.start_hostapd();
    lab.start_ocserv();
    lab.start_nginx("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
    lab.start_dnsmasq({"160,https://" + std::string(kServerIp) + ":8443"});
    lab.serve("phone.xml", served_profile());
    // Warm-up, not measured: dnsmasq pings an address before it first hands it out (~3 s), a
    // cost of the lab's first lease only.
    lab.dhcp_lease(lab.dir() + "/warmup");
    for (int r = 0; r < rounds; ++r) {
      ControllerRound c = controller_round(lab, r);
      enf.push_back(c.enforcing);
      dot.push_back(c.dot1x);
      net.push_back(c.network);
      ready.push_back(c.prov_ready);
      lease.push_back(c.lease);
      prov.push_back(c.provisioned);
      vpn.push_back(c.vpn_up);
      dot_step.push_back(c.dot1x - c.enforcing);
      prov_step.push_back(c.provisioned - c.lease);
      vpn_step.push_back(c.vpn_up - c.provisioned);
      t_dot1x.push_back(dot1x_round(lab, r));
      t_wpas.push_back(wpas_round(lab, r));
      t_prov.push_back(prov_round(lab, r));
      const VpnTool v = vpn_round(lab, r);
      t_vpn.push_back(v.tunnel_up);
      t_vpn_status.push_back(v.status_connected);
      if (have_oc) t_oc.push_back(openconnect_round(lab, r));
      std::cerr << "boot_timeline: round " << r << ": enforcing " << perf::fmt(c.enforcing, 0)
                << " ms, 802.1X " << perf::fmt(c.dot1x, 0) << ", provisioned " << perf::fmt(c.provisioned, 0)
                << ", VPN up " << perf::fmt(c.vpn_up, 0) << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "boot_timeline: " << e.what() << "\n";
    sh(kCli + " unload --pin-dir " + kPin + " >/dev/null 2>&1");
    return 1;
  }

  perf::Report rep("boot_timeline");
  rep.env("rounds", std::to_string(rounds));
  auto m = [](const std::vector<double>& v) { return perf::median(v); };
  rep.metric("controller_start_to_enforcing_ms", m(enf), "ms");
  rep.metric("controller_start_to_dot1x_authenticated_ms", m(dot), "ms");
  rep.metric("controller_start_to_network_ms", m(net), "ms");
  rep.metric("controller_start_to_prov_listening_ms", m(ready), "ms").note =
      "the provisioning worker reported running in status.json (seen by polling it)";
  rep.metric("controller_start_to_lease_ms", m(lease), "ms").note =
      "the OS's DHCP client (udhcpc), started once prov listens";
  rep.metric("controller_start_to_provisioned_ms", m(prov), "ms");
  rep.metric("controller_start_to_vpn_up_ms", m(vpn), "ms");
  rep.metric("controller_lease_to_provisioned_ms", m(prov_step), "ms");
  rep.metric("controller_provisioned_to_vpn_up_ms", m(vpn_step), "ms");
  rep.metric("dot1x_tool_start_to_authenticated_ms", m(t_dot1x), "ms");
  rep.metric("wpa_supplicant_start_to_eap_success_ms", m(t_wpas), "ms");
  rep.metric("prov_tool_lease_to_profile_ms", m(t_prov), "ms");
  rep.metric("controller_enforcing_to_dot1x_authenticated_ms", m(dot_step), "ms");
  rep.metric("vpn_tool_start_to_tunnel_up_ms", m(t_vpn), "ms");
  rep.metric("vpn_tool_start_to_status_connected_ms", m(t_vpn_status), "ms").note =
      "vpn.json is rewritten once a second by phonesec-vpn run: up to 1 s late";
  if (have_oc) rep.metric("openconnect_start_to_connected_ms", m(t_oc), "ms");
  // Wide tolerances: these are process start-ups and handshakes on a shared machine.
  rep.ratio("dot1x_controller_over_tool", m(dot) / m(t_dot1x), "lower", 0.5).note =
      "controller start → Authenticated (firewall loaded first) / phonesec-dot1x start → Authenticated";
  rep.ratio("dot1x_step_controller_over_tool", m(dot_step) / m(t_dot1x), "lower", 0.5).note =
      "controller enforcing → Authenticated (the 802.1X worker's own start included) / phonesec-dot1x start "
      "→ Authenticated";
  rep.ratio("dot1x_controller_over_wpa_supplicant", m(dot) / m(t_wpas), "lower", 0.5).note =
      "controller start → Authenticated / wpa_supplicant -D wired start → EAP success";
  rep.ratio("prov_controller_over_tool", m(prov_step) / m(t_prov), "lower", 0.5).note =
      "lease → provisioned (fetched and applied) / phonesec-prov run --follow lease → profile event";
  rep.ratio("vpn_controller_over_tool", m(vpn_step) / m(t_vpn), "lower", 0.5).note =
      "provisioned → vpn_up / phonesec-vpn run --connect start → tunnel up (its log)";
  if (have_oc)
    rep.ratio("vpn_controller_over_openconnect", m(vpn_step) / m(t_oc), "lower", 0.5).note =
        "provisioned → vpn_up / openconnect start → Configured as (tunnel up)";
  // The summary's view: each step, the controller's median against each tool's.
  std::vector<std::vector<std::string>> steps;
  auto step_row = [&](const char* step, double ctl, const char* tool, double ref) {
    steps.push_back({step, perf::fmt(ctl, 1), tool, perf::fmt(ref, 1), perf::fmt(ctl / ref, 2)});
  };
  step_row("start->authenticated", m(dot), "phonesec-dot1x", m(t_dot1x));
  step_row("enforcing->authenticated", m(dot_step), "phonesec-dot1x", m(t_dot1x));
  step_row("start->authenticated", m(dot), "wpa_supplicant", m(t_wpas));
  step_row("lease->provisioned", m(prov_step), "phonesec-prov", m(t_prov));
  step_row("provisioned->vpn_up", m(vpn_step), "phonesec-vpn", m(t_vpn));
  if (have_oc) step_row("provisioned->vpn_up", m(vpn_step), "openconnect", m(t_oc));
  rep.table("steps_median_ms", {"step", "controller_ms", "standalone", "standalone_ms", "ratio"}, steps);
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < rounds; ++r)
    rows.push_back({std::to_string(r), perf::fmt(enf[r], 1), perf::fmt(dot[r], 1), perf::fmt(lease[r], 1),
                    perf::fmt(prov[r], 1), perf::fmt(vpn[r], 1), perf::fmt(t_dot1x[r], 1),
                    perf::fmt(t_wpas[r], 1), perf::fmt(t_prov[r], 1), perf::fmt(t_vpn[r], 1),
                    perf::fmt(t_vpn_status[r], 1), have_oc ? perf::fmt(t_oc[r], 1) : "-"});
  rep.table("boot_rounds_ms",
            {"round", "enforcing", "dot1x_authenticated", "lease", "provisioned", "vpn_up", "dot1x_tool",
             "wpa_supplicant", "prov_tool", "vpn_tool", "vpn_tool_status", "openconnect"},
            rows);
  return rep.write(args.out) ? 0 : 1;
}

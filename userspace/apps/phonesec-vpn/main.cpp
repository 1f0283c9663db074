// SPDX-License-Identifier: Apache-2.0
// phonesec-vpn: the phone's VPN client on its own, for people and for the lab.
//   phonesec-vpn run --config cfg.xml [--connect] [--ca FILE] [--pin PIN] [--ifname IF] [--run-dir DIR]
//                    [--firewall PIN_DIR]
//       boots the client on the profile (connects when Connect_on_Bootup is Yes, or with
//       --connect); SIGUSR1 = switch on, SIGUSR2 = switch off, SIGHUP = re-read the profile
//       (Enable_VPN_Connection), SIGTERM/SIGINT = disconnect and exit. Writes the status
//       page to DIR/vpn.json (default /run/phonesec) every second and on each change.
//       --firewall: puts phonesecd's firewall (maps pinned under PIN_DIR, normally
//       /sys/fs/bpf/phonesec: the same policy and conntrack) on each tunnel it brings up.
//   phonesec-vpn status [--run-dir DIR]     prints that status.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <poll.h>

#include "common/log.h"
#include "config/phone_config.h"
#include "fw/firewall.h"
#include "vpn/client.h"
#include "vpn/fw_attach.h"
#include "common/secure.h"

namespace {

using namespace phonesec;

struct Opts {
  std::string cmd, config, ca, pin, ifname = "psvpn0", run_dir = "/run/phonesec", firewall;
  bool connect = false;
};

[[noreturn]] void usage(int rc) {
  (rc ? std::cerr : std::cout)
      << "usage: phonesec-vpn run --config cfg.xml [--connect] [--ca FILE] [--pin PIN] [--ifname IF] [--run-dir DIR]\n"
         "                       [--firewall PIN_DIR]\n"
         "       phonesec-vpn status [--run-dir DIR]\n"
         "run: SIGUSR1 connects, SIGUSR2 disconnects, SIGHUP re-reads cfg.xml, SIGTERM exits.\n";
  std::exit(rc);
}

bool write_status(const std::string& dir, const vpn::VpnStatus& st) {
  std::string tmp = dir + "/vpn.json.tmp", dst = dir + "/vpn.json";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return false;
    f << vpn::to_json(st) << "\n";
  }
  return std::rename(tmp.c_str(), dst.c_str()) == 0;
}

Result<config::VpnConfig> load(const std::string& path) {
  auto r = config::load_file(path);
  if (!r) return r.error();
  for (const auto& d : r->diagnostics)
    if (d.param.rfind("VPN", 0) == 0 || d.param == "Connect_on_Bootup" || d.param == "Enable_VPN_Connection")
      log::warn("vpn", d.to_string());
  return r->config.vpn;
}

int run(const Opts& o) {
  if (o.config.empty()) {
    std::cerr << "phonesec-vpn run: --config is required\n";
    return 2;
  }
  auto cfg = load(o.config);
  if (!cfg) {
    std::cerr << "phonesec-vpn: " << cfg.error().message() << "\n";
    return 1;
  }
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);  // before the client's threads exist: they inherit it
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    std::perror("signalfd");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);  // a gateway that vanishes mid-write must not kill the phone's VPN
  std::error_code ec;
  std::filesystem::create_directories(o.run_dir, ec);

  vpn::ClientOptions co;
  co.trust.ca_file = o.ca;
  co.trust.pin = o.pin;
  co.ifname = o.ifname;
  // The firewall on the tunnel: phonesecd's pinned maps, adopted (its policy, its conntrack).
  std::unique_ptr<fw::Firewall> fwall;
  vpn::ClientEvents events;
  if (!o.firewall.empty()) {
    if (!std::filesystem::exists(o.firewall + "/maps/ps_policy")) {
      std::cerr << "phonesec-vpn: --firewall " << o.firewall << ": no firewall maps pinned there (is phonesecd running?)\n";
      return 1;
    }
    fw::FirewallOptions fo;
    fo.pin_dir = o.firewall;
    auto f = fw::Firewall::load(fo);
    if (!f || !f.value()->adopted()) {
      std::cerr << "phonesec-vpn: --firewall " << o.firewall << ": "
                << (f ? std::string("the pinned maps are not this build's") : f.error().message()) << "\n";
      return 1;
    }
    fwall = std::move(f.value());
    events = vpn::firewall_events(*fwall, nullptr);
  }
  vpn::VpnClient client(co, events);
  client.boot(*cfg);
  if (o.connect) (void)client.connect();

  for (;;) {
    write_status(o.run_dir, client.status());
    pollfd p{sfd, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    signalfd_siginfo si{};
    if (read(sfd, &si, sizeof si) != sizeof si) continue;
    if (si.ssi_signo == SIGUSR1) {
      (void)client.connect();
    } else if (si.ssi_signo == SIGUSR2) {
      client.disconnect();
    } else if (si.ssi_signo == SIGHUP) {
      auto c = load(o.config);
      if (c) client.apply(*c);
      else log::error("vpn", "reload: ", c.error().message(), "; keeping the previous profile");
    } else {
      break;
    }
  }
  client.disconnect();
  write_status(o.run_dir, client.status());
  close(sfd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!phonesec::no_core_dumps()) std::perror("phonesec-vpn: cannot keep secrets out of core dumps");
  Opts o;
  if (argc < 2) usage(2);
  o.cmd = argv[1];
  if (o.cmd == "-h" || o.cmd == "--help") usage(0);
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "phonesec-vpn: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") o.config = need();
    else if (a == "--ca") o.ca = need();
    else if (a == "--pin") o.pin = need();
    else if (a == "--ifname") o.ifname = need();
    else if (a == "--run-dir") o.run_dir = need();
    else if (a == "--firewall") o.firewall = need();
    else if (a == "--connect") o.connect = true;
    else {
      std::cerr << "phonesec-vpn: unknown argument '" << a << "'\n";
      usage(2);
    }
  }
  if (o.cmd == "run") return run(o);
  if (o.cmd == "status") {
    std::ifstream f(o.run_dir + "/vpn.json");
    if (!f) {
      std::cerr << "phonesec-vpn: no status in " << o.run_dir << " (is `phonesec-vpn run` running?)\n";
      return 1;
    }
    std::cout << f.rdbuf();
    return 0;
  }
  std::cerr << "phonesec-vpn: unknown command '" << o.cmd << "'\n";
  usage(2);
}

// SPDX-License-Identifier: Apache-2.0
// phonesecd: the phone's security controller (see daemon.h for the boot order). Also the
// program its workers run: `phonesecd --worker NAME` (started by phonesecd itself, channel
// on fd 3; not for people).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "common/log.h"
#include "common/secure.h"
#include "phonesecd/daemon.h"
#include "phonesecd/parts.h"

namespace {

const char* kUsage =
    "usage: phonesecd [--config cfg.xml] [--iface IF]... [options]\n"
    "The phone's security controller: enforces the firewall at once (last good profile, factory\n"
    "profile on first boot), then runs 802.1X, provisioning and the VPN from the profile.\n"
    "SIGHUP (phonesec reload) re-reads the profiles; SIGUSR1 (phonesec resync) resyncs now.\n"
    "  --config FILE        the device's own cfg.xml (default: the built-in factory profile)\n"
    "  --iface IF           put the firewall on IF (repeatable)\n"
    "  --uplink IF          802.1X and DHCP interface (default: the first --iface)\n"
    "  --pc-port IF         the PC port (802.1X pass-through)\n"
    "  --ca FILE            trust anchors: 802.1X server, VPN gateway, HTTPS servers\n"
    "  --device-cert FILE   the device certificate ($CCERT), --device-key FILE its key\n"
    "  --dot1x-option N=V   a further phonesec-dot1x option (repeatable; e.g. method=fast)\n"
    "  --vpn-pin PIN        pin-sha256:BASE64 of the VPN gateway's certificate\n"
    "  --vpn-dpd-s N        VPN dead-peer detection interval (default 10; a dead gateway is seen within 6N s)\n"
    "  --dot1x-gate-ms N    the longest the network waits for 802.1X (default 30000)\n"
    "  --firewall-only      run no worker (the firewall alone)\n"
    "  --pin-dir DIR        default /sys/fs/bpf/phonesec   --run-dir DIR   default /run/phonesec\n"
    "  --state-dir DIR      what the device keeps (default /var/lib/phonesec)\n"
    "  --generic-xdp        generic XDP only   --clsact-egress   clsact egress even where tcx exists\n";

int worker_main(const std::string& name) {
  phonesec::Channel ch{phonesec::UniqueFd(phonesec::kWorkerFd)};
  auto r = phonesec::daemon::run_part(name, ch);
  if (!r) {
    // Said to the controller too: status shows why the part stopped, not only that it did.
    phonesec::log::error(name, r.error().message());
    (void)ch.send({{"op", "event"}, {"name", "fatal"}, {"error", r.error().message()}});
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!phonesec::no_core_dumps()) std::perror("phonesecd: cannot keep secrets out of core dumps");
  if (argc == 3 && std::strcmp(argv[1], "--worker") == 0) return worker_main(argv[2]);
  phonesec::daemon::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    const bool inline_value = !v.empty();
    auto need = [&](const char* what) -> std::string {
      if (inline_value) return v;
      if (i + 1 >= argc) {
        std::cerr << "phonesecd: " << a << " needs " << what << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") o.config_path = need("a file");
    else if (a == "--iface") o.interfaces.push_back(need("an interface"));
    else if (a == "--uplink") o.uplink = need("an interface");
    else if (a == "--pc-port") o.pc_port = need("an interface");
    else if (a == "--ca") o.ca_file = need("a file");
    else if (a == "--device-cert") o.device_cert = need("a file");
    else if (a == "--device-key") o.device_key = need("a file");
    else if (a == "--dot1x-option") o.dot1x_options.push_back(need("NAME=VALUE"));
    else if (a == "--vpn-pin") o.vpn_pin = need("a pin");
    else if (a == "--vpn-dpd-s") o.vpn_dpd_s = std::atoi(need("seconds").c_str());
    else if (a == "--dot1x-gate-ms") o.dot1x_gate = std::chrono::milliseconds(std::atol(need("milliseconds").c_str()));
    else if (a == "--firewall-only") o.workers = false;
    else if (a == "--pin-dir") o.pin_dir = need("a directory");
    else if (a == "--run-dir") o.run_dir = need("a directory");
    else if (a == "--state-dir") o.state_dir = need("a directory");
    else if (a == "--generic-xdp") o.generic_xdp = true;
    else if (a == "--clsact-egress") o.clsact_egress = true;
    else if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "phonesecd: unknown argument '" << argv[i] << "' (see --help)\n";
      return 2;
    }
  }
  std::error_code ec;
  o.self_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (o.self_exe.empty()) o.self_exe = argv[0];
  return phonesec::daemon::run(o);
}

// SPDX-License-Identifier: Apache-2.0
// phonesec-dot1x: the phone's 802.1X supplicant as a process (phonesecd may later host the
// Agent in-process). Status goes to <status-dir>/dot1x.{json,txt}; `phonesec status` shows it.
// SIGUSR1: re-authenticate now. SIGTERM/SIGINT: stop.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <csignal>
#include <iostream>

#include <optional>

#include "common/log.h"
#include "config/phone_config.h"
#include "dot1x/agent.h"
#include "common/secure.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_reauth = 0;
void on_signal(int) { g_stop = 1; }
void on_reauth(int) { g_reauth = 1; }
void on_hup(int) {
  static const char m[] = "phonesec-dot1x: SIGHUP ignored (no profile to reload; phonesecd reloads its parts)\n";
  (void)!write(2, m, sizeof m - 1);
}
}  // namespace

int main(int argc, char** argv) {
  if (!phonesec::no_core_dumps()) std::perror("phonesec-dot1x: cannot keep secrets out of core dumps");
  using namespace phonesec;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (auto it = args.begin(); it != args.end();) {
    if (*it == "-v") {
      log::set_level(log::Level::debug);
      it = args.erase(it);
    } else if (*it == "-h" || *it == "--help") {
      std::cout << "usage: phonesec-dot1x [-v] [--config cfg.xml] --enable yes --iface IF [options]\n"
                << "  --config  cfg.xml: Enable_802.1X_Authentication and PC_PORT_Enable (overridden by the options)\n"
                << dot1x::options_help();
      return 0;
    } else {
      ++it;
    }
  }
  // --config cfg.xml: Enable_802.1X_Authentication / PC_PORT_Enable as defaults.
  std::optional<config::Dot1xConfig> base;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--config") continue;
    if (i + 1 >= args.size()) {
      std::cerr << "phonesec-dot1x: --config needs a file\n";
      return 2;
    }
    auto c = config::load_file(args[i + 1]);
    if (!c) {
      std::cerr << "phonesec-dot1x: " << c.error().message() << "\n";
      return 2;
    }
    for (const auto& d : c->diagnostics) std::cerr << d.to_string() << "\n";
    base = c->config.dot1x;
    args.erase(args.begin() + long(i), args.begin() + long(i) + 2);
    break;
  }
  auto opts = dot1x::parse_options(args, base ? &*base : nullptr);
  if (!opts) {
    std::cerr << "phonesec-dot1x: " << opts.error().message() << "\n";
    return 2;
  }
  const std::string status_dir = opts->status_dir;
  auto agent = dot1x::Agent::create(std::move(*opts));
  if (!agent) {
    std::cerr << "phonesec-dot1x: " << agent.error().message() << "\n";
    return 1;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGUSR1, on_reauth);  // re-authenticate now (EAPOL-Start)
  // No part dies on SIGHUP: the standalone tool has no profile to re-read (phonesecd does).
  std::signal(SIGHUP, on_hup);
  // `phonesec status` shows this tool's status only while this pid lives.
  if (!status_dir.empty()) {
    ::mkdir(status_dir.c_str(), 0755);
    std::ofstream(status_dir + "/dot1x.pid", std::ios::trunc) << getpid() << "\n";
  }
  auto r = (*agent)->run(&g_stop, &g_reauth);
  if (!status_dir.empty()) {
    std::remove((status_dir + "/dot1x.pid").c_str());
    std::remove((status_dir + "/dot1x.json").c_str());
    std::remove((status_dir + "/dot1x.txt").c_str());
  }
  if (!r) {
    std::cerr << "phonesec-dot1x: " << r.error().message() << "\n";
    return 1;
  }
  return 0;
}

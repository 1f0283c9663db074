// SPDX-License-Identifier: Apache-2.0
#include "run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/channel.h"
#include "prov/resync.h"
#include "prov/worker.h"

namespace phonesec::prov_app {

std::vector<cli::OptionSpec> run_options() {
  return {{"config", "cfg.xml: the provisioning settings (rules, domains, proxy, syslog, resync)"},
          {"run-dir", "folder whose dhcp/ holds the lease files the DHCP client hooks write", true, false,
           prov::default_run_dir()},
          {"iface", "use only this interface's leases"},
          {"incoming-dir", "where fetched profiles are written (default: the folder of --config)"},
          {"ca", "CA file for HTTPS"},
          {"product", "product name for $PN", true, false, "phonesec"},
          {"psn", "product series for $PSN"},
          {"mac", "device MAC for $MA/$MAU/$MAC (default: the lease's interface)"},
          {"serial", "serial number for $SN"},
          {"follow", "play the controller: apply each fetched profile over --config (prov-effective.xml)", false}};
}

int run_cmd(const cli::Args& a) {
  if (!a.has("config")) {
    std::cerr << "phonesec-prov run: --config is required\n";
    return 2;
  }
  std::error_code ec;
  std::string cfg = std::filesystem::absolute(a.get("config"), ec).string();
  auto pair = Channel::pair();
  if (!pair) {
    std::cerr << "phonesec-prov run: " << pair.error().message() << "\n";
    return 1;
  }
  Channel ctl = std::move(pair->first);
  prov::WorkerOptions o;
  o.run_dir = a.get("run-dir");
  o.iface = a.get("iface");
  o.incoming_dir = a.get("incoming-dir");
  o.ca_file = a.get("ca");
  o.device.product_name = a.get("product");
  o.device.product_series = a.get("psn");
  o.device.mac = a.get("mac");
  o.device.serial = a.get("serial");

  sigset_t sigs;
  sigemptyset(&sigs);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&sigs, s);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);  // the worker thread inherits the mask
  UniqueFd sfd(signalfd(-1, &sigs, SFD_CLOEXEC));

  Status result;
  std::thread worker([&result, w = std::move(pair->second), o]() mutable {
    result = prov::run_worker(w, o);
    w.close();  // the controller side sees the end
  });
  std::int64_t gen = 1;
  // --follow: the settings are --config with the last fetched profile over it, as the
  // controller would apply them (a later element wins).
  bool follow = a.has("follow");
  std::string fetched;
  auto effective = [&]() -> std::string {
    if (!follow || fetched.empty()) return cfg;
    auto read = [](const std::string& p) {
      std::ifstream in(p, std::ios::binary);
      return std::string((std::istreambuf_iterator<char>(in)), {});
    };
    auto merged = prov::merge_profiles({read(cfg), read(fetched)}, {cfg, fetched});
    if (!merged) {
      std::cerr << "phonesec-prov run: " << merged.error().message() << "\n";
      return cfg;
    }
    std::string out = std::filesystem::path(fetched).parent_path() / "prov-effective.xml";
    std::string tmp = out + ".tmp";
    {
      UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (!fd.valid() || ::write(fd.get(), merged->data(), merged->size()) != ssize_t(merged->size())) return cfg;
    }
    if (::rename(tmp.c_str(), out.c_str()) != 0) return cfg;
    return out;
  };
  auto apply = [&] { (void)ctl.send(Json{{"op", "apply"}, {"profile", effective()}, {"generation", gen}}); };
  apply();
  bool stopping = false;
  for (;;) {
    pollfd p[2] = {{ctl.fd(), POLLIN, 0}, {sfd.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[1].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(sfd.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGHUP) {
          ++gen;
          apply();
        } else if (si.ssi_signo == SIGUSR1) {
          (void)ctl.send(Json{{"op", "command"}, {"name", "resync"}});
        } else if (!stopping) {
          stopping = true;
          (void)ctl.send(Json{{"op", "stop"}});
        }
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      auto m = ctl.recv();
      if (!m || !*m) break;
      std::cout << (**m).dump(-1, ' ', false, Json::error_handler_t::replace) << std::endl;
      const Json& msg = **m;
      if (follow && !stopping && msg["op"] == "event" && msg.value("name", "") == "profile" &&
          msg.value("changed", false) && msg.contains("path") && msg["path"].is_string()) {
        fetched = msg["path"];
        ++gen;
        apply();
      }
    }
  }
  worker.join();
  if (!result) {
    std::cerr << "phonesec-prov run: " << result.error().message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace phonesec::prov_app

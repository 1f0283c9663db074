// SPDX-License-Identifier: Apache-2.0
// phonesecd: the phone's security controller. It owns the firewall in process (it holds
// CAP_BPF / CAP_NET_ADMIN) and runs every network-facing part as a worker process with only
// the privileges that part needs (workers.h), all from one profile:
//
//   t0  enforce at once with the last good profile kept on the device (factory on first boot)
//   t1  802.1X on the uplink when Enable_802.1X_Authentication (the others wait for it)
//   t2  provisioning: source from DHCP, Profile_Rule…_D, resync (worker "prov")
//   t3  each profile that validates is applied to every part, kept as last good
//   t4  VPN (worker "vpn"; the controller puts the firewall on its tunnel), media security
//
// The effective profile is the device's own cfg.xml (--config; factory profile without one)
// with the provisioned parameters over it (<state>/provisioned.xml, accumulated across
// resyncs as a phone keeps them). A reload (SIGHUP, `phonesec reload`) re-reads both; a
// profile event from provisioning merges the fetched parameters in. Only parts whose settings
// changed are told (the firewall swaps policy without dropping flows); a profile that is not
// well-formed changes nothing. One status: <run_dir>/status.json, every part in it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/channel.h"
#include "common/result.h"
#include "config/phone_config.h"
#include "fw/firewall.h"
#include "fw/link_lifecycle.h"
#include "phonesecd/workers.h"

namespace phonesec::daemon {

struct Options {
  std::string config_path;  // the device's own profile; empty: built-in factory profile
  std::vector<std::string> interfaces;
  std::string pin_dir = fw::kDefaultPinDir;
  std::string run_dir = "/run/phonesec";
  std::string state_dir = "/var/lib/phonesec";
  bool generic_xdp = false;
  bool clsact_egress = false;  // force the clsact egress filter even where tcx exists
  // The device (not in cfg.xml).
  std::string uplink;          // 802.1X and DHCP; default: the first interface
  std::string pc_port;         // PC port (802.1X pass-through)
  std::string ca_file;         // trust anchors (802.1X server, VPN gateway, HTTPS)
  std::string device_cert, device_key;  // the device certificate ($CCERT)
  std::vector<std::string> dot1x_options;  // more phonesec-dot1x options, NAME=VALUE
  std::string vpn_pin;         // pin-sha256:… of the VPN gateway
  int vpn_dpd_s = 10;          // dead-peer detection: a dead gateway ends "connected" within ~6x this (DTLS, then TLS)
  bool workers = true;         // false: the firewall only
  std::chrono::milliseconds dot1x_gate{30000};  // the longest the network waits for 802.1X
  std::string self_exe;        // this binary, for the workers
};

struct ReloadOutcome {
  bool applied = false;       // the profile was taken (a new policy is live)
  std::uint32_t generation = 0;
  std::string message;        // what happened, for logs and status
  std::vector<config::Diagnostic> diagnostics;
};

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> start(const Options& o);
  ~Daemon();
  // Re-reads the device's profile and the provisioned one. Not well-formed: nothing changes.
  ReloadOutcome reload();
  // The event loop until SIGTERM/SIGINT (sfd: the signalfd of HUP, TERM, INT, USR1, CHLD).
  void loop(int sfd);
  Status write_status() const;
  const Options& options() const { return opts_; }

 private:
  Daemon() = default;
  struct Composed {
    config::PhoneConfig cfg;
    std::vector<config::Diagnostic> diags;
    std::string source;
  };
  Result<Composed> compose(const std::string* provisioned_text) const;
  ReloadOutcome take(Composed c);
  bool apply_firewall(const config::PhoneConfig& cfg, ReloadOutcome& out);
  void start_workers_due();
  void send_apply(Worker& w);
  void on_message(Worker& w, const Json& m);
  void on_profile_event(const Json& m);
  void on_tunnel(const Json& m, bool up);
  bool wanted(const std::string& part) const;
  bool network_gate_open() const;
  void stop_all_workers();
  Worker* worker(const std::string& name);
  Json part_args(const std::string& part) const;
  std::string part_dir(const Worker& w) const;
  void mark(const std::string& step);

  Options opts_;
  std::unique_ptr<fw::Firewall> fw_;
  std::vector<fw::AttachInfo> attached_;
  std::vector<fw::AttachInfo> tunnels_;
  std::unique_ptr<fw::LinkLifecycle> links_;  // the --iface devices' life: recreated = attached again
  std::vector<std::string> waiting_;          // --iface names with no device yet (attached when they appear)
  void on_links();
  std::uint16_t tr069_port_ = 0;
  ReloadOutcome last_;
  std::string policy_source_;
  std::int64_t started_unix_ = 0;
  Clock::time_point started_{};
  config::PhoneConfig cfg_;             // the effective profile in force
  config::PhoneConfig applied_to_fw_;   // what the firewall's policy was compiled from
  bool fw_applied_ = false;
  std::uint32_t generation_ = 0;        // profile generation (every part)
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<std::string, config::PhoneConfig> sent_cfg_;  // per part: the profile it was given
  Json boot_ = Json::object();          // step → ms since start
  Json provisioning_ = Json::object();  // last profile event and what became of it
  bool stopping_ = false;
  bool busy_ = false;                   // a call is up (told to provisioning)
  std::uint32_t reloads_ = 0;           // reload requests answered (status: last_reload.seq)
};

// Runs the controller until SIGTERM/SIGINT; SIGHUP reloads, SIGUSR1 resyncs now.
int run(const Options& o);
// `phonesecd --worker NAME`: the worker side (fd 3 is its channel). Returns the exit code.
int run_worker(const std::string& name);

}  // namespace phonesec::daemon

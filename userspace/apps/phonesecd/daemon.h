// SPDX-License-Identifier: Apache-2.0
// phonesecd's core: load the firewall (adopting pinned state), attach it, install the policy
// compiled from cfg.xml (or the factory profile), reload on request keeping the last good
// policy, and publish status to <run_dir>/status.json for `phonesec status`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/phone_config.h"
#include "fw/firewall.h"

namespace phonesec::daemon {

struct Options {
  std::string config_path;  // empty: built-in factory profile
  std::vector<std::string> interfaces;
  std::string pin_dir = fw::kDefaultPinDir;
  std::string run_dir = "/run/phonesec";
  bool generic_xdp = false;
  bool clsact_egress = false;  // force the clsact egress filter even where tcx exists
};

struct ReloadOutcome {
  bool applied = false;       // a new policy is live
  std::uint32_t generation = 0;
  std::string message;        // what happened, for logs and status
  std::vector<config::Diagnostic> diagnostics;
};

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> start(const Options& o);
  // Re-reads the config. A file that is not well-formed keeps the last good policy.
  ReloadOutcome reload();
  Status write_status() const;
  const Options& options() const { return opts_; }

 private:
  Daemon() = default;
  ReloadOutcome apply(const config::PhoneConfig& cfg, std::vector<config::Diagnostic> diags, std::string source);

  Options opts_;
  std::unique_ptr<fw::Firewall> fw_;
  std::vector<fw::AttachInfo> attached_;
  std::uint16_t tr069_port_ = 0;
  ReloadOutcome last_;
  std::string policy_source_;
  std::int64_t started_unix_ = 0;
};

// Runs the daemon until SIGTERM/SIGINT; SIGHUP reloads. Returns the process exit code.
int run(const Options& o);

}  // namespace phonesec::daemon

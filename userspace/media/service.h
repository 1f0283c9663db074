// SPDX-License-Identifier: Apache-2.0
// The media-security service: one LineProxy per running line (Line_Enable_n_ = Yes and a
// proxy set), all in one event loop. apply() takes a loaded profile and rebuilds only the lines
// whose settings changed (their calls end, keys wiped); the others keep their calls.
//
// run_worker(ch): the controller's worker (`phonesecd --worker media`, channel on fd 3, protocol
// in common/channel.h):
//   in  {"op":"apply","profile":PATH,"generation":N}  → config::load_file(PATH), apply, then
//       {"op":"applied","generation":N,"outcome":"applied"|"unchanged"|"error: …"}
//   in  {"op":"stop"} or the channel closing          → every call ends, keys wiped, return
//   out {"op":"status","status":{"lines":[…]}}        after each apply and each change (call up/
//       down, MediaSec state, suite): per line enabled, transport, proxy, local and UA-side
//       addresses, mediasec {mode, over_tls_only, state, agreed}, auth_invite, calls, suite,
//       SIP and media counters, or error. Never a key or a password.
// It ignores SIGPIPE (a proxy closing the TLS connection mid-write). It needs no privilege: UDP ports above 1024 (SIP_Port_n_, SIP_Port_n_ + 10000 on 127.0.0.1,
// the RTP range), no capability; with SIP_Port_n_ below 1024 it would need CAP_NET_BIND_SERVICE.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/channel.h"
#include "config/phone_config.h"
#include "media/line.h"
#include "media/loop.h"

namespace phonesec::media {

// What cfg.xml does not say (phonesec's own settings, not the provider's).
struct ServiceOptions {
  std::vector<srtp::Suite> suites;      // SDES offer order; empty: default_suites()
  std::string ca_file = kDefaultCaFile;  // trusted roots for SIP over TLS
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> create(ServiceOptions o = {});
  // "applied" or "unchanged"; a line that cannot start is reported in status (error) and
  // makes the outcome "error: …" naming it, while the other lines run.
  std::string apply(const config::PhoneConfig& c);
  Json status() const;
  Loop& loop() { return loop_; }
  // True once after something in status changed.
  bool take_changed() { return std::exchange(changed_, false); }
  // Called after each loop turn: lines that could not start (proxy unreachable, TLS refused)
  // are tried again every kRetrySeconds.
  void tick();
  static constexpr int kRetrySeconds = 30;

 private:
  explicit Service(Loop l, ServiceOptions o) : loop_(std::move(l)), o_(std::move(o)) {}
  void start(const LineSettings& s);
  Loop loop_;
  ServiceOptions o_;
  std::chrono::steady_clock::time_point last_retry_ = std::chrono::steady_clock::now();
  std::map<int, std::unique_ptr<LineProxy>> lines_;
  std::map<int, std::pair<LineSettings, std::string>> failed_;  // settings, error
  std::vector<int> disabled_;  // lines with a proxy but Line_Enable_n_ = No (shown in status)
  bool changed_ = true;
};

Status run_worker(Channel& ch, ServiceOptions o = {});

// phonesec-media run: the same service on a cfg.xml; SIGHUP re-reads it, SIGTERM/SIGINT end.
// Each status object is written to `status_out` as one JSON line (when not null).
Status run_standalone(const std::string& config_path, ServiceOptions o, std::ostream* status_out);

}  // namespace phonesec::media

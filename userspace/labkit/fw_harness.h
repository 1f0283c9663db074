// SPDX-License-Identifier: Apache-2.0
// A private Firewall (fresh maps, nothing pinned or attached), a policy compiled from a
// PhoneConfig, and frames run through the real programs with BPF_PROG_TEST_RUN — shared by the
// bpf tests and the firewall benchmarks (ps_labkit, header only: link ps_fw; no test framework;
// errors throw std::runtime_error). Lab tooling, never shipped.
#pragma once

#include <sched.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "config/phone_config.h"
#include "fw/firewall.h"
#include "fw/policy.h"
#include "fw/verdict.h"
#include "labkit/packet.h"

namespace phonesec::test {

inline const std::string L4 = "10.0.0.2", R4 = "10.0.0.1", L6 = "fd00::2", R6 = "fd00::1";
inline constexpr std::uint16_t kTr069Port = 8555;

// The factory profile with a fixed, test-friendly baseline: line 1 on UDP 5060, the other
// lines off, RTP 16384-16482, web server on 80, PFS and TR-069 off.
inline config::PhoneConfig base_config() {
  auto c = config::factory();
  c.firewall_enabled = true;
  for (auto& l : c.lines) l.enable = false;
  c.lines[0].enable = true;
  c.lines[0].sip_port = 5060;
  c.lines[0].sip_transport = config::SipTransport::UDP;
  c.rtp_port_min = 16384;
  c.rtp_port_max = 16482;
  c.web_server_enabled = true;
  c.web_server_port = 80;
  c.upgrade_enable = false;
  c.peer_firmware_sharing = false;
  c.tr069_enabled = false;
  c.broadcast_echo = false;
  c.firewall = {};
  return c;
}

// Runs this thread's BPF_PROG_TEST_RUNs on one CPU. The common LRU hands out free nodes to
// each CPU in batches of 128: a thread wandering over many CPUs can make a small table (the
// 256-entry TFTP one) evict before it is full, which a test expecting an entry would see.
inline void pin_to_one_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cpu = sched_getcpu();
  CPU_SET(cpu < 0 ? 0 : cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) throw std::runtime_error("sched_setaffinity");
}

class FwHarness {
 public:
  explicit FwHarness(const fw::FirewallOptions& opts = {}) {
    pin_to_one_cpu();
    auto fw = fw::Firewall::load(opts);
    if (!fw) throw std::runtime_error("load firewall: " + fw.error().message());
    fw_ = std::move(fw.value());
    auto r = fw::VerdictRunner::create(*fw_, {L4, L6});
    if (!r) throw std::runtime_error(r.error().message());
    runner_ = std::make_unique<fw::VerdictRunner>(std::move(r.value()));
  }
  void install(const config::PhoneConfig& c, std::uint16_t tr069_port = kTr069Port) {
    auto compiled = fw::compile(c, tr069_port);
    auto g = fw::install_policy(fw_->maps(), *compiled.image);
    if (!g) throw std::runtime_error(g.error().message());
  }
  fw::FrameVerdict in(const Frame& f) { return run(f, false); }
  fw::FrameVerdict out(const Frame& f) { return run(f, true); }
  fw::Firewall& fw() { return *fw_; }
  // l3: through the L3 (tun) programs; what: how the frame was made, for the message when the
  // kernel refuses to run it.
  fw::FrameVerdict run(const Frame& f, bool out, bool l3 = false, const std::string& what = "") {
    auto v = runner_->run_dir(f, ++n_, out, l3);
    if (!v) throw std::runtime_error(v.error().message() + (what.empty() ? "" : " (" + what + ")"));
    return v.value();
  }

 private:
  std::unique_ptr<fw::Firewall> fw_;
  std::unique_ptr<fw::VerdictRunner> runner_;
  std::size_t n_ = 0;
};

}  // namespace phonesec::test

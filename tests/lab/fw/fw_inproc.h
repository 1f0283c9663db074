// SPDX-License-Identifier: Apache-2.0
// Lab helpers for tests that run the firewall inside the test process (no daemon): a private
// fw::Firewall (fresh maps, nothing pinned) with the test profile, attached to an interface of
// a network namespace; the calling thread enters the namespace for the attach only. Links of a
// private firewall live as long as the process or the interface.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "config/phone_config.h"
#include "fw/firewall.h"
#include "fw/policy.h"
#include "labkit/fw_harness.h"

namespace phonesec::test {

// The calling thread is in network namespace `ns` (a name under /run/netns) while it lives.
class InNetns {
 public:
  explicit InNetns(const std::string& ns) {
    self_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (self_ < 0 || target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
      if (target >= 0) ::close(target);
      throw std::runtime_error("enter netns " + ns);
    }
    ::close(target);
  }
  ~InNetns() {
    ::setns(self_, CLONE_NEWNET);
    ::close(self_);
  }
  InNetns(const InNetns&) = delete;
  InNetns& operator=(const InNetns&) = delete;

 private:
  int self_ = -1;
};

// The lab profile: firewall on, line 1 SIP on UDP 5060, web server on 80, nothing else open
// (labkit's baseline, the one the BPF tests use).
inline config::PhoneConfig lab_config() { return phonesec::test::base_config(); }

// A firewall with lab_config() installed (not attached anywhere yet); private unless `opts`
// names a pin directory.
inline std::unique_ptr<fw::Firewall> load_lab_firewall(const fw::FirewallOptions& opts = {}) {
  auto f = fw::Firewall::load(opts);
  if (!f) throw std::runtime_error("load firewall: " + f.error().message());
  auto compiled = fw::compile(lab_config(), 0);
  auto g = fw::install_policy(f.value()->maps(), *compiled.image);
  if (!g) throw std::runtime_error("install policy: " + g.error().message());
  return std::move(f.value());
}

inline void attach_in(fw::Firewall& f, const std::string& ns, const std::string& ifname) {
  InNetns in(ns);
  auto a = f.attach(ifname);
  if (!a) throw std::runtime_error("attach " + ifname + " in " + ns + ": " + a.error().message());
}

// Inbound packets the programs counted with `reason`.
inline std::uint64_t count_in(const fw::Firewall& f, unsigned reason) {
  auto s = fw::read_stats(f.maps());
  if (!s) throw std::runtime_error(s.error().message());
  return (*s)[PS_DIR_IN * PS_R_MAX + reason].packets;
}

}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
// Lab helpers: network namespaces joined by a veth pair, sockets opened inside a namespace
// (setns on the calling thread, socket(), setns back — the socket stays in the namespace),
// commands run with `ip netns exec`. Everything is removed in the destructor.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <cstdio>
#include <string>
#include <vector>

namespace phonesec::test {

inline int sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
inline void sh_or_throw(const std::string& cmd) {
  if (sh(cmd) != 0) throw std::runtime_error("command failed: " + cmd);
}
// stdout and stderr of `cmd` (through sh); its exit status in *rc (-1 if it did not exit).
inline std::string capture_all(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char b[4096];
  std::size_t n;
  while ((n = fread(b, 1, sizeof b, p)) > 0) out.append(b, n);
  int st = pclose(p);
  if (rc) *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

// Two namespaces `<p>phone` and `<p>peer`; veth `<p>ph` (phone side) ↔ `<p>pe` (peer side).
// phone: 10.77.0.2/24, fd77::2/64; peer: 10.77.0.1/24, fd77::1/64.
class VethPair {
 public:
  explicit VethPair(std::string prefix) : p_(std::move(prefix)) {
    cleanup();
    sh_or_throw("ip netns add " + phone() + " && ip netns add " + peer());
    sh_or_throw("ip link add " + phone_if() + " netns " + phone() + " type veth peer name " + peer_if() + " netns " + peer());
    for (auto [ns, ifn, a4, a6] : {std::tuple{phone(), phone_if(), std::string("10.77.0.2/24"), std::string("fd77::2/64")},
                                   std::tuple{peer(), peer_if(), std::string("10.77.0.1/24"), std::string("fd77::1/64")}}) {
      sh_or_throw("ip -n " + ns + " link set lo up && ip -n " + ns + " link set " + ifn + " up && ip -n " + ns +
                  " addr add " + a4 + " dev " + ifn + " && ip -n " + ns + " addr add " + a6 + " dev " + ifn + " nodad");
    }
    // veth native XDP needs an XDP program (or GRO) on the peer to receive redirected frames;
    // plain XDP_PASS/DROP on the receiving side works without it.
  }
  ~VethPair() { cleanup(); }
  std::string phone() const { return p_ + "phone"; }
  std::string peer() const { return p_ + "peer"; }
  std::string phone_if() const { return p_ + "ph"; }
  std::string peer_if() const { return p_ + "pe"; }
  std::string in_phone(const std::string& cmd) const { return "ip netns exec " + phone() + " " + cmd; }
  std::string in_peer(const std::string& cmd) const { return "ip netns exec " + peer() + " " + cmd; }

 private:
  void cleanup() {
    sh("ip netns del " + phone() + " 2>/dev/null");
    sh("ip netns del " + peer() + " 2>/dev/null");
  }
  std::string p_;
};

// socket() inside namespace `ns`.
inline int socket_in(const std::string& ns, int domain, int type) {
  int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int target = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (self < 0 || target < 0) throw std::runtime_error("open netns " + ns);
  if (setns(target, CLONE_NEWNET) != 0) throw std::runtime_error("setns " + ns);
  int s = socket(domain, type | SOCK_CLOEXEC, 0);
  setns(self, CLONE_NEWNET);
  close(self);
  close(target);
  if (s < 0) throw std::runtime_error("socket in " + ns);
  return s;
}

inline bool wait_readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

}  // namespace phonesec::test

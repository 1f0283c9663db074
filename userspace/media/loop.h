// SPDX-License-Identifier: Apache-2.0
// The media worker's one event loop: epoll over the channel, the SIP sockets and every relay
// socket. A Handler registers its fds with itself as the cookie; closing an fd removes it.
// Objects that own registered fds are destroyed only between two waits (Loop::defer), so an
// event already returned for them is never delivered to freed memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/result.h"

namespace phonesec::media {

class Handler {
 public:
  virtual ~Handler() = default;
  virtual void on_readable(int fd) = 0;
};

class Loop {
 public:
  static Result<Loop> create();
  Loop(Loop&&) noexcept = default;
  Loop& operator=(Loop&&) noexcept = default;
  ~Loop();
  Status add(int fd, Handler* h);
  void remove(int fd);
  // Waits up to timeout_ms and dispatches; then runs the deferred work. Returns false on error.
  Status run_once(int timeout_ms);
  // Runs `f` after the current batch of events (destruction of handlers).
  void defer(std::function<void()> f) { deferred_.push_back(std::move(f)); }

 private:
  struct Entry {
    int fd;
    Handler* h;
  };
  Loop() = default;
  UniqueFd ep_;
  std::vector<Entry*> entries_, dead_;
  std::vector<std::function<void()>> deferred_;
};

// A UDP socket bound to ip:port (port 0 = any), non-blocking, close-on-exec.
Result<UniqueFd> bind_udp(const std::string& ip, std::uint16_t port);

}  // namespace phonesec::media

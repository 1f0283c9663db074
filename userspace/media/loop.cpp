// SPDX-License-Identifier: Apache-2.0
#include "media/loop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace phonesec::media {

Result<Loop> Loop::create() {
  Loop l;
  l.ep_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!l.ep_.valid()) return sys_error("media loop: epoll_create1");
  return l;
}

Status Loop::add(int fd, Handler* h) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  auto* e = new Entry{fd, h};
  ev.data.ptr = e;
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    delete e;
    return sys_error("media loop: epoll_ctl add fd " + std::to_string(fd));
  }
  entries_.push_back(e);
  return {};
}

void Loop::remove(int fd) {
  ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if ((*it)->fd == fd) {
      (*it)->h = nullptr;  // an event of this batch may still name it
      dead_.push_back(*it);
      entries_.erase(it);
      break;
    }
}

Status Loop::run_once(int timeout_ms) {
  epoll_event evs[64];
  int n = ::epoll_wait(ep_.get(), evs, 64, timeout_ms);
  if (n < 0 && errno != EINTR) return sys_error("media loop: epoll_wait");
  for (int i = 0; i < n; ++i) {
    auto* e = static_cast<Entry*>(evs[i].data.ptr);
    if (e->h) e->h->on_readable(e->fd);
  }
  auto work = std::move(deferred_);
  deferred_.clear();
  for (auto& f : work) f();
  for (auto* e : dead_) delete e;
  dead_.clear();
  return {};
}

Loop::~Loop() {
  for (auto* e : entries_) delete e;
  for (auto* e : dead_) delete e;
}

Result<UniqueFd> bind_udp(const std::string& ip, std::uint16_t port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  if (ip.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (::inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr) != 1)
      return make_error(Errc::invalid_argument, "bind " + ip + ": not an IPv6 address");
    len = sizeof *a;
    family = AF_INET6;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (::inet_pton(AF_INET, ip.c_str(), &a->sin_addr) != 1)
      return make_error(Errc::invalid_argument, "bind " + ip + ": not an IPv4 address");
    len = sizeof *a;
  }
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sys_error("socket for " + ip);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return sys_error("bind " + ip + ":" + std::to_string(port));
  return fd;
}

}  // namespace phonesec::media

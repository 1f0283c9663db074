// SPDX-License-Identifier: Apache-2.0
#include "tls/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace phonesec::tls {

Status Stream::read_exact(void* buf, std::size_t n) {
  auto* p = static_cast<unsigned char*>(buf);
  while (n > 0) {
    auto got = read_some(p, n);
    if (!got) return got.error();
    if (*got == 0) return make_error(Errc::io, "peer closed the connection");
    p += *got;
    n -= *got;
  }
  return {};
}

Result<TcpConnection> tcp_connect_ip(const std::string& ip, uint16_t port,
                                     std::chrono::milliseconds timeout) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, ip.c_str(), &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    len = sizeof *s4;
  } else if (inet_pton(AF_INET6, ip.c_str(), &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    len = sizeof *s6;
  } else {
    return make_error(Errc::invalid_argument, "connect: '" + ip + "' is not an IP address");
  }
  std::string where = "connect " + ip + " port " + std::to_string(port);
  UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return sys_error(where + ": socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) return sys_error(where);
    pollfd pfd{fd.get(), POLLOUT, 0};
    int rc = ::poll(&pfd, 1, int(timeout.count()));
    if (rc == 0)
      return make_error(Errc::timeout,
                        where + ": no answer within " + std::to_string(timeout.count()) + " ms");
    if (rc < 0) return sys_error(where + ": poll");
    int err = 0;
    socklen_t el = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &el);
    if (err != 0) return make_error(Errc::system, where, err);
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return TcpConnection{std::move(fd), ip, port};
}

Result<TcpConnection> tcp_connect(const std::string& host, uint16_t port, const Resolver& resolve,
                                  std::chrono::milliseconds timeout) {
  auto addrs = resolve(host);
  if (!addrs) return addrs.error();
  Error last = make_error(Errc::not_found, "connect " + host + ": no address");
  for (const std::string& ip : *addrs) {
    auto c = tcp_connect_ip(ip, port, timeout);
    if (c) return c;
    last = c.error();
  }
  return last;
}

Result<std::size_t> PlainStream::read_some(void* buf, std::size_t n) {
  for (;;) {
    ssize_t r = ::recv(fd_, buf, n, 0);
    if (r >= 0) return std::size_t(r);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return make_error(Errc::timeout, "read: no data in time");
    return sys_error("read");
  }
}

Status PlainStream::write_all(const void* buf, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(buf);
  while (n > 0) {
    ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return make_error(Errc::timeout, "write: peer not reading");
      return sys_error("write");
    }
    p += w;
    n -= std::size_t(w);
  }
  return {};
}

}  // namespace phonesec::tls

// SPDX-License-Identifier: Apache-2.0
// Byte streams for the TLS clients: a connected TCP socket with timeouts, and the Stream
// interface both plain sockets and TLS sessions implement (LDAP talks through it before and
// after StartTLS).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/fd.h"
#include "common/result.h"
#include "common/resolver.h"

namespace phonesec::tls {

class Stream {
 public:
  virtual ~Stream() = default;
  // Reads up to n bytes; 0 means the peer closed. Errc::timeout when nothing came in time.
  virtual Result<std::size_t> read_some(void* buf, std::size_t n) = 0;
  virtual Status write_all(const void* buf, std::size_t n) = 0;
  Status read_exact(void* buf, std::size_t n);
};

// A connected TCP socket: blocking, with SO_RCVTIMEO/SO_SNDTIMEO set to the timeout.
struct TcpConnection {
  UniqueFd fd;
  std::string peer_ip;  // canonical text of the address actually connected to
  uint16_t port = 0;
};

// Connects to one numeric address within `timeout`.
Result<TcpConnection> tcp_connect_ip(const std::string& ip, uint16_t port, std::chrono::milliseconds timeout);
// Resolves `host` and tries each address in order until one accepts.
Result<TcpConnection> tcp_connect(const std::string& host, uint16_t port, const Resolver& resolve,
                                  std::chrono::milliseconds timeout);

class PlainStream : public Stream {
 public:
  explicit PlainStream(int fd) : fd_(fd) {}  // does not own the fd
  Result<std::size_t> read_some(void* buf, std::size_t n) override;
  Status write_all(const void* buf, std::size_t n) override;

 private:
  int fd_;
};

}  // namespace phonesec::tls

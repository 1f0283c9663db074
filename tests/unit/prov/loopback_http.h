// SPDX-License-Identifier: Apache-2.0
// Test peers on loopback: a minimal HTTP server that counts accepted connections and answers
// every request with a fixed response, and a UDP syslog receiver.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace phonesec::test {

class LoopbackHttp {
 public:
  explicit LoopbackHttp(std::string response = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")
      : response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t l = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &l);
    port_ = ntohs(a.sin_port);
    th_ = std::thread([this] { loop(); });
  }
  ~LoopbackHttp() {
    stop_ = true;
    th_.join();
    close(fd_);
  }
  std::uint16_t port() const { return port_; }
  int connections() const { return accepted_; }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) != 1) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++accepted_;
      char buf[4096];
      std::string req;
      while (req.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (poll(&q, 1, 1000) != 1) break;
        auto n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, std::size_t(n));
      }
      send(c, response_.data(), response_.size(), MSG_NOSIGNAL);
      close(c);
    }
  }
  std::string response_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stop_{false};
  std::thread th_;
};

class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t l = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &l);
    port_ = ntohs(a.sin_port);
  }
  ~UdpReceiver() { close(fd_); }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string next(int ms = 1000) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, ms) != 1) return "";
    char buf[4096];
    auto n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, std::size_t(n)) : "";
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace phonesec::test

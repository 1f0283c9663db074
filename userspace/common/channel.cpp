// SPDX-License-Identifier: Apache-2.0
#include "common/channel.h"

#include <sys/socket.h>

#include <vector>

namespace phonesec {

Result<std::pair<Channel, Channel>> Channel::pair() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return sys_error("socketpair");
  int sz = int(kMaxMessage) * 4;
  for (int fd : sv) {
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  }
  return std::pair<Channel, Channel>{Channel(UniqueFd(sv[0])), Channel(UniqueFd(sv[1]))};
}

Status Channel::send(const Json& msg) const {
  std::string s = msg.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > kMaxMessage) return make_error(Errc::invalid_argument, "channel: message of " + std::to_string(s.size()) + " bytes is too large");
  for (;;) {
    ssize_t n = ::send(fd_.get(), s.data(), s.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == ssize_t(s.size())) return {};
    if (n < 0 && errno == EINTR) continue;
    return sys_error("channel send");
  }
}

Result<std::optional<Json>> Channel::recv() const {
  std::vector<char> buf(kMaxMessage + 1);
  ssize_t n;
  do n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("channel recv");
  if (n == 0) return std::optional<Json>{};
  if (std::size_t(n) > kMaxMessage) return make_error(Errc::parse, "channel: message too large");
  Json j = Json::parse(buf.data(), buf.data() + n, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("op") || !j["op"].is_string())
    return make_error(Errc::parse, "channel: not a JSON object with an \"op\"");
  return std::optional<Json>{std::move(j)};
}

}  // namespace phonesec

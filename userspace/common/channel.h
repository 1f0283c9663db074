// SPDX-License-Identifier: Apache-2.0
// Channel: the controller ↔ worker link. phonesecd starts each network-facing part as a worker
// process (`phonesecd --worker NAME`) with one end of a SOCK_SEQPACKET socketpair on fd 3
// (kWorkerFd). One datagram is one message: a JSON object whose "op" names it. Datagrams keep
// message boundaries, so neither side needs framing; a message is at most kMaxMessage bytes.
//
// Controller → worker
//   {"op":"apply","profile":PATH,"generation":N}   settings: re-read the profile at PATH (0600,
//                                                  the controller's effective profile); act
//                                                  only on what changed for this part
//   {"op":"command","name":NAME, ...}              part-specific (reauth, resync, vpn on/off)
//   {"op":"stop"}                                  leave cleanly (also when the socket closes)
// Worker → controller
//   {"op":"status","status":{...}}                 the part's whole status object, on each change
//   {"op":"applied","generation":N,"outcome":S}    the result of an apply: "unchanged",
//                                                  "applied", or "error: …"
//   {"op":"event","name":NAME, ...}                part-specific (tun_up/tun_down, profile, …)
// Secrets never travel in status or events; a worker reads them from the profile file.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "common/result.h"

namespace phonesec {

using Json = nlohmann::json;

inline constexpr int kWorkerFd = 3;
inline constexpr std::size_t kMaxMessage = 256 * 1024;

// Tolerant readers for messages: a field that is missing, null or of another type reads as the
// fallback (nlohmann's value() throws on a type mismatch; a peer's message must never abort).
inline std::string jstr(const Json& j, const char* k, std::string def = "") {
  return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : def;
}
inline bool jbool(const Json& j, const char* k) { return j.is_object() && j.contains(k) && j[k].is_boolean() && j[k].get<bool>(); }
inline long long jnum(const Json& j, const char* k, long long def = 0) {
  return j.is_object() && j.contains(k) && j[k].is_number() ? j[k].get<long long>() : def;
}
inline Json jobj(const Json& j, const char* k) { return j.is_object() && j.contains(k) ? j[k] : Json(); }

class Channel {
 public:
  Channel() = default;
  explicit Channel(UniqueFd fd) : fd_(std::move(fd)) {}
  // A connected SOCK_SEQPACKET pair, both ends close-on-exec.
  static Result<std::pair<Channel, Channel>> pair();

  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  // Never blocks on a full peer for long: MSG_DONTWAIT, EAGAIN reported as an error.
  Status send(const Json& msg) const;
  // One message; std::nullopt when the peer closed. A datagram that is not a JSON object with
  // a string "op" is an Errc::parse error (the caller logs it and goes on).
  Result<std::optional<Json>> recv() const;
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

}  // namespace phonesec

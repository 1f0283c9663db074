// SPDX-License-Identifier: Apache-2.0
// Server nonces for digest challenges: random 128-bit values the UA issued itself, valid for a
// lifetime, with the highest nonce-count seen (a request whose nc is not above it is a replay)
// and, for credentials without qop, a single use. Expired nonces are remembered a while longer
// so a late but otherwise valid answer gets "stale=true" instead of a fresh challenge.
// Time is injected. Bounded: the oldest entries go first.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace phonesec::sip {

using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

class NonceStore {
 public:
  enum class State { unknown, valid, expired };
  struct Entry {
    std::chrono::steady_clock::time_point issued;
    std::uint32_t last_nc = 0;
    bool used_without_qop = false;
  };

  NonceStore(std::chrono::seconds lifetime, SteadyNow now, std::size_t max_entries = 512)
      : lifetime_(lifetime), now_(std::move(now)), max_(max_entries) {}

  std::string issue();
  State state(const std::string& nonce) const;
  // Records nc for the nonce; false when nc is not above the last one seen (replay).
  bool accept_nc(const std::string& nonce, std::uint32_t nc);
  // Single use of a nonce by credentials without qop; false on the second use.
  bool accept_plain(const std::string& nonce);
  std::size_t size() const { return entries_.size(); }

 private:
  void purge();
  std::chrono::seconds lifetime_;
  SteadyNow now_;
  std::size_t max_;
  std::map<std::string, Entry> entries_;
};

}  // namespace phonesec::sip

// SPDX-License-Identifier: Apache-2.0
#include "sip/nonce_store.h"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace phonesec::sip {

std::string NonceStore::issue() {
  purge();
  unsigned char r[16];
  if (RAND_bytes(r, sizeof r) != 1)
    throw std::runtime_error("RAND_bytes failed");  // control plane, not RTP path
  static const char* hx = "0123456789abcdef";
  std::string n;
  for (unsigned char b : r) {
    n += hx[b >> 4];
    n += hx[b & 15];
  }
  entries_[n] = Entry{now_(), 0, false};
  return n;
}

NonceStore::State NonceStore::state(const std::string& nonce) const {
  auto it = entries_.find(nonce);
  if (it == entries_.end()) return State::unknown;
  return now_() - it->second.issued > lifetime_ ? State::expired : State::valid;
}

bool NonceStore::accept_nc(const std::string& nonce, std::uint32_t nc) {
  auto it = entries_.find(nonce);
  if (it == entries_.end() || nc <= it->second.last_nc) return false;
  it->second.last_nc = nc;
  return true;
}

bool NonceStore::accept_plain(const std::string& nonce) {
  auto it = entries_.find(nonce);
  if (it == entries_.end() || it->second.used_without_qop) return false;
  it->second.used_without_qop = true;
  return true;
}

void NonceStore::purge() {
  auto now = now_();
  // Forget nonces long past their lifetime (kept 4 lifetimes to answer stale=true).
  for (auto it = entries_.begin(); it != entries_.end();)
    it = now - it->second.issued > 4 * lifetime_ ? entries_.erase(it) : std::next(it);
  while (entries_.size() >= max_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.issued < b.second.issued;
    });
    entries_.erase(oldest);
  }
}

}  // namespace phonesec::sip

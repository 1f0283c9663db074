// SPDX-License-Identifier: Apache-2.0
// Secrets: key material and passwords are wiped when dropped and never printed.
// SecretString keeps its bytes out of logs (operator<< prints a redaction mark) and wipes them
// with OPENSSL_cleanse on destruction and reassignment.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace phonesec {

// Overwrites n bytes at p in a way the compiler may not elide (OPENSSL_cleanse).
void secure_wipe(void* p, std::size_t n);

// Keeps the process's memory (keys, passwords) out of core files and away from ptrace by
// other users: no core dump (RLIMIT_CORE 0) and not dumpable (PR_SET_DUMPABLE 0, which also
// makes /proc/<pid>/mem root-only). Every binary that holds secrets calls it first in main().
// Returns false (errno set) if either call failed.
bool no_core_dumps();

inline constexpr std::string_view kRedacted = "********";

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string s) : s_(std::move(s)) {}
  SecretString(const SecretString& o) : s_(o.s_) {}
  SecretString(SecretString&& o) noexcept : s_(std::move(o.s_)) { o.wipe(); }
  SecretString& operator=(const SecretString& o) {
    if (this != &o) { wipe(); s_ = o.s_; }
    return *this;
  }
  SecretString& operator=(SecretString&& o) noexcept {
    if (this != &o) { wipe(); s_ = std::move(o.s_); o.wipe(); }
    return *this;
  }
  ~SecretString() { wipe(); }

  // Access for the one place that needs the clear text (handing it to a library).
  const std::string& reveal() const { return s_; }
  bool empty() const { return s_.empty(); }
  std::string_view redacted() const { return s_.empty() ? std::string_view{} : kRedacted; }
  bool operator==(const SecretString& o) const { return s_ == o.s_; }

 private:
  void wipe() {
    if (!s_.empty()) secure_wipe(s_.data(), s_.size());
    s_.clear();
  }
  std::string s_;
};

inline std::ostream& operator<<(std::ostream& os, const SecretString& s) { return os << s.redacted(); }

}  // namespace phonesec

// SPDX-License-Identifier: Apache-2.0
// Result<T>: the one error type of phonesec (std::expected-like; C++20 has no std::expected).
// An Error carries a code, the errno captured at the failing call (0 if none) and a context
// string saying what and where. Library errors (libbpf, OpenSSL, libsrtp) are converted to
// Error only inside their wrappers. No exceptions on the packet or RTP path.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace phonesec {

enum class Errc {
  ok = 0,
  invalid_argument,  // bad input: config, command line, packet
  parse,             // not well-formed (XML, header, SDP, …)
  io,                // file or socket
  system,            // syscall failed (see sys_errno)
  bpf,               // libbpf / verifier
  crypto,            // OpenSSL / libsrtp
  not_found,
  unsupported,
  auth,              // authentication / certificate refused
  timeout,
  state,             // call not valid in the current state
};

struct Error {
  Errc code = Errc::ok;
  int sys_errno = 0;
  std::string context;

  // "context: strerror(errno)" when an errno was captured.
  std::string message() const {
    if (sys_errno != 0) return context + ": " + std::strerror(sys_errno);
    return context;
  }
};

inline Error make_error(Errc c, std::string ctx, int err = 0) { return Error{c, err, std::move(ctx)}; }
// Captures errno at the call site: use right after the failing syscall.
inline Error sys_error(std::string ctx) { return Error{Errc::system, errno, std::move(ctx)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace phonesec

// SPDX-License-Identifier: Apache-2.0
// Real TLS peers for the TLS lab tests, each started by the test on 127.0.0.1 on a free port,
// with its files (config, PKI, logs, pid) in a test-owned temp dir, and stopped (SIGTERM, then
// SIGKILL) by the destructor: openssl s_server, nginx (no daemon, no master, prefix in the temp
// dir), slapd (foreground, slapd.conf in the temp dir, never the system instance).
// A server that is missing from PATH or does not come up is a test failure, never a skip.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace phonesec::test {

// A free TCP port on 127.0.0.1 (bound, read, released).
std::uint16_t free_port();

// A child process whose stdout/stderr go to `log_file`.
class Process {
 public:
  Process() = default;
  Process(std::vector<std::string> argv, std::string log_file);
  Process(Process&& o) noexcept;
  Process& operator=(Process&& o) noexcept;
  ~Process();
  bool running();
  void stop();
  // Waits until 127.0.0.1:port accepts; false (with the log in `why`) if the process dies first
  // or the timeout passes.
  bool wait_listening(std::uint16_t port, std::string& why,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  std::string name_;
};

// Absolute path of `tool` in PATH, /usr/sbin or /sbin ("" if none).
std::string find_tool(const std::string& tool);

struct SServerSpec {
  std::string cert_file, key_file;
  std::string cipher;       // -cipher (TLS 1.2 suites); empty = OpenSSL's default
  bool tls12_only = false;  // -no_tls1_3, so the cipher restriction decides the handshake
};
// openssl s_server -www on 127.0.0.1:port.
Process start_s_server(const SServerSpec& spec, std::uint16_t port, const std::string& dir,
                       const std::string& name);

}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
// One AnyConnect session over libopenconnect: authenticate (form filled by AuthFormFiller,
// server certificate checked by the TrustPolicy), open the CSTP (TLS) channel, create and
// configure the tun device, try DTLS (the tunnel stays on TLS when DTLS does not come up),
// then run the main loop until the tunnel is lost or cancel() is called.
//
// connect() and run() block and belong to one thread; cancel() and request_stats() may be
// called from any thread while the Session lives.
#pragma once

#include <openconnect.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "common/result.h"
#include "vpn/auth_form.h"
#include "vpn/settings.h"
#include "vpn/tun.h"

namespace phonesec::vpn {

struct LibraryStats {
  std::uint64_t tx_bytes = 0, rx_bytes = 0, tx_pkts = 0, rx_pkts = 0;  // libopenconnect's view
  std::string dtls_cipher;   // "" while the tunnel runs over TLS only
  std::string cstp_cipher;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> create(const Settings& s);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Errc::auth (credentials, group, certificate), Errc::io (network), Errc::system (tun).
  // On success the tun device is up, addressed and routed.
  Status connect();
  // The main loop. Returns ok after cancel(), an error saying why when the tunnel is lost.
  Status run();

  void cancel();
  // When cancel() is not heard (libopenconnect blocks inside a TLS handshake until its own
  // timeout): shuts down the session's sockets so the blocked call returns now.
  void force_close();
  // Asks the main loop for libopenconnect's counters; waits up to timeout for them.
  std::optional<LibraryStats> request_stats(std::chrono::milliseconds timeout);

  const TunDevice& tun() const { return tun_; }
  const std::string& group() const { return filler_.chosen_group(); }
  const TunConfig& tun_config() const { return tun_cfg_; }

 private:
  explicit Session(const Settings& s) : s_(s), filler_(s_.user, s_.password, s_.tunnel_group) {}
  Error failure(Errc code, const std::string& what) const;
  Status check_pin(const char* when);

  static int on_validate(void* self, const char* reason);
  static int on_form(void* self, oc_auth_form* form);
  static void on_progress(void* self, int level, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  static void on_stats(void* self, const oc_stats* st);
  static void on_socket(void* self, int fd);

  Settings s_;
  AuthFormFiller filler_;
  openconnect_info* oc_ = nullptr;
  int cmd_fd_ = -1;
  TunDevice tun_;
  TunConfig tun_cfg_;
  std::string cert_failure_, pin_failure_, last_lib_error_;

  std::mutex m_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  bool logged_in_ = false;
  std::uint64_t stats_seq_ = 0;
  LibraryStats stats_;
  struct Sock {
    int fd;
    ino_t ino;  // a reused descriptor number has another inode: never shut a stranger down
  };
  std::vector<Sock> sockets_;
};

}  // namespace phonesec::vpn

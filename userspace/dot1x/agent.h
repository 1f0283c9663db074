// SPDX-License-Identifier: Apache-2.0
// The 802.1X agent: the pure Supplicant wired to the world. Packet socket on the phone's
// interface, rtnetlink link watch (uplink up → EAPOL-Start; PC port down → proxy Logoff), the
// PC-port learner, the method factory (device certificate), status files for `phonesec status`.
#pragma once

#include <csignal>
#include <functional>
#include <memory>
#include <optional>

#include "dot1x/clock.h"
#include "dot1x/link_watch.h"
#include "dot1x/options.h"
#include "dot1x/pac_store.h"
#include "dot1x/packet_socket.h"
#include "dot1x/pc_port.h"
#include "dot1x/supplicant.h"
#include "dot1x/tls_conn.h"

namespace phonesec::dot1x {

class Agent {
 public:
  static Result<std::unique_ptr<Agent>> create(Dot1xOptions opts);
  // Runs until *stop becomes non-zero (signal handler); *reauth non-zero restarts
  // authentication (and is reset). Errors are fatal I/O failures.
  Status run(const volatile std::sig_atomic_t* stop, volatile std::sig_atomic_t* reauth = nullptr);
  // The same loop, also polling ctl_fd (the worker's channel to phonesecd): on_ctl() runs when
  // it is readable and may set *stop or *reauth.
  Status run(const volatile std::sig_atomic_t* stop, volatile std::sig_atomic_t* reauth, int ctl_fd,
             const std::function<void()>& on_ctl);
  // Called with each new status (same moments the status files are written).
  void on_status(std::function<void(const Dot1xStatus&)> f) { status_cb_ = std::move(f); }
  Dot1xStatus status() const;

 private:
  Agent() = default;
  void on_link(const std::string& ifname, bool up);
  void on_pc_frame(ByteView frame);
  void write_status(bool idle);

  Dot1xOptions opts_;
  SteadyClock clock_;
  SslCtxPtr tls_ctx_;
  SslCtxPtr fast_anon_ctx_;
  std::unique_ptr<PacStore> pacs_;
  std::optional<PacketSocket> sock_;      // phone's EAPOL (rx + tx)
  std::optional<PacketSocket> uplink_;    // proxy Logoff and own tx when iface is a bridge
  std::optional<PacketSocket> pc_sock_;   // learning on the PC port
  std::unique_ptr<LinkWatch> links_;
  std::unique_ptr<Supplicant> supp_;
  std::unique_ptr<PcPortTracker> pc_;
  uint64_t proxy_logoffs_ = 0;
  std::string last_status_;   // JSON last written
  std::string last_summary_;  // what people see (transaction, protocol, reason, port, PC)
  TimePoint last_write_{};
  bool status_dirty_ = false;
  std::function<void(const Dot1xStatus&)> status_cb_;
  size_t pc_count_ = 0;
};

// The method factory for the options' method: EAP-TLS with the device certificate (tls_ctx), or
// EAP-FAST (tls_ctx = server-authenticated context, anon_ctx = ADH context, PACs in `pacs`).
MethodFactory make_method_factory(const Dot1xOptions& opts, SSL_CTX* tls_ctx, SSL_CTX* anon_ctx, PacStore* pacs);
// TLS contexts for the options (second is the anonymous EAP-FAST one, may be null).
Result<std::pair<SslCtxPtr, SslCtxPtr>> make_contexts(const Dot1xOptions& opts);

}  // namespace phonesec::dot1x

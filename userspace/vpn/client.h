// SPDX-License-Identifier: Apache-2.0
// VpnClient: the phone's VPN. Owns the "enable VPN connection" switch and a worker thread
// that runs Sessions:
//
//   disconnected --connect()--> connecting --up--> connected --lost--> reconnecting --up--> connected
//        ^                          |                  |                    |
//        +---- failure: switch off, reason in status --+-- disconnect() ----+
//
// - boot(): connects when Connect_on_Bootup is Yes.
// - The first attempt failing (credentials, group, certificate, network) turns the switch
//   off with the reason in status. A tunnel lost later is re-established with exponential
//   backoff (ReconnectPolicy) while the switch stays on; only a refusal (Errc::auth) then
//   turns it off.
// - Events: tunnel_up(ifname, ifindex) each time a tun device is up and configured (a new
//   device after every reconnect: attach per-interface things such as the firewall there),
//   tunnel_down(ifname) when it goes. Both run on the worker thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "config/phone_config.h"
#include "vpn/session.h"
#include "vpn/settings.h"
#include "vpn/status.h"

namespace phonesec::vpn {

struct ClientOptions {
  TrustPolicy trust;
  std::string ifname = "psvpn0";
  ReconnectPolicy reconnect;
  bool dtls = true;
};

struct ClientEvents {
  std::function<void(const std::string& ifname, std::uint32_t ifindex)> tunnel_up;
  std::function<void(const std::string& ifname)> tunnel_down;
};

class VpnClient {
 public:
  VpnClient(ClientOptions opts, ClientEvents ev = {});
  ~VpnClient();
  VpnClient(const VpnClient&) = delete;
  VpnClient& operator=(const VpnClient&) = delete;

  // Takes the profile; connects when Connect_on_Bootup.
  void boot(const config::VpnConfig& c);
  // A new profile (reload): Enable_VPN_Connection switching on/off connects/disconnects;
  // changed server or credentials while on restart the tunnel with them.
  void apply(const config::VpnConfig& c);

  // Switch on and connect in the background. Errc::invalid_argument (switch stays off, the
  // reason in status) when the profile cannot be used.
  Status connect();
  // Switch off; returns when the tunnel is down.
  void disconnect();

  VpnStatus status() const;
  // Polls status() until pred holds; false on timeout.
  bool wait_for(const std::function<bool(const VpnStatus&)>& pred, std::chrono::milliseconds timeout) const;
  // libopenconnect's own counters and ciphers while connected.
  std::optional<LibraryStats> library_stats() const;

 private:
  void worker(Settings s);
  void set_state(State s, const std::string& why = "");
  void fail(const Error& e);  // lock held
  bool sleep_unless_off(std::chrono::milliseconds d);

  ClientOptions opts_;
  ClientEvents ev_;
  config::VpnConfig cfg_;

  mutable std::mutex m_;
  std::condition_variable cv_;
  bool enabled_ = false;
  bool worker_done_ = true;
  State state_ = State::disconnected;
  Session* session_ = nullptr;  // the worker's, while it may be cancelled
  std::string ifname_, group_, last_error_, server_, user_;
  std::uint32_t ifindex_ = 0, reconnects_ = 0;
  std::thread worker_;
};

}  // namespace phonesec::vpn

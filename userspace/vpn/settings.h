// SPDX-License-Identifier: Apache-2.0
// What the VPN client needs to connect, from cfg.xml (VPN_Server, VPN_User_Name, VPN_Password,
// VPN_Tunnel_Group) plus what the phone supplies besides the profile: the TLS trust (CA file,
// system trust, optional certificate pin), the tunnel device name and the reconnect policy.
// Pure: validated here, used by the session.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "common/secure.h"
#include "config/phone_config.h"

namespace phonesec::vpn {

// Server certificate policy. The chain is checked against ca_file (when set) or the system
// trust store, with the host name; a pin, when set, must match too (and alone accepts a
// certificate the chain check refused — a self-signed gateway the administrator pinned).
struct TrustPolicy {
  std::string ca_file;       // PEM bundle; empty = system trust store
  std::string pin;           // "pin-sha256:BASE64" or "sha256:HEX"/"sha1:HEX" (openconnect forms); empty = none
};

// Full re-authentication after a lost tunnel: delays initial, initial*2, … capped at max.
struct ReconnectPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{60000};
  // openconnect's own resume with the session cookie before we re-authenticate (seconds).
  int cookie_resume_timeout_s = 10;
  int dpd_s = 30;  // dead-peer detection interval asked of the server (0 = server's)
};

struct Settings {
  std::string url;           // https://host[:port][/path]
  std::string host;          // for messages and the certificate name check
  std::string user;
  SecretString password;
  std::string tunnel_group;  // empty: the server's default group
  TrustPolicy trust;
  std::string ifname = "psvpn0";
  ReconnectPolicy reconnect;
  bool dtls = true;          // try DTLS, keep TLS when it does not come up
};

// Errc::invalid_argument naming the parameter when VPN_Server is empty or malformed or
// VPN_User_Name is empty. VPN_Server: "host", "host:port", "https://host[:port][/path]";
// IPv6 literals in brackets.
Result<Settings> settings_from(const config::VpnConfig& c, TrustPolicy trust = {});

// Delays for the reconnect loop.
class Backoff {
 public:
  explicit Backoff(const ReconnectPolicy& p) : p_(p), next_(p.initial) {}
  std::chrono::milliseconds next();  // the delay to wait now; doubles the following one
  void reset() { next_ = p_.initial; }

 private:
  ReconnectPolicy p_;
  std::chrono::milliseconds next_;
};

}  // namespace phonesec::vpn

// SPDX-License-Identifier: Apache-2.0
// 802.1X status as the phone's menu shows it ("Transaction Status": Authenticating /
// Authenticated / Disabled, plus Held with the failure reason; "Protocol": EAP-FAST or
// EAP-TLS), with the state-machine detail and counters for `phonesec status`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace phonesec::dot1x {

struct Dot1xCounters {
  uint64_t rx_frames = 0;       // EAPOL frames seen on the uplink (incoming)
  uint64_t rx_eap = 0;          // EAP Request/Success/Failure accepted for the phone
  uint64_t rx_malformed = 0;    // truncated / inconsistent EAPOL or EAP: dropped
  uint64_t rx_unexpected = 0;   // well-formed but not for a supplicant (Response, Start, Key…)
  uint64_t rx_not_ours = 0;     // addressed to another station (the PC behind the phone)
  uint64_t rx_discarded = 0;    // EAP requests the peer state machine discarded
  uint64_t tx_start = 0;
  uint64_t tx_logoff = 0;
  uint64_t tx_response = 0;
  uint64_t tx_proxy_logoff = 0; // EAPOL-Logoff sent on behalf of the PC
  uint64_t auth_success = 0;
  uint64_t auth_failure = 0;
  uint64_t auth_timeout = 0;
};

struct Dot1xStatus {
  bool enabled = false;
  std::string transaction;   // "Disabled" | "Authenticating" | "Authenticated" | "Held"
  std::string protocol;      // "EAP-TLS" | "EAP-FAST" | "" (not yet chosen)
  std::string supp_pae;      // SUPP_PAE state name
  std::string supp_be;       // SUPP_BE state name
  std::string eap;           // EAP peer state name
  bool port_authorized = false;
  bool link_up = false;
  std::string reason;        // why Held / last failure; empty when none
  std::string mac;           // phone's MAC
  std::string authenticator; // MAC the last EAP request came from
  std::vector<std::string> pc_macs;  // stations learned on the PC port
  int64_t last_auth_ms = -1; // link up (or restart) → Authenticated, last time
  Dot1xCounters counters;
};

// Human text, several lines: "Transaction Status: Authenticated\nProtocol: EAP-TLS\n…".
std::string to_string(const Dot1xStatus& s);
// One JSON object, no trailing newline.
std::string to_json(const Dot1xStatus& s);

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// Policy compiler: PhoneConfig → the ps_policy image the BPF programs read (pure, no I/O).
//
// Open inbound ports follow the seed's tables 3-5 (see DESIGN.md "Firewall semantics"):
//  UDP: 68, 546; each enabled line's SIP port when its transport is UDP or Auto; RTP_Port_Min
//       … RTP_Port_Max + 1; 4051 with Upgrade_Enable and Peer_Firmware_Sharing; 53240-53245
//       unless NO_CISCO_TFTP; 7999 with TR-069; UDP:x[:y] options.
//  TCP: the web server port when enabled; 4051 and 6970 with PFS; the TR-069
//       connection-request port with TR-069; TCP:x[:y] options.
// Every open range carries the reason it is open, for `phonesec policy`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/phone_config.h"
#include "phonesec_abi.h"

namespace phonesec::fw {

struct OpenRange {
  std::uint8_t proto;  // IPPROTO_UDP / IPPROTO_TCP
  std::uint16_t lo, hi;
  std::string why;
};

struct CompiledPolicy {
  // 16 KiB: always on the heap.
  std::unique_ptr<ps_policy> image = std::make_unique<ps_policy>();
  std::vector<OpenRange> open;  // in the order the rules add them
};

// tr069_port: the connection-request port actually in use (the daemon resolves the config's
// 0 = "random in 8000-9999" once at start and keeps it across reloads).
CompiledPolicy compile(const config::PhoneConfig& cfg, std::uint16_t tr069_port);

// Picks the TR-069 connection-request port: the configured one, or a random one in 8000-9999.
std::uint16_t resolve_tr069_port(const config::PhoneConfig& cfg);

// Sorted, merged inclusive ranges of a bitmap (for display and tests).
std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges_of(const __u64* set);

bool port_open(const __u64* set, std::uint16_t port);

// Human and JSON renderings of a compiled policy.
std::string describe(const CompiledPolicy& p);
std::string describe_json(const CompiledPolicy& p);

}  // namespace phonesec::fw

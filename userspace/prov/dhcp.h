// SPDX-License-Identifier: Apache-2.0
// DHCP_Option_To_Use / DHCPv6_Option_To_Use: parse real DHCPv4 (RFC 2131/2132, long options
// split over several instances joined per RFC 3396) and DHCPv6 (RFC 8415) replies and pick the
// provisioning source in the configured order.
// How each option names the server (the seed is silent; Cisco MPP practice):
//   v4 66  TFTP server name (host, or a URL)          v4 150 TFTP server IPv4 addresses (first)
//   v4 159 provisioning server: text, or 4-byte IPv4  v4 160 provisioning URL (text)
//   v4 60  vendor class text naming a host or URL     v4 43  text, or sub-options (first text one)
//   v4 125 V-I vendor info (RFC 3925): first text sub-option of any enterprise
//   v6 17  vendor-opts: enterprise 9 sub-option 1 (IPv6 TFTP server addresses) or a text sub-option
//   v6 160 / 159: text URL or host, or (159) a 16-byte IPv6 address
// A bare host becomes "tftp://host"; a value that is not printable text is skipped.
// Also: option 252 (WPAD URL) for the HTTP proxy.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace phonesec::prov {

using Bytes = std::vector<std::uint8_t>;

struct DhcpReply {
  bool v6 = false;
  int message_type = 0;   // v4 option 53 (2 offer, 5 ack); v6 msg-type (2 advertise, 7 reply)
  std::uint32_t xid = 0;  // v4 xid, v6 transaction-id (24 bits)
  std::string your_ip;    // v4 yiaddr
  std::map<int, Bytes> options;
};

// Errc::parse naming what is wrong (short packet, bad magic cookie, option running past the end).
Result<DhcpReply> parse_dhcpv4(const Bytes& packet);
Result<DhcpReply> parse_dhcpv6(const Bytes& packet);

struct ProvisioningSource {
  int option = 0;
  std::string url;  // "tftp://10.0.0.1", "https://prov.test/cfg", …
};

// The value of one option as a provisioning URL, or nullopt when absent or unusable.
std::optional<std::string> source_from_option(const DhcpReply& r, int option);
// The first usable option in `order`.
std::optional<ProvisioningSource> choose_source(const DhcpReply& r, const std::vector<int>& order);
// Option 252 (v4) as a URL.
std::optional<std::string> wpad_url(const DhcpReply& r);

// Client messages (used by the DHCP client and the tests): a DISCOVER with the broadcast flag
// and a parameter request list; a SOLICIT with client id, IA_NA and an option request option.
Bytes make_discover(const std::uint8_t mac[6], std::uint32_t xid, const std::vector<int>& request);
Bytes make_solicit(const std::uint8_t mac[6], std::uint32_t xid, const std::vector<int>& request);

}  // namespace phonesec::prov

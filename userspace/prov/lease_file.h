// SPDX-License-Identifier: Apache-2.0
// DHCP lease files: the provisioning options of the OS's DHCP client, as its hook scripts
// (userspace/prov/hooks/) write them, read back into a DhcpReply so choose_source() applies.
//
// One file per interface and family: <run_dir>/dhcp/<iface>.v4 and <iface>.v6, written
// atomically (temporary file in the same folder, then rename) on each bound/renew, removed
// when the lease is lost. Text, one "key value" per line, '#' starts a comment:
//   # phonesec-dhcp 1
//   family v4                       v4 | v6 (must match the file name's suffix)
//   iface eth0
//   address 10.0.0.54               the leased address (optional)
//   mac 00:0e:08:ab:cd:ef           the interface's MAC (optional, for $MA macros)
//   option 66 hex 7466…             an option's raw value: hex bytes (what the hooks write, so
//   option 160 text https://p/x     no lease content can forge a line), or text to the end of
//   option 150 ip 10.0.0.1 10.0.0.2 the line, or IPv4/IPv6 addresses (raw 4/16 bytes each)
// Options are as on the wire (option 150 = 4-byte addresses, v6 option 17 = enterprise +
// sub-options). Unknown keys are ignored (a later hook may add some); a malformed line is an
// Errc::parse error naming file:line, and the whole file is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "prov/dhcp.h"

namespace phonesec::prov {

struct LeaseFile {
  std::string path;
  std::string iface;
  std::string address, mac;  // empty when the hook did not know
  DhcpReply reply;           // reply.v6, reply.your_ip, reply.options
};

Result<LeaseFile> parse_lease_file(std::string_view text, std::string_view name);
Result<LeaseFile> read_lease_file(const std::string& path);
// The text a hook would write (tests, and a person writing one by hand): options as hex.
std::string format_lease_file(const LeaseFile& f);

// The folder of lease files under a run dir ("<run_dir>/dhcp").
std::string lease_dir(const std::string& run_dir);

struct LeaseScan {
  std::vector<LeaseFile> leases;    // sorted: interface name, then v4 before v6
  std::vector<std::string> errors;  // files refused, with why
};
// Every "<iface>.v4" / "<iface>.v6" file of dir (only `iface`'s when not empty). A missing
// folder is an empty scan.
LeaseScan scan_lease_dir(const std::string& dir, const std::string& iface = "");

// The provisioning source chosen from the leases: the first lease (order above) that offers
// a usable option in its family's order (DHCP_Option_To_Use / DHCPv6_Option_To_Use).
struct ChosenSource {
  std::string iface;
  bool v6 = false;
  int option = 0;
  std::string url;      // what choose_source() gives: "tftp://10.0.0.1", "https://…"
  std::string address;  // the lease's address ($IP)
  std::string mac;
  std::string wpad_url;  // v4 option 252, empty when none
  std::string domain;    // v4 option 15, empty when none
  std::vector<int> order;  // the configured order it was chosen in
  // "DHCP option 66 on eth0 (first usable of 66,160,159,150,60,43,125): tftp://tftp.example"
  std::string describe() const;
  // Same lease values (the order it was chosen in is not compared).
  bool operator==(const ChosenSource& o) const {
    return iface == o.iface && v6 == o.v6 && option == o.option && url == o.url && address == o.address &&
           mac == o.mac && wpad_url == o.wpad_url && domain == o.domain;
  }
};
std::optional<ChosenSource> choose_from_leases(const std::vector<LeaseFile>& leases,
                                               const std::vector<int>& v4_order, const std::vector<int>& v6_order);

}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
// Provisioning macro expansion for rules and syslog messages ($NAME or $(NAME)).
// Known names are matched longest first ($MAU before $MA); "$$" is a literal '$'; an unknown
// name is left as written (the phone's documented behaviour). Values never hold secrets.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace phonesec::prov {

// Device identity: the parts that do not change between requests.
struct DeviceInfo {
  std::string product_name;            // $PN, e.g. "CP-8851-3PCC"
  std::string product_series;          // $PSN, e.g. "8851"
  std::string mac;                     // any spelling: "00:0E:08:AB:CD:EF", "000e08abcdef"
  std::string serial;                  // $SN
  bool client_cert_installed = false;  // $CCERT: "Installed" / "Not Installed"
  std::string sw_version, hw_version;  // $SWVER, $HWVER
  std::string ip;                      // $IP
};

// The request being logged.
struct RequestInfo {
  std::string scheme, server, server_ip, path, error;  // $SCHEME $SERV $SERVIP $PATH $ERR
  std::uint16_t port = 0;                              // $PORT
};

using MacroTable = std::map<std::string, std::string, std::less<>>;

// The macro table for a device and a request: PN PSN MA MAU MAC SN CCERT SWVER HWVER IP
// SCHEME SERV SERVIP PORT PATH ERR.
MacroTable macro_table(const DeviceInfo& d, const RequestInfo& r);

std::string expand(std::string_view text, const MacroTable& t);

}  // namespace phonesec::prov

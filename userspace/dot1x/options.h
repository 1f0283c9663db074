// SPDX-License-Identifier: Apache-2.0
// Options of the 802.1X agent. config/PhoneConfig carries only Enable_802.1X_Authentication and
// PC_PORT_Enable today; the EAP method, identity and certificate paths are taken here until the
// parameter table grows them (the seed names no cfg.xml parameter for them).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "common/secure.h"
#include "config/phone_config.h"
#include "dot1x/supplicant.h"

namespace phonesec::dot1x {

enum class EapMethodChoice { tls, fast };

struct Dot1xOptions {
  bool enable = false;                 // Enable_802.1X_Authentication
  bool pc_port_enable = true;          // PC_PORT_Enable
  std::string iface;                   // where the phone's own EAPOL is sent and received
  std::string uplink;                  // link watched for link up/down (default: iface)
  std::string pc_port;                 // PC port interface; empty = none
  EapMethodChoice method = EapMethodChoice::tls;
  std::string identity;                // outer identity; default "phone-<MAC without colons>"
  std::string ca_file;                 // trust anchors for the authentication server
  std::string cert_file;               // device certificate (EAP-TLS)
  std::string key_file;                // device private key
  SecretString key_password;
  std::string server_name;             // expected server certificate name; empty = any
  size_t fragment_size = 1398;
  // EAP-FAST
  int fast_provisioning = 3;           // 0 none, 1 anonymous, 2 authenticated, 3 both (wpa_supplicant's numbering)
  uint8_t fast_inner = 26;             // EAP type inside the tunnel: 26 MSCHAPv2, 6 GTC
  std::string inner_identity;          // user name inside the tunnel
  SecretString password;               // read from --password-file, never from the command line
  std::string pac_file = "/var/lib/phonesec/eap-fast.pac";         // EAP-TLS fragment payload (as wpa_supplicant)
  PaeTimers timers;
  Millis client_timeout{60000};
  std::string status_dir = "/run/phonesec";  // dot1x.json and dot1x.txt written here
};

// --name=value / --name value command line; errors name the option. `base` (cfg.xml's
// Enable_802.1X_Authentication and PC_PORT_Enable) gives the defaults the command line overrides.
Result<Dot1xOptions> parse_options(const std::vector<std::string>& args, const config::Dot1xConfig* base = nullptr);
std::string options_help();

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// SIP transport per line (SIP_Transport_n_: UDP, TCP, TLS, Auto; default UDP) and the per-line
// host-name check for SIP over TLS (TLS_Name_Validate_n_: Yes/No, default Yes). The SIP side
// asks one question: which transports to try, in order, and whether a TLS attempt checks the
// server's name.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace phonesec::tls {

enum class SipTransport { udp, tcp, tls, auto_select };

std::string_view to_string(SipTransport t);

// "UDP", "TCP", "TLS", "Auto" (case-insensitive); empty → UDP. `param` names the setting in the
// error, e.g. "SIP_Transport_2_".
Result<SipTransport> parse_sip_transport(std::string_view value, std::string_view param);

// "Yes"/"No" (also the web UI's "Oui"/"Non", "true"/"false", "1"/"0"; case-insensitive);
// empty → Yes, the seed's default.
Result<bool> tls_name_validate(std::string_view value, std::string_view param);

// Plain per-line options (config/ fills them from cfg.xml); line is 1-based.
struct SipLineOptions {
  int line = 1;
  std::string transport;          // SIP_Transport_n_
  std::string tls_name_validate;  // TLS_Name_Validate_n_
};

struct SipTransportPlan {
  std::vector<SipTransport> attempts;  // never auto_select; tried in this order
  bool validate_tls_name = true;       // applies to the TLS attempts
  bool uses_tls() const;
};

// Auto follows RFC 3263: the transports the proxy's NAPTR records offer, in their order
// (`naptr_order`, UDP/TCP/TLS only); with no NAPTR answer, UDP (RFC 3263 §4.1).
Result<SipTransportPlan> sip_transport_plan(const SipLineOptions& line,
                                            std::span<const SipTransport> naptr_order = {});

}  // namespace phonesec::tls

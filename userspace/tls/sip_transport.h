// SPDX-License-Identifier: Apache-2.0
// SIP transport per line for the SIP side: SIP_Transport_n_ (UDP, TCP, TLS, Auto; default UDP)
// and TLS_Name_Validate_n_ (default Yes), as parsed by config/ into LineConfig. The SIP side
// asks one question per line: which transports to try, in order, and whether a TLS attempt
// checks the server's name — then connects with sip_tls_target() and the TlsApp::sip context.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/phone_config.h"
#include "tls/client.h"

namespace phonesec::tls {

using config::SipTransport;

std::string_view to_string(SipTransport t);

struct SipTransportPlan {
  int line = 1;                        // 1-based
  bool enabled = true;                 // Line_Enable_n_
  std::vector<SipTransport> attempts;  // never Auto; tried in this order
  bool validate_tls_name = true;       // applies to the TLS attempts
  bool uses_tls() const;
};

// Auto follows RFC 3263: the transports the proxy's NAPTR records offer, in their order
// (`naptr_order`, UDP/TCP/TLS only); with no NAPTR answer, UDP (RFC 3263 §4.1).
SipTransportPlan sip_transport_plan(const config::LineConfig& cfg, int line,
                                    std::span<const SipTransport> naptr_order = {});

// Every line of the configuration (index 0 = line 1), NAPTR unknown.
std::vector<SipTransportPlan> sip_transport_plans(const config::PhoneConfig& cfg);

// The TLS target of a line's proxy: the host name checked against the certificate only when
// the plan says TLS_Name_Validate_n_ = Yes (the chain is always verified).
TlsTarget sip_tls_target(const SipTransportPlan& plan, std::string host, std::uint16_t port = 5061);

}  // namespace phonesec::tls

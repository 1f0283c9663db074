// SPDX-License-Identifier: Apache-2.0
#include "tls/sip_transport.h"

#include <algorithm>

namespace phonesec::tls {

std::string_view to_string(SipTransport t) {
  switch (t) {
    case SipTransport::UDP:
      return "UDP";
    case SipTransport::TCP:
      return "TCP";
    case SipTransport::TLS:
      return "TLS";
    case SipTransport::Auto:
      return "Auto";
  }
  return "?";
}

bool SipTransportPlan::uses_tls() const {
  return std::find(attempts.begin(), attempts.end(), SipTransport::TLS) != attempts.end();
}

SipTransportPlan sip_transport_plan(const config::LineConfig& cfg, int line,
                                    std::span<const SipTransport> naptr_order) {
  SipTransportPlan plan;
  plan.line = line;
  plan.enabled = cfg.enable;
  plan.validate_tls_name = cfg.tls_name_validate;
  if (cfg.sip_transport != SipTransport::Auto) {
    plan.attempts.push_back(cfg.sip_transport);
    return plan;
  }
  for (SipTransport n : naptr_order) {
    if (n == SipTransport::Auto) continue;
    if (std::find(plan.attempts.begin(), plan.attempts.end(), n) == plan.attempts.end())
      plan.attempts.push_back(n);
  }
  if (plan.attempts.empty()) plan.attempts.push_back(SipTransport::UDP);
  return plan;
}

std::vector<SipTransportPlan> sip_transport_plans(const config::PhoneConfig& cfg) {
  std::vector<SipTransportPlan> out;
  for (std::size_t i = 0; i < cfg.lines.size(); ++i)
    out.push_back(sip_transport_plan(cfg.lines[i], int(i) + 1));
  return out;
}

TlsTarget sip_tls_target(const SipTransportPlan& plan, std::string host, std::uint16_t port) {
  return TlsTarget{std::move(host), port, plan.validate_tls_name};
}

}  // namespace phonesec::tls

// SPDX-License-Identifier: Apache-2.0
#include "tls/sip_transport.h"

#include <algorithm>
#include <cctype>

namespace phonesec::tls {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trimmed_lower(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return lower(s);
}

std::string param_name(std::string_view base, int line) { return std::string(base) + std::to_string(line) + "_"; }

}  // namespace

std::string_view to_string(SipTransport t) {
  switch (t) {
    case SipTransport::udp: return "UDP";
    case SipTransport::tcp: return "TCP";
    case SipTransport::tls: return "TLS";
    case SipTransport::auto_select: return "Auto";
  }
  return "?";
}

Result<SipTransport> parse_sip_transport(std::string_view value, std::string_view param) {
  std::string v = trimmed_lower(value);
  if (v.empty() || v == "udp") return SipTransport::udp;
  if (v == "tcp") return SipTransport::tcp;
  if (v == "tls") return SipTransport::tls;
  if (v == "auto") return SipTransport::auto_select;
  return make_error(Errc::invalid_argument,
                    std::string(param) + ": '" + std::string(value) + "' is not one of UDP, TCP, TLS, Auto");
}

Result<bool> tls_name_validate(std::string_view value, std::string_view param) {
  std::string v = trimmed_lower(value);
  if (v.empty() || v == "yes" || v == "oui" || v == "true" || v == "1") return true;
  if (v == "no" || v == "non" || v == "false" || v == "0") return false;
  return make_error(Errc::invalid_argument, std::string(param) + ": '" + std::string(value) + "' is not Yes or No");
}

bool SipTransportPlan::uses_tls() const {
  return std::find(attempts.begin(), attempts.end(), SipTransport::tls) != attempts.end();
}

Result<SipTransportPlan> sip_transport_plan(const SipLineOptions& line, std::span<const SipTransport> naptr_order) {
  if (line.line < 1)
    return make_error(Errc::invalid_argument, "SIP line number " + std::to_string(line.line) + " is not 1 or more");
  auto t = parse_sip_transport(line.transport, param_name("SIP_Transport_", line.line));
  if (!t) return t.error();
  auto validate = tls_name_validate(line.tls_name_validate, param_name("TLS_Name_Validate_", line.line));
  if (!validate) return validate.error();

  SipTransportPlan plan;
  plan.validate_tls_name = *validate;
  if (*t != SipTransport::auto_select) {
    plan.attempts.push_back(*t);
    return plan;
  }
  for (SipTransport n : naptr_order) {
    if (n == SipTransport::auto_select) continue;
    if (std::find(plan.attempts.begin(), plan.attempts.end(), n) == plan.attempts.end()) plan.attempts.push_back(n);
  }
  if (plan.attempts.empty()) plan.attempts.push_back(SipTransport::udp);
  return plan;
}

}  // namespace phonesec::tls

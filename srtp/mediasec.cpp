// SPDX-License-Identifier: Apache-2.0
#include "srtp/mediasec.h"

#include "common/log.h"

namespace phonesec::srtp {
namespace {
constexpr std::string_view kTag = "mediasec";

// Require/Proxy-Require: mediasec, never on CANCEL (RFC 3261 §8.2.2.3). Only "mediasec", not
// "sec-agree": see the header comment.
void add_tags(SipHeaders& h, std::string_view method) {
  if (iequals(method, "CANCEL")) return;
  h.push_back({"Require", std::string(kTag)});
  h.push_back({"Proxy-Require", std::string(kTag)});
}

bool has_mediasec(const std::vector<SecMechanism>& list) {
  for (auto& m : list)
    if (m.mediasec()) return true;
  return false;
}
}  // namespace

const char* to_string(MediaSecState s) {
  switch (s) {
    case MediaSecState::Off: return "Off";
    case MediaSecState::Idle: return "Idle";
    case MediaSecState::ClientOffered: return "ClientOffered";
    case MediaSecState::Challenged: return "Challenged";
    case MediaSecState::Required: return "Required";
    case MediaSecState::Verifying: return "Verifying";
    case MediaSecState::Refused: return "Refused";
  }
  return "?";
}

SecMechanism offered_mechanism() { return make_mechanism("sdes-srtp", {SecParam{"mediasec", "", false}}); }

MediaSecNegotiator::MediaSecNegotiator(MediaSecLineConfig cfg, SipTransport transport)
    : cfg_(cfg), transport_(transport) {
  state_ = allowed() ? MediaSecState::Idle : MediaSecState::Off;
}

bool MediaSecNegotiator::allowed() const { return !cfg_.over_tls_only || transport_ == SipTransport::TLS; }

void MediaSecNegotiator::go(MediaSecState to, std::string_view why) {
  if (to == state_) return;
  MediaSecState from = state_;
  state_ = to;
  log::info("mediasec", "line ", cfg_.line, ": ", to_string(from), " -> ", to_string(to), " (", why, ")");
  if (hook_) hook_(from, to, why);
}

void MediaSecNegotiator::restart(std::string_view why) {
  server_.clear();
  go(allowed() ? MediaSecState::Idle : MediaSecState::Off, why);
}

void MediaSecNegotiator::set_transport(SipTransport t) {
  transport_ = t;
  restart("transport changed");
}

bool MediaSecNegotiator::agreed() const {
  if (state_ == MediaSecState::Off || state_ == MediaSecState::Refused) return false;
  for (auto& m : server_)
    if (m.name == "sdes-srtp" && m.mediasec()) return true;
  return false;
}

SipHeaders MediaSecNegotiator::request_headers(std::string_view method) {
  SipHeaders h;
  const bool reg = iequals(method, "REGISTER");
  switch (state_) {
    case MediaSecState::Off:
    case MediaSecState::Refused:
      return h;
    case MediaSecState::Idle:
      if (!cfg_.request || !reg) return h;
      go(MediaSecState::ClientOffered, "REGISTER with Security-Client");
      [[fallthrough]];
    case MediaSecState::ClientOffered:
      if (!reg) return h;
      h.push_back({"Security-Client", format_mechanism(offered_mechanism())});
      add_tags(h, method);
      return h;
    case MediaSecState::Challenged:
      if (reg) h.push_back({"Security-Client", format_mechanism(offered_mechanism())});
      break;
    case MediaSecState::Required:
    case MediaSecState::Verifying:
      break;
  }
  // One Security-Verify header per mechanism, in the server's order, text as received.
  for (auto& m : server_) h.push_back({"Security-Verify", format_mechanism(m)});
  // The option tag asks the proxy for mediasec: only while the held list (or, with Security-
  // Client, our own offer) has a mediasec mechanism — not after a 494 listing only ipsec/tls.
  if (has_mediasec(server_) || (!h.empty() && iequals(h.front().name, "Security-Client"))) add_tags(h, method);
  return h;
}

Status MediaSecNegotiator::on_response(int status, std::string_view method, const SipHeaders& headers) {
  if (state_ == MediaSecState::Off || state_ == MediaSecState::Refused) return {};
  if (status == 420) {
    for (auto& v : header_values(headers, "Unsupported")) {
      auto tags = parse_option_tags("Unsupported", v);
      if (!tags) return tags.error();
      for (auto& t : *tags)
        if (t == kTag) {
          server_.clear();
          go(MediaSecState::Refused, "420 Unsupported: mediasec");
          return {};
        }
    }
  }
  auto values = header_values(headers, "Security-Server");
  if (values.empty()) return {};
  auto parsed = parse_security_values("Security-Server", values);
  if (!parsed) return parsed.error();
  // A list repeated inside one response is kept once.
  std::vector<SecMechanism> list;
  for (auto& m : *parsed) {
    bool dup = false;
    for (auto& k : list) dup = dup || iequals(k.raw, m.raw);
    if (!dup) list.push_back(std::move(m));
  }
  if (!cfg_.request) {
    // Server-initiated: only a list with mediasec starts the exchange; once started, every newer
    // list replaces the held one (Security-Verify mirrors the server's current list), and one
    // without mediasec ends the agreement (agreed() is false, no mediasec tag).
    if (state_ == MediaSecState::Idle && !has_mediasec(list)) return {};
    server_ = std::move(list);
    go(MediaSecState::Verifying, "Security-Server list");
    return {};
  }
  server_ = std::move(list);
  std::string why = std::to_string(status) + " to " + std::string(method) + " with Security-Server";
  if (status == 494) {
    go(MediaSecState::Required, why);
  } else if (status == 401 || status == 407) {
    go(MediaSecState::Challenged, why);
  } else if (state_ == MediaSecState::Idle || state_ == MediaSecState::ClientOffered) {
    go(MediaSecState::Challenged, why);
  }
  return {};
}

}  // namespace phonesec::srtp

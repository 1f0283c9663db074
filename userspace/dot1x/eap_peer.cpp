// SPDX-License-Identifier: Apache-2.0
#include "dot1x/eap_peer.h"

#include <algorithm>

#include "common/log.h"

namespace phonesec::dot1x {

std::string_view to_string(MethodState s) {
  switch (s) {
    case MethodState::none: return "NONE";
    case MethodState::init: return "INIT";
    case MethodState::cont: return "CONT";
    case MethodState::may_cont: return "MAY_CONT";
    case MethodState::done: return "DONE";
  }
  return "?";
}

std::string_view to_string(Decision d) {
  switch (d) {
    case Decision::fail: return "FAIL";
    case Decision::cond_succ: return "COND_SUCC";
    case Decision::uncond_succ: return "UNCOND_SUCC";
  }
  return "?";
}

std::string_view to_string(EapPeerState s) {
  switch (s) {
    case EapPeerState::DISABLED: return "DISABLED";
    case EapPeerState::INITIALIZE: return "INITIALIZE";
    case EapPeerState::IDLE: return "IDLE";
    case EapPeerState::RECEIVED: return "RECEIVED";
    case EapPeerState::GET_METHOD: return "GET_METHOD";
    case EapPeerState::METHOD: return "METHOD";
    case EapPeerState::SEND_RESPONSE: return "SEND_RESPONSE";
    case EapPeerState::DISCARD: return "DISCARD";
    case EapPeerState::IDENTITY: return "IDENTITY";
    case EapPeerState::NOTIFICATION: return "NOTIFICATION";
    case EapPeerState::RETRANSMIT: return "RETRANSMIT";
    case EapPeerState::SUCCESS: return "SUCCESS";
    case EapPeerState::FAILURE: return "FAILURE";
  }
  return "?";
}

EapPeer::EapPeer(EapPeerConfig cfg, EapLowerLayer& ll, const Clock& clock, MethodFactory factory)
    : cfg_(std::move(cfg)), ll_(ll), clock_(clock), factory_(std::move(factory)) {}

std::string EapPeer::reason() const {
  if (state_ == EapPeerState::FAILURE && !reason_.empty()) return reason_;
  if (method_) {
    auto r = method_->reason();
    if (!r.empty()) return r;
  }
  return reason_;
}

std::optional<TimePoint> EapPeer::next_deadline() const {
  if (state_ == EapPeerState::IDLE) return idle_while_;
  return std::nullopt;
}

bool EapPeer::allow_method(uint8_t t) const {
  return std::find(cfg_.methods.begin(), cfg_.methods.end(), t) != cfg_.methods.end();
}

// RFC 4137 section 4.4: parseEapReq()
void EapPeer::parse_req() {
  rx_req_ = rx_success_ = rx_failure_ = false;
  auto p = parse_eap(ll_.eapReqData);
  if (!p) {
    reason_ = p.error().message();
    return;
  }
  req_id_ = p->id;
  switch (p->code) {
    case EapCode::request:
      rx_req_ = true;
      req_method_ = p->type;
      break;
    case EapCode::success: rx_success_ = true; break;
    case EapCode::failure: rx_failure_ = true; break;
    case EapCode::response: reason_ = "EAP Response received by the peer"; break;
  }
}

void EapPeer::enter(EapPeerState s) {
  log::info("dot1x", "EAP peer: ", to_string(state_), " -> ", to_string(s));
  state_ = s;
  switch (s) {
    case EapPeerState::DISABLED: break;
    case EapPeerState::INITIALIZE:
      selected_ = 0;
      method_state_ = MethodState::none;
      allow_notifications_ = true;
      decision_ = Decision::fail;
      idle_while_ = clock_.now() + cfg_.client_timeout;
      last_id_ = -1;
      ll_.eapSuccess = false;
      ll_.eapFail = false;
      key_data_.wipe();
      ll_.eapRestart = false;
      method_.reset();
      reason_.clear();
      break;
    case EapPeerState::IDLE: break;
    case EapPeerState::RECEIVED: parse_req(); break;
    case EapPeerState::GET_METHOD:
      if (allow_method(req_method_) && (method_ = factory_(req_method_))) {
        selected_ = req_method_;
        method_state_ = MethodState::init;
        reason_.clear();  // an earlier Nak is not why this conversation may fail
        log::info("dot1x", "EAP peer: selected method ", eap_type_name(selected_));
      } else {
        // Legacy Nak (RFC 3748 section 5.3.1) listing the methods we accept.
        // Type 0 = "no alternative" when nothing is allowed.
        const Bytes want = cfg_.methods.empty() ? Bytes(1, 0) : Bytes(cfg_.methods.begin(), cfg_.methods.end());
        ll_.eapRespData = build_eap(EapCode::response, req_id_, eap_type::nak, want);
        reason_ = "server proposed " + eap_type_name(req_method_) + ", not allowed here (Nak sent)";
        log::warn("dot1x", "EAP peer: ", reason_);
      }
      break;
    case EapPeerState::METHOD: {
      auto p = parse_eap(ll_.eapReqData);
      MethodRet ret;
      ret.state = method_state_;
      ret.decision = decision_;
      std::optional<Bytes> resp;
      if (p) resp = method_->process(*p, ret);
      ignore_ = !p || ret.ignore || !resp;
      if (!ignore_) {
        method_state_ = ret.state;
        decision_ = ret.decision;
        allow_notifications_ = ret.allow_notifications;
        ll_.eapRespData = std::move(*resp);
        if (method_->key_available()) key_data_ = method_->key();
      }
      break;
    }
    case EapPeerState::SEND_RESPONSE:
      last_id_ = req_id_;
      last_resp_ = ll_.eapRespData;
      ll_.eapReq = false;
      ll_.eapResp = true;
      idle_while_ = clock_.now() + cfg_.client_timeout;
      break;
    case EapPeerState::DISCARD:
      ++discarded_;
      ll_.eapReq = false;
      ll_.eapNoResp = true;
      break;
    case EapPeerState::IDENTITY:
      ll_.eapRespData = build_eap(EapCode::response, req_id_, eap_type::identity, as_bytes(cfg_.identity));
      break;
    case EapPeerState::NOTIFICATION: {
      auto p = parse_eap(ll_.eapReqData);
      if (p) {
        std::string text(p->data.begin(), p->data.end());
        for (char& c : text)
          if (c < 0x20 || c > 0x7e) c = '?';
        log::info("dot1x", "EAP peer: notification \"", text, "\"");
      }
      ll_.eapRespData = build_eap(EapCode::response, req_id_, eap_type::notification, {});
      break;
    }
    case EapPeerState::RETRANSMIT: ll_.eapRespData = last_resp_; break;
    case EapPeerState::SUCCESS:
      // RFC 4137 leaves eapReq set here; clear it so a later restart does not re-read the
      // consumed Success/Failure (hostap does the same).
      ll_.eapReq = false;
      ll_.eapSuccess = true;
      break;
    case EapPeerState::FAILURE:
      ll_.eapReq = false;
      ll_.eapFail = true;
      if (method_) {
        if (auto r = method_->failure_reason(); !r.empty()) reason_ = r;
      }
      if (reason_.empty()) reason_ = "EAP-Failure from the authentication server";
      break;
  }
}

bool EapPeer::step() {
  const EapPeerState before = state_;
  // Global transitions first (RFC 4137 section 4.5).
  if (!ll_.portEnabled) {
    if (state_ != EapPeerState::DISABLED) enter(EapPeerState::DISABLED);
    return state_ != before;
  }
  if (ll_.eapRestart) {
    enter(EapPeerState::INITIALIZE);
    return true;
  }
  const bool idle_expired = clock_.now() >= idle_while_;
  switch (state_) {
    case EapPeerState::DISABLED: enter(EapPeerState::INITIALIZE); break;
    case EapPeerState::INITIALIZE: enter(EapPeerState::IDLE); break;
    case EapPeerState::IDLE:
      if (ll_.eapReq) enter(EapPeerState::RECEIVED);
      else if ((ll_.altAccept && decision_ != Decision::fail) || (idle_expired && decision_ == Decision::uncond_succ))
        enter(EapPeerState::SUCCESS);
      else if (ll_.altReject || (idle_expired && decision_ != Decision::uncond_succ) ||
               (ll_.altAccept && method_state_ != MethodState::cont && decision_ == Decision::fail))
        enter(EapPeerState::FAILURE);
      break;
    case EapPeerState::RECEIVED: {
      const bool new_id = int(req_id_) != last_id_;
      if (rx_req_ && new_id && req_method_ == selected_ && selected_ != 0 && method_state_ != MethodState::done)
        enter(EapPeerState::METHOD);
      else if (rx_req_ && new_id && selected_ == 0 && req_method_ != eap_type::identity &&
               req_method_ != eap_type::notification)
        enter(EapPeerState::GET_METHOD);
      else if (rx_req_ && new_id && selected_ == 0 && req_method_ == eap_type::identity)
        enter(EapPeerState::IDENTITY);
      else if (rx_req_ && new_id && req_method_ == eap_type::notification && allow_notifications_)
        enter(EapPeerState::NOTIFICATION);
      else if (rx_req_ && !new_id)
        enter(EapPeerState::RETRANSMIT);
      // Success/Failure: RFC 4137 wants reqId == lastId; authenticators differ (hostapd uses
      // the next identifier), and on a wired port the result is not protected either way, so
      // the identifier is not checked (as wpa_supplicant does).
      else if (rx_success_ && decision_ != Decision::fail)
        enter(EapPeerState::SUCCESS);
      else if (method_state_ != MethodState::cont &&
               ((rx_failure_ && decision_ != Decision::uncond_succ) || (rx_success_ && decision_ == Decision::fail)))
        enter(EapPeerState::FAILURE);
      else
        enter(EapPeerState::DISCARD);
      break;
    }
    case EapPeerState::GET_METHOD:
      if (selected_ != 0 && selected_ == req_method_) enter(EapPeerState::METHOD);
      else enter(EapPeerState::SEND_RESPONSE);
      break;
    case EapPeerState::METHOD:
      if (ignore_) enter(EapPeerState::DISCARD);
      else if (method_state_ == MethodState::done && decision_ == Decision::fail) enter(EapPeerState::FAILURE);
      else enter(EapPeerState::SEND_RESPONSE);
      break;
    case EapPeerState::SEND_RESPONSE:
    case EapPeerState::DISCARD: enter(EapPeerState::IDLE); break;
    case EapPeerState::IDENTITY:
    case EapPeerState::NOTIFICATION:
    case EapPeerState::RETRANSMIT: enter(EapPeerState::SEND_RESPONSE); break;
    case EapPeerState::SUCCESS:
    case EapPeerState::FAILURE: break;  // final until eapRestart
  }
  return state_ != before;
}

}  // namespace phonesec::dot1x

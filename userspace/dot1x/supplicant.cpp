// SPDX-License-Identifier: Apache-2.0
#include "dot1x/supplicant.h"

#include "common/log.h"

namespace phonesec::dot1x {

std::string_view to_string(SuppPaeState s) {
  switch (s) {
    case SuppPaeState::DISCONNECTED: return "DISCONNECTED";
    case SuppPaeState::LOGOFF: return "LOGOFF";
    case SuppPaeState::CONNECTING: return "CONNECTING";
    case SuppPaeState::AUTHENTICATING: return "AUTHENTICATING";
    case SuppPaeState::AUTHENTICATED: return "AUTHENTICATED";
    case SuppPaeState::HELD: return "HELD";
    case SuppPaeState::RESTART: return "RESTART";
    case SuppPaeState::S_FORCE_AUTH: return "S_FORCE_AUTH";
    case SuppPaeState::S_FORCE_UNAUTH: return "S_FORCE_UNAUTH";
  }
  return "?";
}

std::string_view to_string(SuppBeState s) {
  switch (s) {
    case SuppBeState::INITIALIZE: return "INITIALIZE";
    case SuppBeState::IDLE: return "IDLE";
    case SuppBeState::REQUEST: return "REQUEST";
    case SuppBeState::RESPONSE: return "RESPONSE";
    case SuppBeState::RECEIVE: return "RECEIVE";
    case SuppBeState::FAIL: return "FAIL";
    case SuppBeState::TIMEOUT: return "TIMEOUT";
    case SuppBeState::SUCCESS: return "SUCCESS";
  }
  return "?";
}

Supplicant::Supplicant(SupplicantConfig cfg, const Clock& clock, MethodFactory factory, SendFrame send)
    : cfg_(std::move(cfg)), clock_(clock), send_(std::move(send)), eap_(cfg_.eap, ll_, clock, std::move(factory)) {
  enter_pae(SuppPaeState::DISCONNECTED);
  enter_be(SuppBeState::INITIALIZE);
}

void Supplicant::tx(EapolType type, ByteView body) {
  Bytes f = build_eapol(kPaeGroupAddr, cfg_.own_mac, cfg_.eapol_version, type, body);
  log::debug("dot1x", "tx ", to_string(type), " (", body.size(), " bytes)");
  send_(f);
}

void Supplicant::enter_pae(SuppPaeState s) {
  if (pae_entered_) log::info("dot1x", "SUPP_PAE: ", to_string(pae_), " -> ", to_string(s));
  pae_entered_ = true;
  pae_ = s;
  switch (s) {
    case SuppPaeState::LOGOFF:
      tx(EapolType::logoff, {});
      ++counters_.tx_logoff;
      logoff_sent_ = true;
      port_authorized_ = false;
      break;
    case SuppPaeState::DISCONNECTED:
      s_port_mode_ = PortControl::Auto;
      start_count_ = 0;
      logoff_sent_ = false;
      port_authorized_ = false;
      supp_abort_ = true;
      attempt_started_.reset();
      break;
    case SuppPaeState::CONNECTING:
      if (!attempt_started_) attempt_started_ = clock_.now();
      // A new attempt: results of the previous one (eapSuccess/eapFail) are stale. Restarting
      // the EAP peer clears them; otherwise CONNECTING would go straight back to
      // AUTHENTICATING with the old verdict (HELD loop, or a re-auth "succeeding" unasked).
      ll_.eapRestart = true;
      start_when_ = clock_.now() + cfg_.timers.start_period;
      ++start_count_;
      eapol_eap_ = false;
      tx(EapolType::start, {});
      ++counters_.tx_start;
      break;
    case SuppPaeState::AUTHENTICATING:
      start_count_ = 0;
      supp_success_ = supp_fail_ = supp_timeout_ = false;
      supp_start_ = true;
      break;
    case SuppPaeState::AUTHENTICATED:
      port_authorized_ = true;
      reason_.clear();
      if (attempt_started_) {
        last_auth_ms_ = std::chrono::duration_cast<Millis>(clock_.now() - *attempt_started_).count();
        attempt_started_.reset();
      }
      if (seen_authenticator_) log::info("dot1x", "authenticated (", eap_type_name(protocol_), ") in ", last_auth_ms_, " ms");
      else {
        // 802.1X-2010 figure 8-17: maxStart unanswered Starts mean no authenticator; the port is
        // usable. Said in the status so nobody mistakes it for a successful EAP exchange.
        reason_ = "no authenticator answered " + std::to_string(start_count_) + " EAPOL-Start: port open without 802.1X";
        log::info("dot1x", reason_);
      }
      break;
    case SuppPaeState::HELD:
      held_while_ = clock_.now() + cfg_.timers.held_period;
      if (eap_.retry_immediately()) held_while_ = clock_.now();
      port_authorized_ = false;
      // HELD follows an EAP failure: its reason, not a stale one from an earlier attempt.
      reason_ = eap_.reason();
      if (reason_.empty()) reason_ = "authentication failed";
      log::warn("dot1x", "authentication failed: ", reason_);
      break;
    case SuppPaeState::RESTART: ll_.eapRestart = true; break;
    case SuppPaeState::S_FORCE_AUTH:
      port_authorized_ = true;
      s_port_mode_ = PortControl::ForceAuthorized;
      break;
    case SuppPaeState::S_FORCE_UNAUTH:
      port_authorized_ = false;
      s_port_mode_ = PortControl::ForceUnauthorized;
      tx(EapolType::logoff, {});
      ++counters_.tx_logoff;
      break;
  }
}

bool Supplicant::step_pae() {
  const SuppPaeState before = pae_;
  const bool down = initialize_ || !ll_.portEnabled;
  const PortControl pc = cfg_.port_control;
  // Global transitions first (802.1X-2010 figure 8-17).
  if (user_logoff_ && !logoff_sent_ && !down) {
    enter_pae(SuppPaeState::LOGOFF);
  } else if ((pc == PortControl::Auto && s_port_mode_ != pc) || down) {
    if (pae_ != SuppPaeState::DISCONNECTED || !down) enter_pae(SuppPaeState::DISCONNECTED);
  } else if (pc == PortControl::ForceAuthorized && s_port_mode_ != pc) {
    enter_pae(SuppPaeState::S_FORCE_AUTH);
  } else if (pc == PortControl::ForceUnauthorized && s_port_mode_ != pc) {
    enter_pae(SuppPaeState::S_FORCE_UNAUTH);
  } else {
    switch (pae_) {
      case SuppPaeState::LOGOFF:
        if (!user_logoff_) enter_pae(SuppPaeState::DISCONNECTED);
        break;
      case SuppPaeState::DISCONNECTED:
        if (user_logoff_) enter_pae(SuppPaeState::LOGOFF);
        else enter_pae(SuppPaeState::CONNECTING);
        break;
      case SuppPaeState::CONNECTING: {
        const bool sw0 = expired(start_when_);
        if (sw0 && start_count_ < cfg_.timers.max_start) enter_pae(SuppPaeState::CONNECTING);
        else if (sw0 && start_count_ >= cfg_.timers.max_start && port_valid_) enter_pae(SuppPaeState::AUTHENTICATED);
        else if (ll_.eapSuccess || ll_.eapFail) enter_pae(SuppPaeState::AUTHENTICATING);
        else if (eapol_eap_) enter_pae(SuppPaeState::RESTART);
        else if (sw0 && start_count_ >= cfg_.timers.max_start && !port_valid_) enter_pae(SuppPaeState::HELD);
        break;
      }
      case SuppPaeState::AUTHENTICATING:
        if (supp_success_ && port_valid_) enter_pae(SuppPaeState::AUTHENTICATED);
        else if (supp_fail_) enter_pae(SuppPaeState::HELD);
        else if (supp_timeout_) enter_pae(SuppPaeState::CONNECTING);
        break;
      case SuppPaeState::HELD:
        if (expired(held_while_)) enter_pae(SuppPaeState::CONNECTING);
        else if (eapol_eap_) enter_pae(SuppPaeState::RESTART);
        break;
      case SuppPaeState::AUTHENTICATED:
        if (eapol_eap_ && port_valid_) enter_pae(SuppPaeState::RESTART);
        else if (!port_valid_) enter_pae(SuppPaeState::DISCONNECTED);
        break;
      case SuppPaeState::RESTART:
        if (!ll_.eapRestart) enter_pae(SuppPaeState::AUTHENTICATING);
        break;
      case SuppPaeState::S_FORCE_AUTH:
      case SuppPaeState::S_FORCE_UNAUTH: break;
    }
  }
  return pae_ != before;
}

void Supplicant::enter_be(SuppBeState s) {
  log::debug("dot1x", "SUPP_BE: ", to_string(be_), " -> ", to_string(s));
  if (s != be_) log::info("dot1x", "SUPP_BE: ", to_string(be_), " -> ", to_string(s));
  be_ = s;
  switch (s) {
    case SuppBeState::INITIALIZE:
      // abortSupp(): forget the pending request, stop the EAP conversation.
      eapol_eap_ = false;
      ll_.eapReq = ll_.eapResp = ll_.eapNoResp = false;
      ll_.eapReqData.clear();
      supp_abort_ = false;
      break;
    case SuppBeState::IDLE: supp_start_ = false; break;
    case SuppBeState::REQUEST:
      auth_while_running_ = false;
      // The frame is handed to the EAP peer (eapReq): it is consumed. Without clearing
      // eapolEap here a Success/Failure (REQUEST → SUCCESS/FAIL never passes RECEIVE) would
      // leave it set and restart authentication from AUTHENTICATED/HELD on the stale frame.
      eapol_eap_ = false;
      ll_.eapReq = true;  // getSuppRsp(): the EAP peer runs in tick()
      break;
    case SuppBeState::RESPONSE:
      tx(EapolType::eap_packet, ll_.eapRespData);
      ++counters_.tx_response;
      ll_.eapResp = false;
      break;
    case SuppBeState::RECEIVE:
      auth_while_ = clock_.now() + cfg_.timers.auth_period;
      auth_while_running_ = true;
      eapol_eap_ = false;
      ll_.eapNoResp = false;
      break;
    case SuppBeState::FAIL:
      supp_fail_ = true;
      ++counters_.auth_failure;
      break;
    case SuppBeState::TIMEOUT:
      supp_timeout_ = true;
      ++counters_.auth_timeout;
      reason_ = "no EAP request from the authenticator within authPeriod";
      log::warn("dot1x", reason_);
      break;
    case SuppBeState::SUCCESS:
      supp_success_ = true;
      ++counters_.auth_success;
      break;
  }
}

bool Supplicant::step_be() {
  const SuppBeState before = be_;
  if (supp_abort_ || (initialize_ && be_ != SuppBeState::INITIALIZE)) {
    enter_be(SuppBeState::INITIALIZE);
    return true;
  }
  if (initialize_) return false;
  switch (be_) {
    case SuppBeState::REQUEST:
      if (ll_.eapResp) enter_be(SuppBeState::RESPONSE);
      else if (ll_.eapNoResp) enter_be(SuppBeState::RECEIVE);
      else if (ll_.eapFail) enter_be(SuppBeState::FAIL);
      else if (ll_.eapSuccess) enter_be(SuppBeState::SUCCESS);
      break;
    case SuppBeState::RESPONSE: enter_be(SuppBeState::RECEIVE); break;
    case SuppBeState::SUCCESS:
    case SuppBeState::FAIL:
    case SuppBeState::TIMEOUT:
    case SuppBeState::INITIALIZE: enter_be(SuppBeState::IDLE); break;
    case SuppBeState::IDLE:
      if (ll_.eapFail && supp_start_) enter_be(SuppBeState::FAIL);
      else if (eapol_eap_ && supp_start_) enter_be(SuppBeState::REQUEST);
      else if (ll_.eapSuccess && supp_start_) enter_be(SuppBeState::SUCCESS);
      break;
    case SuppBeState::RECEIVE:
      if (eapol_eap_) enter_be(SuppBeState::REQUEST);
      else if (ll_.eapFail) enter_be(SuppBeState::FAIL);
      else if (auth_while_running_ && expired(auth_while_)) enter_be(SuppBeState::TIMEOUT);
      else if (ll_.eapSuccess) enter_be(SuppBeState::SUCCESS);
      break;
  }
  return be_ != before;
}

void Supplicant::tick() {
  for (int i = 0; i < 200; ++i) {
    bool changed = step_pae();
    changed |= step_be();
    changed |= eap_.step();
    if (eap_.selected_method()) protocol_ = eap_.selected_method();
    if (!changed) return;
  }
  log::error("dot1x", "state machines did not settle after 200 steps (SUPP_PAE ", to_string(pae_), ", SUPP_BE ",
             to_string(be_), ", EAP ", to_string(eap_.state()), ")");
}

std::optional<TimePoint> Supplicant::next_deadline() const {
  std::optional<TimePoint> d;
  auto take = [&](TimePoint t) {
    if (!d || t < *d) d = t;
  };
  if (pae_ == SuppPaeState::CONNECTING) take(start_when_);
  if (pae_ == SuppPaeState::HELD) take(held_while_);
  if (be_ == SuppBeState::RECEIVE && auth_while_running_) take(auth_while_);
  if (auto e = eap_.next_deadline()) take(*e);
  return d;
}

void Supplicant::set_port_enabled(bool up) {
  if (ll_.portEnabled == up) return;
  log::info("dot1x", "port ", up ? "enabled (link up)" : "disabled (link down)");
  ll_.portEnabled = up;
  tick();
}

void Supplicant::set_user_logoff(bool logoff) {
  user_logoff_ = logoff;
  tick();
}

void Supplicant::set_port_control(PortControl pc) {
  cfg_.port_control = pc;
  tick();
}

void Supplicant::reauthenticate() {
  if (!ll_.portEnabled) return;
  log::info("dot1x", "re-authentication requested");
  // Through DISCONNECTED: the standard's way to restart (initialize pulse).
  initialize_ = true;
  tick();
  initialize_ = false;
  tick();
}

void Supplicant::receive_frame(ByteView frame) {
  auto f = parse_eapol(frame);
  if (!f) {
    ++counters_.rx_malformed;
    log::debug("dot1x", "dropped: ", f.error().message());
    return;
  }
  ++counters_.rx_frames;
  if (f->src == cfg_.own_mac) return;  // our own frame looped back
  if (foreign_.count(f->src) || foreign_.count(f->dst) || (f->dst != cfg_.own_mac && f->dst != kPaeGroupAddr)) {
    ++counters_.rx_not_ours;
    return;
  }
  if (f->type != EapolType::eap_packet) {
    ++counters_.rx_unexpected;
    log::debug("dot1x", "ignored ", to_string(f->type), " from ", mac_to_string(f->src));
    return;
  }
  auto p = parse_eap(f->body);
  if (!p) {
    ++counters_.rx_malformed;
    log::debug("dot1x", "dropped EAP from ", mac_to_string(f->src), ": ", p.error().message());
    return;
  }
  if (p->code == EapCode::response) {
    ++counters_.rx_unexpected;
    return;
  }
  if (!ll_.portEnabled) return;
  ++counters_.rx_eap;
  authenticator_ = f->src;
  seen_authenticator_ = true;
  ll_.eapReqData.assign(p->raw.begin(), p->raw.end());
  eapol_eap_ = true;
  const uint64_t discarded_before = eap_.discarded();
  tick();
  counters_.rx_discarded += eap_.discarded() - discarded_before;
}

Dot1xStatus Supplicant::status() const {
  Dot1xStatus s;
  s.enabled = true;
  switch (pae_) {
    case SuppPaeState::AUTHENTICATED:
    case SuppPaeState::S_FORCE_AUTH: s.transaction = "Authenticated"; break;
    case SuppPaeState::HELD:
    case SuppPaeState::S_FORCE_UNAUTH:
    case SuppPaeState::LOGOFF: s.transaction = "Held"; break;
    default: s.transaction = "Authenticating"; break;
  }
  if (protocol_ == eap_type::tls) s.protocol = "EAP-TLS";
  else if (protocol_ == eap_type::fast) s.protocol = "EAP-FAST";
  s.supp_pae = std::string(to_string(pae_));
  s.supp_be = std::string(to_string(be_));
  s.eap = std::string(to_string(eap_.state()));
  s.port_authorized = port_authorized_;
  s.link_up = ll_.portEnabled;
  s.reason = reason_;
  if (pae_ == SuppPaeState::LOGOFF) s.reason = "logged off";
  if (pae_ == SuppPaeState::S_FORCE_UNAUTH) s.reason = "forced unauthorized";
  s.mac = mac_to_string(cfg_.own_mac);
  if (seen_authenticator_) s.authenticator = mac_to_string(authenticator_);
  s.last_auth_ms = last_auth_ms_;
  s.counters = counters_;
  return s;
}

}  // namespace phonesec::dot1x

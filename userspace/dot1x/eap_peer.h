// SPDX-License-Identifier: Apache-2.0
// EAP peer state machine, RFC 4137 section 4 (states DISABLED … FAILURE), driven by the
// lower layer (SUPP_BE) through the variables of RFC 4137 section 3.1. One step() takes at
// most one transition; the owner loops until nothing changes. Every transition is logged.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dot1x/clock.h"
#include "dot1x/eap_method.h"

namespace phonesec::dot1x {

enum class EapPeerState {
  DISABLED,
  INITIALIZE,
  IDLE,
  RECEIVED,
  GET_METHOD,
  METHOD,
  SEND_RESPONSE,
  DISCARD,
  IDENTITY,
  NOTIFICATION,
  RETRANSMIT,
  SUCCESS,
  FAILURE,
};
std::string_view to_string(EapPeerState s);

// RFC 4137 section 3.1: lower layer ↔ peer variables (owned by the supplicant).
struct EapLowerLayer {
  bool eapReq = false;
  bool eapResp = false;
  bool eapNoResp = false;
  bool eapSuccess = false;
  bool eapFail = false;
  bool eapRestart = false;
  bool portEnabled = false;
  bool altAccept = false;
  bool altReject = false;
  Bytes eapReqData;
  Bytes eapRespData;
};

struct EapPeerConfig {
  std::string identity;                // outer identity (Response/Identity)
  std::vector<uint8_t> methods;        // allowed methods, in preference order (for Nak)
  Millis client_timeout{60000};        // ClientTimeout (idleWhile)
};

class EapPeer {
 public:
  EapPeer(EapPeerConfig cfg, EapLowerLayer& ll, const Clock& clock, MethodFactory factory);
  bool step();
  EapPeerState state() const { return state_; }
  uint8_t selected_method() const { return selected_; }
  std::string reason() const;               // last failure/ignore reason (method's or ours)
  bool retry_immediately() const { return method_ && method_->retry_immediately(); }
  std::optional<TimePoint> next_deadline() const;
  SecretBytes key() const { return key_data_; }
  uint64_t discarded() const { return discarded_; }

 private:
  void enter(EapPeerState s);
  void parse_req();
  bool allow_method(uint8_t t) const;

  EapPeerConfig cfg_;
  EapLowerLayer& ll_;
  const Clock& clock_;
  MethodFactory factory_;
  EapPeerState state_ = EapPeerState::DISABLED;
  std::unique_ptr<EapMethod> method_;

  // RFC 4137 section 3.2/3.3 variables
  uint8_t selected_ = 0;  // 0 = NONE
  MethodState method_state_ = MethodState::none;
  Decision decision_ = Decision::fail;
  bool allow_notifications_ = true;
  int last_id_ = -1;      // -1 = NONE
  Bytes last_resp_;
  bool rx_req_ = false, rx_success_ = false, rx_failure_ = false;
  uint8_t req_id_ = 0, req_method_ = 0;
  bool ignore_ = false;
  TimePoint idle_while_{};
  SecretBytes key_data_;
  std::string reason_;
  uint64_t discarded_ = 0;
};

}  // namespace phonesec::dot1x

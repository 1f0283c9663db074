// SPDX-License-Identifier: Apache-2.0
// MediaSec negotiation for one phone line (RFC 3329 + draft-dawes-sipcore-mediasec-parameter).
//
// Two modes, from the line's MediaSec_Request_n_ parameter:
//  - client-initiated (request = true): every REGISTER carries `Security-Client: sdes-srtp;mediasec`
//    and the option tags. A 401/407 with Security-Server: later REGISTERs keep Security-Client and
//    add Security-Verify echoing the server's list verbatim. A 494: later requests carry
//    Security-Verify without Security-Client.
//  - server-initiated (request = false): nothing is sent until a response carries a
//    Security-Server mechanism with the mediasec parameter; from then on every request echoes it.
// Once a server list is held, every request (INVITE, re-INVITE, OPTIONS, re-REGISTER, …) carries
// Security-Verify mirroring the server's current list, and `Require`/`Proxy-Require: mediasec`
// while that list (or our Security-Client) has a mediasec mechanism — never on CANCEL (RFC 3261
// §8.2.2.3). A newer Security-Server list always replaces the older one (no duplicates), also in
// server-initiated mode and also when it has no mediasec mechanism (then agreed() is false).
// Option tags: only "mediasec", as the mediasec draft's examples and deployed phones send it.
// "sec-agree" (RFC 3329 §2.3.1) is not added: it asks the server to agree a *signalling*
// mechanism (ipsec-3gpp/tls/digest) for the first hop, which this phone does not do, and a
// mediasec-only server would answer 420 Bad Extension to it. MediaSec_Over_TLS_Only_n_ = Yes disables all of it unless the
// line's SIP transport is TLS. A 420 whose Unsupported lists mediasec ends negotiation (Refused).
// Media security is agreed when the server list holds `sdes-srtp;mediasec`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/sip_transport.h"
#include "srtp/secagree.h"
#include "srtp/sip_headers.h"

namespace phonesec::srtp {

using phonesec::SipTransport;  // common/sip_transport.h (shared with config/ and tls/)

// The line's settings, taken as plain values (the config/ layer maps cfg.xml onto this).
struct MediaSecLineConfig {
  int line = 1;                 // 1-based line number, for logs
  bool request = false;         // MediaSec_Request_n_
  bool over_tls_only = false;   // MediaSec_Over_TLS_Only_n_
};

enum class MediaSecState {
  Off,           // negotiation not allowed on this transport (over-TLS-only)
  Idle,          // client mode: nothing sent yet; server mode: waiting for Security-Server
  ClientOffered, // Security-Client sent, no server list yet
  Challenged,    // 401/407 carried the server list: REGISTER keeps Security-Client
  Required,      // 494 carried the server list: Security-Verify only
  Verifying,     // server-initiated: a response carried Security-Server;mediasec
  Refused,       // the server does not support mediasec (420 Unsupported: mediasec)
};
const char* to_string(MediaSecState s);

class MediaSecNegotiator {
 public:
  MediaSecNegotiator(MediaSecLineConfig cfg, SipTransport transport);

  // Headers to add to an outgoing request (method as on the request line, e.g. "REGISTER").
  // In client mode the first REGISTER moves Idle → ClientOffered.
  SipHeaders request_headers(std::string_view method);

  // Feeds a final or provisional response to a request of `method`. Bad Security-Server syntax
  // is an error naming the header and mechanism; the state is unchanged then.
  Status on_response(int status, std::string_view method, const SipHeaders& headers);

  // The line moved to another transport (e.g. failover): negotiation restarts.
  void set_transport(SipTransport t);

  MediaSecState state() const { return state_; }
  // True when the server list holds sdes-srtp;mediasec: SDP offers carry a=3ge2ae:requested and
  // the call's media must be SRTP.
  bool agreed() const;
  const std::vector<SecMechanism>& server_list() const { return server_; }
  const MediaSecLineConfig& config() const { return cfg_; }

  // Every transition is logged; tests may observe them as well.
  using TransitionHook = std::function<void(MediaSecState from, MediaSecState to, std::string_view why)>;
  void on_transition(TransitionHook h) { hook_ = std::move(h); }

 private:
  void go(MediaSecState to, std::string_view why);
  bool allowed() const;
  void restart(std::string_view why);

  MediaSecLineConfig cfg_;
  SipTransport transport_;
  MediaSecState state_ = MediaSecState::Idle;
  std::vector<SecMechanism> server_;
  TransitionHook hook_;
};

// The mechanism the phone offers: sdes-srtp;mediasec.
SecMechanism offered_mechanism();

}  // namespace phonesec::srtp

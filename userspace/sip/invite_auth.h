// SPDX-License-Identifier: Apache-2.0
// Auth_INVITE_n_: when enabled for a line, an initial INVITE (no To tag) is answered with a
// digest challenge (401, WWW-Authenticate for each offered algorithm, SHA-256 first, then MD5,
// qop="auth") and accepted only with valid credentials of the line (Auth_ID_n_ when
// Use_Auth_ID_n_, else User_ID_n_, and Password_n_) against a nonce this UA issued, not
// expired, with a nonce-count above the last one seen (no replay).
// Answers (choices where the RFCs leave room):
//   no / malformed credentials, unknown nonce, other realm, replay -> 401 with a fresh nonce
//   valid digest on an expired nonce                               -> 401 stale=true
//   wrong username, uri, qop or response                           -> 403 Forbidden
// The digest uri must be the Request-URI, or the Request-URI without its user part (sipp).
// In-dialog requests, requests other than INVITE and lines with Auth_INVITE off pass.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/secure.h"
#include "config/phone_config.h"
#include "sip/digest.h"
#include "sip/message.h"
#include "sip/nonce_store.h"

namespace phonesec::sip {

struct InviteAuthConfig {
  bool enabled = false;
  std::string username;
  SecretString password;
  std::string realm = "phonesec";
  std::vector<DigestAlg> offer{DigestAlg::SHA256, DigestAlg::MD5};
  std::chrono::seconds nonce_lifetime{30};
};

// The line's settings: Auth_INVITE_n_, the auth user and password; the realm is the line's
// proxy host when set.
InviteAuthConfig from_line(const config::LineConfig& line);

enum class Verdict { accept, challenge, stale, replay, forbidden };

struct Decision {
  Verdict verdict = Verdict::accept;
  int status = 0;        // 0 when accepted, else 401 / 403
  std::string response;  // the SIP response to send when not accepted
  std::string reason;    // for the log: never holds the password or a digest
};

class InviteAuthenticator {
 public:
  InviteAuthenticator(InviteAuthConfig c, SteadyNow now);
  Decision on_request(const Message& req);
  const NonceStore& nonces() const { return nonces_; }

 private:
  Decision challenge(const Message& req, Verdict v, std::string reason, bool stale);
  Decision forbid(const Message& req, std::string reason);
  InviteAuthConfig c_;
  NonceStore nonces_;
  std::string tag_;
};

}  // namespace phonesec::sip

// SPDX-License-Identifier: Apache-2.0
// Key store: SDES keys and SRTP sessions per call (Call-ID) and m-line.
//
// Offerer: make_offer() creates our keys (OpenSSL RNG), one per offered suite, and returns the
// a=crypto lines; accept_answer() takes the answer's line (it must echo one of our tags and
// suite), then builds the outbound session from our key and the inbound one from the peer's.
// Answerer: answer_offer() picks the first usable offered line, makes our key and both sessions.
// Re-INVITE: a new offer with rekey=true carries fresh keys and the accepted answer replaces both
// sessions (new crypto contexts, replay state reset). A re-offer from the peer with an unchanged
// line keeps the sessions; a changed key or suite rekeys. end_call() drops everything: master
// keys are wiped (MasterKey) and libsrtp2 contexts freed.
// The controller may open firewall pinholes for the negotiated media ports (SdpMedia::port):
// the RTP range is open inbound by default (DESIGN.md), so no extra pinhole is needed for it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "srtp/sdp_crypto.h"
#include "srtp/session.h"

namespace phonesec::srtp {

struct MediaStream {
  Suite suite = Suite::AES_CM_128_HMAC_SHA1_80;
  std::uint32_t tag = 0;
  unsigned generation = 0;  // bumped by every rekey
  std::optional<SrtpSession> tx;
  std::optional<SrtpSession> rx;
};

class CallKeys {
 public:
  Result<std::vector<CryptoAttribute>> make_offer(unsigned mline, std::span<const Suite> suites, bool rekey);
  Status accept_answer(unsigned mline, const std::vector<CryptoAttribute>& answer);
  Result<CryptoAttribute> answer_offer(unsigned mline, const std::vector<CryptoAttribute>& offer);

  MediaStream* stream(unsigned mline);
  std::size_t streams() const { return streams_.size(); }

 private:
  Status install(unsigned mline, const CryptoAttribute& local, const CryptoAttribute& remote);
  struct Pending {
    std::vector<CryptoAttribute> offered;  // our lines with our keys
  };
  struct Current {
    CryptoAttribute local;
    CryptoAttribute remote;
  };
  std::map<unsigned, Pending> pending_;
  std::map<unsigned, Current> current_;
  std::map<unsigned, MediaStream> streams_;
};

class KeyStore {
 public:
  CallKeys& call(const std::string& call_id) { return calls_[call_id]; }
  CallKeys* find(const std::string& call_id);
  void end_call(const std::string& call_id) { calls_.erase(call_id); }
  std::size_t calls() const { return calls_.size(); }

 private:
  std::map<std::string, CallKeys> calls_;
};

}  // namespace phonesec::srtp

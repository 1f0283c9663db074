// SPDX-License-Identifier: Apache-2.0
// One call's media: a relay per m-line and the four SDP rewrites of offer/answer (RFC 3264)
// through the relay, with SDES keys from the key store (srtp::CallKeys, per m-line):
//   UA offer  -> network: RTP/SAVP on the relay's network port, our a=crypto (fresh keys on a
//                re-offer: rekey on re-INVITE), a=3ge2ae:requested when MediaSec is agreed
//   network answer -> UA: the answer's a=crypto accepted (both sessions installed), plain
//                RTP/AVP on the relay's UA port
//   network offer -> UA: the first usable a=crypto answered (both sessions installed); no
//                usable line on an active m-line is an error (the proxy answers 488)
//   UA answer -> network: our answer's a=crypto on the relay's network port
// A retransmission (same CSeq and body) gets the same rewritten body without touching keys.
// Late offers (SDP first in ACK) are not supported.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/secure.h"
#include "media/relay.h"
#include "srtp/key_store.h"

namespace phonesec::media {

struct MediaContext {
  Loop& loop;
  PortRange& ports;
  std::string net_ip;  // the line's address toward the proxy
  const std::vector<srtp::Suite>& suites;
  bool mediasec_agreed = false;
};

struct Call {
  struct Memo {
    SecretString key;  // CSeq + body of the message rewritten last (bodies hold keys)
    SecretString out;
  };
  std::string id;
  bool established = false;  // a 2xx to the initial INVITE was seen
  std::map<unsigned, std::unique_ptr<MediaRelay>> relays;
  std::map<unsigned, srtp::CryptoAttribute> our_answer;  // offers from the network
  Memo ua_offer, net_answer, net_offer, ua_answer;
  std::string suite;  // negotiated suite of the first active m-line, for status
};

Result<SecretString> ua_offer_to_net(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                     const std::string& body);
Result<SecretString> net_answer_to_ua(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                      const std::string& body);
Result<SecretString> net_offer_to_ua(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                     const std::string& body);
Result<SecretString> ua_answer_to_net(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                      const std::string& body);

}  // namespace phonesec::media

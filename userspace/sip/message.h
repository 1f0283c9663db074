// SPDX-License-Identifier: Apache-2.0
// Just enough SIP (RFC 3261) for a UAS to judge an incoming request and answer it: the start
// line, headers (case-insensitive names, compact forms expanded, repeated headers kept in
// order), the body; and responses that echo Via/From/To/Call-ID/CSeq. Headers are srtp::SipHeaders,
// the same model the MediaSec negotiator reads and writes (one copy, not two).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "srtp/sip_headers.h"

namespace phonesec::sip {

struct Message {
  bool is_request = false;
  std::string method, uri;                                   // requests
  int status = 0;                                            // responses
  std::string reason;                                        // responses: reason phrase
  srtp::SipHeaders headers;  // canonical name, value (trimmed); the one header model, shared with srtp/
  std::string body;

  // First value of a header (canonical or compact name, any case); nullptr when absent.
  const std::string* header(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  // True when the To header carries a tag (an in-dialog request).
  bool to_has_tag() const;
};

// Errc::parse with what is wrong (no start line, bad status, header without ':').
Result<Message> parse(std::string_view text);

// The message as text: start line, headers in order, Content-Length recomputed from body (an
// existing Content-Length header is replaced), blank line, body.
std::string serialize(const Message& m);

// A response to req: status line, its Via headers, From, To (with to_tag added when To has no
// tag and to_tag is not empty), Call-ID, CSeq, then extra header lines, Content-Length: 0.
std::string make_response(const Message& req, int status, std::string_view reason, std::string_view to_tag,
                          const std::vector<std::string>& extra_headers = {});

}  // namespace phonesec::sip

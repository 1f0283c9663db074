// SPDX-License-Identifier: Apache-2.0
// A minimal SIP user agent over UDP, just enough to drive sipp: builds REGISTER / INVITE / ACK /
// BYE with the headers the MediaSec machine asks for, retransmits until a final response,
// answers digest challenges (RFC 2617 MD5, qop=auth). Test code only: it trusts the peer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "srtp/sip_headers.h"

namespace pss {

struct SipResponse {
  int status = 0;
  phonesec::srtp::SipHeaders headers;
  std::string body;
  std::string header(std::string_view name) const;  // first value or ""
};

struct SipRequest {
  std::string method;
  std::string call_id;
  std::uint32_t cseq = 1;
  std::string from_tag;
  std::string to_tag;  // in-dialog requests
  phonesec::srtp::SipHeaders extra;
  std::string body;  // SDP or empty
};

enum class UaTransport { udp, tls };

class SipUa {
 public:
  // UDP: bound to 127.0.0.1:local_port. TLS: a TCP connection to remote_port wrapped in TLS
  // (no certificate check: test peer), messages framed by Content-Length.
  SipUa(std::uint16_t local_port, std::uint16_t remote_port, std::string user = "phone1",
        UaTransport t = UaTransport::udp);
  ~SipUa();
  // Sends the request, retransmitting every 500 ms, until a final response or `timeout_ms`.
  std::optional<SipResponse> transact(const SipRequest& r, int timeout_ms = 8000);
  // Sends without waiting (ACK).
  void send(const SipRequest& r);
  std::string request_uri(const std::string& method) const;
  std::uint16_t local_port() const { return local_; }
  bool tls_version(std::string& v) const;

 private:
  std::string build(const SipRequest& r, const std::string& branch) const;
  void write(const std::string& m);
  std::optional<std::string> read_message(int ms);  // one complete message, or nullopt
  int fd_ = -1;
  std::uint16_t local_, remote_;
  std::string user_;
  UaTransport transport_;
  void* ctx_ = nullptr;  // SSL_CTX
  void* ssl_ = nullptr;  // SSL
  std::string inbuf_;
};

// Authorization header value for a WWW-Authenticate challenge.
std::string digest_authorization(const std::string& challenge, const std::string& method, const std::string& uri,
                                 const std::string& user, const std::string& password);

std::string random_token(std::size_t n = 10);

}  // namespace pss

// SPDX-License-Identifier: Apache-2.0
// Why a TLS connection failed, as a value callers and tests can branch on; the Error message
// carries the same reason in words plus the detail.
#pragma once

#include <string_view>

#include "common/result.h"

namespace phonesec::tls {

enum class TlsFailure {
  none,
  resolve,            // the server's name did not resolve
  connect,            // TCP connect refused / unreachable
  timeout,            // no answer in time
  expired,            // server certificate (or a CA in its chain) past notAfter
  not_yet_valid,      // before notBefore
  hostname_mismatch,  // certificate does not name the host (SAN, then CN)
  address_mismatch,   // provisioning: server IP not among the DNS addresses of the cert's name
  unknown_ca,         // chain does not lead to a trusted root
  bad_certificate,    // other verification failure (signature, purpose, …)
  cipher_mismatch,    // no cipher suite in common with the server
  peer_rejected,      // the server refused us (e.g. our client certificate)
  protocol,           // not TLS, wrong version, unexpected message
  io,                 // connection reset or closed mid-handshake
};
std::string_view to_string(TlsFailure f);
// Words used in messages: "certificate expired", "hostname mismatch", "unknown CA", …
std::string_view reason_text(TlsFailure f);
// The Result error code a failure maps to (auth for certificate and identity failures, timeout,
// io, not_found for resolve, crypto for cipher and protocol failures).
Errc errc_of(TlsFailure f);
// The failure an X509_V_ERR_* verification result stands for (expired, unknown_ca, …).
TlsFailure failure_of_verify_error(long x509_v_err);

}  // namespace phonesec::tls

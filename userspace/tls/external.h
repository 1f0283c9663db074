// SPDX-License-Identifier: Apache-2.0
// TLS policy for a connection another library makes — libcurl in prov/fetch, which owns the
// socket, the HTTP proxy tunnel and the handshake. The library hands us its SSL_CTX before the
// handshake (CURLOPT_SSL_CTX_FUNCTION) and configure() sets it up with configure_client_ctx,
// exactly as TlsClientContext does for our own connections (TLS ≥ 1.2, the application's
// cipher list, trust, device certificate). The server's identity (identity.h
// check_server_identity: SAN/CN, or the provisioning `CN=fqdn/…` form with its DNS address
// check) is checked inside the handshake, in the certificate verification callback, so a
// server that fails it never sees the request (nor the client certificate's use).
// What went wrong is recorded as it happens (verification, identity, an alert from the server)
// so the caller can name the reason: "TLS handshake with prov.test:443 failed: no shared
// cipher (TLS_Cipher_List 'AES128-SHA')".
// One object per connection attempt; it must outlive the handshake (the context points at it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/resolver.h"
#include "common/result.h"
#include "tls/apps.h"
#include "tls/cipher_list.h"
#include "tls/client.h"
#include "tls/failure.h"

namespace phonesec::tls {

struct ExternalTarget {
  std::string host;     // as in the URL: name or IP literal
  std::uint16_t port = 0;
  std::string peer_ip;  // the address connected to; empty through a proxy (no address check)
};

class ExternalTls {
 public:
  ExternalTls(const TlsPolicy& policy, TlsApp app, TrustOptions trust, const ClientIdentity* client,
              ExternalTarget target, const Resolver& resolve);
  ExternalTls(const ExternalTls&) = delete;
  ExternalTls& operator=(const ExternalTls&) = delete;

  // Sets the context up; on error the connection must not proceed (the error is kept too).
  Status configure(SSL_CTX* ctx);

  // After the library reports a failed handshake: what we saw, or nothing if we saw nothing
  // (then the library's own message is all there is). The message starts with
  // "TLS handshake with host:port failed: ".
  struct Failure {
    TlsFailure kind = TlsFailure::protocol;
    std::string message;
  };
  std::optional<Failure> failure() const;
  // Wraps the library's text when failure() is empty.
  Failure failure_or(const std::string& library_text) const;

  // After a successful handshake.
  const std::string& version() const { return version_; }
  const std::string& cipher() const { return cipher_; }

  // "TLS_Cipher_List 'AES128-SHA'" or "cipher list 'DEFAULT' (the provisioning default)".
  std::string cipher_list_origin() const;

 private:
  static int verify_cb(X509_STORE_CTX* sc, void* arg);
  static void info_cb(const SSL* ssl, int where, int ret);
  void record(TlsFailure kind, std::string detail);
  std::string where() const;

  const TlsPolicy& policy_;
  TlsApp app_;
  TrustOptions trust_;
  const ClientIdentity* client_;
  ExternalTarget target_;
  const Resolver& resolve_;
  std::optional<Failure> failure_;
  std::string version_, cipher_;
};

}  // namespace phonesec::tls

// SPDX-License-Identifier: Apache-2.0
// TLS client connections for every TLS application of the phone: one SSL_CTX per application
// (cipher list from TlsPolicy, trust store, optional device certificate, TLS ≥ 1.2), then a
// connection whose server identity is checked the way the seed asks for that application
// (see apps.h NameCheck and identity.h). A failed connection says why, as a TlsFailure and as
// a message naming the reason (expired, hostname mismatch, unknown CA, cipher mismatch, …).
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "common/fd.h"
#include "common/result.h"
#include "tls/apps.h"
#include "tls/cipher_list.h"
#include "tls/client_cert.h"
#include "tls/failure.h"
#include "tls/handles.h"
#include "tls/net.h"
#include "common/resolver.h"

namespace phonesec::tls {

struct TrustOptions {
  std::string ca_file;                     // PEM bundle of trusted roots; empty = the system's store
  std::optional<std::time_t> verify_time;  // check validity at this time instead of now
  std::string custom_ca_file;              // trusted too when set (the CA Custom_CA_Rule installed)
};

// The one client setup of the phone, for our own connections (TlsClientContext) and for those
// another library makes (external.h, libcurl): TLS 1.2 minimum, the application's cipher list
// from `policy`, the trust store, peer verification on, the device identity when given.
// Errors name the application and what failed (cipher list, CA file, key).
Status configure_client_ctx(SSL_CTX* ctx, const TlsPolicy& policy, TlsApp app, const TrustOptions& trust,
                            const ClientIdentity* client);

class TlsClientContext {
 public:
  // `client` is the device identity presented when a server asks (nullptr: none).
  static Result<TlsClientContext> create(const TlsPolicy& policy, TlsApp app, const TrustOptions& trust,
                                         const ClientCertFiles* client = nullptr);
  SSL_CTX* get() const { return ctx_.get(); }
  TlsApp app() const { return app_; }
  const std::string& cipher_list() const { return cipher_list_; }

 private:
  TlsClientContext(SslCtxPtr ctx, TlsApp app, std::string ciphers)
      : ctx_(std::move(ctx)), app_(app), cipher_list_(std::move(ciphers)) {}
  SslCtxPtr ctx_;
  TlsApp app_;
  std::string cipher_list_;
};

struct TlsTarget {
  std::string host;  // as configured: DNS name or IP literal; checked against the cert
  uint16_t port = 0;
  bool validate_name = true;  // only read for SIP (TLS_Name_Validate_n_); others always check
};

class TlsSession : public Stream {
 public:
  TlsSession(SslPtr ssl, UniqueFd fd) : ssl_(std::move(ssl)), fd_(std::move(fd)) {}
  TlsSession(TlsSession&&) noexcept = default;
  TlsSession& operator=(TlsSession&&) noexcept = default;
  ~TlsSession() override;

  Result<std::size_t> read_some(void* buf, std::size_t n) override;
  Status write_all(const void* buf, std::size_t n) override;
  // Sends close_notify (best effort).
  void shutdown();
  // For an event loop: the socket to poll, and whether decrypted bytes wait in OpenSSL (then
  // read_some returns them without the socket being readable).
  int fd() const { return fd_.get(); }
  bool pending() const;

  std::string cipher() const;   // negotiated suite, OpenSSL name
  std::string version() const;  // "TLSv1.2", "TLSv1.3"
  X509Ptr peer_certificate() const;
  const std::string& peer_ip() const { return peer_ip_; }
  void set_peer_ip(std::string ip) { peer_ip_ = std::move(ip); }

 private:
  SslPtr ssl_;
  UniqueFd fd_;
  std::string peer_ip_;
};

struct TlsConnectResult {
  TlsFailure failure = TlsFailure::none;
  Result<TlsSession> session;
  bool ok() const { return failure == TlsFailure::none; }
};

// Resolves target.host, connects (first address that answers), handshakes and checks the
// server's identity.
TlsConnectResult tls_connect(const TlsClientContext& ctx, const TlsTarget& target, const Resolver& resolve,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Handshake over an already connected socket (LDAP after StartTLS). conn.peer_ip is the
// address the socket is connected to (provisioning checks it against DNS).
TlsConnectResult tls_handshake(const TlsClientContext& ctx, TcpConnection conn, const TlsTarget& target,
                               const Resolver& resolve);

}  // namespace phonesec::tls

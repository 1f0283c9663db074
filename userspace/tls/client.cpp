// SPDX-License-Identifier: Apache-2.0
#include "tls/client.h"

#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "tls/identity.h"

namespace phonesec::tls {

Errc errc_of(TlsFailure f) {
  switch (f) {
    case TlsFailure::expired:
    case TlsFailure::not_yet_valid:
    case TlsFailure::hostname_mismatch:
    case TlsFailure::address_mismatch:
    case TlsFailure::unknown_ca:
    case TlsFailure::bad_certificate:
    case TlsFailure::peer_rejected:
      return Errc::auth;
    case TlsFailure::timeout:
      return Errc::timeout;
    case TlsFailure::io:
    case TlsFailure::connect:
      return Errc::io;
    case TlsFailure::resolve:
      return Errc::not_found;
    default:
      return Errc::crypto;
  }
}

namespace {

TlsConnectResult fail(TlsFailure f, const std::string& where, const std::string& detail) {
  std::string msg = where + ": " + std::string(reason_text(f)) + (detail.empty() ? "" : ": " + detail);
  return TlsConnectResult{f, make_error(errc_of(f), msg)};
}

}  // namespace

TlsFailure failure_of_verify_error(long v) {
  switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return TlsFailure::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return TlsFailure::not_yet_valid;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_EMAIL_MISMATCH:
      return TlsFailure::hostname_mismatch;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return TlsFailure::unknown_ca;
    default:
      return TlsFailure::bad_certificate;
  }
}

namespace {

// Turns a failed SSL_connect/SSL_read/SSL_write into a failure kind and a detail string.
std::pair<TlsFailure, std::string> classify(SSL* ssl, int rc, int saved_errno, bool in_handshake) {
  int err = SSL_get_error(ssl, rc);
  long vr = SSL_get_verify_result(ssl);
  unsigned long e = ERR_peek_error();
  std::string text = drain_openssl_errors();
  if (in_handshake && vr != X509_V_OK)
    return {failure_of_verify_error(vr), verify_detail(vr, SSL_get0_peer_certificate(ssl),
                                                      X509_VERIFY_PARAM_get0_host(SSL_get0_param(ssl), 0))};
  if (e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL) {
    switch (ERR_GET_REASON(e)) {
      case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
        // Before ServerHello this is how servers say "no cipher suite in common".
        if (in_handshake && SSL_get_current_cipher(ssl) == nullptr)
          return {TlsFailure::cipher_mismatch,
                  "the server shares no cipher suite with our list (" + text + ")"};
        return {TlsFailure::peer_rejected, text};
      case SSL_R_NO_SHARED_CIPHER:
      case SSL_R_NO_CIPHERS_AVAILABLE:
        return {TlsFailure::cipher_mismatch, text};
      case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
      case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
      case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
      case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
      case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
      case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
        return {TlsFailure::peer_rejected, text};
      case SSL_R_UNEXPECTED_EOF_WHILE_READING:
        return {TlsFailure::io, "the server closed the connection (" + text + ")"};
      default:
        return {TlsFailure::protocol, text};
    }
  }
  // A blocking socket with SO_RCVTIMEO/SO_SNDTIMEO: OpenSSL reports the expiry as "want".
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    return {TlsFailure::timeout, "no answer in time"};
  if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
    if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
      return {TlsFailure::timeout, "no answer in time"};
    if (saved_errno != 0) return {TlsFailure::io, std::strerror(saved_errno)};
    return {TlsFailure::io, "the server closed the connection"};
  }
  return {TlsFailure::protocol, text.empty() ? "SSL error " + std::to_string(err) : text};
}

std::string where_of(const TlsClientContext& ctx, const TlsTarget& t) {
  return "tls " + std::string(app_name(ctx.app())) + " " + t.host + ":" + std::to_string(t.port);
}

}  // namespace

std::string_view reason_text(TlsFailure f) {
  switch (f) {
    case TlsFailure::expired:
      return "certificate expired";
    case TlsFailure::not_yet_valid:
      return "certificate not yet valid";
    case TlsFailure::hostname_mismatch:
      return "hostname mismatch";
    case TlsFailure::address_mismatch:
      return "address mismatch";
    case TlsFailure::unknown_ca:
      return "unknown CA";
    case TlsFailure::bad_certificate:
      return "bad certificate";
    case TlsFailure::cipher_mismatch:
      return "cipher mismatch";
    case TlsFailure::peer_rejected:
      return "rejected by server";
    case TlsFailure::protocol:
      return "TLS protocol error";
    case TlsFailure::io:
      return "connection lost";
    case TlsFailure::timeout:
      return "timeout";
    case TlsFailure::resolve:
      return "cannot resolve";
    case TlsFailure::connect:
      return "cannot connect";
    case TlsFailure::none:
      return "ok";
  }
  return "?";
}

std::string_view to_string(TlsFailure f) {
  switch (f) {
    case TlsFailure::none:
      return "none";
    case TlsFailure::resolve:
      return "resolve";
    case TlsFailure::connect:
      return "connect";
    case TlsFailure::timeout:
      return "timeout";
    case TlsFailure::expired:
      return "expired";
    case TlsFailure::not_yet_valid:
      return "not_yet_valid";
    case TlsFailure::hostname_mismatch:
      return "hostname_mismatch";
    case TlsFailure::address_mismatch:
      return "address_mismatch";
    case TlsFailure::unknown_ca:
      return "unknown_ca";
    case TlsFailure::bad_certificate:
      return "bad_certificate";
    case TlsFailure::cipher_mismatch:
      return "cipher_mismatch";
    case TlsFailure::peer_rejected:
      return "peer_rejected";
    case TlsFailure::protocol:
      return "protocol";
    case TlsFailure::io:
      return "io";
  }
  return "?";
}

Status configure_client_ctx(SSL_CTX* ctx, const TlsPolicy& policy, TlsApp app, const TrustOptions& trust,
                            const ClientIdentity* client) {
  std::string where = "tls " + std::string(app_name(app));
  if (name_check(app) == NameCheck::not_applicable)
    return make_error(Errc::invalid_argument, where + ": is a TLS server, not a client");
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return make_error(Errc::crypto, where + ": TLS 1.2 minimum: " + drain_openssl_errors());
  std::string ciphers = policy.cipher_list(app);
  if (SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1)
    return make_error(Errc::crypto, where + ": cipher list \"" + ciphers + "\": " + drain_openssl_errors());
  // A fresh store: whatever the context held before (libcurl loads its own bundle) is dropped.
  X509_STORE* store = X509_STORE_new();
  if (!store) return make_error(Errc::crypto, where + ": X509_STORE_new: " + drain_openssl_errors());
  SSL_CTX_set_cert_store(ctx, store);
  if (trust.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return make_error(Errc::io, where + ": the system's trust store: " + drain_openssl_errors());
  } else if (SSL_CTX_load_verify_locations(ctx, trust.ca_file.c_str(), nullptr) != 1) {
    return make_error(Errc::io, where + ": trusted CA file " + trust.ca_file + ": " + drain_openssl_errors());
  }
  if (!trust.custom_ca_file.empty() && SSL_CTX_load_verify_locations(ctx, trust.custom_ca_file.c_str(), nullptr) != 1)
    return make_error(Errc::io, where + ": custom CA file " + trust.custom_ca_file + ": " + drain_openssl_errors());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (trust.verify_time) X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), *trust.verify_time);
  if (client) {
    if (Status st = use_client_identity(ctx, *client); !st)
      return make_error(st.error().code, where + ": " + st.error().message());
  }
  return {};
}

Result<TlsClientContext> TlsClientContext::create(const TlsPolicy& policy, TlsApp app,
                                                  const TrustOptions& trust, const ClientCertFiles* client) {
  std::string where = "tls " + std::string(app_name(app));
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return make_error(Errc::crypto, where + ": SSL_CTX_new: " + drain_openssl_errors());
  std::optional<ClientIdentity> id;
  if (client) {
    auto loaded = load_client_identity(*client);
    if (!loaded) return make_error(loaded.error().code, where + ": " + loaded.error().message());
    id = std::move(*loaded);
  }
  if (Status st = configure_client_ctx(ctx.get(), policy, app, trust, id ? &*id : nullptr); !st) return st.error();
  return TlsClientContext(std::move(ctx), app, policy.cipher_list(app));
}

TlsConnectResult tls_connect(const TlsClientContext& ctx, const TlsTarget& target, const Resolver& resolve,
                             std::chrono::milliseconds timeout) {
  std::string where = where_of(ctx, target);
  if (target.host.empty()) return fail(TlsFailure::resolve, where, "empty host");
  auto addrs = resolve(target.host);
  if (!addrs) return fail(TlsFailure::resolve, where, addrs.error().message());
  Error last = make_error(Errc::io, "no address");
  for (const std::string& ip : *addrs) {
    auto conn = tcp_connect_ip(ip, target.port, timeout);
    if (conn) return tls_handshake(ctx, std::move(*conn), target, resolve);
    last = conn.error();
  }
  return fail(last.code == Errc::timeout ? TlsFailure::timeout : TlsFailure::connect, where, last.message());
}

TlsConnectResult tls_handshake(const TlsClientContext& ctx, TcpConnection conn, const TlsTarget& target,
                               const Resolver& resolve) {
  std::string where = where_of(ctx, target);
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), conn.fd.get()) != 1)
    return fail(TlsFailure::protocol, where, drain_openssl_errors());
  auto ip = canonical_ip(target.host);
  if (!ip) SSL_set_tlsext_host_name(ssl.get(), target.host.c_str());

  NameCheck rule = name_check(ctx.app());
  bool standard = rule == NameCheck::always || (rule == NameCheck::per_line && target.validate_name);
  if (standard) {
    int ok = 1;
    if (ip) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), ip->c_str());
    } else {
      SSL_set_hostflags(ssl.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = SSL_set1_host(ssl.get(), target.host.c_str());
    }
    if (ok != 1)
      return fail(TlsFailure::protocol, where,
                  "cannot set the expected host name: " + drain_openssl_errors());
  }

  ERR_clear_error();
  errno = 0;
  int rc = SSL_connect(ssl.get());
  if (rc != 1) {
    int saved = errno;
    auto [f, detail] = classify(ssl.get(), rc, saved, true);
    return fail(f, where, detail);
  }
  if (rule == NameCheck::provisioning) {
    X509* peer = SSL_get0_peer_certificate(ssl.get());
    IdentityCheck id = peer ? check_server_identity(peer, ctx.app(), target.host, true, conn.peer_ip, resolve)
                            : IdentityCheck{TlsFailure::hostname_mismatch, "no server certificate"};
    if (!id.ok()) return fail(id.failure, where, id.detail);
  }
  TlsSession s(std::move(ssl), std::move(conn.fd));
  s.set_peer_ip(conn.peer_ip);
  log::info(
      "tls", where, ": ", s.version(), " ", s.cipher(),
      standard || rule == NameCheck::provisioning ? "" : " (host name not checked: TLS_Name_Validate is No)");
  return TlsConnectResult{TlsFailure::none, std::move(s)};
}

TlsSession::~TlsSession() = default;

Result<std::size_t> TlsSession::read_some(void* buf, std::size_t n) {
  ERR_clear_error();
  errno = 0;
  int rc = SSL_read(ssl_.get(), buf, int(std::min<std::size_t>(n, 1 << 30)));
  if (rc > 0) return std::size_t(rc);
  int err = SSL_get_error(ssl_.get(), rc);
  if (err == SSL_ERROR_ZERO_RETURN) return std::size_t(0);
  auto [f, detail] = classify(ssl_.get(), rc, errno, false);
  return make_error(errc_of(f), "tls read: " + std::string(reason_text(f)) + ": " + detail);
}

Status TlsSession::write_all(const void* buf, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(buf);
  while (n > 0) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_write(ssl_.get(), p, int(std::min<std::size_t>(n, 1 << 30)));
    if (rc <= 0) {
      auto [f, detail] = classify(ssl_.get(), rc, errno, false);
      return make_error(errc_of(f), "tls write: " + std::string(reason_text(f)) + ": " + detail);
    }
    p += rc;
    n -= std::size_t(rc);
  }
  return {};
}

bool TlsSession::pending() const { return ssl_ && SSL_pending(ssl_.get()) > 0; }

void TlsSession::shutdown() {
  if (ssl_) SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

std::string TlsSession::cipher() const { return ssl_ ? SSL_get_cipher_name(ssl_.get()) : ""; }
std::string TlsSession::version() const { return ssl_ ? SSL_get_version(ssl_.get()) : ""; }
X509Ptr TlsSession::peer_certificate() const {
  return X509Ptr(ssl_ ? SSL_get1_peer_certificate(ssl_.get()) : nullptr);
}

}  // namespace phonesec::tls

// SPDX-License-Identifier: Apache-2.0
#include "tls/external.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/log.h"
#include "tls/identity.h"

namespace phonesec::tls {
namespace {

// Where the context keeps its ExternalTls (the info callback gets only the SSL).
int ex_index() {
  static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return idx;
}

}  // namespace

ExternalTls::ExternalTls(const TlsPolicy& policy, TlsApp app, TrustOptions trust, const ClientIdentity* client,
                         ExternalTarget target, const Resolver& resolve)
    : policy_(policy),
      app_(app),
      trust_(std::move(trust)),
      client_(client),
      target_(std::move(target)),
      resolve_(resolve) {}

std::string ExternalTls::where() const {
  bool v6 = target_.host.find(':') != std::string::npos;
  return (v6 ? "[" + target_.host + "]" : target_.host) + ":" + std::to_string(target_.port);
}

std::string ExternalTls::cipher_list_origin() const {
  std::string list = policy_.cipher_list(app_);
  if (policy_.configured_list_applies()) return "TLS_Cipher_List '" + list + "'";
  std::string why = policy_.cipher_list_error() ? ", TLS_Cipher_List refused" : "";
  return "cipher list '" + list + "', the " + std::string(app_name(app_)) + " default" + why;
}

void ExternalTls::record(TlsFailure kind, std::string detail) {
  if (failure_) return;  // the first cause is the one to tell
  failure_ = Failure{kind, "TLS handshake with " + where() + " failed: " + std::move(detail)};
}

std::optional<ExternalTls::Failure> ExternalTls::failure() const { return failure_; }

ExternalTls::Failure ExternalTls::failure_or(const std::string& library_text) const {
  if (failure_) return *failure_;
  return Failure{TlsFailure::protocol, "TLS handshake with " + where() + " failed: " + library_text};
}

Status ExternalTls::configure(SSL_CTX* ctx) {
  if (Status st = configure_client_ctx(ctx, policy_, app_, trust_, client_); !st) {
    record(TlsFailure::protocol, st.error().message());
    return st;
  }
  SSL_CTX_set_ex_data(ctx, ex_index(), this);
  SSL_CTX_set_cert_verify_callback(ctx, verify_cb, this);
  SSL_CTX_set_info_callback(ctx, info_cb);
  return {};
}

int ExternalTls::verify_cb(X509_STORE_CTX* sc, void* arg) {
  auto* self = static_cast<ExternalTls*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(sc);
  if (X509_verify_cert(sc) != 1) {
    long err = X509_STORE_CTX_get_error(sc);
    TlsFailure kind = failure_of_verify_error(err);
    self->record(kind, std::string(reason_text(kind)) + ": " + verify_detail(err, leaf, nullptr));
    return 0;
  }
  IdentityCheck id = check_server_identity(leaf, self->app_, self->target_.host, true, self->target_.peer_ip,
                                           self->resolve_);
  if (!id.ok()) {
    X509_STORE_CTX_set_error(sc, X509_V_ERR_APPLICATION_VERIFICATION);
    std::string kind = id.failure == TlsFailure::hostname_mismatch ? "certificate name mismatch"
                                                                   : std::string(reason_text(id.failure));
    self->record(id.failure, kind + ": " + id.detail);
    return 0;
  }
  return 1;
}

void ExternalTls::info_cb(const SSL* ssl, int where, int ret) {
  auto* self = static_cast<ExternalTls*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_index()));
  if (!self) return;
  if (where & SSL_CB_HANDSHAKE_DONE) {
    self->version_ = SSL_get_version(ssl);
    self->cipher_ = SSL_get_cipher_name(ssl);
    return;
  }
  if (!(where & SSL_CB_ALERT) || !(where & SSL_CB_READ)) return;
  int desc = ret & 0xff;
  std::string alert = std::string("alert ") + SSL_alert_desc_string_long(ret);
  bool before_server_hello = SSL_get_current_cipher(ssl) == nullptr;
  if (desc == SSL3_AD_HANDSHAKE_FAILURE && before_server_hello) {
    // What servers answer a ClientHello whose suites they share none of (alert 40).
    self->record(TlsFailure::cipher_mismatch, "no shared cipher (" + self->cipher_list_origin() + "; the server sent " +
                                                  alert + ")");
  } else if (desc == TLS1_AD_PROTOCOL_VERSION) {
    self->record(TlsFailure::protocol, "no common protocol version (TLS 1.2 minimum; the server sent " + alert + ")");
  } else if (desc == SSL3_AD_BAD_CERTIFICATE || desc == TLS1_AD_UNKNOWN_CA || desc == TLS1_AD_ACCESS_DENIED ||
             desc == SSL3_AD_CERTIFICATE_UNKNOWN || desc == TLS13_AD_CERTIFICATE_REQUIRED ||
             desc == SSL3_AD_CERTIFICATE_EXPIRED || desc == SSL3_AD_HANDSHAKE_FAILURE) {
    self->record(TlsFailure::peer_rejected, std::string("rejected by the server (") + alert + "; device certificate " +
                                                (self->client_ ? "presented" : "not presented") + ")");
  } else if (desc != SSL3_AD_CLOSE_NOTIFY) {
    self->record(TlsFailure::protocol, "the server sent " + alert);
  }
}

}  // namespace phonesec::tls

// SPDX-License-Identifier: Apache-2.0
#include "dot1x/tls_conn.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "common/log.h"

namespace phonesec::dot1x {
namespace {

std::string openssl_errors() {
  std::string s;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!s.empty()) s += "; ";
    s += buf;
  }
  return s;
}

int passwd_cb(char* buf, int size, int, void* u) {
  auto* pw = static_cast<const SecretString*>(u);
  if (!pw || pw->empty()) return 0;
  int n = int(std::min<size_t>(pw->reveal().size(), size_t(size)));
  std::memcpy(buf, pw->reveal().data(), size_t(n));
  return n;
}

}  // namespace

Result<SslCtxPtr> make_tls_context(const TlsConfig& cfg) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return make_error(Errc::crypto, "SSL_CTX_new: " + openssl_errors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS);
  if (cfg.security_level >= 0) SSL_CTX_set_security_level(ctx.get(), cfg.security_level);
  if (!cfg.ciphers.empty() && SSL_CTX_set_cipher_list(ctx.get(), cfg.ciphers.c_str()) != 1)
    return make_error(Errc::invalid_argument, "TLS cipher list \"" + cfg.ciphers + "\": " + openssl_errors());
  if (!cfg.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), cfg.ca_file.c_str(), nullptr) != 1)
      return make_error(Errc::io, "CA certificates " + cfg.ca_file + ": " + openssl_errors());
  }
  if (cfg.verify_peer) {
    if (cfg.ca_file.empty())
      return make_error(Errc::invalid_argument, "no CA certificate file: cannot verify the authentication server");
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  }
  if (!cfg.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), cfg.cert_file.c_str()) != 1)
      return make_error(Errc::io, "device certificate " + cfg.cert_file + ": " + openssl_errors());
    // The password pointer must outlive the key load only.
    SSL_CTX_set_default_passwd_cb(ctx.get(), passwd_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), const_cast<SecretString*>(&cfg.key_password));
    const std::string& kf = cfg.key_file.empty() ? cfg.cert_file : cfg.key_file;
    int ok = SSL_CTX_use_PrivateKey_file(ctx.get(), kf.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), nullptr);
    SSL_CTX_set_default_passwd_cb(ctx.get(), nullptr);
    if (ok != 1)
      return make_error(Errc::io, "device private key " + kf + " (for certificate " + cfg.cert_file + "): " + openssl_errors());
    if (SSL_CTX_check_private_key(ctx.get()) != 1)
      return make_error(Errc::invalid_argument, "device private key " + kf + " does not match " + cfg.cert_file);
  }
  return ctx;
}

Result<std::unique_ptr<TlsConn>> TlsConn::create(SSL_CTX* ctx, const std::string& server_name) {
  std::unique_ptr<TlsConn> c(new TlsConn());
  c->ssl_ = SSL_new(ctx);
  if (!c->ssl_) return make_error(Errc::crypto, "SSL_new: " + openssl_errors());
  c->in_ = BIO_new(BIO_s_mem());
  c->out_ = BIO_new(BIO_s_mem());
  if (!c->in_ || !c->out_) {
    BIO_free(c->in_);
    BIO_free(c->out_);
    c->in_ = c->out_ = nullptr;
    return make_error(Errc::crypto, "BIO_new: " + openssl_errors());
  }
  BIO_set_mem_eof_return(c->in_, -1);
  BIO_set_mem_eof_return(c->out_, -1);
  SSL_set_bio(c->ssl_, c->in_, c->out_);
  SSL_set_connect_state(c->ssl_);
  SSL_set_app_data(c->ssl_, c.get());
  SSL_set_info_callback(c->ssl_, info_cb);
  if (SSL_get_verify_mode(c->ssl_) & SSL_VERIFY_PEER) SSL_set_verify(c->ssl_, SSL_VERIFY_PEER, verify_cb);
  if (!server_name.empty() && SSL_set1_host(c->ssl_, server_name.c_str()) != 1)
    return make_error(Errc::invalid_argument, "server name \"" + server_name + "\" rejected by OpenSSL");
  return c;
}

TlsConn::~TlsConn() {
  if (ssl_) SSL_free(ssl_);
}

void TlsConn::info_cb(const SSL* ssl, int where, int ret) {
  auto* self = static_cast<TlsConn*>(SSL_get_app_data(ssl));
  if (!self) return;
  if ((where & SSL_CB_CONNECT_LOOP) && SSL_get_state(ssl) == TLS_ST_CW_CERT && SSL_get_certificate(ssl))
    self->client_cert_sent_ = true;
  if (!(where & SSL_CB_ALERT)) return;
  std::string a = std::string(SSL_alert_type_string_long(ret)) + " " + SSL_alert_desc_string_long(ret);
  if (where & SSL_CB_READ) self->alert_rx_ = a;
  else self->alert_tx_ = a;
}

int TlsConn::verify_cb(int ok, X509_STORE_CTX* store) {
  if (ok) return ok;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl ? static_cast<TlsConn*>(SSL_get_app_data(ssl)) : nullptr;
  if (self && self->verify_error_.empty()) {
    char subj[256] = "?";
    if (X509* cert = X509_STORE_CTX_get_current_cert(store))
      X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof subj);
    self->verify_error_ = std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(store))) + " (depth " +
                          std::to_string(X509_STORE_CTX_get_error_depth(store)) + ", " + subj + ")";
  }
  return ok;
}

void TlsConn::set_failure(const std::string& what) {
  if (!verify_error_.empty()) reason_ = "server certificate rejected: " + verify_error_;
  else if (!alert_rx_.empty()) {
    const bool about_us = alert_rx_.find("certificate") != std::string::npos ||
                          alert_rx_.find("unknown CA") != std::string::npos ||
                          alert_rx_.find("access denied") != std::string::npos;
    reason_ = std::string(about_us ? "server rejected the device certificate" : "server aborted TLS") +
              " (TLS alert: " + alert_rx_ + ")";
  } else if (!alert_tx_.empty()) reason_ = "TLS handshake failed, sent alert " + alert_tx_ + ": " + what;
  else reason_ = "TLS handshake failed: " + what;
}

void TlsConn::drain(Bytes& out) {
  char buf[4096];
  int n;
  while ((n = BIO_read(out_, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
}

TlsConn::Hs TlsConn::handshake(ByteView in, Bytes& out) {
  if (!in.empty() && BIO_write(in_, in.data(), int(in.size())) != int(in.size())) {
    set_failure("BIO_write");
    return Hs::failed;
  }
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  drain(out);
  if (r == 1) return Hs::done;
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Hs::more;
  std::string err = openssl_errors();
  set_failure(err.empty() ? "SSL error " + std::to_string(e) : err);
  return Hs::failed;
}

bool TlsConn::established() const { return SSL_is_init_finished(ssl_); }
bool TlsConn::resumed() const { return SSL_session_reused(ssl_) == 1; }

std::string TlsConn::cipher_name() const {
  const char* c = SSL_get_cipher_name(ssl_);
  return c ? c : "";
}
std::string TlsConn::version() const { return SSL_get_version(ssl_); }

Result<Bytes> TlsConn::encrypt(ByteView plain) {
  ERR_clear_error();
  if (!plain.empty() && SSL_write(ssl_, plain.data(), int(plain.size())) != int(plain.size()))
    return make_error(Errc::crypto, "TLS encrypt: " + openssl_errors());
  Bytes out;
  drain(out);
  return out;
}

Result<Bytes> TlsConn::decrypt(ByteView records) {
  if (!records.empty() && BIO_write(in_, records.data(), int(records.size())) != int(records.size()))
    return make_error(Errc::crypto, "TLS decrypt: BIO_write failed");
  Bytes plain;
  uint8_t buf[4096];
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      plain.insert(plain.end(), buf, buf + n);
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    std::string err = openssl_errors();
    if (!alert_rx_.empty()) err = "TLS alert " + alert_rx_ + (err.empty() ? "" : ": " + err);
    secure_wipe(buf, sizeof buf);
    return make_error(Errc::crypto, "TLS decrypt: " + (err.empty() ? "SSL error " + std::to_string(e) : err));
  }
  secure_wipe(buf, sizeof buf);
  return plain;
}

SecretBytes TlsConn::export_key(std::string_view label, size_t len) const {
  SecretBytes k(len);
  if (SSL_export_keying_material(ssl_, k.data(), len, label.data(), label.size(), nullptr, 0, 0) != 1) k.wipe();
  return k;
}

Result<SecretBytes> tls_prf(ByteView secret, std::string_view label, ByteView seed, size_t len, bool tls12) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
  if (!kdf) return make_error(Errc::crypto, "TLS1-PRF KDF unavailable: " + openssl_errors());
  EVP_KDF_CTX* kctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (!kctx) return make_error(Errc::crypto, "EVP_KDF_CTX_new: " + openssl_errors());
  Bytes full_seed(label.begin(), label.end());
  append(full_seed, seed);
  OSSL_PARAM params[4];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(tls12 ? "SHA256" : "MD5-SHA1"), 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<uint8_t*>(secret.data()), secret.size());
  params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full_seed.data(), full_seed.size());
  params[3] = OSSL_PARAM_construct_end();
  SecretBytes out(len);
  int ok = EVP_KDF_derive(kctx, out.data(), len, params);
  EVP_KDF_CTX_free(kctx);
  if (ok != 1) return make_error(Errc::crypto, "TLS PRF: " + openssl_errors());
  return out;
}

Result<SecretBytes> TlsConn::fast_key_block_tail(size_t len) const {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  SSL_SESSION* sess = SSL_get_session(ssl_);
  if (!c || !sess) return make_error(Errc::state, "EAP-FAST key derivation: no TLS session");
  const EVP_CIPHER* ciph = EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(c));
  const EVP_MD* md = EVP_get_digestbynid(SSL_CIPHER_get_digest_nid(c));
  if (!ciph || !md) return make_error(Errc::unsupported, std::string("EAP-FAST key derivation: cipher ") + SSL_CIPHER_get_name(c));
  // hostapd's openssl_get_keyblock_size(): 2 × (key + MAC + IV) with the cipher's full IV.
  const size_t skip = 2 * size_t(EVP_CIPHER_get_key_length(ciph) + EVP_MD_get_size(md) + EVP_CIPHER_get_iv_length(ciph));
  uint8_t cr[SSL3_RANDOM_SIZE], sr[SSL3_RANDOM_SIZE];
  SSL_get_client_random(ssl_, cr, sizeof cr);
  SSL_get_server_random(ssl_, sr, sizeof sr);
  SecretBytes master(64);
  master.resize(SSL_SESSION_get_master_key(sess, master.data(), master.size()));
  Bytes seed(sr, sr + sizeof sr);
  seed.insert(seed.end(), cr, cr + sizeof cr);
  auto kb = tls_prf(master.view(), "key expansion", seed, skip + len, SSL_version(ssl_) == TLS1_2_VERSION);
  if (!kb) return kb.error();
  return SecretBytes(kb->view().subspan(skip, len));
}

int TlsConn::secret_cb(SSL* s, void* secret, int* secret_len, STACK_OF(SSL_CIPHER)*, const SSL_CIPHER** cipher, void* arg) {
  auto* self = static_cast<TlsConn*>(arg);
  if (!self || !self->pac_fn_ || !secret || !secret_len || *secret_len < 48) return 0;
  uint8_t cr[SSL3_RANDOM_SIZE], sr[SSL3_RANDOM_SIZE];
  SSL_get_client_random(s, cr, sizeof cr);
  SSL_get_server_random(s, sr, sizeof sr);
  SecretBytes ms = self->pac_fn_(ByteView(sr, sizeof sr), ByteView(cr, sizeof cr));
  if (ms.size() != 48) return 0;
  std::memcpy(secret, ms.data(), 48);
  *secret_len = 48;
  if (cipher) *cipher = nullptr;
  return 1;
}

Status TlsConn::use_pac(ByteView pac_opaque_tlv, PacSecretFn fn) {
  pac_fn_ = std::move(fn);
  if (SSL_set_session_ticket_ext(ssl_, const_cast<uint8_t*>(pac_opaque_tlv.data()), int(pac_opaque_tlv.size())) != 1)
    return make_error(Errc::crypto, "SessionTicket extension for the PAC-Opaque: " + openssl_errors());
  if (SSL_set_session_secret_cb(ssl_, secret_cb, this) != 1)
    return make_error(Errc::crypto, "session secret callback: " + openssl_errors());
  return {};
}

}  // namespace phonesec::dot1x

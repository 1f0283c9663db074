// SPDX-License-Identifier: Apache-2.0
// TLS client over memory BIOs for the TLS-based EAP methods (EAP-TLS, EAP-FAST): bytes from
// EAP fragments go in, bytes for EAP fragments come out; no socket. Also the key exports the
// methods need (RFC 5216 MSK; RFC 4851 key_block extension; PAC-based master secret).
// OpenSSL errors are turned into a human reason here and nowhere else.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "common/result.h"
#include "common/secure.h"
#include "dot1x/bytes.h"

namespace phonesec::dot1x {

struct TlsConfig {
  std::string ca_file;          // trust anchors for the server certificate
  std::string cert_file;        // client certificate chain (PEM), EAP-TLS
  std::string key_file;         // client private key (PEM)
  SecretString key_password;    // for an encrypted key file
  std::string server_name;      // if set, the server certificate must match (SAN DNS / CN)
  std::string ciphers;          // OpenSSL cipher list; empty = OpenSSL's default
  int security_level = -1;      // -1 = OpenSSL default; 0 needed for anonymous DH
  bool verify_peer = true;      // false only for anonymous EAP-FAST provisioning
};

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Builds an SSL_CTX (TLS 1.2 only: EAP-TLS per RFC 5216 and EAP-FAST are defined for TLS ≤ 1.2).
// Errors name the file that could not be loaded.
Result<SslCtxPtr> make_tls_context(const TlsConfig& cfg);

class TlsConn {
 public:
  enum class Hs { more, done, failed };
  // Called from the ServerHello when a PAC-Opaque was offered: returns the 48-byte master
  // secret derived from (server_random, client_random), RFC 4851 section 5.1.
  using PacSecretFn = std::function<SecretBytes(ByteView server_random, ByteView client_random)>;

  static Result<std::unique_ptr<TlsConn>> create(SSL_CTX* ctx, const std::string& server_name);
  ~TlsConn();
  TlsConn(const TlsConn&) = delete;
  TlsConn& operator=(const TlsConn&) = delete;

  // Feeds handshake bytes from the server (empty for the ClientHello) and appends what must be
  // sent to `out`. On failed, `out` may hold an alert to send and reason() says why.
  Hs handshake(ByteView in, Bytes& out);
  bool established() const;
  SSL* ssl() const { return ssl_; }
  bool resumed() const;
  // Our Certificate message went out (the server asked for it and we had one).
  bool client_cert_sent() const { return client_cert_sent_; }
  Result<Bytes> encrypt(ByteView plain);
  // Decrypts records; returns the plaintext available (possibly empty).
  Result<Bytes> decrypt(ByteView records);
  std::string reason() const { return reason_; }
  std::string cipher_name() const;
  std::string version() const;

  // RFC 5216 section 2.3: key material via the TLS exporter, empty context.
  SecretBytes export_key(std::string_view label, size_t len) const;
  // RFC 4851 section 5.1: `len` bytes of the TLS PRF "key expansion" output that follow the
  // key_block used by the record layer (server_random first), as hostapd computes it.
  Result<SecretBytes> fast_key_block_tail(size_t len) const;
  // EAP-FAST PAC use: PAC-Opaque TLV in the ClientHello SessionTicket extension, master
  // secret from the callback. Call before the first handshake().
  Status use_pac(ByteView pac_opaque_tlv, PacSecretFn fn);

 private:
  TlsConn() = default;
  static void info_cb(const SSL* ssl, int where, int ret);
  static int verify_cb(int ok, X509_STORE_CTX* store);
  static int secret_cb(SSL* s, void* secret, int* secret_len, STACK_OF(SSL_CIPHER)* peer_ciphers,
                       const SSL_CIPHER** cipher, void* arg);
  void drain(Bytes& out);
  void set_failure(const std::string& what);

  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // network → TLS (owned by ssl_)
  BIO* out_ = nullptr;  // TLS → network (owned by ssl_)
  std::string reason_;
  std::string alert_rx_;
  std::string alert_tx_;
  std::string verify_error_;
  PacSecretFn pac_fn_;
  bool client_cert_sent_ = false;
};

// TLS PRF (RFC 5246 section 5; TLS 1.0/1.1 MD5/SHA-1 when !tls12) via EVP_KDF "TLS1-PRF".
Result<SecretBytes> tls_prf(ByteView secret, std::string_view label, ByteView seed, size_t len, bool tls12);

}  // namespace phonesec::dot1x

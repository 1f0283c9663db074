// SPDX-License-Identifier: Apache-2.0
// RAII handles for the OpenSSL objects the TLS module owns (unique_ptr with a deleter), and
// the one place OpenSSL's error queue is turned into text. Nothing here logs key material:
// the error strings OpenSSL produces name functions and reasons, never key bytes.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace phonesec::tls {

template <auto Fn>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OsslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OsslDeleter<SSL_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<X509_STORE_CTX_free>>;
// sk_SSL_CIPHER_free is a macro in OpenSSL 3, so it gets its own deleter.
struct CipherStackDeleter {
  void operator()(STACK_OF(SSL_CIPHER) * s) const { sk_SSL_CIPHER_free(s); }
};
using CipherStackPtr = std::unique_ptr<STACK_OF(SSL_CIPHER), CipherStackDeleter>;

// Drains OpenSSL's thread-local error queue into "reason; reason" (empty if none). Call it
// right after the failing OpenSSL call, before any other OpenSSL call can add to the queue.
inline std::string drain_openssl_errors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace phonesec::tls

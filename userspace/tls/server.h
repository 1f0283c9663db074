// SPDX-License-Identifier: Apache-2.0
// The phone's one TLS server: its HTTPS web server. It takes its cipher list from the same
// TlsPolicy as every client — TLS_Cipher_List when valid, else the seed's five web-server
// suites (four on OpenSSL 3, which no longer has DES-CBC3-SHA) — and TLS ≥ 1.2.
#pragma once

#include <string>

#include "common/result.h"
#include "tls/cipher_list.h"
#include "tls/client_cert.h"
#include "tls/handles.h"

namespace phonesec::tls {

// Certificate (+ chain) and key files of a server; same shape as the device certificate.
using ServerCertFiles = ClientCertFiles;

class TlsServerContext {
 public:
  static Result<TlsServerContext> create(const TlsPolicy& policy, const ServerCertFiles& identity);
  SSL_CTX* get() const { return ctx_.get(); }
  const std::string& cipher_list() const { return cipher_list_; }

 private:
  TlsServerContext(SslCtxPtr ctx, std::string ciphers)
      : ctx_(std::move(ctx)), cipher_list_(std::move(ciphers)) {}
  SslCtxPtr ctx_;
  std::string cipher_list_;
};

}  // namespace phonesec::tls

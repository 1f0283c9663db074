// SPDX-License-Identifier: Apache-2.0
#include "tls/server.h"

#include "tls/apps.h"

namespace phonesec::tls {

Result<TlsServerContext> TlsServerContext::create(const TlsPolicy& policy, const ServerCertFiles& identity) {
  std::string where = "tls " + std::string(app_name(TlsApp::web_server));
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return make_error(Errc::crypto, where + ": SSL_CTX_new: " + drain_openssl_errors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  std::string ciphers = policy.cipher_list(TlsApp::web_server);
  if (SSL_CTX_set_cipher_list(ctx.get(), ciphers.c_str()) != 1)
    return make_error(Errc::crypto, where + ": cipher list \"" + ciphers + "\": " + drain_openssl_errors());
  auto id = load_client_identity(identity);
  if (!id) return make_error(id.error().code, where + ": server " + id.error().message());
  if (Status st = use_client_identity(ctx.get(), *id); !st)
    return make_error(st.error().code, where + ": " + st.error().message());
  return TlsServerContext(std::move(ctx), std::move(ciphers));
}

}  // namespace phonesec::tls

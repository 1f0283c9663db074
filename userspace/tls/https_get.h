// SPDX-License-Identifier: Apache-2.0
// HTTPS GET for the phone's HTTPS clients (provisioning resync, image upgrade, file download,
// XSI…): one request over a TlsSession from client.h, so each gets its application's cipher
// list and server-identity rule; provisioning also presents the device certificate (its
// TlsClientContext carries it) and checks the server's CN and DNS (identity.h).
// HTTP/1.1 with "Connection: close"; Content-Length, chunked, or read-to-close bodies.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "tls/client.h"

namespace phonesec::tls {

struct HttpsUrl {
  std::string host;  // name or IP literal (without brackets)
  std::uint16_t port = 443;
  std::string path = "/";
};

// "https://host[:port][/path]"; errors name the bad part.
Result<HttpsUrl> parse_https_url(std::string_view url);

// $CCERT → `value` ("Installed" / "Not Installed", see client_cert.h) in a provisioning rule or
// URL; $(CCERT) is accepted too. Other macros are left as they are.
std::string expand_ccert(std::string_view text, std::string_view value);

struct HttpsResponse {
  int status = 0;
  std::string reason;
  std::string body;
  std::string peer_ip, tls_version, tls_cipher;
};

struct HttpsResult {
  TlsFailure failure = TlsFailure::none;  // TLS-level reason when the connection failed
  Result<HttpsResponse> response = make_error(Errc::state, "not run");
  bool ok() const { return response.ok(); }
};

// GET url.path. A status other than 2xx is an error naming the status and the server's reason
// (e.g. nginx's "No required SSL certificate was sent").
HttpsResult https_get(const TlsClientContext& ctx, const HttpsUrl& url, const Resolver& resolve,
                      std::string_view user_agent = "phonesec",
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace phonesec::tls

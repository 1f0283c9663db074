// SPDX-License-Identifier: Apache-2.0
// Server identity checks on a certificate that already chains to a trusted root.
//  - cert_matches_host: the one rule every TLS client uses — DNS SANs first, the subject CN
//    only when the certificate has no DNS SAN (X509_check_host), no partial wildcards
//    ("f*.example.com"); an IP-literal host is compared with the IP SANs (X509_check_ip_asc).
//  - provisioning (seed, "Mise à disposition HTTPS"): the CN may carry "/…" after the FQDN
//    ("CN=pv.telco.net/mailto:admin@telco.net"); the part before '/' is the server's name, and
//    the address the phone is connected to must be one of that name's DNS addresses.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "tls/apps.h"
#include "tls/failure.h"
#include "common/resolver.h"

namespace phonesec::tls {

// The subject's (last) commonName as UTF-8, if any.
std::optional<std::string> subject_cn(X509* cert);
// "pv.telco.net/mailto:admin@telco.net" → "pv.telco.net"; a CN without '/' is returned whole.
std::string cn_fqdn(std::string_view cn);

bool cert_matches_host(X509* cert, std::string_view host);

// The names a server certificate carries, for messages: "DNS:a.test, IP:192.0.2.1, CN=x".
std::string cert_names(X509* cert);
// " (subject /CN=…, notAfter …)" for messages about a certificate ("" for none).
std::string describe_cert(X509* cert);
// Detail for a failed verification: OpenSSL's words and the certificate; for a host-name
// mismatch both names ("the certificate names DNS:a.test (CN=a.test), not b.test").
std::string verify_detail(long x509_v_err, X509* cert, const char* expected_host);

// Provisioning identity. With `url_host` a name: the certificate must match it (SAN/CN rule, or
// the CN's part before '/'), and `peer_ip` must be one of its DNS addresses. With `url_host`
// an IP literal: the name is the CN's part before '/' and `peer_ip` must be one of its DNS
// addresses. Otherwise hostname_mismatch or address_mismatch with a detail naming both sides.
struct IdentityCheck {
  TlsFailure failure = TlsFailure::none;
  std::string detail;
  bool ok() const { return failure == TlsFailure::none; }
};
IdentityCheck check_provisioning_identity(X509* cert, std::string_view url_host, std::string_view peer_ip,
                                          const Resolver& resolve);

// The rule of `app` (apps.h name_check) on a certificate that already chains to a trusted root:
// always → cert_matches_host(host); per_line → the same when validate_name; provisioning →
// check_provisioning_identity. An empty peer_ip skips the provisioning DNS address check: the
// connection goes through an HTTP proxy (CONNECT) and the phone never learns the server's
// address; the name is still checked.
IdentityCheck check_server_identity(X509* cert, TlsApp app, std::string_view host, bool validate_name,
                                    std::string_view peer_ip, const Resolver& resolve);

}  // namespace phonesec::tls

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
#include "tls/failure.h"
#include "tls/resolver.h"

namespace phonesec::tls {

// The subject's (last) commonName as UTF-8, if any.
std::optional<std::string> subject_cn(X509* cert);
// "pv.telco.net/mailto:admin@telco.net" → "pv.telco.net"; a CN without '/' is returned whole.
std::string cn_fqdn(std::string_view cn);

bool cert_matches_host(X509* cert, std::string_view host);

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

}  // namespace phonesec::tls

// SPDX-License-Identifier: Apache-2.0
// TLS_Cipher_List: one OpenSSL cipher string for every TLS application of the phone.
//
// Accepted (seed, "Chaînes de chiffrement prises en charge", table 6, OpenSSL 1.1.1d):
//  - the table's keywords, spelled as OpenSSL spells them. The French manual translated a few
//    cells; those translations are NOT accepted (OpenSSL would not) but named in the error:
//    DÉFAUT / PAR DÉFAUT → DEFAULT, TOUT → ALL, ÉLEVÉ → HIGH, MOYEN → MEDIUM. The cell "Les"
//    sits where OpenSSL's documentation has "ECDHE, EECDH": we accept ECDHE, EECDH and the
//    table's own "ECDH" (OpenSSL 3 still knows it), and reject "Les" with that hint.
//    "TLSv 1.2" is read as TLSv1.2 and "eNULL NULL" as the two keywords eNULL, NULL.
//  - explicit suite names this OpenSSL knows (OpenSSL names, e.g. ECDHE-RSA-AES128-GCM-SHA256);
//  - operators: a prefix ! - +, "A+B" (both), @STRENGTH, @SECLEVEL=0…5;
//  - separators ':' ',' and spaces (repeats are harmless).
// DEFAULT must come first (OpenSSL silently ignores it anywhere else). Keywords of OpenSSL that
// table 6 does not list (3DES, RC4, PSK, kGOST, …) are refused: "not all strings of the OpenSSL
// page are supported". Finally OpenSSL itself must accept the list (SSL_CTX_set_cipher_list)
// and it must leave at least one TLS 1.2 suite usable at the configured security level.
//
// The list governs TLS 1.2 and below. TLS 1.3 suites are not cipher-string controlled (as on
// the OpenSSL 1.1.1 the seed refers to): they stay OpenSSL's three AEAD defaults.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "tls/apps.h"

namespace phonesec::tls {

// Plain options; config/ maps cfg.xml's TLS_Cipher_List onto this.
struct TlsPolicyOptions {
  std::string cipher_list;
};

// Checks one TLS_Cipher_List value. An empty value is valid (it means: per-app defaults).
// The error names the offending element and its offset, e.g.
//   TLS_Cipher_List: 'TOUT' (element 2, offset 4) is not a supported cipher string (…)
Status validate_cipher_list(std::string_view list);

// The policy every TLS client and the web server take their cipher list from. Built once per
// configuration; an invalid list is reported once (one warning, here) and every application
// then uses its own default.
class TlsPolicy {
 public:
  explicit TlsPolicy(const TlsPolicyOptions& opts = {});

  // The cipher string the application hands to OpenSSL.
  std::string cipher_list(TlsApp app) const;
  // True when TLS_Cipher_List is set and valid (it applies to every application).
  bool configured_list_applies() const { return applies_; }
  // Why the configured list was refused (empty optional when it applies or was empty).
  const std::optional<Error>& cipher_list_error() const { return error_; }

 private:
  std::string configured_;
  bool applies_ = false;
  std::optional<Error> error_;
};

}  // namespace phonesec::tls

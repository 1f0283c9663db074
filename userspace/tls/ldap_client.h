// SPDX-License-Identifier: Apache-2.0
// The phone's LDAP directory client over TLS (seed: "Configurer le serveur LDAP sur TLS",
// "Configurer StartTLS"):
//  - LDAP_Server "ldaps://host[:port]" (port 636): TLS from the first byte;
//  - "ldap://host[:port]" (port 389; a bare "host[:port]" means the same) with
//    LDAP_StartTLS_Enable = Yes: StartTLS first. When the server REFUSES StartTLS (an
//    ExtendedResponse with a non-success resultCode) the session goes on in plain text and the
//    status says so; any other StartTLS failure (bad certificate, wrong name, handshake error,
//    connection cut) is an error — never a silent downgrade;
//  - "ldap://" with StartTLS disabled: plain text, said in status.
// TLS uses the phone's TLS policy (TLS_Cipher_List or DEFAULT) and always checks the host name
// (SAN then CN). The authentication method is the configured one (None, Simple); there is no
// "TLS" method — the scheme decides (seed). DIGEST-MD5 is not implemented (Errc::unsupported).
//
// Own minimal client rather than libldap: Debian's libldap is built on GnuTLS, so it could not
// take the phone's OpenSSL cipher string nor share its certificate and host-name checks, and it
// silently follows its own ldap.conf/LDAPTLS_* environment.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/secure.h"
#include "tls/client.h"
#include "tls/ldap_proto.h"

namespace phonesec::tls {

enum class LdapScheme { ldap, ldaps };

struct LdapUrl {
  LdapScheme scheme = LdapScheme::ldap;
  std::string host;  // name or IP literal (without brackets)
  std::uint16_t port = 389;
};

// "ldaps://h[:p]", "ldap://h[:p]", "h[:p]" (IPv6 in brackets). A trailing "/" is allowed; a DN
// or query part after it is refused. Errors name LDAP_Server and the bad part.
Result<LdapUrl> parse_ldap_url(std::string_view server);

enum class LdapAuthMethod { none, simple, digest_md5 };

struct LdapOptions {
  std::string server;            // LDAP_Server
  bool starttls_enable = false;  // LDAP_StartTLS_Enable
  LdapAuthMethod auth = LdapAuthMethod::none;
  std::string bind_dn;    // LDAP_Client_DN (Simple)
  SecretString password;  // LDAP_Password
  std::chrono::milliseconds timeout = std::chrono::seconds(5);
};

// How the session is protected; status() says it in words.
enum class LdapSecurity {
  ldaps,                    // TLS from the first byte
  starttls,                 // ldap:// upgraded by StartTLS
  plain_starttls_refused,   // StartTLS asked for, the server refused it: plain text
  plain_starttls_disabled,  // ldap:// with LDAP_StartTLS_Enable = No: plain text
};

struct LdapEntry {
  std::string dn;
  std::map<std::string, std::vector<std::string>> attrs;
};

class LdapSession {
 public:
  // Connects, secures the session as configured, and binds (None: no bind request).
  static Result<LdapSession> open(const TlsPolicy& policy, const TrustOptions& trust, const LdapOptions& opts,
                                  const Resolver& resolve);
  LdapSession(LdapSession&&) noexcept;
  LdapSession& operator=(LdapSession&&) noexcept;
  ~LdapSession();

  Result<std::vector<LdapEntry>> search(const std::string& base, ldap::Scope scope, const std::string& filter,
                                        const std::vector<std::string>& attrs = {}, int size_limit = 100);

  LdapSecurity security() const { return security_; }
  // One line for the status page, e.g. "ldap://dir:389 StartTLS TLSv1.3" or
  // "ldap://dir:389 plain text: the server refused StartTLS (protocolError: …)".
  const std::string& status() const { return status_; }
  // Negotiated TLS version and suite ("" in plain text).
  std::string tls_version() const;
  std::string tls_cipher() const;

 private:
  struct Impl;
  explicit LdapSession(std::unique_ptr<Impl> impl, LdapSecurity sec, std::string status);
  std::unique_ptr<Impl> impl_;
  LdapSecurity security_;
  std::string status_;
};

}  // namespace phonesec::tls

// SPDX-License-Identifier: Apache-2.0
#include "tls/from_config.h"

namespace phonesec::tls {

TlsPolicyOptions tls_policy_options(const config::PhoneConfig& cfg) {
  return TlsPolicyOptions{cfg.tls_cipher_list};
}

LdapOptions ldap_options(const config::PhoneConfig& cfg) {
  LdapOptions o;
  o.server = cfg.ldap.server;
  o.starttls_enable = cfg.ldap.starttls_enable;
  switch (cfg.ldap.auth_method) {
    case config::LdapAuth::None:
      o.auth = LdapAuthMethod::none;
      break;
    case config::LdapAuth::Simple:
      o.auth = LdapAuthMethod::simple;
      break;
    case config::LdapAuth::DigestMD5:
      o.auth = LdapAuthMethod::digest_md5;
      break;
  }
  o.bind_dn = cfg.ldap.client_dn;
  o.password = cfg.ldap.password;
  return o;
}

}  // namespace phonesec::tls

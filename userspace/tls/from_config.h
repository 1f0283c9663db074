// SPDX-License-Identifier: Apache-2.0
// PhoneConfig → the TLS module's options: TLS_Cipher_List for the policy, the LDAP settings,
// and the device's trust and certificate files (paths are phonesec's, not cfg.xml's).
#pragma once

#include "config/phone_config.h"
#include "tls/cipher_list.h"
#include "tls/ldap_client.h"

namespace phonesec::tls {

TlsPolicyOptions tls_policy_options(const config::PhoneConfig& cfg);
LdapOptions ldap_options(const config::PhoneConfig& cfg);

}  // namespace phonesec::tls

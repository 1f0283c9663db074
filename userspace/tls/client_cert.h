// SPDX-License-Identifier: Apache-2.0
// The device's client certificate (seed, "Mise à disposition HTTPS"): each phone carries a
// unique client certificate and private key it presents to HTTPS servers that ask; the
// provisioning macro $CCERT expands to "Installed" or "Not Installed" depending on whether such
// a unique certificate is present.
//
// "Installed" here means: the certificate and key files both load, the key matches the
// certificate, and — when the device MAC is known — the subject's S (stateOrProvinceName)
// element carries that MAC (the seed: "OU=CP-6841-3PCC, L=<serial>, S=<mac>"), which is what
// makes the certificate unique to this unit rather than a generic one.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/secure.h"
#include "tls/handles.h"

namespace phonesec::tls {

struct ClientCertFiles {
  std::string cert_file;      // PEM: the device certificate, optionally followed by its chain
  std::string key_file;       // PEM private key
  SecretString key_password;  // empty when the key is not encrypted
};

struct ClientIdentity {
  X509Ptr cert;
  EvpPkeyPtr key;
  std::vector<X509Ptr> chain;  // intermediates after the leaf in cert_file
};

// Loads and checks (key matches certificate). Errors name the file, never key bytes.
Result<ClientIdentity> load_client_identity(const ClientCertFiles& files);

// Installs the identity into a context (certificate, chain, key) and checks the pair.
Status use_client_identity(SSL_CTX* ctx, const ClientIdentity& id);

// Whether a unique client certificate is installed (see above). `device_mac` may be empty.
bool unique_client_cert_installed(const ClientCertFiles* files, std::string_view device_mac);

// Value of the $CCERT provisioning macro: "Installed" or "Not Installed".
std::string_view ccert_macro(const ClientCertFiles* files, std::string_view device_mac);

}  // namespace phonesec::tls

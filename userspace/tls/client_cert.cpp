// SPDX-License-Identifier: Apache-2.0
#include "tls/client_cert.h"

#include <openssl/pem.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>

namespace phonesec::tls {
namespace {

// PEM password callback: copies the SecretString; OpenSSL wipes its buffer after use.
int pem_password(char* buf, int size, int, void* u) {
  const auto* pw = static_cast<const SecretString*>(u);
  const std::string& s = pw->reveal();
  if (s.empty() || int(s.size()) > size) return 0;
  std::memcpy(buf, s.data(), s.size());
  return int(s.size());
}

BioPtr open_file(const std::string& path) { return BioPtr(BIO_new_file(path.c_str(), "r")); }

std::string hex_only_lower(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isxdigit(static_cast<unsigned char>(c)))
      out += char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string subject_field(X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return {};
  ASN1_STRING* d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, d);
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), std::size_t(n));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

Result<ClientIdentity> load_client_identity(const ClientCertFiles& files) {
  if (files.cert_file.empty() || files.key_file.empty())
    return make_error(Errc::not_found, "client certificate: no certificate or key file configured");
  ClientIdentity id;
  BioPtr cb = open_file(files.cert_file);
  if (!cb)
    return make_error(Errc::io, "client certificate " + files.cert_file + ": " + drain_openssl_errors());
  id.cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  if (!id.cert)
    return make_error(Errc::parse, "client certificate " + files.cert_file + ": no PEM certificate (" +
                                       drain_openssl_errors() + ")");
  while (X509* extra = PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr)) id.chain.emplace_back(extra);
  ERR_clear_error();  // the loop ends on "no start line"

  BioPtr kb = open_file(files.key_file);
  if (!kb) return make_error(Errc::io, "client key " + files.key_file + ": " + drain_openssl_errors());
  id.key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, pem_password,
                                       const_cast<SecretString*>(&files.key_password)));
  if (!id.key)
    return make_error(Errc::crypto,
                      "client key " + files.key_file +
                          ": cannot load (wrong password or not a PEM key: " + drain_openssl_errors() + ")");
  if (X509_check_private_key(id.cert.get(), id.key.get()) != 1) {
    ERR_clear_error();
    return make_error(Errc::auth,
                      "client key " + files.key_file + " does not match certificate " + files.cert_file);
  }
  return id;
}

Status use_client_identity(SSL_CTX* ctx, const ClientIdentity& id) {
  if (SSL_CTX_use_certificate(ctx, id.cert.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, id.key.get()) != 1)
    return make_error(Errc::crypto, "client certificate: " + drain_openssl_errors());
  for (const X509Ptr& c : id.chain) {
    if (X509_up_ref(c.get()) != 1 || SSL_CTX_add_extra_chain_cert(ctx, c.get()) != 1)
      return make_error(Errc::crypto, "client certificate chain: " + drain_openssl_errors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1)
    return make_error(Errc::auth, "client key does not match: " + drain_openssl_errors());
  return {};
}

bool unique_client_cert_installed(const ClientCertFiles* files, std::string_view device_mac) {
  if (!files) return false;
  auto id = load_client_identity(*files);
  if (!id) return false;
  std::string want = hex_only_lower(device_mac);
  if (want.empty()) return true;  // MAC unknown: any loadable, matching pair counts
  return hex_only_lower(subject_field(id->cert.get(), NID_stateOrProvinceName)) == want;
}

std::string_view ccert_macro(const ClientCertFiles* files, std::string_view device_mac) {
  return unique_client_cert_installed(files, device_mac) ? "Installed" : "Not Installed";
}

}  // namespace phonesec::tls

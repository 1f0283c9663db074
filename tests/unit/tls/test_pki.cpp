// SPDX-License-Identifier: Apache-2.0
#include "test_pki.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <stdexcept>

namespace phonesec::test {
namespace {

[[noreturn]] void die(const std::string& what) {
  throw std::runtime_error("test PKI: " + what + ": " + tls::drain_openssl_errors());
}

tls::EvpPkeyPtr new_key() {
  tls::EvpPkeyPtr k(EVP_RSA_gen(2048));
  if (!k) die("RSA key");
  return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) die("extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void add_name(X509_NAME* n, const char* field, const std::string& v) {
  if (v.empty()) return;
  if (X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.c_str()),
                                 -1, -1, 0) != 1)
    die(std::string("subject ") + field + "=" + v);
}

void write_pem(const std::string& cert_file, X509* cert, const std::string& key_file, EVP_PKEY* key) {
  tls::BioPtr c(BIO_new_file(cert_file.c_str(), "w"));
  if (!c || PEM_write_bio_X509(c.get(), cert) != 1) die("write " + cert_file);
  tls::BioPtr k(BIO_new_file(key_file.c_str(), "w"));
  if (!k || PEM_write_bio_PrivateKey(k.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    die("write " + key_file);
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Issued TestPki::make_ca(const std::string& name, const std::string& cn) {
  Issued out;
  out.key = new_key();
  out.cert.reset(X509_new());
  X509* c = out.cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial_++);
  X509_gmtime_adj(X509_getm_notBefore(c), -86400L);
  X509_gmtime_adj(X509_getm_notAfter(c), 86400L * 365);
  X509_set_pubkey(c, out.key.get());
  add_name(X509_get_subject_name(c), "CN", cn);
  X509_set_issuer_name(c, X509_get_subject_name(c));
  add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(c, c, NID_subject_key_identifier, "hash");
  if (X509_sign(c, out.key.get(), EVP_sha256()) == 0) die("sign CA");
  out.cert_file = (dir_ / (name + ".crt")).string();
  out.key_file = (dir_ / (name + ".key")).string();
  write_pem(out.cert_file, c, out.key_file, out.key.get());
  return out;
}

Issued TestPki::issue(const Issued& ca, const std::string& name, const CertSpec& spec) {
  Issued out;
  out.key = new_key();
  out.cert.reset(X509_new());
  X509* c = out.cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial_++);
  X509_gmtime_adj(X509_getm_notBefore(c), spec.not_before_days * 86400L);
  X509_gmtime_adj(X509_getm_notAfter(c), spec.not_after_days * 86400L);
  X509_set_pubkey(c, out.key.get());
  X509_NAME* subj = X509_get_subject_name(c);
  add_name(subj, "OU", spec.ou);
  add_name(subj, "L", spec.l);
  add_name(subj, "ST", spec.st);
  add_name(subj, "CN", spec.cn);
  X509_set_issuer_name(c, X509_get_subject_name(ca.cert.get()));
  add_ext(c, ca.cert.get(), NID_basic_constraints, "CA:FALSE");
  add_ext(c, ca.cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_ext(c, ca.cert.get(), NID_ext_key_usage, spec.client ? "clientAuth" : "serverAuth");
  add_ext(c, ca.cert.get(), NID_authority_key_identifier, "keyid");
  std::string san;
  for (const auto& d : spec.dns_sans) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& i : spec.ip_sans) san += (san.empty() ? "" : ",") + std::string("IP:") + i;
  if (!san.empty()) add_ext(c, ca.cert.get(), NID_subject_alt_name, san);
  if (X509_sign(c, ca.key.get(), EVP_sha256()) == 0) die("sign " + name);
  out.cert_file = (dir_ / (name + ".crt")).string();
  out.key_file = (dir_ / (name + ".key")).string();
  write_pem(out.cert_file, c, out.key_file, out.key.get());
  return out;
}

std::string TestPki::write_encrypted_key(const Issued& leaf, const std::string& name,
                                         const std::string& password) {
  std::string file = (dir_ / (name + ".enc.key")).string();
  tls::BioPtr k(BIO_new_file(file.c_str(), "w"));
  if (!k || PEM_write_bio_PrivateKey(k.get(), leaf.key.get(), EVP_aes_256_cbc(),
                                     reinterpret_cast<const unsigned char*>(password.data()),
                                     int(password.size()), nullptr, nullptr) != 1)
    die("write " + file);
  return file;
}

}  // namespace phonesec::test

// SPDX-License-Identifier: Apache-2.0
// Test PKI built at runtime with the OpenSSL API (nothing secret is committed): a CA, then
// leaf certificates with chosen names, SANs and validity windows (past ones for "expired"),
// written as PEM into a test-owned temporary directory that is removed afterwards.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tls/handles.h"

namespace phonesec::test {

// mkdtemp under /tmp; removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "pstls");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct CertSpec {
  std::string cn;                     // subject CN (may contain '/', as provisioning allows)
  std::vector<std::string> dns_sans;  // subjectAltName DNS entries
  std::vector<std::string> ip_sans;   // subjectAltName IP entries
  long not_before_days = -1;          // relative to now
  long not_after_days = 30;
  bool client = false;    // extendedKeyUsage clientAuth instead of serverAuth
  std::string ou, l, st;  // optional subject elements (the phone's OU/L/S)
};

struct Issued {
  tls::X509Ptr cert;
  tls::EvpPkeyPtr key;
  std::string cert_file;  // PEM
  std::string key_file;   // PEM, unencrypted
};

class TestPki {
 public:
  explicit TestPki(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // Self-signed CA "<cn>" written to <name>.crt / <name>.key.
  Issued make_ca(const std::string& name, const std::string& cn);
  // Leaf signed by `ca`, written to <name>.crt / <name>.key.
  Issued issue(const Issued& ca, const std::string& name, const CertSpec& spec);
  // Writes the key encrypted with AES-256-CBC under `password` to <name>.enc.key.
  std::string write_encrypted_key(const Issued& leaf, const std::string& name, const std::string& password);

 private:
  std::filesystem::path dir_;
  long serial_ = 1;
};

}  // namespace phonesec::test

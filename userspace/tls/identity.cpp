// SPDX-License-Identifier: Apache-2.0
#include "tls/identity.h"
#include "common/text.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace phonesec::tls {
using text::iequals;
namespace {

std::string strip_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return std::string(s);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::optional<std::string> subject_cn(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = -1, last = -1;
  while ((idx = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0) last = idx;
  if (last < 0) return std::nullopt;
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(utf8), std::size_t(n));
  OPENSSL_free(utf8);
  if (out.find('\0') != std::string::npos) return std::nullopt;  // embedded NUL: never a name
  return out;
}

std::string cn_fqdn(std::string_view cn) { return std::string(cn.substr(0, cn.find('/'))); }

bool cert_matches_host(X509* cert, std::string_view host) {
  if (host.empty()) return false;
  if (auto ip = canonical_ip(host)) return X509_check_ip_asc(cert, ip->c_str(), 0) == 1;
  std::string h = strip_dot(host);
  return X509_check_host(cert, h.data(), h.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

IdentityCheck check_provisioning_identity(X509* cert, std::string_view url_host, std::string_view peer_ip,
                                          const Resolver& resolve) {
  auto cn = subject_cn(cert);
  std::string cn_name = cn ? cn_fqdn(*cn) : std::string();
  std::string name;
  if (canonical_ip(url_host)) {
    if (cn_name.empty())
      return {TlsFailure::hostname_mismatch, "the provisioning server's certificate has no CN naming it"};
    name = cn_name;
  } else {
    name = strip_dot(url_host);
    if (!cert_matches_host(cert, name) && !(!cn_name.empty() && iequals(cn_name, name)))
      return {TlsFailure::hostname_mismatch,
              "certificate (CN " + (cn ? *cn : std::string("none")) + ") does not name " + name};
  }
  auto peer = canonical_ip(peer_ip);
  if (!peer)
    return {TlsFailure::address_mismatch, "peer address '" + std::string(peer_ip) + "' is not an IP"};
  auto addrs = resolve(name);
  if (!addrs)
    return {TlsFailure::address_mismatch, "cannot check server " + *peer + " against the DNS of " + name +
                                              " (" + addrs.error().message() + ")"};
  if (std::find(addrs->begin(), addrs->end(), *peer) == addrs->end())
    return {TlsFailure::address_mismatch,
            "server " + *peer + " is not among the DNS addresses of " + name + " (" + join(*addrs) + ")"};
  return {};
}

}  // namespace phonesec::tls

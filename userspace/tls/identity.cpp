// SPDX-License-Identifier: Apache-2.0
#include "tls/identity.h"
#include "common/text.h"

#include <arpa/inet.h>
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

std::string cert_names(X509* cert) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
    if (g->type == GEN_DNS) {
      const ASN1_STRING* d = g->d.dNSName;
      add("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)),
                               std::size_t(ASN1_STRING_length(d))));
    } else if (g->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* a = g->d.iPAddress;
      char buf[64] = "?";
      if (ASN1_STRING_length(a) == 4)
        inet_ntop(AF_INET, ASN1_STRING_get0_data(a), buf, sizeof buf);
      else if (ASN1_STRING_length(a) == 16)
        inet_ntop(AF_INET6, ASN1_STRING_get0_data(a), buf, sizeof buf);
      add(std::string("IP:") + buf);
    }
  }
  GENERAL_NAMES_free(sans);
  auto cn = subject_cn(cert);
  add(cn ? "CN=" + *cn : "no CN");
  return out;
}

std::string describe_cert(X509* c) {
  if (!c) return {};
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(c), buf, sizeof buf);
  std::string out = std::string(" (subject ") + buf;
  BIO* b = BIO_new(BIO_s_mem());
  if (b && ASN1_TIME_print(b, X509_get0_notAfter(c)) == 1) {
    char* p = nullptr;
    long n = BIO_get_mem_data(b, &p);
    out += ", notAfter " + std::string(p, std::size_t(n));
  }
  BIO_free(b);
  return out + ")";
}

std::string verify_detail(long err, X509* cert, const char* expected_host) {
  if ((err == X509_V_ERR_HOSTNAME_MISMATCH || err == X509_V_ERR_IP_ADDRESS_MISMATCH) && cert)
    return "the certificate names " + cert_names(cert) + ", not " +
           (expected_host ? std::string(expected_host) : std::string("the host"));
  return X509_verify_cert_error_string(err) + describe_cert(cert);
}

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
      return {TlsFailure::hostname_mismatch, "the certificate names " + cert_names(cert) + ", not " + name};
  }
  if (peer_ip.empty()) return {};  // through a proxy: no server address to check (see header)
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

IdentityCheck check_server_identity(X509* cert, TlsApp app, std::string_view host, bool validate_name,
                                    std::string_view peer_ip, const Resolver& resolve) {
  switch (name_check(app)) {
    case NameCheck::provisioning:
      return check_provisioning_identity(cert, host, peer_ip, resolve);
    case NameCheck::per_line:
      if (!validate_name) return {};
      [[fallthrough]];
    case NameCheck::always:
      if (cert_matches_host(cert, host)) return {};
      return {TlsFailure::hostname_mismatch,
              "the certificate names " + cert_names(cert) + ", not " + strip_dot(host)};
    case NameCheck::not_applicable:
      break;
  }
  return {TlsFailure::protocol, std::string(app_name(app)) + " is not a TLS client"};
}

}  // namespace phonesec::tls

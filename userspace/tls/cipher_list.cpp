// SPDX-License-Identifier: Apache-2.0
#include "tls/cipher_list.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "common/log.h"
#include "tls/handles.h"

namespace phonesec::tls {
namespace {

// Table 6 of the seed, in OpenSSL's spelling (see the header for the translated cells).
constexpr std::array<std::string_view, 53> kTable6 = {"DEFAULT",     "COMPLEMENTOFDEFAULT",
                                                      "ALL",         "COMPLEMENTOFALL",
                                                      "HIGH",        "MEDIUM",
                                                      "eNULL",       "NULL",
                                                      "aNULL",       "kRSA",
                                                      "RSA",         "kDHE",
                                                      "kEDH",        "DH",
                                                      "DHE",         "EDH",
                                                      "ADH",         "kECDHE",
                                                      "kEECDH",      "ECDHE",
                                                      "EECDH",       "ECDH",
                                                      "AECDH",       "aRSA",
                                                      "aDSS",        "DSS",
                                                      "aECDSA",      "ECDSA",
                                                      "TLSv1.2",     "TLSv1",
                                                      "SSLv3",       "AES128",
                                                      "AES256",      "AES",
                                                      "AESGCM",      "AESCCM",
                                                      "AESCCM8",     "ARIA128",
                                                      "ARIA256",     "ARIA",
                                                      "CAMELLIA128", "CAMELLIA256",
                                                      "CAMELLIA",    "CHACHA20",
                                                      "SEED",        "MD5",
                                                      "SHA1",        "SHA",
                                                      "SHA256",      "SHA384",
                                                      "SUITEB128",   "SUITEB128ONLY",
                                                      "SUITEB192"};

// Cells of the French table that are translations, and what they stand for.
const std::map<std::string_view, std::string_view>& translation_hints() {
  static const std::map<std::string_view, std::string_view> m = {
      {"DÉFAUT", "the French manual's rendering of DEFAULT; write DEFAULT"},
      {"PAR", "\"PAR DÉFAUT\" is the French manual's rendering of DEFAULT; write DEFAULT"},
      {"TOUT", "the French manual's rendering of ALL; write ALL"},
      {"ÉLEVÉ", "the French manual's rendering of HIGH; write HIGH"},
      {"MOYEN", "the French manual's rendering of MEDIUM; write MEDIUM"},
      {"Les", "a translation slip in the French table where ECDHE/EECDH belong; write ECDHE or EECDH"},
      {"TLSv", "write TLSv1.2 without a space"},
  };
  return m;
}

struct SuiteNames {
  std::set<std::string, std::less<>> openssl;                   // ECDHE-RSA-AES128-GCM-SHA256
  std::map<std::string, std::string, std::less<>> by_standard;  // TLS_ECDHE_RSA_WITH_… → OpenSSL name
};

// Every TLS ≤ 1.2 suite this OpenSSL build knows, whatever the security level.
const SuiteNames& suite_names() {
  static const SuiteNames names = [] {
    SuiteNames n;
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    if (!ctx || SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0") != 1) {
      ERR_clear_error();
      return n;
    }
    STACK_OF(SSL_CIPHER)* sk = SSL_CTX_get_ciphers(ctx.get());
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(sk, i);
      if (std::string_view(SSL_CIPHER_get_version(c)) == "TLSv1.3") continue;
      n.openssl.emplace(SSL_CIPHER_get_name(c));
      if (const char* std_name = SSL_CIPHER_standard_name(c))
        n.by_standard.emplace(std_name, SSL_CIPHER_get_name(c));
    }
    return n;
  }();
  return names;
}

bool is_table6_keyword(std::string_view w) {
  return std::find(kTable6.begin(), kTable6.end(), w) != kTable6.end();
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = char(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

// Why `word` is not accepted, with the most useful hint we have.
std::string explain_unknown(std::string_view word) {
  if (auto it = translation_hints().find(word); it != translation_hints().end())
    return "is not a supported cipher string (" + std::string(it->second) + ")";
  const auto& names = suite_names();
  std::string std_name = word.starts_with("TLS_") ? std::string(word) : "TLS_" + std::string(word);
  if (auto it = names.by_standard.find(std_name); it != names.by_standard.end())
    return "is a standard (IANA) suite name; write OpenSSL's name " + it->second;
  std::string u = upper(word);
  for (std::string_view k : kTable6)
    if (upper(k) == u)
      return "is not a supported cipher string (keywords are case-sensitive: " + std::string(k) + ")";
  return "is neither a supported cipher string of table 6 nor a cipher suite this OpenSSL knows";
}

struct Element {
  std::string_view text;
  std::size_t offset;
};

std::vector<Element> split_elements(std::string_view list) {
  std::vector<Element> out;
  std::size_t i = 0;
  auto is_sep = [](char c) { return c == ':' || c == ',' || c == ' ' || c == '\t'; };
  while (i < list.size()) {
    while (i < list.size() && is_sep(list[i])) ++i;
    std::size_t start = i;
    while (i < list.size() && !is_sep(list[i])) ++i;
    if (i > start) out.push_back({list.substr(start, i - start), start});
  }
  return out;
}

Error bad_element(const Element& e, std::size_t index, std::string_view why) {
  return make_error(Errc::invalid_argument, "TLS_Cipher_List: '" + std::string(e.text) + "' (element " +
                                                std::to_string(index + 1) + ", offset " +
                                                std::to_string(e.offset) + ") " + std::string(why));
}

// Table 6 and the operator grammar; no OpenSSL call except the suite-name table.
Status check_syntax(const std::vector<Element>& elems) {
  for (std::size_t i = 0; i < elems.size(); ++i) {
    const Element& e = elems[i];
    std::string_view body = e.text;
    if (body.front() == '@') {
      if (body == "@STRENGTH") continue;
      if (body.starts_with("@SECLEVEL=")) {
        std::string_view n = body.substr(10);
        if (n.size() == 1 && n[0] >= '0' && n[0] <= '5') continue;
        return bad_element(e, i, "needs a security level 0 to 5");
      }
      return bad_element(e, i, "is not a supported command (only @STRENGTH and @SECLEVEL=n)");
    }
    bool has_op = body.front() == '!' || body.front() == '-' || body.front() == '+';
    if (has_op) body.remove_prefix(1);
    if (body.empty()) return bad_element(e, i, "has an operator but no cipher string");
    std::size_t pos = 0;
    bool combined = body.find('+') != std::string_view::npos;
    while (pos <= body.size()) {
      std::size_t plus = body.find('+', pos);
      std::string_view part =
          body.substr(pos, plus == std::string_view::npos ? std::string_view::npos : plus - pos);
      if (part.empty()) return bad_element(e, i, "has an empty part around '+'");
      if (part == "DEFAULT") {
        if (i != 0 || has_op || combined)
          return bad_element(e, i, "DEFAULT must be the first element, alone (OpenSSL ignores it elsewhere)");
      } else if (!is_table6_keyword(part) && !suite_names().openssl.contains(part)) {
        if (part == body) return bad_element(e, i, explain_unknown(part));
        return bad_element(e, i, "contains '" + std::string(part) + "', which " + explain_unknown(part));
      }
      if (plus == std::string_view::npos) break;
      pos = plus + 1;
    }
  }
  return {};
}

// OpenSSL's own verdict, and at least one TLS ≤ 1.2 suite left at the effective security level.
Status check_with_openssl(std::string_view list) {
  std::string s(list);
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return make_error(Errc::crypto, "TLS_Cipher_List: SSL_CTX_new: " + drain_openssl_errors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(ctx.get(), s.c_str()) != 1) {
    std::string why = drain_openssl_errors();
    return make_error(Errc::invalid_argument, "TLS_Cipher_List: OpenSSL rejects \"" + s + "\" (" + why + ")");
  }
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) return make_error(Errc::crypto, "TLS_Cipher_List: SSL_new: " + drain_openssl_errors());
  CipherStackPtr usable(SSL_get1_supported_ciphers(ssl.get()));
  int n = 0;
  for (int i = 0; usable && i < sk_SSL_CIPHER_num(usable.get()); ++i)
    if (std::string_view(SSL_CIPHER_get_version(sk_SSL_CIPHER_value(usable.get(), i))) != "TLSv1.3") ++n;
  if (n == 0)
    return make_error(
        Errc::invalid_argument,
        "TLS_Cipher_List: \"" + s + "\" leaves no TLS 1.2 cipher suite usable at this security level");
  return {};
}

}  // namespace

Status validate_cipher_list(std::string_view list) {
  std::vector<Element> elems = split_elements(list);
  if (elems.empty()) return {};
  if (Status st = check_syntax(elems); !st) return st;
  return check_with_openssl(list);
}

TlsPolicy::TlsPolicy(const TlsPolicyOptions& opts) : configured_(opts.cipher_list) {
  if (split_elements(configured_).empty()) return;  // empty: per-application defaults
  Status st = validate_cipher_list(configured_);
  if (st) {
    applies_ = true;
    log::info("tls", "TLS_Cipher_List \"", configured_, "\" applies to every TLS application");
    return;
  }
  error_ = st.error();
  log::warn("tls", st.error().message(), "; every TLS application uses its own default list");
}

std::string TlsPolicy::cipher_list(TlsApp app) const {
  return applies_ ? configured_ : std::string(default_cipher_list(app));
}

}  // namespace phonesec::tls

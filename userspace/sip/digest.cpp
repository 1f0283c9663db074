// SPDX-License-Identifier: Apache-2.0
#include "sip/digest.h"

#include <openssl/evp.h>
#include <strings.h>

#include <cctype>
#include <set>

#include "common/secure.h"
#include "common/text.h"

namespace phonesec::sip {
using text::trim;
namespace {

bool sess(DigestAlg a) { return a == DigestAlg::MD5_sess || a == DigestAlg::SHA256_sess; }

}  // namespace

std::string_view alg_name(DigestAlg a) {
  switch (a) {
    case DigestAlg::MD5:
      return "MD5";
    case DigestAlg::MD5_sess:
      return "MD5-sess";
    case DigestAlg::SHA256:
      return "SHA-256";
    case DigestAlg::SHA256_sess:
      return "SHA-256-sess";
  }
  return "?";
}

std::optional<DigestAlg> parse_alg(std::string_view s) {
  s = trim(s);
  if (s.empty()) return DigestAlg::MD5;
  for (auto a : {DigestAlg::MD5, DigestAlg::MD5_sess, DigestAlg::SHA256, DigestAlg::SHA256_sess})
    if (s.size() == alg_name(a).size() && strncasecmp(s.data(), alg_name(a).data(), s.size()) == 0) return a;
  return std::nullopt;
}

std::string hash_hex(DigestAlg a, std::string_view data) {
  const EVP_MD* md = (a == DigestAlg::MD5 || a == DigestAlg::MD5_sess) ? EVP_md5() : EVP_sha256();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  static const char* hx = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s += hx[out[i] >> 4];
    s += hx[out[i] & 15];
  }
  return s;
}

Result<Credentials> parse_credentials(std::string_view v) {
  v = trim(v);
  if (v.size() < 7 || strncasecmp(v.data(), "Digest ", 7) != 0)
    return make_error(Errc::parse, "Authorization: not a Digest credential");
  v.remove_prefix(7);
  Credentials c;
  std::set<std::string> seen;
  while (true) {
    v = trim(v);
    if (v.empty()) break;
    auto eq = v.find('=');
    if (eq == std::string_view::npos) return make_error(Errc::parse, "Authorization: parameter without '='");
    std::string key(trim(v.substr(0, eq)));
    for (auto& ch : key) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    v = trim(v.substr(eq + 1));
    std::string val;
    if (!v.empty() && v.front() == '"') {
      std::size_t i = 1;
      for (; i < v.size() && v[i] != '"'; ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        val += v[i];
      }
      if (i >= v.size()) return make_error(Errc::parse, "Authorization: unterminated quote in '" + key + "'");
      v = trim(v.substr(i + 1));
    } else {
      auto comma = v.find(',');
      val = std::string(trim(v.substr(0, comma)));
      v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma);
    }
    if (!seen.insert(key).second)
      return make_error(Errc::parse, "Authorization: duplicate parameter '" + key + "'");
    if (key == "username")
      c.username = val;
    else if (key == "realm")
      c.realm = val;
    else if (key == "nonce")
      c.nonce = val;
    else if (key == "uri")
      c.uri = val;
    else if (key == "response")
      c.response = val;
    else if (key == "cnonce")
      c.cnonce = val;
    else if (key == "qop")
      c.qop = val;
    else if (key == "opaque")
      c.opaque = val;
    else if (key == "algorithm")
      c.algorithm = val;
    else if (key == "nc") {
      if (val.size() != 8) return make_error(Errc::parse, "Authorization: nc must be 8 hex digits");
      std::uint32_t n = 0;
      for (char ch : val) {
        if (!std::isxdigit(static_cast<unsigned char>(ch)))
          return make_error(Errc::parse, "Authorization: bad nc");
        n = n * 16 + std::uint32_t(std::isdigit(static_cast<unsigned char>(ch))
                                       ? ch - '0'
                                       : std::tolower(ch) - 'a' + 10);
      }
      c.nc = n;
      c.nc_text = val;
    }
    v = trim(v);
    if (!v.empty()) {
      if (v.front() != ',') return make_error(Errc::parse, "Authorization: expected ',' after '" + key + "'");
      v.remove_prefix(1);
    }
  }
  return c;
}

std::string expected_response(DigestAlg a, const Credentials& c, std::string_view method,
                              std::string_view password) {
  std::string a1 = c.username + ":" + c.realm + ":" + std::string(password);
  std::string ha1 = hash_hex(a, a1);
  secure_wipe(a1.data(), a1.size());
  if (sess(a)) ha1 = hash_hex(a, ha1 + ":" + c.nonce + ":" + c.cnonce);
  std::string ha2 = hash_hex(a, std::string(method) + ":" + c.uri);
  if (c.qop.empty()) return hash_hex(a, ha1 + ":" + c.nonce + ":" + ha2);  // RFC 2069 / 2617 without qop
  return hash_hex(a, ha1 + ":" + c.nonce + ":" + c.nc_text + ":" + c.cnonce + ":" + c.qop + ":" + ha2);
}

}  // namespace phonesec::sip

// SPDX-License-Identifier: Apache-2.0
#include "sip/invite_auth.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "common/log.h"

namespace phonesec::sip {
namespace {

bool same_digest(const std::string& a, const std::string& b) {
  std::string la = a;
  for (auto& ch : la) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return la.size() == b.size() && CRYPTO_memcmp(la.data(), b.data(), b.size()) == 0;
}

std::string realm_of(const config::LineConfig& l) {
  std::string p = l.proxy;
  if (p.rfind("sip:", 0) == 0) p = p.substr(4);
  p = p.substr(0, p.find_first_of(":;>/ "));
  return p.empty() ? "phonesec" : p;
}

// RFC 3261 22.4 wants the Request-URI; some UACs (sipp among them) put the URI without its user
// part. Both name this UA and the uri is covered by the digest either way.
bool uri_matches(const std::string& digest_uri, const std::string& request_uri) {
  if (digest_uri == request_uri) return true;
  auto colon = request_uri.find(':');
  auto at = request_uri.find('@');
  if (colon == std::string::npos || at == std::string::npos || at < colon) return false;
  return digest_uri == request_uri.substr(0, colon + 1) + request_uri.substr(at + 1);
}

}  // namespace

InviteAuthConfig from_line(const config::LineConfig& l) {
  InviteAuthConfig c;
  c.enabled = l.auth_invite;
  c.username = l.use_auth_id && !l.auth_id.empty() ? l.auth_id : l.user_id;
  c.password = l.password;
  c.realm = realm_of(l);
  return c;
}

InviteAuthenticator::InviteAuthenticator(InviteAuthConfig c, SteadyNow now)
    : c_(std::move(c)), nonces_(c_.nonce_lifetime, std::move(now)) {
  tag_ = nonces_.issue().substr(0, 10);  // a To tag for our error responses
}

Decision InviteAuthenticator::challenge(const Message& req, Verdict v, std::string reason, bool stale) {
  std::string nonce = nonces_.issue();
  std::vector<std::string> hdrs;
  for (auto a : c_.offer)
    hdrs.push_back("WWW-Authenticate: Digest realm=\"" + c_.realm + "\", nonce=\"" + nonce +
                   "\", algorithm=" + std::string(alg_name(a)) + ", qop=\"auth\"" +
                   (stale ? ", stale=true" : ""));
  log::info("sip", "INVITE challenged (", reason, ")");
  return Decision{v, 401, make_response(req, 401, "Unauthorized", tag_, hdrs), std::move(reason)};
}

Decision InviteAuthenticator::forbid(const Message& req, std::string reason) {
  log::warn("sip", "INVITE refused: ", reason);
  return Decision{Verdict::forbidden, 403, make_response(req, 403, "Forbidden", tag_), std::move(reason)};
}

Decision InviteAuthenticator::on_request(const Message& req) {
  if (!c_.enabled || !req.is_request || req.method != "INVITE" || req.to_has_tag()) return {};
  // Among the Authorization headers, the one for our realm.
  std::optional<Credentials> cred;
  std::string parse_problem = "no credentials";
  for (const auto& v : req.all("Authorization")) {
    auto c = parse_credentials(v);
    if (!c) {
      parse_problem = c.error().message();
      continue;
    }
    if (c->realm == c_.realm) {
      cred = std::move(*c);
      break;
    }
    parse_problem = "credentials for another realm";
  }
  if (!cred) return challenge(req, Verdict::challenge, parse_problem, false);
  auto st = nonces_.state(cred->nonce);
  if (st == NonceStore::State::unknown) return challenge(req, Verdict::challenge, "unknown nonce", false);
  auto alg = parse_alg(cred->algorithm);
  if (!alg || std::find(c_.offer.begin(), c_.offer.end(), *alg) == c_.offer.end())
    return forbid(req, "algorithm '" + cred->algorithm + "' not offered");
  if (!cred->qop.empty() && cred->qop != "auth") return forbid(req, "qop '" + cred->qop + "' not offered");
  if (!cred->qop.empty() && (cred->nc_text.empty() || cred->cnonce.empty()))
    return forbid(req, "qop without nc/cnonce");
  if (!uri_matches(cred->uri, req.uri))
    return forbid(req, "digest uri '" + cred->uri + "' does not match the Request-URI '" + req.uri + "'");
  if (cred->username != c_.username) return forbid(req, "unknown user '" + cred->username + "'");
  if (!same_digest(cred->response, expected_response(*alg, *cred, req.method, c_.password.reveal())))
    return forbid(req, "wrong credentials for '" + cred->username + "'");
  if (st == NonceStore::State::expired) return challenge(req, Verdict::stale, "nonce expired", true);
  bool fresh =
      cred->qop.empty() ? nonces_.accept_plain(cred->nonce) : nonces_.accept_nc(cred->nonce, cred->nc);
  if (!fresh) return challenge(req, Verdict::replay, "replayed nonce count", false);
  log::info("sip", "INVITE authenticated (", alg_name(*alg), ", user '", cred->username, "')");
  return {};
}

}  // namespace phonesec::sip

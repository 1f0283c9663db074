// SPDX-License-Identifier: Apache-2.0
// Auth_INVITE_n_ decisions: challenge, valid MD5/SHA-256 answers, wrong credentials, replay,
// expiry (stale), RFC 2617 style without qop, and what passes unchallenged.
#include "sip/invite_auth.h"

#include <gtest/gtest.h>

using namespace phonesec;
using namespace phonesec::sip;

namespace {

const char* kInvite =
    "INVITE sip:1001@10.0.0.2:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
    "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK0\r\n"
    "From: <sip:proxy@prov.test>;tag=abc\r\n"
    "To: <sip:1001@prov.test>\r\n"
    "Call-ID: c1@10.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

struct InviteAuth : ::testing::Test {
  std::chrono::steady_clock::time_point t{std::chrono::seconds(1000)};
  InviteAuthConfig cfg() {
    InviteAuthConfig c;
    c.enabled = true;
    c.username = "1001";
    c.password = SecretString("s3cret-pw");
    c.realm = "prov.test";
    return c;
  }
  std::unique_ptr<InviteAuthenticator> auth =
      std::make_unique<InviteAuthenticator>(cfg(), [this] { return t; });

  static Message msg(const std::string& s) { return parse(s).value(); }
  // The nonce and the algorithms of a 401.
  static std::string param(const std::string& resp, const std::string& key, std::size_t from = 0) {
    auto p = resp.find(key + "=", from);
    if (p == std::string::npos) return "";
    p += key.size() + 1;
    bool q = resp[p] == '"';
    if (q) ++p;
    auto e = resp.find_first_of(q ? "\"" : ",\r", p);
    return resp.substr(p, e - p);
  }
  // INVITE with an Authorization header computed as a UAC would.
  std::string answer(const std::string& nonce, DigestAlg a, const std::string& pw, std::uint32_t nc = 1,
                     const std::string& user = "1001", bool qop = true,
                     const std::string& uri = "sip:1001@10.0.0.2:5060") {
    Credentials c;
    c.username = user;
    c.realm = "prov.test";
    c.nonce = nonce;
    c.uri = uri;
    c.cnonce = "0a4f113b";
    char nct[9];
    std::snprintf(nct, sizeof nct, "%08x", nc);
    c.nc_text = qop ? nct : "";
    c.qop = qop ? "auth" : "";
    std::string resp = expected_response(a, c, "INVITE", pw);
    std::string h = "Authorization: Digest username=\"" + user + "\", realm=\"prov.test\", nonce=\"" + nonce +
                    "\", uri=\"" + uri + "\", response=\"" + resp +
                    "\", algorithm=" + std::string(alg_name(a));
    if (qop) h += ", qop=auth, nc=" + std::string(nct) + ", cnonce=\"0a4f113b\"";
    std::string s = kInvite;
    return s.insert(s.find("Content-Length"), h + "\r\n");
  }
  std::string challenge_nonce() {
    auto d = auth->on_request(msg(kInvite));
    EXPECT_EQ(d.status, 401);
    return param(d.response, "nonce");
  }
};

}  // namespace

TEST_F(InviteAuth, InitialInviteIsChallengedWithSha256ThenMd5) {
  auto d = auth->on_request(msg(kInvite));
  EXPECT_EQ(d.verdict, Verdict::challenge);
  ASSERT_EQ(d.status, 401);
  auto r = parse(d.response).value();
  EXPECT_EQ(r.status, 401);
  auto chal = r.all("WWW-Authenticate");
  ASSERT_EQ(chal.size(), 2u);
  EXPECT_NE(chal[0].find("algorithm=SHA-256"), std::string::npos);
  EXPECT_NE(chal[1].find("algorithm=MD5"), std::string::npos);
  EXPECT_NE(chal[0].find("qop=\"auth\""), std::string::npos);
  EXPECT_NE(chal[0].find("realm=\"prov.test\""), std::string::npos);
  EXPECT_EQ(r.all("Via").size(), 2u);
  EXPECT_TRUE(r.to_has_tag());
  EXPECT_EQ(*r.header("CSeq"), "1 INVITE");
  EXPECT_EQ(param(d.response, "nonce").size(), 32u);
  // Each challenge has its own nonce.
  EXPECT_NE(param(d.response, "nonce"), param(auth->on_request(msg(kInvite)).response, "nonce"));
}

TEST_F(InviteAuth, ValidMd5AndSha256Accepted) {
  for (auto a : {DigestAlg::MD5, DigestAlg::SHA256}) {
    auto n = challenge_nonce();
    auto d = auth->on_request(msg(answer(n, a, "s3cret-pw")));
    EXPECT_EQ(d.verdict, Verdict::accept) << alg_name(a) << ": " << d.reason;
    EXPECT_EQ(d.status, 0);
  }
}

TEST_F(InviteAuth, WrongPasswordUserOrUriForbidden) {
  auto n = challenge_nonce();
  auto d = auth->on_request(msg(answer(n, DigestAlg::MD5, "wrong")));
  EXPECT_EQ(d.verdict, Verdict::forbidden);
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(parse(d.response).value().status, 403);
  EXPECT_EQ(d.reason.find("s3cret"), std::string::npos);
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 2, "1002"))).status, 403);
  EXPECT_EQ(
      auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 3, "1001", true, "sip:other@x"))).status,
      403);
  // The Request-URI without its user part is the same target (sipp sends that form).
  EXPECT_EQ(
      auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 5, "1001", true, "sip:10.0.0.2:5060")))
          .verdict,
      Verdict::accept);
  EXPECT_EQ(
      auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 6, "1001", true, "sip:10.0.0.3:5060")))
          .status,
      403);
  // The same nonce still works with the right answer afterwards.
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 7))).verdict, Verdict::accept);
}

TEST_F(InviteAuth, ReplayedNonceCountRefused) {
  auto n = challenge_nonce();
  std::string first = answer(n, DigestAlg::SHA256, "s3cret-pw", 1);
  EXPECT_EQ(auth->on_request(msg(first)).verdict, Verdict::accept);
  auto again = auth->on_request(msg(first));
  EXPECT_EQ(again.verdict, Verdict::replay);
  EXPECT_EQ(again.status, 401);
  EXPECT_NE(param(again.response, "nonce"), n);  // a fresh challenge
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::SHA256, "s3cret-pw", 2))).verdict, Verdict::accept);
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::SHA256, "s3cret-pw", 2))).verdict, Verdict::replay);
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::SHA256, "s3cret-pw", 1))).verdict, Verdict::replay);
}

TEST_F(InviteAuth, ExpiredNonceIsStaleAndUnknownNonceChallenged) {
  auto n = challenge_nonce();
  t += std::chrono::seconds(31);
  auto d = auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw")));
  EXPECT_EQ(d.verdict, Verdict::stale);
  EXPECT_EQ(d.status, 401);
  EXPECT_NE(d.response.find("stale=true"), std::string::npos);
  // A wrong answer on an expired nonce is still forbidden, not stale.
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::MD5, "bad", 2))).verdict, Verdict::forbidden);
  auto u = auth->on_request(msg(answer("00112233445566778899aabbccddeeff", DigestAlg::MD5, "s3cret-pw")));
  EXPECT_EQ(u.verdict, Verdict::challenge);
  EXPECT_EQ(u.response.find("stale=true"), std::string::npos);
  // Long after, the nonce is forgotten: a fresh challenge.
  t += std::chrono::seconds(200);
  challenge_nonce();
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 5))).verdict, Verdict::challenge);
}

TEST_F(InviteAuth, Rfc2617WithoutQopAcceptedOncePerNonce) {
  auto n = challenge_nonce();
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 0, "1001", false))).verdict,
            Verdict::accept);
  EXPECT_EQ(auth->on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw", 0, "1001", false))).verdict,
            Verdict::replay);
}

TEST_F(InviteAuth, AlgorithmNotOfferedForbidden) {
  InviteAuthConfig c = cfg();
  c.offer = {DigestAlg::SHA256};
  InviteAuthenticator sha_only(c, [this] { return t; });
  auto n = param(sha_only.on_request(msg(kInvite)).response, "nonce");
  EXPECT_EQ(sha_only.on_request(msg(answer(n, DigestAlg::MD5, "s3cret-pw"))).verdict, Verdict::forbidden);
  EXPECT_EQ(sha_only.on_request(msg(answer(n, DigestAlg::SHA256, "s3cret-pw"))).verdict, Verdict::accept);
}

TEST_F(InviteAuth, WhatPassesUnchallenged) {
  std::string in_dialog = kInvite;
  in_dialog.replace(in_dialog.find("To: <sip:1001@prov.test>"), 24, "To: <sip:1001@prov.test>;tag=xyz");
  EXPECT_EQ(auth->on_request(msg(in_dialog)).verdict, Verdict::accept);
  std::string bye = kInvite;
  bye.replace(0, 6, "BYE");
  bye.replace(bye.find("1 INVITE"), 8, "2 BYE");
  EXPECT_EQ(auth->on_request(msg(bye)).verdict, Verdict::accept);
  InviteAuthConfig off = cfg();
  off.enabled = false;
  InviteAuthenticator disabled(off, [this] { return t; });
  EXPECT_EQ(disabled.on_request(msg(kInvite)).verdict, Verdict::accept);
}

TEST_F(InviteAuth, MalformedCredentialsChallenged) {
  std::string s = kInvite;
  s.insert(s.find("Content-Length"), "Authorization: Digest username=\"1001\r\n");
  EXPECT_EQ(auth->on_request(msg(s)).verdict, Verdict::challenge);
}

TEST(InviteAuthConfig, FromLineUsesAuthIdWhenAsked) {
  config::LineConfig l;
  l.auth_invite = true;
  l.user_id = "1001";
  l.auth_id = "auth1001";
  l.proxy = "sip:SIP.prov.test:5060";
  l.password = SecretString("pw");
  auto c = from_line(l);
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.username, "1001");
  EXPECT_EQ(c.realm, "SIP.prov.test");
  l.use_auth_id = true;
  EXPECT_EQ(from_line(l).username, "auth1001");
}

TEST(SipMessage, ParsesCompactFormsAndFolding) {
  auto m = parse(
      "INVITE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP x;branch=1\r\nf: <sip:x@y>;tag=1\r\nt: <sip:a@b>\r\n"
      "Subject: long\r\n  line\r\ni: id1\r\n\r\nbody");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->method, "INVITE");
  EXPECT_EQ(*m->header("Via"), "SIP/2.0/UDP x;branch=1");
  EXPECT_EQ(*m->header("call-id"), "id1");
  EXPECT_EQ(*m->header("Subject"), "long line");
  EXPECT_EQ(m->body, "body");
  EXPECT_FALSE(m->to_has_tag());
  EXPECT_FALSE(parse("garbage"));
  EXPECT_FALSE(parse("INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n"));
}

// SPDX-License-Identifier: Apache-2.0
// Known-answer vectors (RFC 7616 3.9.1, RFC 2617 3.5) and credential parsing.
#include "sip/digest.h"

#include <gtest/gtest.h>

using namespace phonesec;
using namespace phonesec::sip;

namespace {
Credentials rfc7616() {
  Credentials c;
  c.username = "Mufasa";
  c.realm = "http-auth@example.org";
  c.uri = "/dir/index.html";
  c.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  c.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  c.nc_text = "00000001";
  c.nc = 1;
  c.qop = "auth";
  return c;
}
}  // namespace

TEST(Digest, Rfc7616Sha256AndMd5Vectors) {
  auto c = rfc7616();
  EXPECT_EQ(expected_response(DigestAlg::SHA256, c, "GET", "Circle of Life"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  EXPECT_EQ(expected_response(DigestAlg::MD5, c, "GET", "Circle of Life"),
            "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(Digest, Rfc2617Vector) {
  Credentials c;
  c.username = "Mufasa";
  c.realm = "testrealm@host.com";
  c.uri = "/dir/index.html";
  c.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  c.cnonce = "0a4f113b";
  c.nc_text = "00000001";
  c.qop = "auth";
  EXPECT_EQ(expected_response(DigestAlg::MD5, c, "GET", "Circle Of Life"),
            "6629fae49393a05397450978507c4ef1");
}

TEST(Digest, SessVariantsDifferFromPlain) {
  auto c = rfc7616();
  EXPECT_NE(expected_response(DigestAlg::SHA256_sess, c, "GET", "Circle of Life"),
            expected_response(DigestAlg::SHA256, c, "GET", "Circle of Life"));
  // -sess: HA1 = H(H(user:realm:pw):nonce:cnonce)
  std::string ha1 =
      hash_hex(DigestAlg::MD5, hash_hex(DigestAlg::MD5, "Mufasa:http-auth@example.org:Circle of Life") + ":" +
                                   c.nonce + ":" + c.cnonce);
  std::string ha2 = hash_hex(DigestAlg::MD5, "GET:/dir/index.html");
  EXPECT_EQ(expected_response(DigestAlg::MD5_sess, c, "GET", "Circle of Life"),
            hash_hex(DigestAlg::MD5, ha1 + ":" + c.nonce + ":00000001:" + c.cnonce + ":auth:" + ha2));
}

TEST(Digest, ParsesCredentials) {
  auto c = parse_credentials(
      "Digest username=\"bob\",realm=\"r.test\", nonce=\"abc\", uri=\"sip:bob@10.0.0.1\", "
      "response=\"0123\", algorithm=SHA-256, cnonce=\"x\\\"y\", qop=auth, nc=0000000a");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->username, "bob");
  EXPECT_EQ(c->realm, "r.test");
  EXPECT_EQ(c->uri, "sip:bob@10.0.0.1");
  EXPECT_EQ(c->algorithm, "SHA-256");
  EXPECT_EQ(c->cnonce, "x\"y");
  EXPECT_EQ(c->qop, "auth");
  EXPECT_EQ(c->nc, 10u);
  EXPECT_EQ(*parse_alg("sha-256"), DigestAlg::SHA256);
  EXPECT_EQ(*parse_alg(""), DigestAlg::MD5);
  EXPECT_FALSE(parse_alg("SHA-512-256"));
}

TEST(Digest, RejectsMalformedCredentials) {
  for (const char* bad : {"Basic Ym9iOnB3", "Digest username=\"bob", "Digest nc=12", "Digest nc=0000000g",
                          "Digest realm=a, realm=b", "Digest username"}) {
    auto c = parse_credentials(bad);
    EXPECT_FALSE(c) << bad;
    if (!c) {
      EXPECT_EQ(c.error().code, Errc::parse);
    }
  }
}

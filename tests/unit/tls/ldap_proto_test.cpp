// SPDX-License-Identifier: Apache-2.0
// LDAP_Server URLs, RFC 4515 filters → BER (known encodings), requests, and decoding of server
// answers including malformed ones (each error names what was expected).
#include "tls/ldap_proto.h"

#include <gtest/gtest.h>

#include "tls/ber.h"
#include "tls/ldap_client.h"

using namespace phonesec;
using namespace phonesec::tls;

namespace {

std::string hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string o;
  for (unsigned char c : s) o += std::string{d[c >> 4], d[c & 15]};
  return o;
}

std::string unhex(std::string_view h) {
  std::string o;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    o += char(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
  return o;
}

std::string url_error(std::string_view s) {
  auto u = parse_ldap_url(s);
  return u ? "" : u.error().message();
}

}  // namespace

TEST(LdapUrl, SchemesAndDefaultPorts) {
  auto a = parse_ldap_url("ldaps://10.45.76.79");  // the seed's example
  ASSERT_TRUE(a);
  EXPECT_EQ(a->scheme, LdapScheme::ldaps);
  EXPECT_EQ(a->host, "10.45.76.79");
  EXPECT_EQ(a->port, 636);
  auto b = parse_ldap_url("ldap://dir.example.com:3389/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->scheme, LdapScheme::ldap);
  EXPECT_EQ(b->port, 3389);
  auto c = parse_ldap_url(" dir.example.com ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->scheme, LdapScheme::ldap);
  EXPECT_EQ(c->port, 389);
  auto d = parse_ldap_url("LDAPS://[2001:db8::5]:1636");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, "2001:db8::5");
  EXPECT_EQ(d->port, 1636);
}

TEST(LdapUrl, BadValuesNameTheSettingAndThePart) {
  EXPECT_EQ(url_error("https://dir"), "LDAP_Server 'https://dir': the scheme must be ldap:// or ldaps://");
  EXPECT_NE(url_error("ldaps://dir:0").find("port '0' is not 1-65535"), std::string::npos);
  EXPECT_NE(url_error("ldaps://dir:70000").find("port '70000'"), std::string::npos);
  EXPECT_NE(url_error("ldaps://dir:").find("empty port"), std::string::npos);
  EXPECT_NE(url_error("ldaps://").find("no host"), std::string::npos);
  EXPECT_NE(url_error("ldap://dir/dc=example?cn").find("DN or query"), std::string::npos);
  EXPECT_NE(url_error("ldap://2001:db8::5").find("brackets"), std::string::npos);
  EXPECT_NE(url_error("ldap://[dir]").find("not an IPv6 address"), std::string::npos);
  EXPECT_NE(url_error("ldap://a b").find("not a host name"), std::string::npos);
}

TEST(LdapFilter, KnownEncodings) {
  // (cn=Babs Jensen) → equalityMatch [3] { "cn", "Babs Jensen" }
  EXPECT_EQ(hex(ldap::encode_filter("(cn=Babs Jensen)").value()),
            "a311"
            "0402636e"
            "040b42616273204a656e73656e");
  // (objectClass=*) → present [7] "objectClass"
  EXPECT_EQ(hex(ldap::encode_filter("(objectClass=*)").value()), "870b6f626a656374436c617373");
  EXPECT_EQ(ldap::encode_filter("").value(), ldap::encode_filter("(objectClass=*)").value());
  // (cn=Ali*) → substrings [4] { "cn", SEQ { initial [0] "Ali" } }
  EXPECT_EQ(hex(ldap::encode_filter("(cn=Ali*)").value()),
            "a40b"
            "0402636e"
            "3005"
            "8003416c69");
  // (cn=*a*b) → any "a", final "b"
  EXPECT_EQ(hex(ldap::encode_filter("(cn=*a*b)").value()),
            "a40c"
            "0402636e"
            "3006"
            "810161"
            "820162");
  // (&(a=1)(!(b>=2))) and escapes: \2a is a literal '*', not a wildcard.
  EXPECT_EQ(hex(ldap::encode_filter("(&(a=1)(!(b>=2)))").value()),
            "a012"
            "a306040161040131"
            "a208"
            "a506040162040132");
  EXPECT_EQ(hex(ldap::encode_filter("(cn=a\\2ab)").value()),
            "a309"
            "0402636e"
            "0403612a62");
  EXPECT_EQ(hex(ldap::encode_filter("(|(sn<=x)(sn~=y))").value()).substr(0, 4), "a112");  // two 9-byte items
}

TEST(LdapFilter, ErrorsNameTheOffset) {
  auto e = [](std::string_view f) {
    auto r = ldap::encode_filter(f);
    return r ? std::string() : r.error().message();
  };
  EXPECT_EQ(e("cn=x"), "LDAP filter 'cn=x': expected '(' at offset 0");
  EXPECT_NE(e("(cn=x").find("expected ')' at offset 5"), std::string::npos);
  EXPECT_NE(e("(cn=x))").find("unexpected text after the filter"), std::string::npos);
  EXPECT_NE(e("(&)").find("at least one filter"), std::string::npos);
  EXPECT_NE(e("(=x)").find("attribute name"), std::string::npos);
  EXPECT_NE(e("(cn>=a*)").find("only allowed with '='"), std::string::npos);
  EXPECT_NE(e("(cn=a\\zz)").find("bad escape"), std::string::npos);
  EXPECT_NE(e("(cn=a**b)").find("empty part"), std::string::npos);
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "(!";
  EXPECT_NE(e(deep + "(a=b)" + std::string(40, ')')).find("more than 32"), std::string::npos);
  std::string ok;
  for (int i = 0; i < 20; ++i) ok += "(!";
  EXPECT_EQ(e(ok + "(a=b)" + std::string(20, ')')), "");
}

TEST(LdapMessages, RequestsAreWellFormed) {
  // StartTLS (RFC 4511 §4.14.1): SEQ { 1, [APPLICATION 23] { [0] oid } }
  EXPECT_EQ(hex(ldap::start_tls_request(1)),
            "301d020101"
            "7718"
            "8016" +
                hex("1.3.6.1.4.1.1466.20037"));
  EXPECT_EQ(hex(ldap::unbind_request(5)), "30050201054200");
  std::string bind = ldap::simple_bind_request(2, "cn=a", SecretString("pw"));
  EXPECT_EQ(hex(bind),
            "3012020102"
            "600d"
            "020103"
            "0404636e3d61"
            "80027077");
  auto f = ldap::encode_filter("(cn=*)");
  std::string search = ldap::search_request(3, "dc=x", ldap::Scope::sub, *f, {"cn"}, 10);
  ber::Reader r(search);
  auto msg = r.nested(ber::kSequence, "msg");
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->integer("id").value(), 3);
  EXPECT_EQ(msg->peek_tag(), 0x63);
}

TEST(LdapMessages, DecodeServerAnswers) {
  // ExtendedResponse refusing StartTLS: protocolError + message.
  std::string ext = unhex(
      "3016020101"
      "7811"
      "0a0102"
      "0400"
      "040a" +
      hex("no TLS now"));
  auto m = ldap::decode_message(ext);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->op, ldap::kExtendedResponse);
  EXPECT_EQ(m->result_code, 2);
  EXPECT_EQ(m->diagnostic, "no TLS now");
  EXPECT_EQ(ldap::result_name(m->result_code), "protocolError");
  // SearchResultEntry with one attribute of two values.
  ber::Writer vals;
  vals.octets("1001").octets("1002");
  ber::Writer attr;
  attr.octets("telephoneNumber").nested(ber::kSet, vals);
  ber::Writer attrs;
  attrs.nested(ber::kSequence, attr);
  ber::Writer entry;
  entry.octets("cn=A,dc=x").nested(ber::kSequence, attrs);
  ber::Writer body;
  body.integer(4).nested(ldap::kSearchEntry, entry);
  ber::Writer msg;
  msg.nested(ber::kSequence, body);
  auto e = ldap::decode_message(msg.bytes());
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_EQ(e->id, 4);
  EXPECT_EQ(e->dn, "cn=A,dc=x");
  EXPECT_EQ(e->attrs.at("telephoneNumber"), (std::vector<std::string>{"1001", "1002"}));
}

TEST(LdapMessages, MalformedAnswersAreClearErrors) {
  auto e = [](std::string h) {
    auto r = ldap::decode_message(unhex(h));
    return r ? std::string() : r.error().message();
  };
  EXPECT_NE(e("").find("missing LDAPMessage"), std::string::npos);
  EXPECT_NE(e("3005020101").find("truncated"), std::string::npos);
  EXPECT_NE(e("3080").find("indefinite length"), std::string::npos);
  EXPECT_NE(e("3003040101").find("expected messageID"), std::string::npos);
  EXPECT_NE(e("300602010161010a").find("truncated"), std::string::npos);
  EXPECT_NE(e("3006020101610100").find("expected resultCode"), std::string::npos);
  EXPECT_NE(e("308505000000ff").find("too long"), std::string::npos);
  EXPECT_NE(e("3084ffffffff").find("exceeds the limit"), std::string::npos);
  EXPECT_NE(e("3003020101ff").find("bytes after"), std::string::npos);
}

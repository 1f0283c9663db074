// SPDX-License-Identifier: Apache-2.0
// TLS_Cipher_List: table 6 keywords, operators, suite names, the French table's translations,
// OpenSSL's own verdict, per-application defaults and the single report of an invalid list.
#include "tls/cipher_list.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <string>

#include "tls/handles.h"

using namespace phonesec;
using namespace phonesec::tls;

namespace {

std::string error_of(std::string_view list) {
  Status st = validate_cipher_list(list);
  return st ? std::string() : st.error().message();
}

const char* kTable6[] = {"COMPLEMENTOFDEFAULT",
                         "ALL",
                         "COMPLEMENTOFALL",
                         "HIGH",
                         "MEDIUM",
                         "eNULL",
                         "NULL",
                         "aNULL",
                         "kRSA",
                         "RSA",
                         "kDHE",
                         "kEDH",
                         "DH",
                         "DHE",
                         "EDH",
                         "ADH",
                         "kECDHE",
                         "kEECDH",
                         "ECDHE",
                         "EECDH",
                         "ECDH",
                         "AECDH",
                         "aRSA",
                         "aDSS",
                         "DSS",
                         "aECDSA",
                         "ECDSA",
                         "TLSv1.2",
                         "TLSv1",
                         "SSLv3",
                         "AES128",
                         "AES256",
                         "AES",
                         "AESGCM",
                         "AESCCM",
                         "AESCCM8",
                         "ARIA128",
                         "ARIA256",
                         "ARIA",
                         "CAMELLIA128",
                         "CAMELLIA256",
                         "CAMELLIA",
                         "CHACHA20",
                         "SEED",
                         "MD5",
                         "SHA1",
                         "SHA",
                         "SHA256",
                         "SHA384",
                         "SUITEB128",
                         "SUITEB128ONLY",
                         "SUITEB192"};

}  // namespace

TEST(CipherList, SeedExampleAndDefaultsAreValid) {
  EXPECT_EQ(error_of("RSA:!aNULL:!eNULL"), "");
  EXPECT_EQ(error_of("DEFAULT"), "");
  EXPECT_EQ(error_of("HIGH:MEDIUM:AES:@STRENGTH"), "");
  EXPECT_EQ(error_of(""), "");
  EXPECT_EQ(error_of("   "), "");
}

TEST(CipherList, EveryTable6KeywordIsAcceptedWithEachOperator) {
  for (const char* k : kTable6) {
    for (const char* op : {"!", "-", "+"}) {
      std::string list = std::string("HIGH:") + op + k;
      std::string k_s = k;
      bool removes_everything = (k_s == "ALL" || k_s == "HIGH") && std::string(op) != "+";
      if (removes_everything)  // valid syntax, but nothing is left: OpenSSL's verdict, named
        EXPECT_NE(error_of(list).find("OpenSSL rejects \"" + list + "\""), std::string::npos) << list;
      else
        EXPECT_EQ(error_of(list), "") << list;
    }
    // Alone, a keyword may select nothing usable here (MEDIUM, SEED, aNULL…): then the error
    // must come from OpenSSL's verdict, never from the table check.
    std::string alone = error_of(k);
    EXPECT_EQ(alone.find("table 6"), std::string::npos) << k << ": " << alone;
  }
}

TEST(CipherList, OperatorsSeparatorsAndCommands) {
  EXPECT_EQ(error_of("kRSA+AESGCM"), "");
  EXPECT_EQ(error_of("HIGH, !aNULL  !MD5"), "");
  EXPECT_EQ(error_of("ECDHE:-SHA1:+AES128:@STRENGTH"), "");
  EXPECT_EQ(error_of("HIGH:@SECLEVEL=1"), "");
  EXPECT_EQ(error_of("HIGH::AES"), "");
  EXPECT_NE(error_of("HIGH:@SECLEVEL=6").find("'@SECLEVEL=6' (element 2, offset 5)"), std::string::npos);
  EXPECT_NE(error_of("HIGH:@FOO").find("'@FOO'"), std::string::npos);
  EXPECT_NE(error_of("HIGH:!").find("operator but no cipher string"), std::string::npos);
  EXPECT_NE(error_of("AES++SHA").find("empty part"), std::string::npos);
}

TEST(CipherList, ExplicitSuiteNames) {
  EXPECT_EQ(error_of("ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA"), "");
  // The seed writes IANA names; OpenSSL wants its own, and the error says which one.
  std::string e = error_of("ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  EXPECT_NE(e.find("ECDHE-RSA-AES256-GCM-SHA384"), std::string::npos) << e;
  e = error_of("HIGH:TLS_RSA_WITH_AES_128_CBC_SHA");
  EXPECT_NE(e.find("AES128-SHA"), std::string::npos) << e;
}

TEST(CipherList, UnsupportedStringIsNamedWithItsPosition) {
  std::string e = error_of("RSA:3DES:!aNULL");
  EXPECT_NE(e.find("'3DES' (element 2, offset 4)"), std::string::npos) << e;
  e = error_of("RSA:!RC4");
  EXPECT_NE(e.find("'!RC4'"), std::string::npos) << e;
  e = error_of("kRSA+PSK");
  EXPECT_NE(e.find("contains 'PSK'"), std::string::npos) << e;
  e = error_of("hIGH");
  EXPECT_NE(e.find("case-sensitive: HIGH"), std::string::npos) << e;
}

TEST(CipherList, FrenchTranslationsAreRefusedWithTheKeywordToUse) {
  EXPECT_NE(error_of("TOUT").find("write ALL"), std::string::npos);
  EXPECT_NE(error_of("DÉFAUT").find("write DEFAULT"), std::string::npos);
  EXPECT_NE(error_of("PAR DÉFAUT").find("write DEFAULT"), std::string::npos);
  EXPECT_NE(error_of("ÉLEVÉ:!aNULL").find("write HIGH"), std::string::npos);
  EXPECT_NE(error_of("HIGH:MOYEN").find("write MEDIUM"), std::string::npos);
  EXPECT_NE(error_of("Les").find("ECDHE or EECDH"), std::string::npos);
  EXPECT_NE(error_of("TLSv 1.2").find("without a space"), std::string::npos);
}

TEST(CipherList, DefaultMustComeFirst) {
  EXPECT_EQ(error_of("DEFAULT:!SHA1"), "");
  EXPECT_NE(error_of("AES256-SHA:DEFAULT").find("DEFAULT must be the first element"), std::string::npos);
  EXPECT_NE(error_of("!DEFAULT").find("DEFAULT must be the first element"), std::string::npos);
}

TEST(CipherList, OpenSslMustSelectAUsableSuite) {
  // MEDIUM is in table 6 but OpenSSL 3 has no MEDIUM suite left.
  std::string e = error_of("MEDIUM");
  EXPECT_NE(e.find("OpenSSL rejects"), std::string::npos) << e;
  // Anonymous suites exist but no security level ≥ 1 lets them be used.
  e = error_of("aNULL");
  EXPECT_NE(e.find("no TLS 1.2 cipher suite usable"), std::string::npos) << e;
  EXPECT_EQ(error_of("aNULL:@SECLEVEL=0"), "");
}

TEST(TlsPolicy, EmptyListGivesEachApplicationItsSeedDefault) {
  TlsPolicy p({""});
  EXPECT_FALSE(p.configured_list_applies());
  EXPECT_FALSE(p.cipher_list_error());
  EXPECT_EQ(p.cipher_list(TlsApp::web_server),
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:AES128-SHA:DES-CBC3-SHA");
  EXPECT_EQ(p.cipher_list(TlsApp::xmpp), "HIGH:MEDIUM:AES:@STRENGTH");
  EXPECT_EQ(p.cipher_list(TlsApp::sip), "DEFAULT");
  EXPECT_EQ(p.cipher_list(TlsApp::tr069), "DEFAULT");
  EXPECT_EQ(p.cipher_list(TlsApp::provisioning), "DEFAULT");
  EXPECT_EQ(p.cipher_list(TlsApp::ldaps), "DEFAULT");
}

TEST(TlsPolicy, EveryDefaultIsAcceptedByOpenSsl) {
  TlsPolicy p;
  for (TlsApp app : kAllApps) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
    std::string list = p.cipher_list(app);
    EXPECT_EQ(SSL_CTX_set_cipher_list(ctx.get(), list.c_str()), 1) << app_name(app) << ": " << list;
  }
}

TEST(TlsPolicy, ValidListAppliesToEveryApplication) {
  TlsPolicy p({"RSA:!aNULL:!eNULL"});
  EXPECT_TRUE(p.configured_list_applies());
  for (TlsApp app : kAllApps) EXPECT_EQ(p.cipher_list(app), "RSA:!aNULL:!eNULL") << app_name(app);
}

TEST(TlsPolicy, InvalidListFallsBackAndIsReportedOnce) {
  testing::internal::CaptureStderr();
  TlsPolicy p({"RSA:TOUT"});
  for (int round = 0; round < 3; ++round)
    for (TlsApp app : kAllApps) (void)p.cipher_list(app);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(p.configured_list_applies());
  ASSERT_TRUE(p.cipher_list_error());
  EXPECT_NE(p.cipher_list_error()->message().find("'TOUT'"), std::string::npos);
  EXPECT_EQ(p.cipher_list(TlsApp::xmpp), "HIGH:MEDIUM:AES:@STRENGTH");
  EXPECT_EQ(p.cipher_list(TlsApp::sip), "DEFAULT");
  std::size_t n = 0;
  for (std::size_t pos = 0; (pos = err.find("TLS_Cipher_List", pos)) != std::string::npos; ++pos) ++n;
  EXPECT_EQ(n, 1u) << err;
  EXPECT_NE(err.find("'TOUT'"), std::string::npos) << err;
}

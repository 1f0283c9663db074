// SPDX-License-Identifier: Apache-2.0
// libopenconnect's debug lines (as ocserv's replies make it print them) through redact().
#include "vpn/redact.h"

#include <gtest/gtest.h>

namespace phonesec::vpn {
namespace {

TEST(VpnRedact, CookieValuesElidedAttributesKept) {
  EXPECT_EQ(redact("Set-Cookie: webvpncontext=ADGHLE77TivkNvFgsXGtLqHJ=; Max-Age=300; Secure; HttpOnly", {}),
            "Set-Cookie: webvpncontext=<elided>; Max-Age=300; Secure; HttpOnly");
  EXPECT_EQ(redact("Set-Cookie: webvpnc=bu:/&p:t&iu:1/&sh:F7E3DEDE35F8; path=/; Secure; HttpOnly", {}),
            "Set-Cookie: webvpnc=<elided>; path=/; Secure; HttpOnly");
  // An emptied cookie stays visibly empty.
  EXPECT_EQ(redact("Set-Cookie: webvpncontext=; expires=Thu, 01 Jan 1970 22:00:00 GMT; path=/", {}),
            "Set-Cookie: webvpncontext=; expires=Thu, 01 Jan 1970 22:00:00 GMT; path=/");
  EXPECT_EQ(redact("cookie: webvpn=abc; webvpnc=def", {}), "cookie: webvpn=<elided>; webvpnc=<elided>");
}

TEST(VpnRedact, DtlsSessionHeaders) {
  EXPECT_EQ(redact("X-DTLS-App-ID: 2320434d155064594c2b", {}), "X-DTLS-App-ID: <elided>");
  EXPECT_EQ(redact("X-DTLS-Master-Secret: 00112233", {}), "X-DTLS-Master-Secret: <elided>");
  EXPECT_EQ(redact("X-DTLS12-Session-ID: ffee", {}), "X-DTLS12-Session-ID: <elided>");
  EXPECT_EQ(redact("X-DTLS-Port: 443", {}), "X-DTLS-Port: 443");
}

TEST(VpnRedact, SecretsAnywhere) {
  std::string pw = "hunter2", cookie = "C00KIE";
  EXPECT_EQ(redact("posting hunter2 and hunter2 with C00KIE", {&pw, &cookie}), "posting ******** and ******** with ********");
  std::string empty;
  EXPECT_EQ(redact("nothing to hide", {&empty, nullptr}), "nothing to hide");
}

}  // namespace
}  // namespace phonesec::vpn

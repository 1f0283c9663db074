// SPDX-License-Identifier: Apache-2.0
#include "prov/macros.h"

#include <gtest/gtest.h>

using namespace phonesec::prov;

namespace {
MacroTable table() {
  DeviceInfo d{"CP-8851-3PCC", "8851", "00:0E:08:AB:CD:EF", "FCH1234ABCD", true, "12.0.1", "1", "10.0.0.9"};
  RequestInfo r{"https", "prov.test", "192.0.2.7", "/cfg/a.xml", "HTTP 404", 8443};
  return macro_table(d, r);
}
}  // namespace

TEST(Macros, ExpandsEveryProvisioningMacro) {
  auto t = table();
  EXPECT_EQ(expand("$PN $PSN $MA $MAU $MAC $SN $CCERT", t),
            "CP-8851-3PCC 8851 000e08abcdef 000E08ABCDEF 00:0e:08:ab:cd:ef FCH1234ABCD Installed");
  EXPECT_EQ(expand("$SCHEME://$SERV:$PORT$PATH via $SERVIP: $ERR", t),
            "https://prov.test:8443/cfg/a.xml via 192.0.2.7: HTTP 404");
  EXPECT_EQ(expand("$SWVER/$HWVER/$IP", t), "12.0.1/1/10.0.0.9");
}

TEST(Macros, DollarDollarParenthesesUnknownAndLongestMatch) {
  auto t = table();
  EXPECT_EQ(expand("cost $$5", t), "cost $5");
  EXPECT_EQ(expand("$(MA)x $(MAU)", t), "000e08abcdefx 000E08ABCDEF");
  EXPECT_EQ(expand("$NOPE and $", t), "$NOPE and $");
  EXPECT_EQ(expand("$MAU1", t), "000E08ABCDEF1");  // longest known prefix
  EXPECT_EQ(expand("$MAx", t), "000e08abcdefx");
  EXPECT_EQ(expand("$(UNKNOWN)", t), "$(UNKNOWN)");
}

TEST(Macros, CertificateStateAndEmptyPort) {
  DeviceInfo d;
  d.mac = "000e08abcdef";
  auto t = macro_table(d, {});
  EXPECT_EQ(expand("$CCERT|$PORT|$MAC", t), "Not Installed||00:0e:08:ab:cd:ef");
}

TEST(Macros, CcertInARulePath) {
  DeviceInfo d;
  d.client_cert_installed = true;
  auto t = macro_table(d, {});
  EXPECT_EQ(expand("/p/$CCERT.xml", t), "/p/Installed.xml");
  EXPECT_EQ(expand("$(CCERT)x", t), "Installedx");
  d.client_cert_installed = false;
  EXPECT_EQ(expand("($CCERT eq \"Installed\")", macro_table(d, {})), "(Not Installed eq \"Installed\")");
}

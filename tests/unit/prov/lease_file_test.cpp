// SPDX-License-Identifier: Apache-2.0
// Lease files (what the DHCP client hooks write) read back into DhcpReply, and the source
// chosen from them in DHCP_Option_To_Use / DHCPv6_Option_To_Use order.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/phone_config.h"
#include "prov/lease_file.h"

using namespace phonesec;
using namespace phonesec::prov;

namespace {

std::string hex(const std::string& s) {
  static const char* h = "0123456789abcdef";
  std::string o;
  for (unsigned char c : s) o += std::string{h[c >> 4], h[c & 15]};
  return o;
}

struct TmpDir {
  std::filesystem::path p = std::filesystem::temp_directory_path() / ("ps_lease." + std::to_string(getpid()));
  TmpDir() {
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
  }
  ~TmpDir() { std::filesystem::remove_all(p); }
  void put(const std::string& name, const std::string& text) const { std::ofstream(p / name) << text; }
};

const auto kV4 = config::PhoneConfig{}.prov.dhcp_options;    // 66,160,159,150,60,43,125
const auto kV6 = config::PhoneConfig{}.prov.dhcpv6_options;  // 17,160,159

}  // namespace

TEST(LeaseFile, ParsesEveryEncoding) {
  auto f = parse_lease_file("# phonesec-dhcp 1\nfamily v4\niface eth0\naddress 10.0.0.54\nmac 00:0e:08:ab:cd:ef\n"
                            "option 66 hex " + hex("tftp.prov.test") + "\n"
                            "option 150 ip 10.0.0.1 10.0.0.2\n"
                            "option 160 text https://prov.test/cfg\n"
                            "option 159 hex 0A:00:00:09\n"
                            "future-key whatever\n",
                            "eth0.v4");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_FALSE(f->reply.v6);
  EXPECT_EQ(f->iface, "eth0");
  EXPECT_EQ(f->address, "10.0.0.54");
  EXPECT_EQ(f->mac, "00:0e:08:ab:cd:ef");
  EXPECT_EQ(*source_from_option(f->reply, 66), "tftp://tftp.prov.test");
  EXPECT_EQ(f->reply.options.at(150).size(), 8u);
  EXPECT_EQ(*source_from_option(f->reply, 150), "tftp://10.0.0.1");
  EXPECT_EQ(*source_from_option(f->reply, 160), "https://prov.test/cfg");
  EXPECT_EQ(*source_from_option(f->reply, 159), "tftp://10.0.0.9");  // 4 raw bytes
}

TEST(LeaseFile, RefusesMalformedLinesNamingFileAndLine) {
  struct Case {
    const char* text;
    const char* needle;
  } cases[] = {
      {"family v4\niface e\noption 66 hex 7g\n", "x.v4:3: option 66: bad hex value"},
      {"family v4\niface e\noption 66 hex 747\n", "x.v4:3: option 66: bad hex value"},
      {"family v4\niface e\noption 66 b64 AAAA\n", "x.v4:3: option 66: encoding 'b64'"},
      {"family v4\niface e\noption 70000 hex 00\n", "x.v4:3: bad option code"},
      {"family v4\niface e\noption abc hex 00\n", "x.v4:3: bad option code"},
      {"family v4\niface e\noption 150 ip 10.0.0.300\n", "x.v4:3: option 150: bad ip value"},
      {"family v5\n", "x.v4:1: family 'v5'"},
      {"iface e\noption 66 text a\n", "x.v4: no 'family v4|v6' line"},
      {"family v6\n", "x.v4: no 'iface' line"},
  };
  for (const auto& c : cases) {
    auto f = parse_lease_file(c.text, "x.v4");
    ASSERT_FALSE(f) << c.text;
    EXPECT_NE(f.error().message().find(c.needle), std::string::npos) << f.error().message();
  }
}

TEST(LeaseFile, FormatRoundTrips) {
  LeaseFile f;
  f.iface = "eth1";
  f.address = "fd77::55";
  f.reply.v6 = true;
  f.reply.options[160] = {'h', 't', 't', 'p', ':', '/', '/', 'x'};
  f.reply.options[17] = {0, 0, 0, 9, 0, 1, 0, 0};
  auto back = parse_lease_file(format_lease_file(f), "eth1.v6");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(back->reply.v6);
  EXPECT_EQ(back->reply.options, f.reply.options);
  EXPECT_EQ(back->address, "fd77::55");
}

TEST(LeaseFile, ScanSortsAndChoosesInConfiguredOrder) {
  TmpDir d;
  d.put("eth0.v4", "family v4\niface eth0\noption 150 ip 10.0.0.1\noption 160 text http://p.test/a\n"
                   "option 252 text http://10.0.0.1/wpad.dat\noption 15 text corp.test\n");
  d.put("eth0.v6", "family v6\niface eth0\noption 160 text http://p6.test/a\n");
  d.put(".eth0.v4.123", "garbage");       // a hook's temporary: not read
  d.put("eth9.v4", "family v6\niface eth9\n");  // family does not match the name
  auto scan = scan_lease_dir(d.p.string());
  ASSERT_EQ(scan.leases.size(), 2u);
  EXPECT_FALSE(scan.leases[0].reply.v6);
  EXPECT_TRUE(scan.leases[1].reply.v6);
  ASSERT_EQ(scan.errors.size(), 1u);
  EXPECT_NE(scan.errors[0].find("eth9.v4: family v6 does not match"), std::string::npos) << scan.errors[0];

  auto c = choose_from_leases(scan.leases, kV4, kV6);  // 66 absent, 160 next
  ASSERT_TRUE(c);
  EXPECT_EQ(c->option, 160);
  EXPECT_EQ(c->url, "http://p.test/a");
  EXPECT_EQ(c->wpad_url, "http://10.0.0.1/wpad.dat");
  EXPECT_EQ(c->domain, "corp.test");
  EXPECT_EQ(c->describe(), "DHCP option 160 on eth0 (first usable of 66,160,159,150,60,43,125): http://p.test/a");
  auto tftp = choose_from_leases(scan.leases, {150, 160}, kV6);
  EXPECT_EQ(tftp->url, "tftp://10.0.0.1");
  // v4 offers nothing in this order: the v6 lease of the same interface is next.
  auto v6 = choose_from_leases(scan.leases, {66, 159}, kV6);
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(v6->url, "http://p6.test/a");
  EXPECT_FALSE(choose_from_leases(scan.leases, {66}, {17}));
  // Only one interface's files.
  EXPECT_TRUE(scan_lease_dir(d.p.string(), "eth1").leases.empty());
  EXPECT_TRUE(scan_lease_dir((d.p / "missing").string()).leases.empty());
}

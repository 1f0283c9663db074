// SPDX-License-Identifier: Apache-2.0
// The DHCP client hooks run as the clients run them: the udhcpc script with udhcpc's
// environment (decoded known options, optNN=HEX for the others) and the dhclient exit hook
// sourced with dhclient-script's new_* variables. The files they write are read back with
// read_lease_file; lease values cannot forge lines; the udhcpc script chains to the phone's
// own script; deconfig/EXPIRE remove the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "prov/lease_file.h"

using namespace phonesec;
using namespace phonesec::prov;

namespace {

const std::string kHooks = PS_SOURCE_DIR "/userspace/prov/hooks/";

struct TmpDir {
  std::filesystem::path p = std::filesystem::temp_directory_path() / ("ps_hooks." + std::to_string(getpid()));
  TmpDir() {
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
  }
  ~TmpDir() { std::filesystem::remove_all(p); }
  std::string s() const { return p.string(); }
};

// Runs `cmd` under env -i with the given assignments (each already shell-quoted).
int run(const std::string& env, const std::string& cmd) {
  return std::system(("env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin " + env + " " + cmd).c_str());
}

}  // namespace

TEST(Hooks, UdhcpcScriptWritesAndRemovesTheLeaseFile) {
  TmpDir d;
  std::string chain = d.s() + "/chain.sh";
  std::ofstream(chain) << "#!/bin/sh\necho \"$1 $interface $ip\" >> " << d.s() << "/chained\n";
  std::filesystem::permissions(chain, std::filesystem::perms::owner_all);
  // A tftp value holding a newline and a fake option line: it must stay inside option 66.
  std::string env = "PHONESEC_RUN_DIR=" + d.s() + " PHONESEC_UDHCPC_CHAIN=" + chain +
                    " interface=eth0 ip=10.77.0.55 mask=24 tftp=\"$(printf 'tftp.test\\noption 160 text http://evil')\""
                    " wpad=http://10.77.0.1/wpad.dat domain=lab.test"
                    " opt150=0a4d00010a4d0002 opt160=687474703a2f2f70726f762e74657374 opt159=zz";
  ASSERT_EQ(run(env, "sh " + kHooks + "phonesec-udhcpc.script bound"), 0);
  auto f = read_lease_file(d.s() + "/dhcp/eth0.v4");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->iface, "eth0");
  EXPECT_EQ(f->address, "10.77.0.55");
  EXPECT_EQ(std::string(f->reply.options[66].begin(), f->reply.options[66].end()),
            "tftp.test\noption 160 text http://evil");
  EXPECT_EQ(*source_from_option(f->reply, 160), "http://prov.test");  // opt160, not the forged line
  EXPECT_EQ(*source_from_option(f->reply, 150), "tftp://10.77.0.1");
  EXPECT_FALSE(f->reply.options.count(159));  // not hex: dropped
  EXPECT_EQ(*wpad_url(f->reply), "http://10.77.0.1/wpad.dat");
  EXPECT_EQ(std::string(f->reply.options[15].begin(), f->reply.options[15].end()), "lab.test");
  std::ifstream chained(d.s() + "/chained");
  std::string line;
  std::getline(chained, line);
  EXPECT_EQ(line, "bound eth0 10.77.0.55");  // the phone's own script ran with the same arguments

  ASSERT_EQ(run("PHONESEC_RUN_DIR=" + d.s() + " PHONESEC_UDHCPC_CHAIN=none interface=eth0",
                "sh " + kHooks + "phonesec-udhcpc.script deconfig"),
            0);
  EXPECT_FALSE(std::filesystem::exists(d.s() + "/dhcp/eth0.v4"));
  // No temporaries left behind.
  EXPECT_TRUE(std::filesystem::is_empty(d.s() + "/dhcp"));
  // A name that could leave the folder is refused.
  EXPECT_NE(run("PHONESEC_RUN_DIR=" + d.s() + " PHONESEC_UDHCPC_CHAIN=none interface=../x ip=1.2.3.4",
                "sh " + kHooks + "phonesec-udhcpc.script bound"),
            0);
}

TEST(Hooks, DhclientExitHookV4AndV6) {
  TmpDir d;
  std::string src = "sh -c '. " + kHooks + "phonesec-dhclient-exit-hook'";
  std::string env4 = "PHONESEC_RUN_DIR=" + d.s() +
                     " reason=BOUND interface=eth1 new_ip_address=10.0.0.7 new_tftp_server_name=tftp.test"
                     " new_phonesec_tftp_servers=10.0.0.1,10.0.0.2 new_phonesec_prov_server=0a:00:00:09"
                     " new_phonesec_prov_url=https://prov.test/cfg new_domain_name=corp.test";
  ASSERT_EQ(run(env4, src), 0);
  auto f = read_lease_file(d.s() + "/dhcp/eth1.v4");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->address, "10.0.0.7");
  EXPECT_EQ(*source_from_option(f->reply, 66), "tftp://tftp.test");
  EXPECT_EQ(f->reply.options[150].size(), 8u);
  EXPECT_EQ(*source_from_option(f->reply, 159), "tftp://10.0.0.9");  // colon hex = raw address
  EXPECT_EQ(*source_from_option(f->reply, 160), "https://prov.test/cfg");

  std::string env6 = "PHONESEC_RUN_DIR=" + d.s() +
                     " reason=BOUND6 interface=eth1 new_ip6_address=fd77::55 new_dhcp6_phonesec_prov_url=http://p6.test/x";
  ASSERT_EQ(run(env6, src), 0);
  auto g = read_lease_file(d.s() + "/dhcp/eth1.v6");
  ASSERT_TRUE(g) << g.error().message();
  EXPECT_TRUE(g->reply.v6);
  EXPECT_EQ(g->address, "fd77::55");
  EXPECT_EQ(*source_from_option(g->reply, 160), "http://p6.test/x");

  ASSERT_EQ(run("PHONESEC_RUN_DIR=" + d.s() + " reason=EXPIRE interface=eth1", src), 0);
  EXPECT_FALSE(std::filesystem::exists(d.s() + "/dhcp/eth1.v4"));
  EXPECT_TRUE(std::filesystem::exists(d.s() + "/dhcp/eth1.v6"));
  ASSERT_EQ(run("PHONESEC_RUN_DIR=" + d.s() + " reason=STOP6 interface=eth1", src), 0);
  EXPECT_FALSE(std::filesystem::exists(d.s() + "/dhcp/eth1.v6"));
}

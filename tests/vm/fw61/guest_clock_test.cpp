// SPDX-License-Identifier: Apache-2.0
// Guest side of fw61_vm (run_vm.sh runs it inside the qemu guest, never on the host): with
// the kernel's config at /boot/config-<release>, as Debian ships it, libbpf resolves CONFIG_HZ
// and the programs' clock is jiffies (bpf/lib/clock.h); without it (Debian's kernel has no
// /proc/config.gz) the programs still load and fall back to the coarse monotonic clock. Hosts
// differ in both respects, so this binary is not registered with CTest by itself.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "fw/clock.h"
#include "fw/firewall.h"

namespace phonesec::test {
namespace {

// CONFIG_HZ from the kernel's own config file; 0 when the file or the line is missing.
unsigned config_hz(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("CONFIG_HZ=", 0) == 0) return unsigned(std::stoul(line.substr(10)));
  return 0;
}

std::string config_path() {
  utsname u{};
  uname(&u);
  return std::string("/boot/config-") + u.release;
}

TEST(GuestClock, ProgramsUseJiffiesAtTheKernelsHz) {
  const unsigned hz = config_hz(config_path());
  ASSERT_NE(hz, 0u) << "no CONFIG_HZ= line in " << config_path() << " (run_vm.sh copies the kernel's config there)";
  auto f = fw::Firewall::load({});
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f.value()->clock_source(), "jiffies, CONFIG_HZ=" + std::to_string(hz));
}

// What the programs stamp is jiffies scaled by TICK_NSEC: every reading is a whole number of
// ticks (the coarse monotonic clock's readings are not), and it never goes backwards.
TEST(GuestClock, ReadingsAreWholeTicks) {
  const unsigned hz = config_hz(config_path());
  ASSERT_NE(hz, 0u) << "no CONFIG_HZ= line in " << config_path();
  const std::uint64_t tick_ns = (1000000000ull + hz / 2) / hz;
  std::uint64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    auto now = fw::bpf_clock_ns();
    ASSERT_TRUE(now.ok()) << now.error().message();
    EXPECT_EQ(*now % tick_ns, 0u) << *now << " ns is not a whole number of " << tick_ns << " ns ticks";
    EXPECT_GE(*now, last);
    last = *now;
  }
  EXPECT_GT(last, 0u);
}

// Debian's kernel without its config file (a firmware that ships neither the file nor
// IKCONFIG_PROC): libbpf has no CONFIG_HZ to read, and would refuse to load the programs at
// all unless the loader hands it one (fw::kconfig_open_opts).
TEST(GuestClock, NoKernelConfigLoadsWithTheCoarseClock) {
  struct stat st{};
  ASSERT_NE(::stat("/proc/config.gz", &st), 0) << "this kernel has /proc/config.gz: the case cannot be made";
  const std::string cfg = config_path(), hidden = "/boot/hidden-config";
  ASSERT_EQ(std::rename(cfg.c_str(), hidden.c_str()), 0) << cfg << ": " << std::strerror(errno);
  struct Restore {
    std::string from, to;
    ~Restore() { std::rename(from.c_str(), to.c_str()); }
  } restore{hidden, cfg};

  auto f = fw::Firewall::load({});
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f.value()->clock_source(), "coarse monotonic (no kernel config for libbpf to read CONFIG_HZ from)");
  auto a = fw::bpf_clock_ns();
  ASSERT_TRUE(a.ok()) << a.error().message();
  auto b = fw::bpf_clock_ns();
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_GE(*b, *a);
  EXPECT_GT(*a, 0u);
}

}  // namespace
}  // namespace phonesec::test

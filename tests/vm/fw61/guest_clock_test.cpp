// SPDX-License-Identifier: Apache-2.0
// Guest side of fw61_vm (run_vm.sh runs it inside the qemu guest, never on the host): with
// the kernel's config at /boot/config-<release>, as Debian ships it, libbpf resolves CONFIG_HZ
// and the programs' clock is jiffies (bpf/lib/clock.h). On a host without that file the
// clock is the coarse monotonic one, so this binary is not registered with CTest by itself.
#include <gtest/gtest.h>
#include <sys/utsname.h>

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

}  // namespace
}  // namespace phonesec::test

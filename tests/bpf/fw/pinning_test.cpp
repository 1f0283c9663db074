// SPDX-License-Identifier: Apache-2.0
// Pinned state across loads (what a daemon restart does): a second load adopts the pinned
// maps (flows and policy survive); a pin set that is incomplete or of another layout is
// replaced by fresh maps instead of failing the start.
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "labkit/fw_harness.h"

namespace phonesec::test {
namespace {

namespace fs = std::filesystem;
const std::string kPinDir = "/sys/fs/bpf/psfw-pintest";

class Pinning : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fw::ensure_bpffs().ok());
    (void)fw::unpin_all(kPinDir);
  }
  void TearDown() override { (void)fw::unpin_all(kPinDir); }
  std::unique_ptr<fw::Firewall> load() {
    fw::FirewallOptions o;
    o.pin_dir = kPinDir;
    auto f = fw::Firewall::load(o);
    EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().message());
    return f.ok() ? std::move(f.value()) : nullptr;
  }
  static bool all_pinned() {
    for (int i = 0; i < int(fw::MapId::count); ++i)
      if (!fs::exists(kPinDir + "/maps/" + fw::map_name(fw::MapId(i)))) return false;
    return true;
  }
  // One outbound UDP flow through the real egress program.
  static void open_flow(fw::Firewall& f) {
    auto r = fw::VerdictRunner::create(f, {L4});
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->run_dir(Build().eth().ipv4(L4, R4, IPPROTO_UDP).udp(33000, 53).done(), 1, true).ok());
  }
  static std::size_t flows(fw::Firewall& f) {
    auto fl = fw::read_flows(f.maps());
    return fl.ok() ? fl->size() : 0;
  }
};

TEST_F(Pinning, SecondLoadAdoptsFlowsAndPolicy) {
  auto a = load();
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->adopted());
  EXPECT_TRUE(all_pinned());
  auto g = fw::install_policy(a->maps(), *fw::compile(base_config(), kTr069Port).image);
  ASSERT_TRUE(g.ok());
  open_flow(*a);
  a.reset();
  auto b = load();
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->adopted());
  EXPECT_EQ(flows(*b), 1u);
  auto p = fw::active_policy(b->maps());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->generation, *g);
}

TEST_F(Pinning, IncompletePinsAreReplacedNotFatal) {
  auto a = load();
  ASSERT_TRUE(a);
  open_flow(*a);
  a.reset();
  ASSERT_EQ(::unlink((kPinDir + "/maps/ps_frag").c_str()), 0);
  auto b = load();
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->adopted());
  EXPECT_TRUE(all_pinned());
  EXPECT_EQ(flows(*b), 0u);
}

TEST_F(Pinning, PinsOfAnotherLayoutAreReplacedNotFatal) {
  auto a = load();
  ASSERT_TRUE(a);
  a.reset();
  // An older build's conntrack map: another key size.
  std::string p = kPinDir + "/maps/ps_ct_udp";
  ASSERT_EQ(::unlink(p.c_str()), 0);
  int fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "ps_ct_udp", 16, sizeof(ps_ct_val), 128, nullptr);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(bpf_obj_pin(fd, p.c_str()), 0);
  ::close(fd);
  auto b = load();
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->adopted());
  EXPECT_TRUE(all_pinned());
  open_flow(*b);
  EXPECT_EQ(flows(*b), 1u);
}

}  // namespace
}  // namespace phonesec::test

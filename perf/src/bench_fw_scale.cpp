// SPDX-License-Identifier: Apache-2.0
// bench_fw_scale: conntrack lookup cost as the tables fill — 1k flows, the configured maximum
// (cfg.xml's Firewall_TCP_Flows_Max / Firewall_UDP_Flows_Max, defaults 8192 / 16384: the
// sizes phonesecd loads) and 64k flows (tables resized to 65536 through FirewallOptions). For each point, both tables are filled from user
// space with established flows, then inbound frames are timed with BPF_PROG_TEST_RUN:
//   ct_hit_tcp / ct_hit_udp — replies of 64 flows spread over the table (mean of their runs),
//   closed_udp_miss         — UDP to a closed port from an unknown peer (the lookup misses).
// The gated figure is each cost relative to the same class at 1k flows (same run).
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <netinet/in.h>

#include <algorithm>
#include <iostream>

#include "bench_common.h"
#include "fw/clock.h"
#include "fw/firewall.h"
#include "fw/policy.h"
#include "labkit/fw_harness.h"
#include "ref_progs.h"

namespace phonesec::perf {
namespace {

using test::Build;
using test::Frame;

constexpr std::uint8_t ACK = 0x10;
constexpr std::uint16_t kRemotePort = 5061;

// Flow i: local 10.0.0.2:(10000 + i % 50000) ↔ remote 10.(100 + i / 50000).(x).(y):5061.
std::string remote_of(std::uint32_t i) {
  std::uint32_t hi = i / 50000, lo = i % 50000;
  return "10." + std::to_string(100 + hi) + "." + std::to_string(lo >> 8) + "." + std::to_string(lo & 255);
}
std::uint16_t lport_of(std::uint32_t i) { return std::uint16_t(10000 + i % 50000); }

ps_ct_key key_of(std::uint32_t i, std::uint8_t proto) {
  ps_ct_key k{};
  k.family = PS_AF_INET;
  k.proto = proto;
  k.lport = htons(lport_of(i));
  k.rport = htons(kRemotePort);
  inet_pton(AF_INET, test::L4.c_str(), k.laddr);
  inet_pton(AF_INET, remote_of(i).c_str(), k.raddr);
  return k;
}

struct Point {
  std::string name;
  std::uint32_t flows, table;
};

struct Costs {
  double hit_tcp, hit_udp, miss_udp;
  std::uint64_t present_tcp, present_udp;
};

Costs measure(const Point& pt, std::uint32_t repeat, int samples) {
  fw::FirewallOptions o;  // table 0: the sizes the test profile configures, as phonesecd would
  const auto& tun = test::base_config().fw_tunables;
  o.ct_tcp_max = tun.ct_tcp_max;
  o.ct_udp_max = tun.ct_udp_max;
  if (pt.table) o.ct_tcp_max = o.ct_udp_max = pt.table;
  auto fwr = fw::Firewall::load(o);
  if (!fwr) throw std::runtime_error(fwr.error().message());
  auto& f = *fwr.value();
  auto compiled = fw::compile(test::base_config(), test::kTr069Port);
  if (auto g = fw::install_policy(f.maps(), *compiled.image); !g) throw std::runtime_error(g.error().message());

  auto now = fw::bpf_clock_ns();  // the programs' clock: the flows are fresh to them
  if (!now) throw std::runtime_error(now.error().message());
  ps_ct_val v{};
  v.created_ns = v.last_seen_ns = now.value();
  int tcp = f.maps().fd(fw::MapId::ct_tcp), udp = f.maps().fd(fw::MapId::ct_udp);
  for (std::uint32_t i = 0; i < pt.flows; ++i) {
    ps_ct_key kt = key_of(i, IPPROTO_TCP), ku = key_of(i, IPPROTO_UDP);
    v.state = PS_CT_ESTABLISHED;
    if (bpf_map_update_elem(tcp, &kt, &v, BPF_ANY) != 0) throw std::runtime_error("fill ct_tcp");
    v.state = PS_CT_UDP;
    if (bpf_map_update_elem(udp, &ku, &v, BPF_ANY) != 0) throw std::runtime_error("fill ct_udp");
  }
  // The LRU may have evicted some while filling to the brim: sample flows still present.
  Costs c{};
  std::vector<std::uint32_t> live_tcp, live_udp;
  ps_ct_val got{};
  for (std::uint32_t i = 0; i < pt.flows; ++i) {
    ps_ct_key kt = key_of(i, IPPROTO_TCP), ku = key_of(i, IPPROTO_UDP);
    if (bpf_map_lookup_elem(tcp, &kt, &got) == 0) live_tcp.push_back(i);
    if (bpf_map_lookup_elem(udp, &ku, &got) == 0) live_udp.push_back(i);
  }
  c.present_tcp = live_tcp.size();
  c.present_udp = live_udp.size();
  if (live_tcp.empty() || live_udp.empty()) throw std::runtime_error(pt.name + ": no flow left in the tables");

  auto mean_of = [&](const std::vector<std::uint32_t>& live, bool is_tcp) {
    double sum = 0;
    for (int s = 0; s < samples; ++s) {
      std::uint32_t i = live[live.size() * std::size_t(s) / std::size_t(samples)];
      Frame fr = is_tcp ? Build().eth().ipv4(remote_of(i), test::L4, IPPROTO_TCP).tcp(kRemotePort, lport_of(i), ACK).done()
                        : Build().eth().ipv4(remote_of(i), test::L4, IPPROTO_UDP).udp(kRemotePort, lport_of(i)).done();
      auto r = test_run(f.ingress_fd(), fr, repeat, pt.name);
      if (!r) throw std::runtime_error(r.error().message());
      if (r->retval != 2) throw std::runtime_error(pt.name + ": a tracked flow's reply did not pass");
      sum += r->ns_per_pkt;
    }
    return sum / samples;
  };
  c.hit_tcp = mean_of(live_tcp, true);
  c.hit_udp = mean_of(live_udp, false);
  double miss = 0;
  for (int s = 0; s < samples; ++s) {
    Frame fr = Build().eth().ipv4("192.0.2." + std::to_string(1 + s), test::L4, IPPROTO_UDP).udp(4000, 9999).done();
    auto r = test_run(f.ingress_fd(), fr, repeat, pt.name);
    if (!r) throw std::runtime_error(r.error().message());
    if (r->retval != 1) throw std::runtime_error(pt.name + ": UDP to a closed port was not dropped");
    miss += r->ns_per_pkt;
  }
  c.miss_udp = miss / samples;
  return c;
}

int run(const Args& a) {
  const std::uint32_t repeat = a.quick ? 2000 : 100000;
  const int samples = a.quick ? 4 : 64, rounds = a.quick ? 1 : 3;
  std::string rep_env_max;
  int cpu = pin_here();
  // The configured maximum: the table sizes of the profile (TCP 8192, UDP 16384 by default);
  // that point inserts as many flows as the larger table holds, each table keeps what fits.
  const auto& tun = test::base_config().fw_tunables;
  std::vector<Point> pts = {{"1k", 1024, 0}, {"max", std::max(tun.ct_tcp_max, tun.ct_udp_max), 0}, {"64k", 65536, 65536}};
  rep_env_max = std::to_string(tun.ct_tcp_max) + " TCP / " + std::to_string(tun.ct_udp_max) + " UDP";

  Report rep("fw_scale");
  rep.env("cpu_pinned", std::to_string(cpu));
  rep.env("repeat", std::to_string(repeat));
  rep.env("samples", std::to_string(samples));
  rep.env("configured_max", rep_env_max);
  std::vector<std::vector<Costs>> all(pts.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t p = 0; p < pts.size(); ++p) {
      const Point& pt = pts[p];
      Costs c = measure(pt, repeat, samples);
      all[p].push_back(c);
      std::cerr << "round " << r + 1 << " " << pt.name << ": hit tcp " << fmt(c.hit_tcp) << " udp " << fmt(c.hit_udp)
                << " miss " << fmt(c.miss_udp) << " ns (" << c.present_tcp << "/" << c.present_udp << " flows)\n";
    }
  std::vector<std::vector<std::string>> rows;
  double base_tcp = 0, base_udp = 0, base_miss = 0;
  for (std::size_t p = 0; p < pts.size(); ++p) {
    std::vector<double> ht, hu, mu;
    for (auto& c : all[p]) ht.push_back(c.hit_tcp), hu.push_back(c.hit_udp), mu.push_back(c.miss_udp);
    double t = median(ht), u = median(hu), m = median(mu);
    const std::string& n = pts[p].name;
    rep.metric("ns.ct_hit_tcp." + n, t, "ns");
    rep.metric("ns.ct_hit_udp." + n, u, "ns");
    rep.metric("ns.closed_udp_miss." + n, m, "ns");
    rep.metric("flows_present.tcp." + n, double(all[p][0].present_tcp), "flows");
    rep.metric("flows_present.udp." + n, double(all[p][0].present_udp), "flows");
    if (p == 0) {
      base_tcp = t, base_udp = u, base_miss = m;
    } else {
      rep.ratio("ratio.ct_hit_tcp." + n + "_vs_1k", t / base_tcp, "lower", 0.10);
      rep.ratio("ratio.ct_hit_udp." + n + "_vs_1k", u / base_udp, "lower", 0.10);
      rep.ratio("ratio.closed_udp_miss." + n + "_vs_1k", m / base_miss, "lower", 0.10);
    }
    rows.push_back({n, std::to_string(pts[p].flows), std::to_string(all[p][0].present_tcp),
                    std::to_string(all[p][0].present_udp), fmt(t), fmt(u), fmt(m)});
  }
  rep.table("conntrack_scale", {"point", "flows_inserted", "tcp_present", "udp_present", "ct_hit_tcp_ns", "ct_hit_udp_ns",
                                "closed_udp_miss_ns"}, rows);
  return rep.write(a.out) ? 0 : 1;
}

}  // namespace
}  // namespace phonesec::perf

int main(int argc, char** argv) {
  auto a = phonesec::perf::parse_args(argc, argv, "bench_fw_scale",
                                      "Conntrack lookup cost at 1k flows, the configured maximum and 64k flows.");
  try {
    return phonesec::perf::run(a);
  } catch (const std::exception& e) {
    std::cerr << "bench_fw_scale: " << e.what() << "\n";
    return 1;
  }
}

// SPDX-License-Identifier: Apache-2.0
// bench_fw_control: the controller's latencies with the real phonesecd on a veth in its own
// network namespace.
//   start_cold     fork+exec of phonesecd to enforcing (its status file is written after the
//                  policy is installed and XDP/TC are attached), nothing pinned before;
//   start_adopt    the same with the maps and links of the previous run pinned (restart);
//   reload         cfg.xml rewritten, SIGHUP, until the programs' active slot holds the new
//                  policy (read from the pinned maps, as `phonesec status` does).
// Side-by-side references for the gated ratios: an in-process Firewall::load (programs loaded
// and verified, the bulk of a cold start) and an in-process compile + install_policy (the
// bulk of a reload). Absolute times are recorded as info.
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_common.h"
#include "labkit/binaries.h"
#include "config/phone_config.h"
#include "fw/firewall.h"
#include "fw/mapset.h"
#include "fw/policy.h"
#include "labkit/fw_harness.h"

namespace phonesec::perf {
std::string g_log;
namespace {

namespace fs = std::filesystem;
const std::string kNs = "pspctl", kIf = "pspc0", kPeerIf = "pspc1", kPin = "/sys/fs/bpf/psperf-ctl";

std::string profile(const std::string& fw_config) {
  return "<flat-profile>\n"
         "  <Firewall ua=\"na\">Enabled</Firewall>\n"
         "  <Firewall_Config ua=\"na\">" + fw_config + "</Firewall_Config>\n"
         "  <Line_Enable_1_ ua=\"na\">Yes</Line_Enable_1_>\n"
         "  <SIP_Port_1_ ua=\"na\">5060</SIP_Port_1_>\n"
         "  <SIP_Transport_1_ ua=\"na\">UDP</SIP_Transport_1_>\n"
         "</flat-profile>\n";
}

struct Lab {
  fs::path dir;
  Lab() {
    cleanup();
    if (sh("ip netns add " + kNs + " && ip -n " + kNs + " link add " + kIf + " type veth peer name " + kPeerIf +
           " && ip -n " + kNs + " link set " + kIf + " up && ip -n " + kNs + " link set " + kPeerIf + " up") != 0)
      throw std::runtime_error("lab setup (ip netns / veth) failed");
    char tmpl[] = "/tmp/psperf-ctl.XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    dir = tmpl;
  }
  ~Lab() {
    cleanup();
    std::error_code ec;
    if (std::uncaught_exceptions()) {
      g_log = slurp((dir / "phonesecd.log").string());
    }
    fs::remove_all(dir, ec);
  }
  static void cleanup() {
    (void)fw::unpin_all(kPin);
    sh("ip netns del " + kNs + " 2>/dev/null");
  }
  std::string cfg() const { return (dir / "cfg.xml").string(); }
  std::string run_dir() const { return (dir / "run").string(); }
  void write_cfg(const std::string& xml) const {
    std::ofstream f(cfg() + ".tmp", std::ios::trunc);
    f << xml;
    f.close();
    fs::rename(cfg() + ".tmp", cfg());  // atomic, as a provisioning client should
  }
};

// phonesecd in the lab namespace, logs to a file; stopped (SIGTERM) on destruction.
class Daemon {
 public:
  explicit Daemon(const Lab& lab) {
    std::string log = (lab.dir / "phonesecd.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      // The child only enters the namespace and execs: no exception may escape into a copy of
      // the benchmark.
      int ns = open(("/run/netns/" + kNs).c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) _exit(126);
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
      execl(test::kDaemon.c_str(), test::kDaemon.c_str(), "--config", lab.cfg().c_str(), "--iface", kIf.c_str(), "--pin-dir",
            kPin.c_str(), "--run-dir", lab.run_dir().c_str(), nullptr);
      _exit(127);
    }
    if (pid_ < 0) throw std::runtime_error("fork");
  }
  ~Daemon() {
    kill(pid_, SIGTERM);
    int st;
    waitpid(pid_, &st, 0);
  }
  pid_t pid() const { return pid_; }
  bool alive() const { return waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

// Polls `done` every 50 µs for up to 10 s; returns the elapsed ms, or throws naming `what`.
template <typename F>
double wait_ms(std::uint64_t t0, F done, const std::string& what, const Daemon* d = nullptr) {
  while (!done()) {
    if (d && !d->alive()) throw std::runtime_error(what + ": phonesecd exited");
    if (now_ns() - t0 > 10'000'000'000ull) throw std::runtime_error(what + ": timed out after 10 s");
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  return double(now_ns() - t0) / 1e6;
}

double start_once(const Lab& lab, bool cold) {
  if (cold) (void)fw::unpin_all(kPin);
  std::error_code ec;
  fs::remove(lab.run_dir() + "/status.json", ec);
  std::uint64_t t0 = now_ns();
  Daemon d(lab);
  double ms = wait_ms(t0, [&] { return fs::exists(lab.run_dir() + "/status.json"); }, "daemon start", &d);
  if (!fs::exists(kPin + "/links/" + kIf + "_xdp")) throw std::runtime_error("daemon enforcing without a pinned XDP link");
  return ms;
}

std::vector<double> reloads(const Lab& lab, int n) {
  std::vector<double> out;
  std::error_code ec;
  fs::remove(lab.run_dir() + "/status.json", ec);  // a stale one would make us signal too early
  Daemon d(lab);
  auto t0 = now_ns();
  wait_ms(t0, [&] { return fs::exists(lab.run_dir() + "/status.json"); }, "daemon start", &d);
  auto maps = fw::MapSet::open_pinned(kPin);
  if (!maps) throw std::runtime_error(maps.error().message());
  for (int i = 0; i < n; ++i) {
    std::uint16_t port = std::uint16_t(9000 + i);
    lab.write_cfg(profile("UDP:" + std::to_string(port)));
    auto before = fw::active_policy(*maps);
    if (!before) throw std::runtime_error(before.error().message());
    std::uint32_t gen = before->generation;
    std::uint64_t t = now_ns();
    kill(d.pid(), SIGHUP);
    out.push_back(wait_ms(t, [&] {
      auto p = fw::active_policy(*maps);
      return p && p->generation != gen;
    }, "reload", &d));
    auto after = fw::active_policy(*maps);
    if (!after || !fw::port_open(after->udp_ports, port)) {
      std::string open;
      if (after)
        for (auto [lo, hi] : fw::ranges_of(after->udp_ports)) open += " " + std::to_string(lo) + "-" + std::to_string(hi);
      throw std::runtime_error("reload did not open UDP " + std::to_string(port) + "; open:" + open + "; cfg: " + slurp(lab.cfg()));
    }
  }
  return out;
}

int run(const Args& a) {
  const int n = a.quick ? 2 : 15;
  Lab lab;
  lab.write_cfg(profile(""));

  std::vector<double> cold, adopt, reload, ref_load, ref_install;
  for (int i = 0; i < n; ++i) {
    cold.push_back(start_once(lab, true));
    adopt.push_back(start_once(lab, false));
    std::uint64_t t0 = now_ns();
    auto f = fw::Firewall::load({});
    if (!f) throw std::runtime_error(f.error().message());
    ref_load.push_back(double(now_ns() - t0) / 1e6);
    t0 = now_ns();
    auto c = fw::compile(test::base_config(), test::kTr069Port);
    if (auto g = fw::install_policy(f.value()->maps(), *c.image); !g) throw std::runtime_error(g.error().message());
    ref_install.push_back(double(now_ns() - t0) / 1e6);
  }
  reload = reloads(lab, n);

  Report rep("fw_control");
  rep.env("runs", std::to_string(n));
  rep.env("xdp_mode", "native on veth (the daemon's default)");
  struct Row {
    std::string name;
    std::vector<double>* v;
  };
  std::vector<std::vector<std::string>> rows;
  for (Row r : {Row{"start_cold", &cold}, Row{"start_adopt", &adopt}, Row{"reload", &reload},
                Row{"ref_inprocess_load", &ref_load}, Row{"ref_inprocess_install", &ref_install}}) {
    auto v = *r.v;
    std::sort(v.begin(), v.end());
    double med = median(v), p90 = v[std::min(v.size() - 1, v.size() * 9 / 10)];
    rep.metric("ms." + r.name + ".median", med, "ms");
    rep.metric("ms." + r.name + ".p90", p90, "ms");
    rows.push_back({r.name, fmt(med, 3), fmt(p90, 3), fmt(v.front(), 3), fmt(v.back(), 3)});
  }
  double ml = median(ref_load), mi = median(ref_install);
  // Tolerances: process start and signal delivery are scheduler-bound, noisier than test runs.
  rep.ratio("ratio.start_cold_vs_inprocess_load", median(cold) / ml, "lower", 0.5);
  rep.ratio("ratio.start_adopt_vs_inprocess_load", median(adopt) / ml, "lower", 0.5);
  rep.metric("ratio.reload_vs_inprocess_install", median(reload) / mi, "x").note =
      "info: the in-process install takes tens of microseconds, the ratio is dominated by the signal wake-up";
  rep.table("control_latency_ms", {"what", "median_ms", "p90_ms", "min_ms", "max_ms"}, rows);
  return rep.write(a.out) ? 0 : 1;
}

}  // namespace
}  // namespace phonesec::perf

int main(int argc, char** argv) {
  auto a = phonesec::perf::parse_args(argc, argv, "bench_fw_control",
                                      "phonesecd start to enforcing (cold, adopting pins) and cfg.xml reload to the "
                                      "new policy live.");
  try {
    return phonesec::perf::run(a);
  } catch (const std::exception& e) {
    std::cerr << "bench_fw_control: " << e.what() << " (phonesecd's log: " << phonesec::perf::g_log << ")\n";
    return 1;
  }
}

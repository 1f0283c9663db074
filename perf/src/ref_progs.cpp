// SPDX-License-Identifier: Apache-2.0
#include "ref_progs.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstring>
#include <filesystem>

#include "bench_common.h"
#include "perf_lru_ref.skel.h"
#include "perf_tc_pass.skel.h"
#include "xdp_pass.skel.h"

namespace phonesec::perf {
namespace {

// xdp-filter's map flags (xdp-tools common_kern_user.h).
constexpr std::uint64_t kFlagDst = 1u << 1, kFlagTcp = 1u << 2, kFlagUdp = 1u << 3;

}  // namespace

Result<std::unique_ptr<RefProgs>> RefProgs::load() {
  std::unique_ptr<RefProgs> r(new RefProgs());
  r->pass_ = xdp_pass__open_and_load();
  if (!r->pass_) return make_error(Errc::bpf, "load xdp_pass", errno);
  r->lru_ = perf_lru_ref__open_and_load();
  if (!r->lru_) return make_error(Errc::bpf, "load perf/bpf/lru_ref", errno);
  r->tc_ = perf_tc_pass__open_and_load();
  if (!r->tc_) return make_error(Errc::bpf, "load perf/bpf/tc_pass", errno);

  if (!std::filesystem::exists(kXdpFilterObj)) {
    r->filt_why_ = std::string(kXdpFilterObj) + " missing (Debian package libxdp1, pulled by xdp-tools)";
    return r;
  }
  r->filt_ = bpf_object__open_file(kXdpFilterObj, nullptr);
  if (!r->filt_) {
    r->filt_why_ = std::string("open ") + kXdpFilterObj + " failed";
    return r;
  }
  // Its maps ask to be pinned by name under /sys/fs/bpf: keep them private.
  bpf_map* m;
  bpf_object__for_each_map(m, r->filt_) bpf_map__set_pin_path(m, nullptr);
  if (int err = bpf_object__load(r->filt_)) {
    r->filt_why_ = std::string("load ") + kXdpFilterObj + " failed (" + std::to_string(err) + ")";
    bpf_object__close(r->filt_);
    r->filt_ = nullptr;
    return r;
  }
  bpf_program* p = bpf_object__next_program(r->filt_, nullptr);
  r->filt_fd_ = p ? bpf_program__fd(p) : -1;
  return r;
}

RefProgs::~RefProgs() {
  if (filt_) bpf_object__close(filt_);
  if (tc_) perf_tc_pass__destroy(tc_);
  if (lru_) perf_lru_ref__destroy(lru_);
  if (pass_) xdp_pass__destroy(pass_);
}

int RefProgs::pass_fd() const { return bpf_program__fd(pass_->progs.ps_xdp_pass); }
int RefProgs::lru_fd() const { return bpf_program__fd(lru_->progs.ps_lru_ref); }
int RefProgs::tc_pass_fd() const { return bpf_program__fd(tc_->progs.ps_tc_pass); }

Status RefProgs::lru_insert(const test::Frame& f) {
  ps_ct_key k{};
  ps_ct_val v{};
  if (f.size() < 14 + 44) return make_error(Errc::invalid_argument, "lru_insert: frame too short");
  std::uint16_t et = std::uint16_t(f[12] << 8 | f[13]);
  const std::uint8_t* p = f.data() + 14;
  if (et == 0x0800) {
    k.family = PS_AF_INET;
    k.proto = p[9];
    std::memcpy(k.raddr, p + 12, 4);
    std::memcpy(k.laddr, p + 16, 4);
    std::memcpy(&k.rport, p + 20, 2);
    std::memcpy(&k.lport, p + 22, 2);
  } else if (et == 0x86dd) {
    k.family = PS_AF_INET6;
    k.proto = p[6];
    std::memcpy(k.raddr, p + 8, 16);
    std::memcpy(k.laddr, p + 24, 16);
    std::memcpy(&k.rport, p + 40, 2);
    std::memcpy(&k.lport, p + 42, 2);
  } else {
    return make_error(Errc::invalid_argument, "lru_insert: not an untagged IP frame");
  }
  if (bpf_map_update_elem(bpf_map__fd(lru_->maps.ref_lru), &k, &v, BPF_ANY) != 0)
    return sys_error("lru_ref: insert key");
  return {};
}

Status RefProgs::xdp_filter_open(const ps_policy& pol) {
  if (!filt_) return make_error(Errc::state, "xdp-filter not loaded: " + filt_why_);
  bpf_map* m = bpf_object__find_map_by_name(filt_, "filter_ports");
  if (!m) return make_error(Errc::not_found, "xdp-filter map filter_ports");
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return make_error(Errc::system, "libbpf_num_possible_cpus", -ncpu);
  std::vector<std::uint64_t> val(static_cast<std::size_t>(ncpu));
  for (std::uint32_t port = 0; port < 65536; ++port) {
    std::uint64_t flags = 0;
    if ((pol.udp_ports[port >> 6] >> (port & 63)) & 1) flags |= kFlagDst | kFlagUdp;
    if ((pol.tcp_ports[port >> 6] >> (port & 63)) & 1) flags |= kFlagDst | kFlagTcp;
    if (!flags) continue;
    std::fill(val.begin(), val.end(), flags);
    std::uint32_t key = htons(std::uint16_t(port));  // the program keys by the header's dest
    if (bpf_map_update_elem(bpf_map__fd(m), &key, val.data(), BPF_ANY) != 0)
      return sys_error("xdp-filter: open port " + std::to_string(port));
  }
  return {};
}

Result<RunResult> test_run(int prog_fd, const test::Frame& f, std::uint32_t repeat, const std::string& what) {
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.data(), .data_size_in = std::uint32_t(f.size()), .repeat = int(repeat));
  if (bpf_prog_test_run_opts(prog_fd, &o) != 0)
    return make_error(Errc::bpf, "BPF_PROG_TEST_RUN " + what, errno);
  return RunResult{double(o.duration), int(o.retval)};
}

}  // namespace phonesec::perf

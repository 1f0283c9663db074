// SPDX-License-Identifier: Apache-2.0
#include "fw/verdict.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>

#include <cstring>
#include <sstream>

namespace phonesec::fw {
namespace {

// Source address of an IP frame (after up to two VLAN tags); empty if not IP.
std::vector<std::uint8_t> source_of(const std::vector<std::uint8_t>& f, int& family) {
  std::size_t off = 12;
  family = 0;
  for (int i = 0; i < 3; ++i) {
    if (f.size() < off + 2) return {};
    std::uint16_t et = std::uint16_t(f[off] << 8 | f[off + 1]);
    if (et == 0x8100 || et == 0x88a8 || et == 0x9100) { off += 4; continue; }
    off += 2;
    if (et == 0x0800 && f.size() >= off + 16) {
      family = 4;
      return {f.begin() + off + 12, f.begin() + off + 16};
    }
    if (et == 0x86dd && f.size() >= off + 24) {
      family = 6;
      return {f.begin() + off + 8, f.begin() + off + 24};
    }
    return {};
  }
  return {};
}

}  // namespace

Result<VerdictRunner> VerdictRunner::create(Firewall& fw, const std::vector<std::string>& local) {
  VerdictRunner r;
  r.fw_ = &fw;
  for (const auto& a : local) {
    std::uint8_t buf[16];
    if (inet_pton(AF_INET, a.c_str(), buf) == 1) r.v4_.emplace_back(buf, buf + 4);
    else if (inet_pton(AF_INET6, a.c_str(), buf) == 1) r.v6_.emplace_back(buf, buf + 16);
    else return make_error(Errc::invalid_argument, "--local: '" + a + "' is not an IPv4 or IPv6 address");
  }
  auto s = read_stats(fw.maps());
  if (!s) return s.error();
  r.last_ = std::move(s.value());
  return r;
}

bool VerdictRunner::is_local_source(const std::vector<std::uint8_t>& frame) const {
  int fam;
  auto src = source_of(frame, fam);
  const auto& set = fam == 4 ? v4_ : v6_;
  for (const auto& a : set)
    if (a == src) return true;
  return false;
}

Result<FrameVerdict> VerdictRunner::run(const std::vector<std::uint8_t>& frame, std::size_t index) {
  return run_dir(frame, index, is_local_source(frame));
}

Result<FrameVerdict> VerdictRunner::run_dir(const std::vector<std::uint8_t>& frame, std::size_t index, bool out, bool l3) {
  std::vector<std::uint8_t> data_out(frame.size() + 512);
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data(), .data_out = data_out.data(),
              .data_size_in = std::uint32_t(frame.size()), .data_size_out = std::uint32_t(data_out.size()),
              .repeat = 1);
  int fd = l3 ? (out ? fw_->egress_l3_fd() : fw_->ingress_l3_fd()) : (out ? fw_->egress_fd() : fw_->ingress_fd());
  if (bpf_prog_test_run_opts(fd, &o) != 0)
    return make_error(Errc::bpf, "BPF_PROG_TEST_RUN on frame " + std::to_string(index), errno);
  auto now = read_stats(fw_->maps());
  if (!now) return now.error();
  FrameVerdict v{index, out, false, PS_R_NONE};
  const unsigned base = out ? PS_DIR_OUT * PS_R_MAX : PS_DIR_IN * PS_R_MAX;
  for (unsigned r = 0; r < PS_R_MAX; ++r)
    if (now.value()[base + r].packets != last_[base + r].packets) v.reason = r;
  last_ = std::move(now.value());
  // XDP: 1 = XDP_DROP, 2 = XDP_PASS. TC: 2 = TC_ACT_SHOT, anything else passes.
  v.pass = out ? o.retval != 2 : o.retval == 2;
  return v;
}

std::string format_verdict(const FrameVerdict& v, bool json) {
  std::ostringstream os;
  const char* verdict = v.pass ? "PASS" : "DROP";
  if (json)
    os << "{\"index\":" << v.index << ",\"dir\":\"" << (v.out ? "out" : "in") << "\",\"verdict\":\"" << verdict
       << "\",\"reason\":\"" << reason_name(v.reason) << "\",\"reason_code\":" << v.reason << "}";
  else
    os << v.index << " " << (v.out ? "out" : "in ") << " " << verdict << " " << reason_name(v.reason);
  return os.str();
}

}  // namespace phonesec::fw

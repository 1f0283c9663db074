// SPDX-License-Identifier: Apache-2.0
#include "fw/clock.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "bpfclock.skel.h"

namespace phonesec::fw {

Result<std::uint64_t> bpf_clock_ns() {
  std::unique_ptr<bpfclock, decltype(&bpfclock__destroy)> skel(bpfclock__open_and_load(), bpfclock__destroy);
  if (!skel) return make_error(Errc::bpf, "load the clock program (bpf/clock.bpf.c)", errno);
  std::array<std::uint8_t, 64> in{}, out{};  // an Ethernet-sized frame; the program writes 8 bytes
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(), .data_out = out.data(),
              .data_size_in = std::uint32_t(in.size()), .data_size_out = std::uint32_t(out.size()));
  if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.ps_clock), &o) != 0)
    return sys_error("test-run the clock program");
  if (o.retval != 2 /* XDP_PASS */ || o.data_size_out < 8)
    return make_error(Errc::bpf, "the clock program returned " + std::to_string(o.retval));
  std::uint64_t ns;
  std::memcpy(&ns, out.data(), sizeof ns);
  return ns;
}

}  // namespace phonesec::fw

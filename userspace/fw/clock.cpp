// SPDX-License-Identifier: Apache-2.0
#include "fw/clock.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "bpfclock.skel.h"

namespace phonesec::fw {

namespace {

// The two places libbpf looks for the kernel's config (bpf_object__read_kconfig_file).
bool system_kconfig_opens() {
  utsname u{};
  uname(&u);
  for (const std::string& path : {std::string("/boot/config-") + u.release, std::string("/proc/config.gz")}) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
  }
  return false;
}

}  // namespace

bpf_object_open_opts kconfig_open_opts() {
  LIBBPF_OPTS(bpf_object_open_opts, o);
  if (!system_kconfig_opens()) o.kconfig = "CONFIG_HZ=0\n";
  return o;
}

Result<std::uint64_t> bpf_clock_ns() {
  const auto opts = kconfig_open_opts();
  std::unique_ptr<bpfclock, decltype(&bpfclock__destroy)> skel(bpfclock__open_opts(&opts), bpfclock__destroy);
  if (!skel || bpfclock__load(skel.get()) != 0)
    return make_error(Errc::bpf, "load the clock program (bpf/clock.bpf.c)", errno);
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

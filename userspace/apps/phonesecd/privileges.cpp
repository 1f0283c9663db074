// SPDX-License-Identifier: Apache-2.0
#include "phonesecd/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

namespace phonesec::daemon {

int drop_privileges(const Privileges& p) {
  std::uint64_t keep = 0;
  for (int c : p.caps) keep |= 1ull << c;
  // Root's uid must not bring the capabilities back across exec, nor a setuid change drop
  // the ones we keep. Needs CAP_SETPCAP, held until the capset below.
  if (prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                   SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NOROOT | SECBIT_NOROOT_LOCKED) != 0)
    return errno;
  for (int c = 0; c <= CAP_LAST_CAP; ++c)
    if (!(keep & (1ull << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  if (p.uid != 0 || p.gid != 0) {
    if (setgroups(0, nullptr) != 0) return errno;
    if (setresgid(p.gid, p.gid, p.gid) != 0) return errno;
    if (setresuid(p.uid, p.uid, p.uid) != 0) return errno;
  }
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].effective = data[0].permitted = data[0].inheritable = std::uint32_t(keep);
  data[1].effective = data[1].permitted = data[1].inheritable = std::uint32_t(keep >> 32);
  if (syscall(SYS_capset, &hdr, data) != 0) return errno;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) return errno;
  for (int c : p.caps)
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0) return errno;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  return 0;
}

int restrict_self(const std::vector<int>& caps) {
  std::uint64_t keep = 0;
  for (int c : caps) keep |= 1ull << c;
  for (int c = 0; c <= CAP_LAST_CAP; ++c)
    if (!(keep & (1ull << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) return errno;
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return errno;
  data[0].effective &= std::uint32_t(keep);
  data[0].permitted &= std::uint32_t(keep);
  data[1].effective &= std::uint32_t(keep >> 32);
  data[1].permitted &= std::uint32_t(keep >> 32);
  data[0].inheritable = data[1].inheritable = 0;
  if (syscall(SYS_capset, &hdr, data) != 0) return errno;
  return 0;
}

const std::vector<int>& controller_caps() {
  static const std::vector<int> caps{CAP_BPF,    CAP_PERFMON, CAP_NET_ADMIN, CAP_NET_RAW,  CAP_NET_BIND_SERVICE,
                                     CAP_SETUID, CAP_SETGID,  CAP_SETPCAP,   CAP_CHOWN,    CAP_DAC_OVERRIDE,
                                     CAP_FOWNER, CAP_KILL,    CAP_SYS_RESOURCE};
  return caps;
}

std::string cap_names(const std::vector<int>& caps) {
  std::string s;
  for (int c : caps) {
    const char* n = c == CAP_NET_RAW ? "cap_net_raw" : c == CAP_NET_ADMIN ? "cap_net_admin"
                  : c == CAP_NET_BIND_SERVICE ? "cap_net_bind_service" : c == CAP_BPF ? "cap_bpf"
                  : c == CAP_PERFMON ? "cap_perfmon" : c == CAP_SETUID ? "cap_setuid" : c == CAP_SETGID ? "cap_setgid"
                  : c == CAP_SETPCAP ? "cap_setpcap" : c == CAP_CHOWN ? "cap_chown" : c == CAP_DAC_OVERRIDE ? "cap_dac_override"
                  : c == CAP_FOWNER ? "cap_fowner" : c == CAP_KILL ? "cap_kill" : c == CAP_SYS_RESOURCE ? "cap_sys_resource"
                  : c == CAP_SYS_ADMIN ? "cap_sys_admin" : nullptr;
    s += (s.empty() ? "" : ",") + (n ? std::string(n) : "cap_" + std::to_string(c));
  }
  return s;
}

std::string cap_names_of(long long mask) {
  if (mask < 0) return "unknown";
  std::vector<int> caps;
  for (int c = 0; c <= CAP_LAST_CAP; ++c)
    if (mask & (1ll << c)) caps.push_back(c);
  return cap_names(caps);
}

long long effective_caps(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("CapEff:", 0) == 0) return std::stoll(line.substr(7), nullptr, 16);
  return -1;
}

}  // namespace phonesec::daemon

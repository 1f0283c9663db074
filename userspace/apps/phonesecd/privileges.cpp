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

std::string cap_names(const std::vector<int>& caps) {
  std::string s;
  for (int c : caps) {
    const char* n = c == CAP_NET_RAW ? "cap_net_raw" : c == CAP_NET_ADMIN ? "cap_net_admin"
                  : c == CAP_NET_BIND_SERVICE ? "cap_net_bind_service" : c == CAP_BPF ? "cap_bpf" : nullptr;
    s += (s.empty() ? "" : ",") + (n ? std::string(n) : "cap_" + std::to_string(c));
  }
  return s;
}

long long effective_caps(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("CapEff:", 0) == 0) return std::stoll(line.substr(7), nullptr, 16);
  return -1;
}

}  // namespace phonesec::daemon

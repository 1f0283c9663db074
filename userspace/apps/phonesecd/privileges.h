// SPDX-License-Identifier: Apache-2.0
// Least privilege for workers. Called in the child between fork() and exec() of
// `phonesecd --worker NAME`: after it, the process and whatever it execs hold exactly `caps`
// (permitted = effective = ambient), no other capability can come back (bounding set dropped,
// SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP locked, no_new_privs), and it runs as uid/gid when
// given (supplementary groups cleared). Only async-signal-safe calls: it runs after fork().
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace phonesec::daemon {

struct Privileges {
  std::vector<int> caps;    // CAP_* numbers the worker keeps
  uid_t uid = 0;            // 0 = stay root (without root's capabilities)
  gid_t gid = 0;
};

// Returns 0, or the errno of the step that failed (the child then exits without exec).
int drop_privileges(const Privileges& p);

// The controller, once its programs are loaded and attached: keeps only `caps` (bounding,
// permitted, effective; inheritable and ambient cleared) and never regains the others. It still
// needs what it hands its workers. Returns 0 or the errno of the failing step.
int restrict_self(const std::vector<int>& caps);
// What the controller keeps after loading: BPF and networking for maps, links and tunnels;
// what it hands to workers (NET_RAW); user, group, capability and ownership changes for
// starting them; signalling and reading/writing their nobody-owned folders. CAP_SYS_ADMIN,
// CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_RAWIO, CAP_MKNOD, … are gone.
const std::vector<int>& controller_caps();

// "cap_net_raw,cap_net_admin" for status; "" for none.
std::string cap_names(const std::vector<int>& caps);
// The names of the capabilities in a mask ("" for none, "unknown" for -1).
std::string cap_names_of(long long mask);
// The effective capability mask of a running process (/proc/PID/status CapEff), or -1.
long long effective_caps(pid_t pid);

}  // namespace phonesec::daemon

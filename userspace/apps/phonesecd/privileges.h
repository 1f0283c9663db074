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

// "cap_net_raw,cap_net_admin" for status; "" for none.
std::string cap_names(const std::vector<int>& caps);
// The effective capability mask of a running process (/proc/PID/status CapEff), or -1.
long long effective_caps(pid_t pid);

}  // namespace phonesec::daemon

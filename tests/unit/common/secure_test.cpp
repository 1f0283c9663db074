// SPDX-License-Identifier: Apache-2.0
// Secrets: SecretString never prints its value and wipes it; no_core_dumps() keeps a process's
// memory out of core files.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "common/secure.h"

namespace phonesec {
namespace {

TEST(SecretString, NeverPrintedAndComparable) {
  SecretString s("hunter2");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), kRedacted);
  EXPECT_EQ(s.reveal(), "hunter2");
  EXPECT_TRUE(s == SecretString("hunter2"));
  std::ostringstream empty;
  empty << SecretString();
  EXPECT_EQ(empty.str(), "");
}

TEST(SecretString, MovedFromIsEmpty) {
  SecretString a("k3y");
  SecretString b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the wipe is the point
  EXPECT_EQ(b.reveal(), "k3y");
  b = SecretString("other");
  EXPECT_EQ(b.reveal(), "other");
}

TEST(SecureWipe, ZeroesTheBytes) {
  unsigned char buf[16];
  for (auto& c : buf) c = 0xA5;
  secure_wipe(buf, sizeof buf);
  for (auto c : buf) EXPECT_EQ(c, 0);
}

TEST(NoCoreDumps, ChildIsNotDumpableAndHasNoCoreLimit) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // in a child: the test runner itself stays debuggable
    rlimit before{RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_CORE, &before);  // may fail without privilege: the check below still holds
    if (!no_core_dumps()) _exit(1);
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) _exit(2);
    rlimit now{};
    if (getrlimit(RLIMIT_CORE, &now) != 0 || now.rlim_cur != 0 || now.rlim_max != 0) _exit(3);
    _exit(0);
  }
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0) << "1: call failed, 2: still dumpable, 3: core limit not 0";
}

}  // namespace
}  // namespace phonesec

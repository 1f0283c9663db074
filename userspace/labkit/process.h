// SPDX-License-Identifier: Apache-2.0
// Shell commands and child processes for the lab (ps_labkit; lab tooling, never shipped):
// sh() runs a command and gives its exit status, must() throws when it fails, capture() its
// stdout, slurp() a file, wait_for() polls a predicate every 20 ms. A Child is a spawned
// program (its own process group, stdout+stderr appended to a log) that is stopped — SIGTERM
// to the group, SIGKILL after 3 s — and reaped when destroyed.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace phonesec::test::boot {

int sh(const std::string& cmd);     // exit status; -1 when it did not exit
void must(const std::string& cmd);  // throws std::runtime_error naming the command
std::string slurp(const std::string& path);
std::string capture(const std::string& cmd);
bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

class Child {
 public:
  // Throws std::runtime_error when the program cannot be spawned.
  Child(const std::vector<std::string>& argv, const std::string& log);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { stop(); }
  bool alive();
  void stop(int sig = SIGTERM);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

}  // namespace phonesec::test::boot

// SPDX-License-Identifier: Apache-2.0
// Lab helpers for media security: the test process moves into its own network namespace (only
// loopback, up) so peers on fixed ports cannot collide with anything else; the namespace dies
// with the process. Child processes (sipp, ffmpeg) are found via PATH, run with their output in a
// scratch folder, and killed if still running when their handle goes away.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace pss {

// Call once per process before starting peers. Returns an error text, empty on success.
inline std::string enter_private_netns() {
  static std::string result = [] {
    if (geteuid() != 0) return std::string("lab tests need root (network namespace)");
    if (unshare(CLONE_NEWNET) != 0) return std::string("unshare(CLONE_NEWNET) failed");
    if (std::system("ip link set lo up") != 0) return std::string("ip link set lo up failed");
    return std::string();
  }();
  return result;
}

inline bool in_path(const std::string& prog) {
  return std::system(("command -v " + prog + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::filesystem::path scratch(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("pss-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Child {
 public:
  // Runs argv[0] (PATH lookup) in `dir` with stdout+stderr to dir/<log>.
  Child(const std::vector<std::string>& argv, const std::filesystem::path& dir, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      if (chdir(dir.c_str()) != 0) _exit(126);
      int fd = open((dir / log).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
      int nul = open("/dev/null", O_RDONLY);
      if (nul >= 0) { dup2(nul, 0); close(nul); }
      std::vector<char*> a;
      for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
      a.push_back(nullptr);
      execvp(a[0], a.data());
      _exit(127);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0 && !done_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool running() {
    if (done_) return false;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      done_ = true;
      rc_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    return !done_;
  }
  // Exit code, or -1 when it did not end within `ms` (it is killed then).
  int wait(int ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (running()) {
      if (std::chrono::steady_clock::now() > end) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        done_ = true;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return rc_;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool done_ = false;
  int rc_ = -1;
};

}  // namespace pss

// SPDX-License-Identifier: Apache-2.0
#include "phonesecd/workers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <thread>

#include "common/log.h"

namespace phonesec::daemon {

Status Worker::start(const std::string& exe) {
  auto pr = Channel::pair();
  if (!pr) return pr.error();
  auto& [ours, theirs] = pr.value();
  pid_t pid = fork();
  if (pid < 0) return sys_error("fork worker " + name_);
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    int fd = theirs.fd();
    if (fd == kWorkerFd) {
      fcntl(fd, F_SETFD, 0);
    } else if (dup2(fd, kWorkerFd) < 0) {
      _exit(126);
    }
    close_range(kWorkerFd + 1, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // the controller blocks signals for its signalfd
    if (int e = drop_privileges(priv_); e != 0) {
      char msg[96];
      int n = snprintf(msg, sizeof msg, "phonesecd: worker cannot drop privileges: errno %d\n", e);
      if (n > 0) (void)!write(2, msg, std::size_t(n));
      _exit(125);
    }
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // after the credential change, which clears it
    const char* argv[] = {exe.c_str(), "--worker", name_.c_str(), nullptr};
    execv(exe.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  theirs.close();
  ch_ = std::move(ours);
  pid_ = pid;
  started_ = Clock::now();
  started_unix_ = std::time(nullptr);
  status = nullptr;
  sent_generation = 0;
  log::info("daemon", "worker ", name_, " started (pid ", pid, ", capabilities: ",
            priv_.caps.empty() ? std::string("none") : cap_names(priv_.caps), ", uid ", priv_.uid, ")");
  return {};
}

bool Worker::on_exit(pid_t pid, int ws) {
  if (pid != pid_) return false;
  pid_ = -1;
  ch_.close();
  status = nullptr;
  last_exit_ = WIFSIGNALED(ws) ? std::string("killed by signal ") + strsignal(WTERMSIG(ws))
                               : "exited with status " + std::to_string(WEXITSTATUS(ws));
  if (Clock::now() - started_ > std::chrono::seconds(60)) backoff_ = std::chrono::seconds(1);
  restart_at = Clock::now() + backoff_;
  if (wanted) {
    ++restarts_;
    log::warn("daemon", "worker ", name_, " ", last_exit_, "; restarting in ", backoff_.count(), " s");
    backoff_ = std::min(backoff_ * 2, std::chrono::seconds(60));
  } else {
    log::info("daemon", "worker ", name_, " ", last_exit_);
  }
  return true;
}

void Worker::on_channel_closed() {
  ch_.close();
  status = nullptr;
}

void Worker::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  if (ch_.valid()) (void)ch_.send({{"op", "stop"}});
  const auto until = Clock::now() + grace;
  int ws = 0;
  for (;;) {
    pid_t r = waitpid(pid_, &ws, WNOHANG);
    if (r == pid_) break;
    if (Clock::now() >= until) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &ws, 0);
      break;
    }
    if (Clock::now() >= until - grace / 2) kill(pid_, SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  bool w = wanted;
  wanted = false;
  on_exit(pid_, ws);
  wanted = w;
}

Json Worker::describe() const {
  Json j;
  j["running"] = running();
  j["pid"] = running() ? Json(pid_) : Json(nullptr);
  j["started"] = running() ? Json(started_unix_) : Json(nullptr);
  j["capabilities"] = cap_names(priv_.caps);
  j["uid"] = priv_.uid;
  j["restarts"] = restarts_;
  j["last_exit"] = last_exit_.empty() ? Json(nullptr) : Json(last_exit_);
  j["last_error"] = last_error.empty() ? Json(nullptr) : Json(last_error);
  j["last_apply"] = last_apply.is_null() ? Json(nullptr) : last_apply;
  j["status"] = running() ? status : Json(nullptr);
  return j;
}

}  // namespace phonesec::daemon

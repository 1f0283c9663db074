// SPDX-License-Identifier: Apache-2.0
#include "servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace phonesec::test {

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("free_port: cannot bind 127.0.0.1:0");
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string find_tool(const std::string& tool) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin";
  std::istringstream in(path);
  for (std::string dir; std::getline(in, dir, ':');) {
    if (dir.empty()) continue;
    std::string p = dir + "/" + tool;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

Process::Process(std::vector<std::string> argv, std::string log_file)
    : log_file_(std::move(log_file)), name_(argv.at(0)) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork for " + name_);
  if (pid_ == 0) {
    // A test that crashes or is killed must not leave servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (null >= 0) ::dup2(null, 0);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
}

Process::Process(Process&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), log_file_(std::move(o.log_file_)), name_(std::move(o.name_)) {}

Process& Process::operator=(Process&& o) noexcept {
  if (this != &o) {
    stop();
    pid_ = std::exchange(o.pid_, -1);
    log_file_ = std::move(o.log_file_);
    name_ = std::move(o.name_);
  }
  return *this;
}

Process::~Process() { stop(); }

bool Process::running() {
  if (pid_ <= 0) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void Process::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  int st = 0;
  ::waitpid(pid_, &st, 0);
  pid_ = -1;
}

std::string Process::log() const {
  std::ifstream in(log_file_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Process::wait_listening(std::uint16_t port, std::string& why, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (!running()) {
      why = name_ + " exited before listening on port " + std::to_string(port) + ":\n" + log();
      return false;
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  why = name_ + " not listening on port " + std::to_string(port) + " in time:\n" + log();
  return false;
}

Process start_s_server(const SServerSpec& spec, std::uint16_t port, const std::string& dir,
                       const std::string& name) {
  std::vector<std::string> argv = {find_tool("openssl"),
                                   "s_server",
                                   "-accept",
                                   "127.0.0.1:" + std::to_string(port),
                                   "-cert",
                                   spec.cert_file,
                                   "-key",
                                   spec.key_file,
                                   "-www",
                                   "-quiet"};
  if (!spec.cipher.empty()) argv.insert(argv.end(), {"-cipher", spec.cipher});
  if (spec.tls12_only) argv.push_back("-no_tls1_3");
  return Process(std::move(argv), dir + "/" + name + ".log");
}

}  // namespace phonesec::test

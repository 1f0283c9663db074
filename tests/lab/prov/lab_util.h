// SPDX-License-Identifier: Apache-2.0
// Provisioning lab helpers: a scratch folder, background peers (dnsmasq, nginx, squid) started
// in a namespace and stopped by pid, namespaces with IPv6 DAD off, interface indexes.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "netns.h"

namespace phonesec::test {

struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& tag) {
    path = std::filesystem::temp_directory_path() / (tag + "." + std::to_string(getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
  static std::string read_cmd(const std::string& cmd) {
    std::string out;
    if (FILE* f = popen(cmd.c_str(), "r")) {
      char buf[512];
      while (auto n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
      pclose(f);
    }
    return out;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

// A foreground process started with `sh -c cmd` (stdout/stderr to log); killed in the destructor.
class Peer {
 public:
  Peer(const std::string& cmd, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      execl("/bin/sh", "sh", "-c", ("exec " + cmd + " >" + log + " 2>&1").c_str(), nullptr);
      _exit(127);
    }
  }
  ~Peer() { stop(); }
  bool running() {
    if (pid_ <= 0) return false;
    int st;
    return waitpid(pid_, &st, WNOHANG) == 0;
  }
  void stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) { pid_ = -1; return; }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Namespaces `<p>c` (client/phone) and `<p>s` (server) joined by veth `<p>c0` ↔ `<p>s0`, IPv6
// DAD off so link-local and global addresses are usable at once.
// client 10.77.0.2/24 fd77::2/64, server 10.77.0.1/24 fd77::1/64.
class LabLink {
 public:
  explicit LabLink(std::string p) : p_(std::move(p)) {
    cleanup();
    for (const auto& ns : {client(), server()}) {
      sh_or_throw("ip netns add " + ns);
      sh_or_throw("ip netns exec " + ns + " sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
      sh_or_throw("ip -n " + ns + " link set lo up");
    }
    sh_or_throw("ip link add " + client_if() + " netns " + client() + " type veth peer name " + server_if() + " netns " +
                server());
    sh_or_throw("ip -n " + client() + " addr add 10.77.0.2/24 dev " + client_if() + " && ip -n " + client() +
                " addr add fd77::2/64 dev " + client_if() + " nodad && ip -n " + client() + " link set " + client_if() + " up");
    sh_or_throw("ip -n " + server() + " addr add 10.77.0.1/24 dev " + server_if() + " && ip -n " + server() +
                " addr add fd77::1/64 dev " + server_if() + " nodad && ip -n " + server() + " link set " + server_if() + " up");
  }
  ~LabLink() { cleanup(); }
  std::string client() const { return p_ + "c"; }
  std::string server() const { return p_ + "s"; }
  std::string client_if() const { return p_ + "c0"; }
  std::string server_if() const { return p_ + "s0"; }
  int client_ifindex() const {
    std::string out = ScratchDir::read_cmd("ip -n " + client() + " -o link show " + client_if());
    return std::atoi(out.c_str());
  }

 private:
  void cleanup() {
    sh("ip netns del " + client() + " 2>/dev/null");
    sh("ip netns del " + server() + " 2>/dev/null");
  }
  std::string p_;
};

}  // namespace phonesec::test

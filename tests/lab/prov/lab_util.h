// SPDX-License-Identifier: Apache-2.0
// Provisioning lab helpers: a scratch folder, background peers (dnsmasq, nginx, squid) started
// in a namespace and stopped by pid, namespaces with IPv6 DAD off, interface indexes.
#pragma once

#include <fcntl.h>
#include <sched.h>
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
  // The file once it holds `needle` (servers write their logs after answering), or as it is
  // after `ms` milliseconds.
  std::string read_when(const std::string& name, const std::string& needle, int ms = 3000) const {
    std::string s = read(name);
    for (int waited = 0; s.find(needle) == std::string::npos && waited < ms; waited += 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      s = read(name);
    }
    return s;
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
  pid_t pid() const { return pid_; }  // the command's own pid (`exec` replaces the shell)
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
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
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
      sh_or_throw("ip netns exec " + ns +
                  " sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
      sh_or_throw("ip -n " + ns + " link set lo up");
    }
    sh_or_throw("ip link add " + client_if() + " netns " + client() + " type veth peer name " + server_if() +
                " netns " + server());
    sh_or_throw("ip -n " + client() + " addr add 10.77.0.2/24 dev " + client_if() + " && ip -n " + client() +
                " addr add fd77::2/64 dev " + client_if() + " nodad && ip -n " + client() + " link set " +
                client_if() + " up");
    sh_or_throw("ip -n " + server() + " addr add 10.77.0.1/24 dev " + server_if() + " && ip -n " + server() +
                " addr add fd77::1/64 dev " + server_if() + " nodad && ip -n " + server() + " link set " +
                server_if() + " up");
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

namespace phonesec::test {

// Moves the calling thread into namespace ns until destroyed (threads it starts meanwhile,
// e.g. libcurl's, inherit it).
class InNetns {
 public:
  explicit InNetns(const std::string& ns) {
    self_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (self_ < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) throw std::runtime_error("setns " + ns);
    close(target);
  }
  ~InNetns() {
    setns(self_, CLONE_NEWNET);
    close(self_);
  }

 private:
  int self_ = -1;
};

// A namespace with lo up (127.0.0.0/8 usable), removed in the destructor.
class LoopNs {
 public:
  explicit LoopNs(std::string name) : n_(std::move(name)) {
    sh("ip netns del " + n_ + " 2>/dev/null");
    sh_or_throw("ip netns add " + n_ + " && ip -n " + n_ + " link set lo up");
  }
  ~LoopNs() { sh("ip netns del " + n_ + " 2>/dev/null"); }
  const std::string& name() const { return n_; }
  std::string in(const std::string& cmd) const { return "ip netns exec " + n_ + " " + cmd; }

 private:
  std::string n_;
};

// Polls a TCP connect to ip:port inside ns until it succeeds (a peer is up) or ~5 s pass.
inline bool wait_tcp(const std::string& ns, const std::string& ip, int port) {
  for (int i = 0; i < 100; ++i) {
    if (sh("ip netns exec " + ns + " bash -c 'exec 3<>/dev/tcp/" + ip + "/" + std::to_string(port) +
           "' 2>/dev/null") == 0)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Self-signed certificate for `name` (EC P-256): <dir>/<tag>.crt and <dir>/<tag>.key.
inline void make_cert(const ScratchDir& d, const std::string& tag, const std::string& name) {
  sh_or_throw("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=" +
              name + " -addext subjectAltName=DNS:" + name + " -keyout " + d.file(tag + ".key") + " -out " +
              d.file(tag + ".crt") + " 2>/dev/null");
}

// nginx serving <dir>/www on each of listens ("127.0.0.3:8443 ssl", "127.0.0.5:8080"), in the
// foreground, with <cert_tag>.crt/.key for the ssl ones.
inline std::string nginx_conf(const ScratchDir& d, const std::vector<std::string>& listens,
                              const std::string& cert_tag, const std::string& extra_server = "") {
  std::string c = "daemon off;\nmaster_process off;\nuser root;\npid " + d.file("nginx.pid") +
                  ";\nerror_log " + d.file("nginx-error.log") +
                  " info;\nevents { worker_connections 64; }\nhttp {\n  access_log " + d.file("access.log") +
                  ";\n";
  for (auto t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    c += "  " + std::string(t) + "_temp_path " + d.file(std::string(t) + "_tmp") + ";\n";
  c += "  server {\n";
  for (const auto& l : listens) c += "    listen " + l + ";\n";
  c += "    server_name prov.test;\n    ssl_certificate " + d.file(cert_tag + ".crt") +
       ";\n    ssl_certificate_key " + d.file(cert_tag + ".key") + ";\n    root " + d.file("www") +
       ";\n  }\n" + extra_server + "}\n";
  return c;
}

}  // namespace phonesec::test

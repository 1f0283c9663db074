// SPDX-License-Identifier: Apache-2.0
// A real AnyConnect gateway for the VPN lab: ocserv in namespace psvs (10.98.0.1 on veth
// psv-s, the "inside" network 172.31.0.1/24 on its lo), the phone in namespace psvc
// (10.98.0.2 on psv-c). The fixture makes its own PKI with certtool (a CA that signs the
// gateway, and a rogue CA that does not), its users with ocpasswd, two tunnel groups
// (voice 192.168.99.0/24 and data 192.168.98.0/24 with a split route to 172.31.0.0/24, full
// 192.168.96.0/24 with none: a full tunnel), and starts/stops/kills ocserv itself.
// Everything lives under a private temp dir and the two namespaces, removed at the end.
#pragma once

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "netns.h"

namespace phonesec::test {

inline std::string capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen " + cmd);
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

inline bool have(const std::string& tool) { return sh("command -v " + tool + " >/dev/null 2>&1") == 0; }

struct LabUser {
  std::string name, password, groups;
};

class OcservLab {
 public:
  static constexpr const char* kServerNs = "psvs";
  static constexpr const char* kClientNs = "psvc";
  static constexpr const char* kServerIp = "10.98.0.1";
  static constexpr const char* kInsideIp = "172.31.0.1";

  OcservLab() {
    namespace fs = std::filesystem;
    cleanup_net();
    dir_ = fs::temp_directory_path() / ("psvpn-lab-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/groups");
    ::chmod(dir_.c_str(), 0755);  // ocserv's workers run as nobody
    make_net();
    make_pki();
    make_users();
    write_config();
  }
  ~OcservLab() {
    stop();
    cleanup_net();
    std::filesystem::remove_all(dir_);
  }

  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/ca-cert.pem"; }
  std::string rogue_ca_file() const { return dir_ + "/rogue-ca-cert.pem"; }
  // openconnect's "pin-sha256:" form of the gateway's public key (and of the rogue CA's).
  std::string server_pin() const { return pin_of(dir_ + "/server-cert.pem"); }
  std::string rogue_pin() const { return pin_of(dir_ + "/rogue-ca-cert.pem"); }

  void start() {
    if (pid_ > 0) return;
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
      setsid();  // own process group: kill() reaches the workers too
      std::string log = dir_ + "/ocserv.log";
      FILE* f = std::freopen(log.c_str(), "a", stdout);
      if (f) dup2(fileno(stdout), 2);
      std::string conf = dir_ + "/ocserv.conf";
      execlp("ip", "ip", "netns", "exec", kServerNs, "ocserv", "-f", "-c", conf.c_str(), (char*)nullptr);
      _exit(127);
    }
    pid_ = pid;
    // Ready when it accepts TCP on 443 (from the phone's side).
    for (int i = 0; i < 100; ++i) {
      if (sh("ip netns exec " + std::string(kClientNs) + " timeout 1 bash -c 'exec 3<>/dev/tcp/" + kServerIp +
             "/443' 2>/dev/null") == 0)
        return;
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("ocserv exited at start; see " + dir_ + "/ocserv.log:\n" + capture("tail -20 " + dir_ + "/ocserv.log"));
      }
      usleep(50 * 1000);
    }
    throw std::runtime_error("ocserv does not listen on " + std::string(kServerIp) + ":443");
  }

  // sig = SIGKILL: the gateway crashes (every ocserv process at once).
  void stop(int sig = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(-pid_, sig);
    int st;
    waitpid(pid_, &st, 0);
    // Workers (other processes in the group) may outlive the main one for a moment.
    for (int i = 0; i < 50 && ::kill(-pid_, 0) == 0; ++i) {
      ::kill(-pid_, SIGKILL);
      usleep(20 * 1000);
    }
    pid_ = -1;
  }

  std::string in_server(const std::string& cmd) const { return "ip netns exec " + std::string(kServerNs) + " " + cmd; }
  std::string in_client(const std::string& cmd) const { return "ip netns exec " + std::string(kClientNs) + " " + cmd; }

  // The server's tun device for the (single) connected client, "" when none.
  std::string server_tun() const { return capture(in_server("sh -c 'ls /sys/class/net | grep ^vpns | head -1'")); }
  std::uint64_t counter(bool server, const std::string& ifname, const std::string& which) const {
    std::string path = "/sys/class/net/" + ifname + "/statistics/" + which;
    std::string v = capture(server ? in_server("cat " + path) : in_client("cat " + path));
    return v.empty() ? ~0ull : std::stoull(v);
  }

  static const LabUser& alice() {  // every group
    static const LabUser u{"alice", "Alice-Secret-7781", "voice,data,full"};
    return u;
  }
  static const LabUser& carol() {  // data only
    static const LabUser u{"carol", "Carol-Secret-3302", "data"};
    return u;
  }

 private:
  static std::string pin_of(const std::string& cert) {
    return "pin-sha256:" + capture("openssl x509 -in " + cert +
                                   " -noout -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64");
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream f(dir_ + "/" + name, std::ios::trunc);
    f << text;
    if (!f) throw std::runtime_error("write " + name);
  }
  void make_net() {
    std::string s = kServerNs, c = kClientNs;
    sh_or_throw("ip netns add " + s + " && ip netns add " + c);
    sh_or_throw("ip link add psv-s netns " + s + " type veth peer name psv-c netns " + c);
    // No IPv6 in the server namespace before ocserv creates its devices: clean counters. (The
    // phone's side is left as a phone has it: the client turns IPv6 off on its tun itself.)
    sh_or_throw(in_server("sysctl -qw net.ipv6.conf.default.disable_ipv6=1"));
    sh_or_throw("ip -n " + s + " link set lo up && ip -n " + c + " link set lo up");
    sh_or_throw("ip -n " + s + " addr add " + kServerIp + "/24 dev psv-s && ip -n " + s + " link set psv-s up");
    sh_or_throw("ip -n " + c + " addr add 10.98.0.2/24 dev psv-c && ip -n " + c + " link set psv-c up");
    sh_or_throw("ip -n " + s + " addr add " + kInsideIp + "/24 dev lo");
  }
  void cleanup_net() {
    sh("ip netns del " + std::string(kServerNs) + " 2>/dev/null");
    sh("ip netns del " + std::string(kClientNs) + " 2>/dev/null");
  }
  void make_pki() {
    write("ca.tmpl", "cn = \"phonesec lab VPN CA\"\nserial = 1\nexpiration_days = 30\nca\ncert_signing_key\ncrl_signing_key\n");
    write("rogue.tmpl", "cn = \"rogue CA\"\nserial = 7\nexpiration_days = 30\nca\ncert_signing_key\n");
    write("server.tmpl", "cn = \"vpn.lab.local\"\ndns_name = \"vpn.lab.local\"\nip_address = \"" + std::string(kServerIp) +
                             "\"\nserial = 2\nexpiration_days = 30\nsigning_key\nencryption_key\ntls_www_server\n");
    std::string d = "cd " + dir_ + " && ";
    // ECDSA keys: instant to generate, unlike RSA 2048.
    sh_or_throw(d + "certtool -q --generate-privkey --key-type=ecdsa --outfile ca-key.pem 2>/dev/null"
                    " && certtool -q --generate-self-signed --load-privkey ca-key.pem --template ca.tmpl --outfile ca-cert.pem 2>/dev/null"
                    " && certtool -q --generate-privkey --key-type=ecdsa --outfile rogue-ca-key.pem 2>/dev/null"
                    " && certtool -q --generate-self-signed --load-privkey rogue-ca-key.pem --template rogue.tmpl --outfile rogue-ca-cert.pem 2>/dev/null"
                    " && certtool -q --generate-privkey --key-type=ecdsa --outfile server-key.pem 2>/dev/null"
                    " && certtool -q --generate-certificate --load-privkey server-key.pem --load-ca-certificate ca-cert.pem"
                    " --load-ca-privkey ca-key.pem --template server.tmpl --outfile server-cert.pem 2>/dev/null");
  }
  void make_users() {
    for (const LabUser* u : {&alice(), &carol()})
      sh_or_throw("printf '%s\\n%s\\n' '" + u->password + "' '" + u->password + "' | ocpasswd -c " + dir_ + "/ocpasswd -g '" +
                  u->groups + "' " + u->name + " >/dev/null");
    ::chmod((dir_ + "/ocpasswd").c_str(), 0644);
    write("groups/voice", "ipv4-network = 192.168.99.0/24\nroute = 172.31.0.0/255.255.255.0\n");
    write("groups/data", "ipv4-network = 192.168.98.0/24\nroute = 172.31.0.0/255.255.255.0\n");
    write("groups/full", "ipv4-network = 192.168.96.0/24\n");  // no route: everything through the tunnel
  }
  void write_config() {
    const std::string& d = dir_;
    write("ocserv.conf",
          "auth = \"plain[passwd=" + d + "/ocpasswd]\"\n"
          "listen-host = " + kServerIp + "\ntcp-port = 443\nudp-port = 443\n"
          "run-as-user = nobody\nrun-as-group = nogroup\n"
          "socket-file = " + d + "/ocserv-sock\npid-file = " + d + "/ocserv.pid\n"
          "use-occtl = false\nuse-utmp = false\n"
          "server-cert = " + d + "/server-cert.pem\nserver-key = " + d + "/server-key.pem\n"
          "isolate-workers = true\nmax-clients = 16\nmax-same-clients = 8\n"
          "rate-limit-ms = 0\nmin-reauth-time = 0\nmax-ban-score = 0\nban-reset-time = 60\n"
          "keepalive = 300\ndpd = 60\nmobile-dpd = 300\nswitch-to-tcp-timeout = 25\ntry-mtu-discovery = false\n"
          "tls-priorities = \"NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1\"\n"
          "auth-timeout = 240\ncookie-timeout = 300\ndeny-roaming = false\nrekey-time = 172800\nrekey-method = ssl\n"
          "device = vpns\npredictable-ips = true\ndefault-domain = lab.local\n"
          // Pushed to the phone, which must not write it into the host's resolv.conf.
          "dns = 10.98.0.53\n"
          "ipv4-network = 192.168.97.0\nipv4-netmask = 255.255.255.0\n"
          "ping-leases = false\ncisco-client-compat = true\ndtls-legacy = true\n"
          "select-group = voice[Voice Phones]\nselect-group = data[Data Users]\nselect-group = full[Full Tunnel]\n"
          "auto-select-group = false\n"
          "config-per-group = " + d + "/groups/\n");
  }

  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace phonesec::test

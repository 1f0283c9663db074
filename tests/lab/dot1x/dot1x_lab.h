// SPDX-License-Identifier: Apache-2.0
// 802.1X lab: a "switch" namespace running hostapd (driver=wired, integrated EAP server) and a
// "phone" namespace joined by a veth pair; optionally a PC namespace behind the phone through
// a bridge. PKI made here with the openssl CLI. Supplicants (ours, wpa_supplicant) run as child
// processes inside the namespaces. Everything is removed in the destructors. Shared by the lab
// test and the perf benchmark. Prefix "pdx" is reserved for this part.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "labkit/binaries.h"

extern char** environ;

namespace phonesec::test::dot1x {

inline int run(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
inline void must(const std::string& cmd) {
  if (run(cmd) != 0) throw std::runtime_error("command failed: " + cmd);
}
inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
inline std::string capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}
// Polls `pred` every 10 ms until true or `timeout`; returns the last value.
inline bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// A child process (argv, stdout+stderr to `log`), SIGTERM then reaped on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    int rc = posix_spawnp(&pid_, a[0], &fa, nullptr, a.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("spawn " + argv[0] + " failed");
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { stop(); }
  bool alive() { return pid_ > 0 && waitpid(pid_, &status_, WNOHANG) == 0; }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200 && waitpid(pid_, &status_, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (waitpid(pid_, &status_, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
    }
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

inline const char* kPhoneMac = "02:00:00:00:05:01";
inline const char* kPcMac = "02:00:00:00:0c:01";

class Lab {
 public:
  // with_pc: the phone namespace holds a bridge pdx-br (uplink pdx-s0 + PC port pdx-s1) and the
  // PC namespace pdxc holds pdx-p0. The bridge is created WITHOUT EAPOL forwarding: the agent
  // must enable it.
  explicit Lab(bool with_pc = false) : pc_(with_pc) {
    cleanup();
    dir_ = std::filesystem::temp_directory_path() / ("pdx-lab-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    must("ip netns add pdxa && ip netns add pdxs");
    must("ip link add pdx-a0 netns pdxa type veth peer name pdx-s0 netns pdxs");
    must("ip -n pdxa link set lo up && ip -n pdxs link set lo up");
    must("ip -n pdxa link set pdx-a0 address 02:00:00:00:0a:01 up");
    if (!pc_) {
      must(std::string("ip -n pdxs link set pdx-s0 address ") + kPhoneMac);
    } else {
      must("ip netns add pdxc && ip -n pdxc link set lo up");
      must("ip link add pdx-s1 netns pdxs type veth peer name pdx-p0 netns pdxc");
      must(std::string("ip -n pdxc link set pdx-p0 address ") + kPcMac + " up");
      must("ip -n pdxs link set pdx-s0 address 02:00:00:00:05:00");
      must(std::string("ip -n pdxs link add pdx-br address ") + kPhoneMac + " type bridge stp_state 0");
      must("ip -n pdxs link set pdx-s0 master pdx-br && ip -n pdxs link set pdx-s1 master pdx-br");
      must("ip -n pdxs link set pdx-s1 up && ip -n pdxs link set pdx-br up");
    }
    make_pki();
  }
  ~Lab() {
    children_.clear();
    cleanup();
    std::error_code ec;
    if (!getenv("PDX_KEEP")) std::filesystem::remove_all(dir_, ec);
  }
  std::string dir() const { return dir_.string(); }
  std::string pki(const std::string& f) const { return (dir_ / "pki" / f).string(); }

  // hostapd in pdxa; group_addr=false for several stations on one port (PC behind the phone).
  Child& start_hostapd(bool group_addr = true) {
    const std::string d = dir();
    std::ofstream(d + "/hostapd.eap_user") << "*  TLS,FAST\n\"fastuser\"  MSCHAPV2,GTC  \"fastpass\"  [2]\n";
    std::ofstream c(d + "/hostapd.conf");
    c << "interface=pdx-a0\ndriver=wired\nctrl_interface=" << d << "/hostapd_ctrl\nctrl_interface_group=0\n"
      << "logger_stdout=-1\nlogger_stdout_level=0\nieee8021x=1\neapol_version=2\n"
      << "use_pae_group_addr=" << (group_addr ? 1 : 0) << "\neap_reauth_period=3600\neap_server=1\n"
      << "eap_user_file=" << d << "/hostapd.eap_user\nca_cert=" << pki("ca.pem") << "\nserver_cert=" << pki("server.pem")
      << "\nprivate_key=" << pki("server.key") << "\ndh_file=" << pki("dh2048.pem") << "\n"
      << "pac_opaque_encr_key=000102030405060708090a0b0c0d0e0f\neap_fast_a_id=101112131415161718191a1b1c1d1e1f\n"
      << "eap_fast_a_id_info=pdx-hostapd\neap_fast_prov=3\npac_key_lifetime=604800\npac_key_refresh_time=86400\n";
    c.close();
    auto& h = spawn({"ip", "netns", "exec", "pdxa", "hostapd", "-dd", "-t", d + "/hostapd.conf"}, d + "/hostapd.log");
    if (!wait_for([&] { return slurp(d + "/hostapd.log").find("AP-ENABLED") != std::string::npos; },
                  std::chrono::seconds(5)))
      throw std::runtime_error("hostapd did not start: " + slurp(d + "/hostapd.log"));
    return h;
  }

  Child& spawn(const std::vector<std::string>& argv, const std::string& log) {
    children_.push_back(std::make_unique<Child>(argv, log));
    return *children_.back();
  }

  // Our supplicant in pdxs, link of the uplink still down; extra options appended.
  Child& start_phone(std::vector<std::string> extra, const std::string& tag = "phone") {
    std::vector<std::string> a = {"ip", "netns", "exec", "pdxs", kDot1xBin,
                                  "-v", "--enable", "yes", "--status-dir", dir() + "/" + tag,
                                  "--identity", "phone-SEP001122334455"};
    if (pc_) a.insert(a.end(), {"--iface", "pdx-br", "--uplink", "pdx-s0", "--pc-port", "pdx-s1"});
    else a.insert(a.end(), {"--iface", "pdx-s0"});
    a.insert(a.end(), extra.begin(), extra.end());
    return spawn(a, dir() + "/" + tag + ".log");
  }
  std::vector<std::string> tls_args(const std::string& ca = "ca.pem", const std::string& cert = "client") const {
    return {"--ca", pki(ca), "--cert", pki(cert + ".pem"), "--key", pki(cert + ".key")};
  }
  std::string status_json(const std::string& tag = "phone") const { return slurp(dir() + "/" + tag + "/dot1x.json"); }
  bool status_has(const std::string& needle, const std::string& tag = "phone") const {
    return status_json(tag).find(needle) != std::string::npos;
  }

  void uplink(bool up) { must(std::string("ip -n pdxs link set pdx-s0 ") + (up ? "up" : "down")); }
  std::string all_sta() const { return capture("ip netns exec pdxa hostapd_cli -p " + dir() + "/hostapd_ctrl all_sta 2>&1"); }
  // The all_sta block of one station ("" if hostapd does not know it).
  std::string sta(const std::string& mac) const {
    std::string all = all_sta();
    auto p = all.find(mac + "\n");
    if (p == std::string::npos) return "";
    auto e = all.find("\n0", p + 1);  // next station (MACs here start with 0)
    return all.substr(p, e == std::string::npos ? std::string::npos : e - p);
  }
  std::string hostapd_log() const { return slurp(dir() + "/hostapd.log"); }

 private:
  void make_pki() {
    const std::string p = (dir_ / "pki").string();
    std::filesystem::create_directories(p);
    const std::string q = " 2>/dev/null";
    auto ca = [&](const std::string& n, const std::string& cn) {
      must("cd " + p + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout " + n + ".key -out " + n +
           ".pem -days 30 -subj '/CN=" + cn + "' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign" + q);
    };
    auto leaf = [&](const std::string& n, const std::string& cn, const std::string& eku, const std::string& issuer) {
      must("cd " + p + " && openssl req -newkey rsa:2048 -nodes -keyout " + n + ".key -out " + n + ".csr -subj '/CN=" + cn + "'" + q);
      std::ofstream(p + "/" + n + ".ext") << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage="
                                          << eku << "\nsubjectAltName=DNS:" << cn << "\n";
      must("cd " + p + " && openssl x509 -req -in " + n + ".csr -CA " + issuer + ".pem -CAkey " + issuer + ".key -CAcreateserial -out " + n +
           ".pem -days 30 -sha256 -extfile " + n + ".ext" + q);
    };
    ca("ca", "pdx Lab CA");
    leaf("server", "radius.lab.local", "serverAuth", "ca");
    leaf("client", "phone-SEP001122334455", "clientAuth", "ca");
    ca("rogueca", "pdx Rogue CA");
    leaf("badclient", "phone-SEP001122334455", "clientAuth", "rogueca");
    leaf("pc", "pc.lab.local", "clientAuth", "ca");
    must("cd " + p + " && openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out dh2048.pem" + q);
  }
  void cleanup() {
    for (const char* ns : {"pdxa", "pdxs", "pdxc"}) run(std::string("ip netns del ") + ns + " 2>/dev/null");
  }

  bool pc_;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<Child>> children_;
};

}  // namespace phonesec::test::dot1x

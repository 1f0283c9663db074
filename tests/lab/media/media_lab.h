// SPDX-License-Identifier: Apache-2.0
// Lab for the media-security service with real user agents only. Two network namespaces joined
// by a veth: "phone" (10.77.<k>.1) runs the phone's UA — baresip knowing nothing of SRTP, on
// 127.0.0.1:5070 with phonesec-media as its outbound proxy (127.0.0.1:15060) — and
// phonesec-media itself; "net" (10.77.<k>.2) runs the far end (baresip with srtp-mand, or a sipp
// registrar). tcpdump records the veth on the phone side: what leaves the device.
// Everything is torn down by the destructor. Needs root (namespaces); fails without it.
#pragma once

#include <pcap/pcap.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../srtp/lab_env.h"
#include "labkit/binaries.h"

namespace psm {

namespace fs = std::filesystem;

inline const std::string kMediaBin = std::string(PS_BINARY_DIR) + "/userspace/apps/phonesec-media/phonesec-media";
inline const std::string kToolPy = std::string(PS_SOURCE_DIR) + "/tests/lab/media/tone.py";
inline const std::string kPython = "/usr/bin/python3";  // Debian's, with python3-numpy

inline int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

struct Tone {
  double hz = 0, share = 0;
  long samples = 0;
};

inline Tone tone_of(const fs::path& wav) {
  Tone t;
  FILE* p = popen((kPython + " " + kToolPy + " peak " + wav.string()).c_str(), "r");
  if (!p) return t;
  if (std::fscanf(p, "%lf %lf %ld", &t.hz, &t.share, &t.samples) != 3) t = {};
  pclose(p);
  return t;
}

// The received-audio recording baresip's sndfile wrote in dir ("dump-…-dec.wav").
inline fs::path decoded_wav(const fs::path& dir) {
  if (fs::exists(dir))
    for (auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().find("-dec.wav") != std::string::npos) return e.path();
  return {};
}

struct Udp {
  std::string src, dst;
  std::uint16_t sport = 0, dport = 0;
  std::string payload;
};

// Every UDP datagram (IPv4, unfragmented or first fragment) of an Ethernet capture.
inline std::vector<Udp> read_udp(const fs::path& pcap) {
  std::vector<Udp> out;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(pcap.c_str(), err);
  if (!p) return out;
  pcap_pkthdr* h;
  const u_char* d;
  while (pcap_next_ex(p, &h, &d) == 1) {
    if (h->caplen < 14 + 20 + 8 || d[12] != 0x08 || d[13] != 0x00) continue;
    const u_char* ip = d + 14;
    std::size_t ihl = std::size_t(ip[0] & 15) * 4;
    if (ip[9] != 17 || (ip[6] & 0x1f) || ip[7]) continue;  // UDP, first fragment only
    std::size_t tot = std::size_t(ip[2] << 8 | ip[3]);
    const u_char* u = ip + ihl;
    Udp x;
    char a[16], b[16];
    std::snprintf(a, sizeof a, "%u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15]);
    std::snprintf(b, sizeof b, "%u.%u.%u.%u", ip[16], ip[17], ip[18], ip[19]);
    x.src = a;
    x.dst = b;
    x.sport = std::uint16_t(u[0] << 8 | u[1]);
    x.dport = std::uint16_t(u[2] << 8 | u[3]);
    std::size_t end = std::min<std::size_t>(h->caplen, 14 + tot);
    if (end > 14 + ihl + 8) x.payload.assign(reinterpret_cast<const char*>(u + 8), end - (14 + ihl + 8));
    out.push_back(std::move(x));
  }
  pcap_close(p);
  return out;
}

class Lab {
 public:
  explicit Lab(const std::string& name) {
    k_ = int(getpid() % 200) + 20;
    phone_ = "psmp" + std::to_string(getpid());
    net_ = "psmn" + std::to_string(getpid());
    dir_ = pss::scratch("media-" + name);
  }
  ~Lab() {
    children_.clear();
    sh("ip netns del " + phone_ + " 2>/dev/null");
    sh("ip netns del " + net_ + " 2>/dev/null");
  }
  // Empty on success, else what failed.
  std::string up() {
    if (geteuid() != 0) return "lab tests need root (network namespaces)";
    std::string v0 = "psm" + std::to_string(getpid()) + "a", v1 = "psm" + std::to_string(getpid()) + "b";
    std::string cmds[] = {
        "ip netns add " + phone_, "ip netns add " + net_,
        "ip link add " + v0 + " netns " + phone_ + " type veth peer name " + v1 + " netns " + net_,
        "ip -n " + phone_ + " addr add " + phone_ip() + "/24 dev " + v0,
        "ip -n " + net_ + " addr add " + net_ip() + "/24 dev " + v1,
        "ip -n " + phone_ + " link set " + v0 + " up", "ip -n " + net_ + " link set " + v1 + " up",
        "ip -n " + phone_ + " link set lo up", "ip -n " + net_ + " link set lo up",
        // The capture is read datagram by datagram: no IP fragments of a large INVITE.
        "ip -n " + phone_ + " link set " + v0 + " mtu 9000", "ip -n " + net_ + " link set " + v1 + " mtu 9000"};
    for (auto& c : cmds)
      if (sh(c + " >/dev/null 2>&1") != 0) return "failed: " + c;
    veth_ = v0;
    for (auto [n, hz] : {std::pair{"a", 440}, std::pair{"b", 1000}})
      if (sh(kPython + " " + kToolPy + " make " + (dir_ / (std::string(n) + ".wav")).string() + " " +
             std::to_string(hz) + " 6") != 0)
        return "cannot make the tone file (python3-numpy missing?)";
    return {};
  }
  std::string phone_ip() const { return "10.77." + std::to_string(k_) + ".1"; }
  std::string net_ip() const { return "10.77." + std::to_string(k_) + ".2"; }
  const fs::path& dir() const { return dir_; }

  // A baresip configuration folder dir/<name>: listen address, RTP ports, tone source, account.
  fs::path baresip(const std::string& name, const std::string& ip, int port, const std::string& rtp, const std::string& wav,
                   const std::string& account, const std::string& extra_config = "") {
    fs::path d = dir_ / name;
    fs::remove_all(d);
    fs::create_directories(d / "rec");
    std::ofstream(d / "config") << "sip_listen " << ip << ":" << port << "\nnet_interface " << ip
                                << "\naudio_source aufile," << (dir_ / wav).string() << "\naudio_player aubridge,sink-"
                                << name << "\naudio_alert aubridge,sink-" << name << "\nrtp_ports " << rtp
                                << "\nrtcp_mux no\nmodule_path /usr/lib/baresip/modules\nmodule g711.so\n"
                                   "module aufile.so\nmodule aubridge.so\nmodule sndfile.so\nmodule srtp.so\n"
                                   "module_tmp account.so\nmodule_app menu.so\nsnd_path "
                                << (d / "rec").string() << "\n" << extra_config;
    std::ofstream(d / "accounts") << account << "\n";
    return d;
  }

  // Runs argv inside a namespace; the child lives until the lab ends (or stop()).
  pss::Child& run(const std::string& ns, std::vector<std::string> argv, const std::string& log) {
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
    children_.push_back(std::make_unique<pss::Child>(argv, dir_, log));
    return *children_.back();
  }
  pss::Child& in_phone(std::vector<std::string> argv, const std::string& log) { return run(phone_, std::move(argv), log); }
  pss::Child& in_net(std::vector<std::string> argv, const std::string& log) { return run(net_, std::move(argv), log); }

  // Writes cfg.xml (line 1 toward `proxy`, RTP range 20000-20099, extra elements) and starts
  // phonesec-media in the phone namespace; waits for its first status line.
  pss::Child& media(const std::string& proxy, const std::string& extra = "", std::vector<std::string> args = {}) {
    std::ofstream(dir_ / "cfg.xml") << "<flat-profile>\n<RTP_Port_Min>20000</RTP_Port_Min>\n"
                                       "<RTP_Port_Max>20099</RTP_Port_Max>\n<Proxy_1_>"
                                    << proxy << "</Proxy_1_>\n<SIP_Port_1_>5060</SIP_Port_1_>\n" << extra
                                    << "</flat-profile>\n";
    std::vector<std::string> argv = {kMediaBin, "run", "--config", (dir_ / "cfg.xml").string(), "--status-out"};
    argv.insert(argv.end(), args.begin(), args.end());
    // stdout (status lines) and stderr (log) both go to media.log.
    auto& c = in_phone(argv, "media.log");
    for (int i = 0; i < 100 && pss::slurp(dir_ / "media.log").find("{\"lines\"") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return c;
  }

  // The same profile, run the way the phone runs it: phonesecd (no --iface: no firewall in the
  // way) starts media security as its worker. Waits until the worker reports its lines.
  pss::Child& daemon(const std::string& proxy, const std::string& extra = "") {
    std::ofstream(dir_ / "cfg.xml") << "<flat-profile>\n<RTP_Port_Min>20000</RTP_Port_Min>\n"
                                       "<RTP_Port_Max>20099</RTP_Port_Max>\n<Proxy_1_>"
                                    << proxy << "</Proxy_1_>\n<SIP_Port_1_>5060</SIP_Port_1_>\n" << extra
                                    << "</flat-profile>\n";
    std::vector<std::string> argv = {phonesec::test::kDaemon, "--config", (dir_ / "cfg.xml").string(), "--pin-dir",
                                     "/sys/fs/bpf/psm-" + phone_, "--run-dir", (dir_ / "run").string(), "--state-dir",
                                     (dir_ / "state").string()};
    auto& c = in_phone(argv, "media.log");
    for (int i = 0; i < 250 && daemon_status().find("\"lines\"") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return c;
  }
  std::string daemon_status() const { return pss::slurp(dir_ / "run" / "status.json"); }

  // tcpdump on the phone's uplink, UDP only, packet-buffered.
  pss::Child& capture(const std::string& file) {
    auto& c = in_phone({"tcpdump", "-i", veth_, "-U", "--immediate-mode", "-n", "-w", (dir_ / file).string(), "udp"}, file + ".log");
    for (int i = 0; i < 100 && pss::slurp(dir_ / (file + ".log")).find("listening") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return c;
  }

  // The last status line phonesec-media printed (JSON text).
  std::string last_status() const {
    std::string log = pss::slurp(dir_ / "media.log"), last;
    std::size_t pos = 0;
    while ((pos = log.find("{\"lines\"", pos)) != std::string::npos) {
      auto nl = log.find('\n', pos);
      last = log.substr(pos, nl - pos);
      pos = nl;
    }
    return last;
  }

  static void stop(pss::Child& c, int ms = 3000) {
    if (c.running()) kill(c.pid(), SIGTERM);
    c.wait(ms);
  }

 private:
  int k_ = 0;
  std::string phone_, net_, veth_;
  fs::path dir_;
  std::vector<std::unique_ptr<pss::Child>> children_;
};

}  // namespace psm

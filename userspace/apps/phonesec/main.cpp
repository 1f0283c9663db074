// SPDX-License-Identifier: Apache-2.0
// phonesec: the people's tool. Works from the pinned maps under /sys/fs/bpf/phonesec, so
// status, stats and flows answer even while the daemon is down.
#include <arpa/inet.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/args.h"
#include "config/phone_config.h"
#include "fw/clock.h"
#include "fw/firewall.h"
#include "fw/mapset.h"
#include "fw/policy.h"
#include "fw/verdict.h"

namespace phonesec::cli {
namespace {

const OptionSpec kPin{"pin-dir", "where the firewall is pinned", true, false, fw::kDefaultPinDir};
const OptionSpec kRun{"run-dir", "the daemon's run directory", true, false, "/run/phonesec"};
const OptionSpec kJson{"json", "JSON output (one object per line)", false};

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

std::string read_file(const std::string& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int daemon_pid(const std::string& run_dir) {
  int pid = 0;
  std::ifstream(run_dir + "/phonesecd.pid") >> pid;
  if (pid > 0 && kill(pid, 0) == 0) return pid;
  return 0;
}

std::string addr(const __be32* a, std::uint8_t family) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == PS_AF_INET ? AF_INET : AF_INET6, a, buf, sizeof buf);
  return buf;
}

Result<fw::MapSet> open_maps(const Args& a) {
  auto m = fw::MapSet::open_pinned(a.get("pin-dir"));
  if (!m) std::cerr << "phonesec: firewall not loaded (" << m.error().message() << ")\n";
  return m;
}

void print_diags(const std::vector<config::Diagnostic>& d) {
  for (const auto& x : d) std::cerr << x.to_string() << "\n";
}

int cmd_status(const Args& a) {
  bool json = a.has("json");
  int pid = daemon_pid(a.get("run-dir"));
  auto m = fw::MapSet::open_pinned(a.get("pin-dir"));
  std::string status_json = read_file(a.get("run-dir") + "/status.json");
  const std::string dot1x_json = read_file(a.get("run-dir") + "/dot1x.json");
  const std::string dot1x_txt = read_file(a.get("run-dir") + "/dot1x.txt");
  std::size_t nflows = 0;
  std::string pol_state = "not loaded";
  std::uint32_t gen = 0;
  bool enabled = false;
  if (m) {
    auto p = fw::active_policy(m.value());
    if (p) {
      gen = p->generation;
      enabled = p->flags & PS_F_ENABLED;
      pol_state = enabled ? "enforcing" : "disabled (all traffic passes)";
    } else {
      pol_state = "loaded, no policy";
    }
    if (auto f = fw::read_flows(m.value())) nflows = f->size();
  }
  // Every interface with pinned links (phonesecd's, and the VPN tunnel's from phonesec-vpn).
  const auto att = fw::pinned_attachments(a.get("pin-dir"));
  std::string attached_json = "[", attached_txt;
  for (std::size_t i = 0; i < att.size(); ++i) {
    attached_json += (i ? ",{\"name\":" : "{\"name\":") + json_str(att[i].ifname) + ",\"variant\":" + json_str(att[i].variant) + "}";
    attached_txt += (i ? ", " : "") + att[i].ifname + " (" + att[i].variant + ")";
  }
  attached_json += "]";
  if (json) {
    std::cout << "{\"daemon\":" << (pid ? "\"running\"" : "\"stopped\"") << ",\"pid\":" << pid << ",\"firewall\":\""
              << pol_state << "\",\"generation\":" << gen << ",\"flows\":" << nflows
              << ",\"daemon_status\":" << (status_json.empty() ? "null" : status_json.substr(0, status_json.find_last_not_of("\n") + 1))
              << ",\"attached\":" << attached_json
              << ",\"dot1x\":" << (dot1x_json.empty() ? "null" : dot1x_json.substr(0, dot1x_json.find_last_not_of("\n") + 1))
              << "}\n";
  } else {
    std::cout << "daemon:   " << (pid ? "running (pid " + std::to_string(pid) + ")" : "stopped") << "\n"
              << "firewall: " << pol_state << (gen ? ", policy generation " + std::to_string(gen) : "") << "\n"
              << "flows:    " << nflows << "\n"
              << "attached: " << (attached_txt.empty() ? "none" : attached_txt) << "\n";
    if (!status_json.empty()) std::cout << "last daemon status: " << status_json;
    // 802.1X as the phone's menu shows it, written by phonesec-dot1x (absent = not running).
    std::cout << "802.1X:\n";
    std::string t = dot1x_txt.empty() ? "Transaction Status: Disabled (phonesec-dot1x not running)\n" : dot1x_txt;
    for (std::size_t b = 0, e; b < t.size(); b = e + 1) {
      e = t.find('\n', b);
      if (e == std::string::npos) e = t.size();
      std::cout << "  " << t.substr(b, e - b) << "\n";
    }
  }
  return m ? 0 : 1;
}

int cmd_stats(const Args& a) {
  auto m = open_maps(a);
  if (!m) return 1;
  auto s = fw::read_stats(m.value());
  if (!s) {
    std::cerr << "phonesec stats: " << s.error().message() << "\n";
    return 1;
  }
  bool json = a.has("json");
  for (unsigned dir = 0; dir < 2; ++dir)
    for (unsigned r = 0; r < PS_R_MAX; ++r) {
      const auto& st = (*s)[dir * PS_R_MAX + r];
      if (!st.packets) continue;
      const char* d = dir == PS_DIR_IN ? "in" : "out";
      if (json)
        std::cout << "{\"dir\":\"" << d << "\",\"reason\":\"" << fw::reason_name(r) << "\",\"verdict\":\""
                  << (r > PS_R_PASS_MAX ? "DROP" : "PASS") << "\",\"packets\":" << st.packets << ",\"bytes\":" << st.bytes
                  << "}\n";
      else
        std::cout << d << (dir ? " " : "  ") << (r > PS_R_PASS_MAX ? "DROP " : "PASS ") << fw::reason_name(r) << " "
                  << st.packets << " pkts " << st.bytes << " bytes\n";
    }
  return 0;
}

int cmd_flows(const Args& a) {
  auto m = open_maps(a);
  if (!m) return 1;
  auto f = fw::read_flows(m.value());
  if (!f) {
    std::cerr << "phonesec flows: " << f.error().message() << "\n";
    return 1;
  }
  bool json = a.has("json");
  auto clk = fw::bpf_clock_ns();  // the stamps' own clock (not CLOCK_MONOTONIC)
  if (!clk) {
    std::cerr << "phonesec flows: " << clk.error().message() << "\n";
    return 1;
  }
  std::uint64_t now = clk.value();
  for (const auto& fl : f.value()) {
    const char* proto = fl.key.proto == 6 ? "tcp" : fl.key.proto == 17 ? "udp" : fl.key.proto == 58 ? "icmpv6" : "icmp";
    const char* st = fl.val.state == PS_CT_SYN_SENT ? "syn_sent" : fl.val.state == PS_CT_ESTABLISHED ? "established"
                   : fl.val.state == PS_CT_CLOSING ? "closing" : fl.val.state == PS_CT_UDP ? "udp" : "echo";
    std::string l = addr(fl.key.laddr, fl.key.family), r = addr(fl.key.raddr, fl.key.family);
    std::uint64_t idle_s = now > fl.val.last_seen_ns ? (now - fl.val.last_seen_ns) / 1000000000ull : 0;
    if (json)
      std::cout << "{\"proto\":\"" << proto << "\",\"local\":\"" << l << "\",\"lport\":" << ntohs(fl.key.lport)
                << ",\"remote\":\"" << r << "\",\"rport\":" << ntohs(fl.key.rport) << ",\"state\":\"" << st
                << "\",\"idle_s\":" << idle_s << ",\"pkts_in\":" << fl.val.pkts_in << ",\"pkts_out\":" << fl.val.pkts_out
                << "}\n";
    else
      std::cout << proto << " " << l << ":" << ntohs(fl.key.lport) << " -> " << r << ":" << ntohs(fl.key.rport) << " "
                << st << " idle " << idle_s << "s in " << fl.val.pkts_in << " out " << fl.val.pkts_out << "\n";
  }
  return 0;
}

int cmd_reload(const Args& a) {
  std::string run = a.get("run-dir");
  int pid = daemon_pid(run);
  if (!pid) {
    std::cerr << "phonesec reload: phonesecd is not running (no live pid in " << run << "/phonesecd.pid)\n";
    return 1;
  }
  std::string before = read_file(run + "/status.json");
  if (kill(pid, SIGHUP) != 0) {
    std::cerr << "phonesec reload: signal pid " << pid << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  // The daemon rewrites status.json after each reload attempt.
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::string now = read_file(run + "/status.json");
    if (now != before && !now.empty()) {
      std::cout << now;
      return now.find("\"applied\":true") != std::string::npos ? 0 : 1;
    }
  }
  std::cerr << "phonesec reload: no answer from phonesecd within 2 s\n";
  return 1;
}

int cmd_policy(const Args& a) {
  auto r = config::load_file(a.get("config"));
  if (!r) {
    std::cerr << "phonesec policy: " << r.error().message() << "\n";
    return 1;
  }
  print_diags(r->diagnostics);
  auto c = fw::compile(r->config, r->config.tr069_connection_request_port);
  std::cout << (a.has("json") ? fw::describe_json(c) + "\n" : fw::describe(c));
  if (r->config.tr069_enabled && r->config.tr069_connection_request_port == 0)
    std::cerr << "note: TR-069 connection-request port is chosen at random in 8000-9999 when the daemon starts\n";
  return 0;
}

int cmd_verdict(const Args& a) {
  if (!a.has("config") || !a.has("pcap") || !a.has("local")) {
    std::cerr << "phonesec verdict: --config, --local and --pcap are required\n";
    return 2;
  }
  auto r = config::load_file(a.get("config"));
  if (!r) {
    std::cerr << "phonesec verdict: " << r.error().message() << "\n";
    return 1;
  }
  print_diags(r->diagnostics);
  auto frames = fw::read_pcap(a.get("pcap"));
  if (!frames) {
    std::cerr << "phonesec verdict: " << frames.error().message() << "\n";
    return 1;
  }
  if (auto s = fw::ensure_bpffs(); !s) std::cerr << "phonesec verdict: " << s.error().message() << "\n";
  auto fwl = fw::Firewall::load({});
  if (!fwl) {
    std::cerr << "phonesec verdict: " << fwl.error().message() << "\n";
    return 1;
  }
  auto c = fw::compile(r->config, r->config.tr069_connection_request_port);
  if (auto g = fw::install_policy((*fwl)->maps(), *c.image); !g) {
    std::cerr << "phonesec verdict: " << g.error().message() << "\n";
    return 1;
  }
  auto runner = fw::VerdictRunner::create(*fwl.value(), a.all("local"));
  if (!runner) {
    std::cerr << "phonesec verdict: " << runner.error().message() << "\n";
    return 2;
  }
  bool json = a.has("json");
  for (std::size_t i = 0; i < frames->size(); ++i) {
    auto v = runner->run((*frames)[i], i + 1);
    if (!v) {
      std::cerr << "phonesec verdict: " << v.error().message() << "\n";
      return 1;
    }
    std::cout << fw::format_verdict(v.value(), json) << "\n";
  }
  return 0;
}

int cmd_unload(const Args& a) {
  auto s = fw::unpin_all(a.get("pin-dir"));
  if (!s) {
    std::cerr << "phonesec unload: " << s.error().message() << "\n";
    return 1;
  }
  std::cout << "firewall detached and unpinned from " << a.get("pin-dir") << "\n";
  return 0;
}

std::vector<Command> commands() {
  return {
      {"status", "daemon, firewall and policy state", {kPin, kRun, kJson}, cmd_status},
      {"stats", "packet counters per direction and reason", {kPin, kJson}, cmd_stats},
      {"flows", "the connection-tracking table", {kPin, kJson}, cmd_flows},
      {"reload", "make phonesecd re-read its cfg.xml (SIGHUP) and show the outcome", {kRun}, cmd_reload},
      {"policy", "show the port sets and options a cfg.xml compiles to, without loading",
       {{"config", "cfg.xml to compile", true, false, ""}, kJson}, cmd_policy},
      {"verdict", "replay a pcap through the real BPF programs with fresh private maps",
       {{"config", "cfg.xml", true, false, ""},
        {"local", "a local address: frames from it go through egress", true, true, ""},
        {"pcap", "capture file (Ethernet)", true, false, ""},
        kJson},
       cmd_verdict},
      {"unload", "detach the firewall and remove its pins (maintenance)", {kPin}, cmd_unload},
  };
}

}  // namespace
}  // namespace phonesec::cli

int main(int argc, char** argv) {
  using namespace phonesec::cli;
  auto cmds = commands();
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    print_usage(cmds);
    return argc < 2 ? 2 : 0;
  }
  std::string name = argv[1];
  if (name == "help") {
    for (const auto& c : cmds)
      if (argc > 2 && c.name == argv[2]) {
        print_command_help(c);
        return 0;
      }
    print_usage(cmds);
    return 0;
  }
  for (const auto& c : cmds) {
    if (c.name != name) continue;
    Args a;
    if (!parse_args(c, argc, argv, 2, a)) return 2;
    return c.handler(a);
  }
  std::cerr << "phonesec: unknown command '" << name << "'\n";
  print_usage(cmds);
  return 2;
}

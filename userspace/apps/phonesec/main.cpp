// SPDX-License-Identifier: Apache-2.0
// phonesec: the people's tool. Works from the pinned maps under /sys/fs/bpf/phonesec, so
// status, stats and flows answer even while the daemon is down.
#include <arpa/inet.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "common/args.h"
#include "common/channel.h"
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


std::string read_file(const std::string& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The daemon's pid when it runs. kill(pid, 0) failing with EPERM means alive (another
// user's process), not dead.
int daemon_pid(const std::string& run_dir) {
  int pid = 0;
  std::ifstream(run_dir + "/phonesecd.pid") >> pid;
  if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)) return pid;
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

// "2026-12-03 19:40:02" in the machine's local time.
std::string local_time(long long unix_s) {
  std::time_t t = std::time_t(unix_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tm);
  return b;
}

// One part as the phone's menus would show it, from the controller's status ("parts").
std::string part_line(const std::string& name, const Json& p) {
  if (!p.is_object()) return "not running";
  if (p.contains("why")) return "not running (" + jstr(p, "why") + ")";
  const bool enabled = jbool(p, "enabled"), running = jbool(p, "running");
  if (!running) {
    std::string why = enabled ? "not running" : "off (disabled by the profile)";
    if (enabled && p.contains("last_exit") && p["last_exit"].is_string())
      why += " (" + p["last_exit"].get<std::string>() + (jstr(p, "last_error").empty() ? "" : ": " + jstr(p, "last_error")) + ", restarting)";
    return why;
  }
  const Json st = jobj(p, "status");
  std::string head = "running (pid " + std::to_string(jnum(p, "pid")) + ", capabilities: " +
                     (jstr(p, "capabilities").empty() ? std::string("none") : jstr(p, "capabilities")) + ")";
  if (!st.is_object()) return head + ", no status yet";
  if (name == "dot1x") {
    std::string t = jstr(st, "transaction", "?");
    if (!jstr(st, "protocol").empty()) t += " (" + jstr(st, "protocol") + ")";
    if (!jstr(st, "reason").empty()) t += ", " + jstr(st, "reason");
    return "Transaction Status: " + t + "; " + head;
  }
  if (name == "vpn") {
    std::string t = jstr(st, "state", "?");
    if (t == "connected")
      t += " " + jstr(st, "ifname") + " " + jstr(st, "address") + "/" + jstr(st, "netmask") +
           " via " + jstr(st, "transport") + ", sent " + std::to_string(jnum(st, "bytes_sent")) +
           " B, received " + std::to_string(jnum(st, "bytes_received")) + " B";
    if (!jstr(st, "last_error").empty()) t += "; last error: " + jstr(st, "last_error");
    return t + "; " + head;
  }
  if (name == "prov") {
    std::string t = "source " + jstr(st, "source", "none");
    t += ", last resync " + (jnum(st, "last_resync", 0) > 0 ? local_time(jnum(st, "last_resync")) : std::string("never"));
    t += ", result " + jstr(st, "result", "none");
    if (jnum(st, "next_resync", 0) > 0) t += ", next " + local_time(jnum(st, "next_resync"));
    return t + "; " + head;
  }
  if (name == "media") {
    std::string t;
    for (const auto& l : jobj(st, "lines")) {
      if (!jbool(l, "enabled")) continue;
      const Json ms = jobj(l, "mediasec");
      t += (t.empty() ? "" : "; ") + std::string("line ") + std::to_string(jnum(l, "line")) + " " + jstr(l, "transport") +
           " to " + jstr(l, "proxy") + " (UA: " + jstr(l, "ua_side") + "), MediaSec " + jstr(ms, "state", "off") +
           (jbool(ms, "agreed") ? " agreed" : "") + ", " + std::to_string(jnum(l, "calls")) + " call(s)" +
           (jstr(l, "suite").empty() ? "" : ", " + jstr(l, "suite")) +
           (jstr(l, "last_error").empty() ? "" : ", error: " + jstr(l, "last_error"));
    }
    return (t.empty() ? std::string("no line enabled") : t) + "; " + head;
  }
  return st.dump() + "; " + head;
}

int cmd_status(const Args& a) {
  bool json = a.has("json");
  int pid = daemon_pid(a.get("run-dir"));
  auto m = fw::MapSet::open_pinned(a.get("pin-dir"));
  const std::string status_text = read_file(a.get("run-dir") + "/status.json");
  Json ds = status_text.empty() ? Json() : Json::parse(status_text, nullptr, false);
  if (ds.is_discarded()) ds = Json();
  // The standalone phonesec-dot1x tool's files, shown only while that tool runs.
  std::string dot1x_json = read_file(a.get("run-dir") + "/dot1x.json");
  std::string dot1x_txt = read_file(a.get("run-dir") + "/dot1x.txt");
  {
    int dpid = 0;
    std::ifstream(a.get("run-dir") + "/dot1x.pid") >> dpid;
    if (dpid <= 0 || (kill(dpid, 0) != 0 && errno != EPERM)) dot1x_json.clear(), dot1x_txt.clear();
  }
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
  } else if (m.error().sys_errno == EPERM || m.error().sys_errno == EACCES) {
    pol_state = "unknown (" + m.error().message() + ")";
  }
  // Every interface with pinned links (phonesecd's, and the VPN tunnel's from phonesec-vpn).
  const auto att = fw::pinned_attachments(a.get("pin-dir"));
  Json attached = Json::array();
  std::string attached_txt;
  for (std::size_t i = 0; i < att.size(); ++i) {
    attached.push_back({{"name", att[i].ifname}, {"variant", att[i].variant}});
    attached_txt += (i ? ", " : "") + att[i].ifname + " (" + att[i].variant + ")";
  }
  // Parts: what the running controller reports; nothing of a controller that is gone.
  Json parts = Json::object();
  for (const char* name : {"dot1x", "prov", "vpn", "media"}) {
    if (pid && ds.is_object() && ds.contains("parts") && ds["parts"].contains(name)) parts[name] = ds["parts"][name];
    else parts[name] = {{"running", false}, {"enabled", nullptr}, {"status", nullptr},
                        {"why", pid ? "not run by this phonesecd" : "phonesecd is not running"}};
  }
  if (json) {
    nlohmann::ordered_json out;  // the order people read: daemon, firewall, … (and each part's own)
    out["daemon"] = pid ? "running" : "stopped";
    out["pid"] = pid;
    out["firewall"] = pol_state;
    out["generation"] = gen;
    out["flows"] = nflows;
    out["daemon_status"] = ds;
    out["attached"] = attached;
    nlohmann::ordered_json d1 = dot1x_json.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(dot1x_json, nullptr, false);
    if (d1.is_discarded()) d1 = nullptr;
    if (d1.is_null() && jbool(parts["dot1x"], "running")) d1 = nlohmann::ordered_json::parse(parts["dot1x"]["status"].dump());
    out["dot1x"] = d1;
    out["parts"] = parts;
    if (pid && ds.is_object()) {
      out["boot"] = jobj(ds, "boot");
      out["tls"] = jobj(ds, "tls");
      out["provisioning"] = jobj(ds, "provisioning");
    }
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "daemon:   " << (pid ? "running (pid " + std::to_string(pid) + ")" : "stopped") << "\n"
              << "firewall: " << pol_state << (gen ? ", policy generation " + std::to_string(gen) : "") << "\n"
              << "flows:    " << nflows << "\n"
              << "attached: " << (attached_txt.empty() ? "none" : attached_txt) << "\n";
    if (pid && ds.is_object()) {
      std::cout << "profile:  " << jstr(ds, "policy_source") << " (applied " << jnum(ds, "profile_generation")
                << " time(s) since start; the firewall's policy generation counts its map swaps)\n";
      const Json lr = jobj(ds, "last_reload");
      std::cout << "reload:   " << jstr(lr, "message") << "\n";
      std::string boot;
      const Json steps = jobj(ds, "boot");
      std::vector<std::pair<long long, std::string>> order;  // in the order they happened
      for (auto& [k, v] : steps.items()) order.emplace_back(jnum(v, "ms"), k);
      std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [ms, k] : order) boot += (boot.empty() ? "" : ", ") + k + " " + std::to_string(ms) + " ms";
      std::cout << "boot:     " << (boot.empty() ? "-" : boot) << "\n";
      const Json tls = jobj(ds, "tls");
      std::cout << "TLS:      " << (jstr(tls, "cipher_list").empty() ? "each application's default cipher list"
                                                                                   : "TLS_Cipher_List " + jstr(tls, "cipher_list") +
                                                                                         (jbool(tls, "applies") ? "" : " (invalid: not applied)"))
                << "\n";
      const Json pv = jobj(ds, "provisioning");
      if (pv.is_object() && !pv.empty()) std::cout << "last provisioned profile: " << jstr(pv, "result", "?") << "\n";
    }
    std::cout << "802.1X:   " << part_line("dot1x", parts["dot1x"]) << "\n"
              << "provisioning: " << part_line("prov", parts["prov"]) << "\n"
              << "VPN:      " << part_line("vpn", parts["vpn"]) << "\n"
              << "media:    " << part_line("media", parts["media"]) << "\n";
    if (!dot1x_txt.empty()) {
      // 802.1X as the phone's menu shows it, from the standalone phonesec-dot1x tool.
      std::cout << "802.1X:\n";
      for (std::size_t b = 0, e; b < dot1x_txt.size(); b = e + 1) {
        e = dot1x_txt.find('\n', b);
        if (e == std::string::npos) e = dot1x_txt.size();
        std::cout << "  " << dot1x_txt.substr(b, e - b) << "\n";
      }
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
    const std::string st = fw::ct_state_name(fl.val.state);
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

Json read_status(const std::string& run) {
  Json j = Json::parse(read_file(run + "/status.json"), nullptr, false);
  return j.is_discarded() ? Json() : j;
}

// Signals the running controller; false (said on stderr, naming the command) when it is not
// running or the signal is refused (another user's daemon: EPERM).
bool signal_daemon(const std::string& run, int sig, const char* cmd) {
  int pid = daemon_pid(run);
  if (!pid) {
    std::cerr << "phonesec " << cmd << ": phonesecd is not running (no live pid in " << run << "/phonesecd.pid)\n";
    return false;
  }
  if (kill(pid, sig) != 0) {
    std::cerr << "phonesec " << cmd << ": signal pid " << pid << ": " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

// SIGHUP, then the outcome of that very reload (its sequence number in status.json), per part.
int cmd_reload(const Args& a) {
  const std::string run = a.get("run-dir");
  const long long before = jnum(jobj(read_status(run), "last_reload"), "seq", -1);
  if (!signal_daemon(run, SIGHUP, "reload")) return 1;
  for (int i = 0; i < 250; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const Json st = read_status(run);
    const Json lr = jobj(st, "last_reload");
    if (jnum(lr, "seq", -1) <= before) continue;
    // The parts answer shortly after the firewall: give them a moment, then report.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const Json now = read_status(run);
    Json out = {{"applied", jbool(lr, "applied")}, {"message", jstr(lr, "message")}, {"warnings", jobj(lr, "warnings")},
                {"generation", jnum(now, "profile_generation")}};
    Json parts = Json::object();
    const Json ps = jobj(now, "parts");
    if (ps.is_object())
      for (auto& [name, p] : ps.items()) parts[name] = jobj(p, "last_apply");
    out["parts"] = parts;
    if (a.has("json")) {
      std::cout << out.dump() << "\n";
    } else {
      std::cout << (jbool(lr, "applied") ? "reloaded: " : "not reloaded: ") << jstr(lr, "message") << "\n";
      for (auto& [name, la] : parts.items())
        std::cout << "  " << name << ": " << (la.is_object() ? jstr(la, "outcome", "?") : std::string("not running")) << "\n";
      for (const auto& w : jobj(lr, "warnings")) std::cerr << (w.is_string() ? w.get<std::string>() : w.dump()) << "\n";
    }
    return jbool(lr, "applied") ? 0 : 1;
  }
  std::cerr << "phonesec reload: no answer from phonesecd within 5 s\n";
  return 1;
}

// SIGUSR1: provisioning resyncs now (Profile_Rule…); the outcome shows in `phonesec status`.
int cmd_resync(const Args& a) {
  if (!signal_daemon(a.get("run-dir"), SIGUSR1, "resync")) return 1;
  std::cout << "resync requested; see `phonesec status`\n";
  return 0;
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
      {"reload", "make phonesecd re-read its profiles (SIGHUP) and show the outcome per part", {kRun, kJson}, cmd_reload},
      {"resync", "make phonesecd's provisioning resync now (SIGUSR1)", {kRun}, cmd_resync},
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

// SPDX-License-Identifier: Apache-2.0
#include "phonesecd/daemon.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <malloc.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/fd.h"
#include "common/log.h"
#include "common/secure.h"
#include "common/text.h"
#include "fw/policy.h"
#include "phonesecd/parts.h"

namespace phonesec::daemon {
namespace fs = std::filesystem;
namespace {

std::string read_small(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Written whole or not at all (tmp + rename), mode 0600, owned by uid/gid when given.
Status write_private(const std::string& path, const std::string& body, int uid = -1, int gid = -1) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return sys_error("open " + tmp);
  std::size_t off = 0;
  while (off < body.size()) {
    ssize_t n = ::write(fd, body.data() + off, body.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = sys_error("write " + tmp);
      ::close(fd);
      return e;
    }
    off += std::size_t(n);
  }
  if (uid >= 0 && fchown(fd, uid_t(uid), gid_t(gid)) != 0) {
    Error e = sys_error("chown " + tmp);
    ::close(fd);
    return e;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return sys_error("rename " + path);
  return {};
}

std::int64_t unix_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

Daemon::~Daemon() { stop_all_workers(); }

void Daemon::mark(const std::string& step) {
  if (boot_.contains(step)) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
  boot_[step] = {{"ms", ms}, {"unix_ms", unix_ms()}};
  log::info("daemon", "boot: ", step, " at ", ms, " ms");
}

Result<Daemon::Composed> Daemon::compose(const std::string* provisioned_text) const {
  Composed c;
  c.cfg = config::factory();
  c.source = "factory profile";
  if (!opts_.config_path.empty()) {
    auto r = config::load_file(opts_.config_path);
    if (!r) return r.error();
    c.cfg = r->config;
    c.diags = r->diagnostics;
    c.source = opts_.config_path;
  }
  const std::string prov_path = opts_.state_dir + "/provisioned.xml";
  std::string text = provisioned_text ? *provisioned_text : std::string();
  if (!provisioned_text && fs::exists(prov_path)) {
    auto r = config::load_file(prov_path, &c.cfg);
    if (!r) return r.error();
    c.cfg = r->config;
    for (auto& d : r->diagnostics) c.diags.push_back(std::move(d));
    c.source += " + " + prov_path;
  } else if (provisioned_text) {
    auto r = config::load_string(text, "provisioned profile", &c.cfg);
    if (!r) return r.error();
    c.cfg = r->config;
    for (auto& d : r->diagnostics) c.diags.push_back(std::move(d));
    c.source += " + provisioned profile";
  }
  return c;
}

bool Daemon::apply_firewall(const config::PhoneConfig& cfg, ReloadOutcome& out) {
  auto compiled = fw::compile(cfg, tr069_port_);
  auto gen = fw::install_policy(fw_->maps(), *compiled.image);
  if (!gen) {
    out.message = "install policy: " + gen.error().message();
    log::error("daemon", out.message);
    return false;
  }
  applied_to_fw_ = cfg;
  fw_applied_ = true;
  out.generation = gen.value();
  return true;
}

ReloadOutcome Daemon::take(Composed c) {
  ReloadOutcome out;
  out.diagnostics = std::move(c.diags);
  for (const auto& dg : out.diagnostics) log::warn("config", dg.to_string());
  if (!fw_applied_ || !(c.cfg == applied_to_fw_)) {
    if (!apply_firewall(c.cfg, out)) return out;
  } else {
    out.generation = last_.generation;
  }
  out.applied = true;
  policy_source_ = c.source;
  cfg_ = std::move(c.cfg);
  ++generation_;
  out.message = "policy " + std::to_string(out.generation) + " from " + policy_source_;
  log::info("daemon", out.message, " (", out.diagnostics.size(), " warnings)");
  // The device keeps it: the next boot enforces this before reading anything else.
  if (auto s = write_private(opts_.state_dir + "/last-good.xml", config::to_xml(cfg_, true)); !s)
    log::warn("daemon", "cannot keep the last good profile: ", s.error().message());
  // Every part whose settings changed hears of it; the others keep running untouched.
  for (auto& w : workers_) {
    if (!w->running() || !wanted(w->name())) continue;  // one the profile turns off is stopped instead
    auto it = sent_cfg_.find(w->name());
    if (it != sent_cfg_.end() && same_settings(w->name(), it->second, cfg_)) {
      w->last_apply = {{"generation", generation_}, {"outcome", "unchanged"}};
      continue;
    }
    send_apply(*w);
  }
  return out;
}

Result<std::unique_ptr<Daemon>> Daemon::start(const Options& o) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->opts_ = o;
  if (d->opts_.uplink.empty() && !o.interfaces.empty()) d->opts_.uplink = o.interfaces.front();
  d->started_unix_ = std::time(nullptr);
  d->started_ = Clock::now();
  if (auto s = fw::ensure_bpffs(); !s) return s.error();
  std::error_code ec;
  fs::create_directories(o.run_dir, ec);
  fs::create_directories(o.state_dir, ec);
  // The OS's DHCP client hooks write the leases here (root); provisioning watches it.
  fs::create_directories(o.run_dir + "/dhcp", ec);
  ::setenv("PHONESEC_RUN_DIR", o.run_dir.c_str(), 1);  // the workers' (and hooks') run dir
  if (!o.ca_file.empty()) ::setenv("PHONESEC_CA_FILE", o.ca_file.c_str(), 1);
  ::chmod(o.state_dir.c_str(), 0700);

  // t0: enforce at once with what the device kept (factory profile on first boot); the
  // device's and the provisioned profiles are read after the programs are attached.
  config::PhoneConfig boot_cfg = config::factory();
  std::string boot_source = "factory profile";
  const std::string last_good = o.state_dir + "/last-good.xml";
  if (fs::exists(last_good)) {
    if (auto r = config::load_file(last_good)) {
      boot_cfg = r->config;
      boot_source = last_good;
    } else {
      log::error("daemon", r.error().message(), " — booting with the factory profile");
    }
  }
  fw::FirewallOptions fo;
  fo.pin_dir = o.pin_dir;
  fo.ct_tcp_max = boot_cfg.fw_tunables.ct_tcp_max;
  fo.ct_udp_max = boot_cfg.fw_tunables.ct_udp_max;
  fo.ct_icmp_max = boot_cfg.fw_tunables.ct_icmp_max;
  auto fw = fw::Firewall::load(fo);
  if (!fw) return fw.error();
  d->fw_ = std::move(fw.value());
  log::info("daemon", d->fw_->adopted() ? "adopted pinned maps (flows kept) from " : "created maps pinned under ",
            o.pin_dir, "; clock: ", d->fw_->clock_source());
  d->tr069_port_ = fw::resolve_tr069_port(boot_cfg);
  // Policy before attach: a packet never meets the programs without one.
  ReloadOutcome first;
  if (!d->apply_firewall(boot_cfg, first)) return make_error(Errc::state, first.message);
  d->cfg_ = boot_cfg;
  d->policy_source_ = boot_source;
  first.applied = true;
  first.message = "policy " + std::to_string(first.generation) + " from " + boot_source;
  d->last_ = first;
  // The interfaces' life is followed from before the first attach: a device deleted and
  // recreated (VLAN, bridge, driver reset) is attached again; one that does not exist yet is
  // attached when it appears.
  auto links = fw::LinkLifecycle::open();
  if (!links) return links.error();
  d->links_ = std::move(links.value());
  for (const auto& ifn : o.interfaces) {
    auto a = d->fw_->attach(ifn, o.generic_xdp ? fw::XdpMode::generic : fw::XdpMode::native_or_generic,
                            o.clsact_egress ? fw::TcMode::clsact : fw::TcMode::tcx_or_clsact);
    if (!a && a.error().sys_errno == ENODEV) {
      log::warn("daemon", "interface ", ifn, " does not exist (yet): the firewall goes on it when it appears");
      d->waiting_.push_back(ifn);
      d->links_->watch(ifn, 0);
      continue;
    }
    if (!a) return a.error();
    log::info("daemon", "attached to ", ifn, ": XDP ", a->xdp_mode, ", egress ", a->tc_mode, ", ", a->variant, " programs");
    d->attached_.push_back(a.value());
    d->links_->watch(ifn, a->ifindex);
  }
  if (o.interfaces.empty()) log::warn("daemon", "no --iface: the firewall is loaded but on no interface");
  d->mark("enforcing");
  (void)d->write_status();

  // Then the profile the device is configured with.
  auto c = d->compose(nullptr);
  if (c) {
    d->last_ = d->take(std::move(c.value()));
  } else {
    d->last_.applied = false;
    d->last_.message = "rejected " + c.error().message() + "; keeping policy " + std::to_string(d->last_.generation) +
                       " from " + d->policy_source_;
    log::error("daemon", d->last_.message);
  }
  if (o.workers)
    for (const auto& part : part_names()) d->workers_.push_back(std::make_unique<Worker>(part, part_privileges(part)));
  d->start_workers_due();
  (void)d->write_status();
  return d;
}

ReloadOutcome Daemon::reload() {
  ++reloads_;
  auto c = compose(nullptr);
  if (!c) {
    // Not well-formed: rejected whole, the last good profile stays for every part.
    ReloadOutcome keep = last_;
    keep.applied = false;
    keep.message = "rejected " + c.error().message() + "; keeping policy " + std::to_string(last_.generation) +
                   " from " + policy_source_;
    log::error("daemon", keep.message);
    last_ = keep;
  } else {
    last_ = take(std::move(c.value()));
  }
  start_workers_due();
  (void)write_status();
  // Parsing a large profile (up to config::kMaxProfileBytes, its DOM and diagnostics) grows the
  // heap; glibc keeps freed arenas mapped, so without this a daemon that once reloaded a big
  // file would keep that memory for the phone's lifetime.
  malloc_trim(0);
  return last_;
}

Worker* Daemon::worker(const std::string& name) {
  for (auto& w : workers_)
    if (w->name() == name) return w.get();
  return nullptr;
}

bool Daemon::wanted(const std::string& part) const {
  if (part == "dot1x") return cfg_.dot1x.enable && !opts_.uplink.empty();
  return part_wanted(part, cfg_);
}

// The network is used once 802.1X has authenticated, is off, or gave up waiting (the
// standard's open port after unanswered Starts), or after dot1x_gate at the latest.
bool Daemon::network_gate_open() const {
  if (!cfg_.dot1x.enable || opts_.uplink.empty()) return true;
  if (Clock::now() - started_ > opts_.dot1x_gate) return true;
  for (const auto& w : workers_)
    if (w->name() == "dot1x" && w->status.is_object()) {
      const std::string t = jstr(w->status, "transaction");
      if (t == "Authenticated" || jbool(w->status, "port_authorized")) return true;
    }
  return false;
}

std::string Daemon::part_dir(const Worker& w) const { return opts_.run_dir + "/" + w.name(); }

Json Daemon::part_args(const std::string& part) const {
  if (part == "dot1x") {
    Json a = Json::array({"--iface", opts_.uplink});
    if (!opts_.pc_port.empty()) a.insert(a.end(), {"--pc-port", opts_.pc_port});
    if (!opts_.ca_file.empty()) a.insert(a.end(), {"--ca", opts_.ca_file});
    if (!opts_.device_cert.empty()) a.insert(a.end(), {"--cert", opts_.device_cert});
    if (!opts_.device_key.empty()) a.insert(a.end(), {"--key", opts_.device_key});
    a.insert(a.end(), {"--pac-file", opts_.state_dir + "/eap-fast.pac"});
    for (const auto& kv : opts_.dot1x_options) {
      auto eq = kv.find('=');
      a.push_back("--" + kv.substr(0, eq));
      if (eq != std::string::npos) a.push_back(kv.substr(eq + 1));
    }
    return a;
  }
  if (part == "vpn") return {{"ca", opts_.ca_file}, {"pin", opts_.vpn_pin}, {"dpd_s", opts_.vpn_dpd_s}};
  // prov: its own fields (prov/worker.h), the device's MAC for the $MAC macro.
  const std::string mac = std::string(text::trim(read_small("/sys/class/net/" + opts_.uplink + "/address")));
  Json a = {{"ca_file", opts_.ca_file}, {"iface", opts_.uplink}, {"device", {{"mac", mac}}}};
  // Workers that run as another user get their own copy of the device identity.
  if (!opts_.device_cert.empty()) a["device_cert"] = opts_.run_dir + "/" + part + "/device-cert.pem";
  if (!opts_.device_key.empty()) a["device_key"] = opts_.run_dir + "/" + part + "/device-key.pem";
  return a;
}

void Daemon::send_apply(Worker& w) {
  const Privileges pv = part_privileges(w.name());
  const std::string dir = part_dir(w);
  ::mkdir(dir.c_str(), 0700);
  (void)::chown(dir.c_str(), pv.uid, pv.gid);
  const std::string path = dir + "/profile.xml";
  const std::string part = w.name();
  if (auto s = write_private(path, config::to_xml_keeping(cfg_, [&part](std::string_view p) { return secret_for(part, p); }),
                             int(pv.uid), int(pv.gid));
      !s) {
    log::error("daemon", "worker ", w.name(), ": ", s.error().message());
    return;
  }
  Json args = part_args(w.name());
  if (args.is_object() && pv.uid != 0) {
    // The worker cannot read root's files: its own copies, in its own 0700 directory.
    for (auto [key, src] : {std::pair{"device_cert", &opts_.device_cert}, std::pair{"device_key", &opts_.device_key}}) {
      if (!args.contains(key)) continue;
      std::string body = read_small(*src);
      if (auto s = write_private(args[key], body, int(pv.uid), int(pv.gid)); !s)
        log::warn("daemon", "worker ", w.name(), ": ", s.error().message());
      secure_wipe(body.data(), body.size());
    }
  } else if (args.is_object()) {
    if (args.contains("device_cert")) args["device_cert"] = opts_.device_cert;
    if (args.contains("device_key")) args["device_key"] = opts_.device_key;
  }
  Json m = {{"op", "apply"}, {"profile", path}, {"generation", generation_}, {"incoming_dir", dir}, {"run_dir", opts_.run_dir}};
  if (w.name() == "prov")
    for (auto& [k, v] : args.items()) m[k] = v;
  else
    m["args"] = args;
  if (auto s = w.channel().send(m); !s) {
    log::warn("daemon", "worker ", w.name(), ": ", s.error().message());
    return;
  }
  w.sent_generation = generation_;
  sent_cfg_[w.name()] = cfg_;
}

void Daemon::start_workers_due() {
  if (stopping_) return;
  const bool gate = network_gate_open();
  if (gate) mark("network");
  for (auto& w : workers_) {
    const bool want = wanted(w->name()) && (w->name() == "dot1x" || gate);
    if (!want && w->running() && !wanted(w->name())) {
      log::info("daemon", "part ", w->name(), " turned off by the profile");
      w->wanted = false;
      w->stop();
      w->last_apply = {{"generation", generation_}, {"outcome", "stopped: disabled by the profile"}};
      continue;
    }
    w->wanted = want;
    if (!want || w->running() || Clock::now() < w->restart_at) continue;
    if (auto s = w->start(opts_.self_exe); !s) {
      log::error("daemon", "worker ", w->name(), ": ", s.error().message());
      w->restart_at = Clock::now() + std::chrono::seconds(5);
      continue;
    }
    send_apply(*w);
  }
}

void Daemon::on_profile_event(const Json& m) {
  const std::string path = jstr(m, "path");
  provisioning_ = {{"event_unix", std::time(nullptr)}, {"path", path}, {"rules", jobj(m, "rules")}};
  // The worker wrote it in its own directory: read once, bounded like any profile; merging
  // checks it is well-formed (naming the file), composing checks its values.
  auto text = config::read_profile(path);
  const std::string prov_path = opts_.state_dir + "/provisioned.xml";
  auto merged = text ? config::merge_profiles(read_small(prov_path), text.value(), path) : Result<std::string>(text.error());
  if (!merged) {
    provisioning_["result"] = "rejected: " + merged.error().message();
    log::error("daemon", "provisioned profile rejected: ", merged.error().message(), "; keeping generation ", generation_);
    return;
  }
  auto c = compose(&merged.value());
  if (!c) {
    provisioning_["result"] = "rejected: " + c.error().message();
    log::error("daemon", "provisioned profile rejected: ", c.error().message());
    return;
  }
  if (auto s = write_private(prov_path, merged.value()); !s)
    log::warn("daemon", "cannot keep the provisioned profile: ", s.error().message());
  const bool changed = !(c->cfg == cfg_);
  last_ = take(std::move(c.value()));
  provisioning_["result"] = last_.applied ? (changed ? "applied" : "unchanged") : "failed: " + last_.message;
  provisioning_["generation"] = generation_;
  if (last_.applied) mark("provisioned");
  start_workers_due();
}

void Daemon::on_tunnel(const Json& m, bool up) {
  const std::string ifn = jstr(m, "ifname");
  if (ifn.empty()) return;
  std::erase_if(tunnels_, [&](const fw::AttachInfo& a) { return a.ifname == ifn; });
  if (!up) {
    for (const auto& a : fw_->attached())
      if (a == ifn) (void)fw_->detach(ifn);
    return;
  }
  auto a = fw_->attach(ifn, fw::XdpMode::generic);
  if (!a) {
    log::error("daemon", "firewall on tunnel ", ifn, ": ", a.error().message());
    return;
  }
  log::info("daemon", "firewall attached to tunnel ", ifn, " (", a->variant, " programs)");
  tunnels_.push_back(a.value());
  mark("vpn_up");
}

void Daemon::on_links() {
  auto r = fw::reattach_changed(*fw_, *links_, opts_.generic_xdp ? fw::XdpMode::generic : fw::XdpMode::native_or_generic,
                                opts_.clsact_egress ? fw::TcMode::clsact : fw::TcMode::tcx_or_clsact);
  if (!r) {
    log::error("daemon", r.error().message());
    return;
  }
  for (const auto& a : r.value()) {
    log::info("daemon", "interface ", a.ifname, " is a new device: firewall attached again (XDP ", a.xdp_mode, ", egress ",
              a.tc_mode, ")");
    std::erase_if(attached_, [&](const fw::AttachInfo& x) { return x.ifname == a.ifname; });
    std::erase(waiting_, a.ifname);
    attached_.push_back(a);
  }
}

void Daemon::on_message(Worker& w, const Json& m) {
  const std::string op = m["op"];
  if (op == "status") {
    w.status = jobj(m, "status");
    w.last_error.clear();
    if (w.name() == "dot1x" && jstr(w.status, "transaction") == "Authenticated") mark("dot1x_authenticated");
    if (w.name() == "media") {
      // A call is up: scheduled resyncs wait (at most Forced_Resync_Delay), as a phone does.
      long long calls = 0;
      for (const auto& l : jobj(w.status, "lines")) calls += jnum(l, "calls");
      if ((calls > 0) != busy_) {
        busy_ = calls > 0;
        if (Worker* p = worker("prov"); p && p->running())
          (void)p->channel().send({{"op", "command"}, {"name", "busy"}, {"value", busy_}});
      }
    }
  } else if (op == "applied") {
    w.last_apply = {{"generation", jnum(m, "generation")}, {"outcome", jstr(m, "outcome")}};
  } else if (op == "event") {
    const std::string name = jstr(m, "name");
    if (w.name() == "prov" && name == "profile") on_profile_event(m);
    else if (w.name() == "vpn" && name == "tun_up") on_tunnel(m, true);
    else if (w.name() == "vpn" && name == "tun_down") on_tunnel(m, false);
    else if (name == "fatal") w.last_error = jstr(m, "error");
    else log::debug("daemon", "worker ", w.name(), ": event ", name);
  }
}

void Daemon::stop_all_workers() {
  stopping_ = true;
  for (auto& w : workers_) {
    w->wanted = false;
    w->stop();
  }
}

void Daemon::loop(int sfd) {
  for (;;) {
    std::vector<pollfd> fds{{sfd, POLLIN, 0}, {links_ ? links_->fd() : -1, POLLIN, 0}};
    std::vector<Worker*> who{nullptr, nullptr};
    for (auto& w : workers_)
      if (w->running() && w->channel().valid()) {
        fds.push_back({w->channel().fd(), POLLIN, 0});
        who.push_back(w.get());
      }
    int n = ::poll(fds.data(), fds.size(), 500);
    if (n < 0 && errno != EINTR) {
      log::error("daemon", "poll: ", std::strerror(errno));
      return;
    }
    bool changed = false;
    if (n > 0 && (fds[1].revents & POLLIN)) {
      on_links();
      changed = true;
    }
    for (std::size_t i = 2; n > 0 && i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Worker& w = *who[i];
      for (int k = 0; k < 64 && w.channel().valid(); ++k) {  // drain what is queued
        pollfd p{w.channel().fd(), POLLIN, 0};
        if (k > 0 && ::poll(&p, 1, 0) <= 0) break;
        auto m = w.channel().recv();
        if (!m) {
          log::warn("daemon", "worker ", w.name(), ": ", m.error().message());
          break;
        }
        if (!m->has_value()) {
          w.on_channel_closed();
          break;
        }
        on_message(w, **m);
      }
      changed = true;
    }
    if (n > 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo si{};
      if (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGHUP) {
          reload();
        } else if (si.ssi_signo == SIGUSR1) {
          if (Worker* p = worker("prov"); p && p->running()) (void)p->channel().send({{"op", "command"}, {"name", "resync"}});
        } else if (si.ssi_signo == SIGCHLD) {
          int ws = 0;
          pid_t pid;
          while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
            for (auto& w : workers_) w->on_exit(pid, ws);
        } else {
          return;  // SIGTERM / SIGINT
        }
        changed = true;
      }
    }
    start_workers_due();
    if (changed) (void)write_status();
  }
}

Status Daemon::write_status() const {
  Json s;
  s["pid"] = getpid();
  s["capabilities"] = cap_names_of(effective_caps(getpid()));
  s["started"] = started_unix_;
  s["config"] = opts_.config_path;
  s["state_dir"] = opts_.state_dir;
  s["policy_source"] = policy_source_;
  s["generation"] = last_.generation;
  s["profile_generation"] = generation_;
  Json warnings = Json::array();
  for (const auto& d : last_.diagnostics) warnings.push_back(d.to_string());
  s["last_reload"] = {{"seq", reloads_}, {"applied", last_.applied}, {"message", last_.message}, {"warnings", warnings}};
  s["tr069_port"] = tr069_port_;
  s["bpf_clock"] = fw_->clock_source();
  Json ifs = Json::array();
  for (const auto& a : attached_)
    ifs.push_back({{"name", a.ifname}, {"xdp", a.xdp_mode}, {"egress", a.tc_mode}, {"variant", a.variant}});
  for (const auto& w : waiting_) ifs.push_back({{"name", w}, {"state", "waiting: no such device yet"}});
  for (const auto& a : tunnels_)
    ifs.push_back({{"name", a.ifname}, {"xdp", a.xdp_mode}, {"egress", a.tc_mode}, {"variant", a.variant}, {"tunnel", true}});
  s["interfaces"] = ifs;
  s["boot"] = boot_;
  s["tls"] = tls_status(cfg_);
  s["provisioning"] = provisioning_;
  Json parts = Json::object();
  for (const auto& w : workers_) {
    Json p = w->describe();
    p["enabled"] = wanted(w->name());
    parts[w->name()] = p;
  }
  s["parts"] = parts;
  const std::string body = s.dump() + "\n";
  // Readable by everyone (status is for people); never written through a planted symlink.
  const std::string dst = opts_.run_dir + "/status.json";
  if (auto st = write_private(dst, body); !st) return st;
  ::chmod(dst.c_str(), 0644);
  return {};
}

int run(const Options& o) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGCHLD}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    log::error("daemon", "signalfd: ", std::strerror(errno));
    return 1;
  }
  // One controller per pin set: a second one would overwrite the first one's policy and, on
  // exit, remove its pid file. The lock is the pin directory's own (flock), held for life.
  if (auto s = fw::ensure_bpffs(); !s) {
    log::error("daemon", s.error().message());
    return 1;
  }
  std::error_code ec;
  fs::create_directories(o.pin_dir, ec);
  UniqueFd lock(::open(o.pin_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!lock.valid() || flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      log::error("daemon", "another phonesecd already runs on ", o.pin_dir, " (it holds the lock); not starting a second one");
    else
      log::error("daemon", "lock ", o.pin_dir, ": ", std::strerror(errno));
    return 1;
  }
  auto d = Daemon::start(o);
  if (!d) {
    log::error("daemon", d.error().message());
    return 1;
  }
  {
    std::ofstream pid(o.run_dir + "/phonesecd.pid", std::ios::trunc);
    pid << getpid() << "\n";
  }
  // Loaded and attached: the controller keeps only what it still needs (issue 19).
  if (geteuid() == 0 || effective_caps(getpid()) > 0) {
    if (int e = restrict_self(controller_caps()); e != 0)
      log::warn("daemon", "cannot drop the capabilities it no longer needs: ", std::strerror(e));
    else
      log::info("daemon", "capabilities kept: ", cap_names(controller_caps()));
  }
  log::info("daemon", "enforcing; SIGHUP reloads ", o.config_path.empty() ? "(factory profile)" : o.config_path,
            ", SIGUSR1 resyncs");
  (*d)->loop(sfd);
  d->reset();  // stops the workers
  std::filesystem::remove(o.run_dir + "/phonesecd.pid");
  log::info("daemon", "exiting; the firewall stays attached (pinned under ", o.pin_dir, ")");
  return 0;
}

}  // namespace phonesec::daemon

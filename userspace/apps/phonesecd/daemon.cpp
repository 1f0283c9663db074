// SPDX-License-Identifier: Apache-2.0
#include "phonesecd/daemon.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "fw/policy.h"

namespace phonesec::daemon {
namespace {

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') { o += "\\n"; continue; }
    o += c;
  }
  return o + "\"";
}

}  // namespace

Result<std::unique_ptr<Daemon>> Daemon::start(const Options& o) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->opts_ = o;
  d->started_unix_ = std::time(nullptr);
  if (auto s = fw::ensure_bpffs(); !s) return s.error();

  // The policy to boot with: the file if it is good, the factory profile otherwise. Computed
  // before loading so table sizes come from the config.
  config::PhoneConfig cfg = config::factory();
  std::vector<config::Diagnostic> diags;
  std::string source = "factory profile";
  if (!o.config_path.empty()) {
    auto r = config::load_file(o.config_path);
    if (r) {
      cfg = r->config;
      diags = r->diagnostics;
      source = o.config_path;
    } else {
      log::error("daemon", r.error().message(), " — booting with the factory profile");
    }
  }

  fw::FirewallOptions fo;
  fo.pin_dir = o.pin_dir;
  fo.ct_tcp_max = cfg.fw_tunables.ct_tcp_max;
  fo.ct_udp_max = cfg.fw_tunables.ct_udp_max;
  fo.ct_icmp_max = cfg.fw_tunables.ct_icmp_max;
  auto fw = fw::Firewall::load(fo);
  if (!fw) return fw.error();
  d->fw_ = std::move(fw.value());
  log::info("daemon", d->fw_->adopted() ? "adopted pinned maps (flows kept) from " : "created maps pinned under ",
            o.pin_dir, "; clock: ", d->fw_->clock_source());
  d->tr069_port_ = fw::resolve_tr069_port(cfg);

  // Policy before attach: a packet never meets the programs without one. On adoption the
  // pinned policy is live already and stays until this one replaces it.
  d->last_ = d->apply(cfg, std::move(diags), source);
  if (!d->last_.applied) return make_error(Errc::state, d->last_.message);

  for (const auto& ifn : o.interfaces) {
    auto a = d->fw_->attach(ifn, o.generic_xdp ? fw::XdpMode::generic : fw::XdpMode::native_or_generic,
                            o.clsact_egress ? fw::TcMode::clsact : fw::TcMode::tcx_or_clsact);
    if (!a) return a.error();
    log::info("daemon", "attached to ", ifn, ": XDP ", a->xdp_mode, ", egress ", a->tc_mode, ", ", a->variant, " programs");
    d->attached_.push_back(a.value());
  }
  std::error_code ec;
  std::filesystem::create_directories(o.run_dir, ec);
  (void)d->write_status();
  return d;
}

ReloadOutcome Daemon::apply(const config::PhoneConfig& cfg, std::vector<config::Diagnostic> diags, std::string source) {
  ReloadOutcome out;
  out.diagnostics = std::move(diags);
  for (const auto& dg : out.diagnostics) log::warn("config", dg.to_string());
  auto compiled = fw::compile(cfg, tr069_port_);
  auto gen = fw::install_policy(fw_->maps(), *compiled.image);
  if (!gen) {
    out.message = "install policy: " + gen.error().message();
    log::error("daemon", out.message);
    return out;
  }
  out.applied = true;
  out.generation = gen.value();
  out.message = "policy " + std::to_string(out.generation) + " from " + source;
  policy_source_ = source;
  log::info("daemon", out.message, " (", out.diagnostics.size(), " warnings)");
  return out;
}

ReloadOutcome Daemon::reload() {
  if (opts_.config_path.empty()) {
    last_ = apply(config::factory(), {}, "factory profile");
  } else {
    auto r = config::load_file(opts_.config_path);
    if (!r) {
      // Not well-formed: rejected whole, the last good policy stays.
      ReloadOutcome keep = last_;
      keep.applied = false;
      keep.message = "rejected " + r.error().message() + "; keeping policy " + std::to_string(last_.generation) +
                     " from " + policy_source_;
      log::error("daemon", keep.message);
      last_ = keep;
    } else {
      last_ = apply(r->config, r->diagnostics, opts_.config_path);
    }
  }
  (void)write_status();
  return last_;
}

Status Daemon::write_status() const {
  std::ostringstream os;
  os << "{\"pid\":" << getpid() << ",\"started\":" << started_unix_ << ",\"config\":"
     << json_str(opts_.config_path.empty() ? "" : opts_.config_path) << ",\"policy_source\":" << json_str(policy_source_)
     << ",\"generation\":" << last_.generation << ",\"last_reload\":{\"applied\":" << (last_.applied ? "true" : "false")
     << ",\"message\":" << json_str(last_.message) << ",\"warnings\":[";
  for (std::size_t i = 0; i < last_.diagnostics.size(); ++i)
    os << (i ? "," : "") << json_str(last_.diagnostics[i].to_string());
  os << "]},\"tr069_port\":" << tr069_port_ << ",\"bpf_clock\":" << json_str(fw_->clock_source()) << ",\"interfaces\":[";
  for (std::size_t i = 0; i < attached_.size(); ++i)
    os << (i ? "," : "") << "{\"name\":" << json_str(attached_[i].ifname) << ",\"xdp\":" << json_str(attached_[i].xdp_mode)
       << ",\"egress\":" << json_str(attached_[i].tc_mode) << ",\"variant\":" << json_str(attached_[i].variant) << "}";
  os << "]}\n";
  std::string tmp = opts_.run_dir + "/status.json.tmp", dst = opts_.run_dir + "/status.json";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return make_error(Errc::io, "write " + tmp, errno);
    f << os.str();
  }
  if (std::rename(tmp.c_str(), dst.c_str()) != 0) return sys_error("rename " + dst);
  return {};
}

int run(const Options& o) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    log::error("daemon", "signalfd: ", std::strerror(errno));
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
  log::info("daemon", "enforcing; SIGHUP reloads ", o.config_path.empty() ? "(factory profile)" : o.config_path);
  for (;;) {
    signalfd_siginfo si{};
    if (read(sfd, &si, sizeof si) != sizeof si) {
      if (errno == EINTR) continue;
      break;
    }
    if (si.ssi_signo == SIGHUP) {
      (*d)->reload();
      continue;
    }
    break;  // SIGTERM / SIGINT: exit, the pinned programs keep enforcing
  }
  std::filesystem::remove(o.run_dir + "/phonesecd.pid");
  log::info("daemon", "exiting; the firewall stays attached (pinned under ", o.pin_dir, ")");
  return 0;
}

}  // namespace phonesec::daemon

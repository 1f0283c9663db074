// SPDX-License-Identifier: Apache-2.0
#include "prov/worker.h"

#include "tls/from_config.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "common/log.h"
#include "common/text.h"
#include "config/phone_config.h"
#include "prov/domains.h"
#include "prov/fetch.h"
#include "prov/lease_file.h"
#include "prov/pac.h"
#include "prov/resync.h"
#include "prov/schedule.h"
#include "prov/syslog.h"

namespace phonesec::prov {
namespace {

namespace fs = std::filesystem;

// What this part takes from a profile: an apply that changes none of it is "unchanged".
struct Settings {
  config::ProvisioningConfig prov;
  config::ResyncConfig resync;
  config::SyslogConfig syslog;
  config::HttpProxyConfig proxy;
  bool operator==(const Settings&) const = default;
};
Settings settings_of(const config::PhoneConfig& c) { return {c.prov, c.resync, c.syslog, c.http_proxy}; }

// Everything one resync needs, copied: the thread shares nothing with the main loop.
struct Job {
  config::PhoneConfig cfg;
  std::optional<ChosenSource> source;
  DeviceInfo dev;
  std::string ca_file;
  std::string device_cert, device_key;  // the device certificate ($CCERT), presented when asked
};

ResyncOutcome do_resync(const Job& j) {
  SystemResolver res(AddressFamily::ipv4);
  std::unique_ptr<SyslogSender> sender;
  if (!j.cfg.syslog.server.empty()) {
    auto s = SyslogSender::open(j.cfg.syslog.server);
    if (s) sender = std::make_unique<SyslogSender>(std::move(*s));
    else log::warn("prov", "syslog: ", s.error().message());
  }
  ProvisioningLog plog(j.cfg.syslog, j.dev, sender.get());
  FetchOptions fo;
  fo.ca_file = j.ca_file;
  fo.op = ProvOp::resync;
  // The one TLS policy: TLS_Cipher_List, name checks, the device certificate.
  fo.tls_policy = tls::TlsPolicy(tls::tls_policy_options(j.cfg));
  if (!j.device_cert.empty() && !j.device_key.empty()) fo.device_cert = tls::ClientCertFiles{j.device_cert, j.device_key, {}};
  Fetcher direct(DomainPolicy{}, res, nullptr, nullptr, fo);  // PAC/WPAD downloads
  WpadHints hints{j.source ? j.source->wpad_url : "", j.source ? j.source->domain : ""};
  auto chooser = make_proxy_chooser(j.cfg.http_proxy, hints, direct, res, j.dev.ip);
  if (!chooser) {
    ResyncOutcome o;
    o.error = "HTTP proxy: " + chooser.error().message();
    return o;
  }
  Fetcher f(DomainPolicy(j.cfg.prov.restricted_access_domains), res, &plog, chooser->get(), fo);
  FetchFn fetch = [&f](const RuleUrl& u, std::string_view what) { return f.fetch(u, what); };
  return run_resync(j.cfg.prov, j.source, macro_table(j.dev, {}), fetch, j.cfg.resync.fails_on_fnf, &plog);
}

std::string join_ints(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

// The parameters this part takes (a diagnostic about one of them goes into its status).
bool ours(const std::string& param) {
  for (const char* p : {"Profile_Rule", "Resync_", "Forced_Resync", "DHCP", "Restricted_Access", "Syslog_", "Log_",
                        "Proxy_Mode", "Proxy_Host", "Proxy_Port", "Proxy_Server", "Proxy_Username", "PAC_URL",
                        "Use_Auto_Discovery"})
    if (param.rfind(p, 0) == 0) return true;
  return false;
}

Json or_null(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

// Fields of a message from the controller, read without throwing: a field of the wrong type
// counts as absent.
std::string str_field(const Json& m, const char* k) {
  auto it = m.find(k);
  return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::optional<std::int64_t> int_field(const Json& m, const char* k) {
  auto it = m.find(k);
  if (it == m.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}
bool bool_field(const Json& m, const char* k) {
  auto it = m.find(k);
  return it != m.end() && it->is_boolean() && it->get<bool>();
}

// Writes text to path through a 0600 temporary in the same folder and a rename.
Status write_private(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return sys_error("open " + tmp);
  if (fchmod(fd.get(), 0600) != 0) return sys_error("chmod " + tmp);
  for (std::size_t off = 0; off < text.size();) {
    ssize_t n = ::write(fd.get(), text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("write " + tmp);
    off += std::size_t(n);
  }
  if (fsync(fd.get()) != 0) return sys_error("fsync " + tmp);
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sys_error("rename " + tmp + " to " + path);
  return {};
}

class Worker {
 public:
  Worker(Channel& ch, WorkerOptions o) : ch_(ch), o_(std::move(o)) {
    if (o_.run_dir.empty()) o_.run_dir = default_run_dir();
    if (!o_.now) o_.now = [] { return std::int64_t(std::time(nullptr)); };
    if (!o_.random) {
      auto rng = std::make_shared<std::mt19937>(std::random_device{}());
      o_.random = [rng](std::uint32_t max) { return std::uniform_int_distribution<std::uint32_t>(0, max)(*rng); };
    }
    dir_ = lease_dir(o_.run_dir);
  }
  ~Worker() {
    if (thread_.joinable()) thread_.join();
  }
  Status run();

 private:
  void on_apply(const Json& m);
  void on_command(const Json& m);
  void rescan(bool initial);
  void start_resync(const std::string& why);
  void finish_resync();
  void send_status();
  int poll_timeout_ms() const;
  void watch_leases();

  Channel& ch_;
  WorkerOptions o_;
  std::string dir_;
  UniqueFd inotify_, done_fd_;
  bool watching_ = false;

  // settings
  std::optional<config::PhoneConfig> cfg_;
  std::optional<std::int64_t> generation_;
  std::string incoming_dir_, ca_file_, iface_, device_cert_, device_key_;
  DeviceInfo device_;
  std::vector<std::string> warnings_;  // this part's settings the profile got wrong
  std::string watch_warning_;          // the lease folder cannot be watched
  std::optional<ResyncSchedule> schedule_;
  bool busy_ = false;

  // source
  std::optional<ChosenSource> source_;
  std::vector<std::string> lease_errors_;
  std::string no_source_why_ = "no DHCP lease file yet";

  // resyncs
  std::thread thread_;
  std::mutex mu_;
  std::optional<ResyncOutcome> outcome_;  // set by the thread, under mu_
  bool running_ = false, pending_ = false;
  std::string pending_why_;
  std::optional<std::int64_t> last_resync_;
  Json result_ = nullptr;
  Json rules_ = Json::array();
  std::string last_profile_;
  unsigned written_ = 0;

  Json last_status_;
};

std::string describe_none(const std::string& why) { return "none: " + why; }

void Worker::watch_leases() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  inotify_.reset(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  watching_ = inotify_.valid() &&
              inotify_add_watch(inotify_.get(), dir_.c_str(),
                                IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB) >= 0;
  if (!watching_) {
    watch_warning_ = "cannot watch " + dir_ + " (" + std::strerror(errno) + "): re-reading it every 5 s";
    log::warn("prov", watch_warning_);
  }
}

void Worker::rescan(bool initial) {
  if (!cfg_) return;
  auto scan = scan_lease_dir(dir_, iface_);
  lease_errors_ = scan.errors;
  auto chosen = choose_from_leases(scan.leases, cfg_->prov.dhcp_options, cfg_->prov.dhcpv6_options);
  if (!chosen) {
    if (scan.leases.empty())
      no_source_why_ = "no DHCP lease file in " + dir_ + (iface_.empty() ? "" : " for " + iface_);
    else
      no_source_why_ = "the DHCP leases offer none of options " + join_ints(cfg_->prov.dhcp_options) +
                       " (DHCPv6: " + join_ints(cfg_->prov.dhcpv6_options) + ")";
  }
  bool changed = chosen != source_;
  // A new server (not a renewed lease with another address) is what triggers a resync.
  bool gained = chosen && (!source_ || chosen->url != source_->url || chosen->option != source_->option ||
                           chosen->iface != source_->iface || chosen->v6 != source_->v6);
  source_ = chosen;
  if (changed) log::info("prov", "provisioning source: ", source_ ? source_->describe() : describe_none(no_source_why_));
  // A new source resyncs at once, except at boot (the reset resync, with its random delay,
  // will use it) and when the source only went away (the last good profile stays).
  if (gained && !initial && !(schedule_ && schedule_->why() == "reset" && !last_resync_))
    start_resync("provisioning source changed");
}

void Worker::on_apply(const Json& m) {
  auto g = int_field(m, "generation");
  std::int64_t gen = g.value_or(0);
  auto reply = [&](const std::string& outcome) {
    (void)ch_.send(Json{{"op", "applied"}, {"generation", g ? Json(gen) : Json(nullptr)}, {"outcome", outcome}});
  };
  if (!g) return reply("error: apply without an integer \"generation\"");
  std::string path = str_field(m, "profile");
  if (path.empty()) return reply("error: apply without a \"profile\" path");
  auto r = config::load_file(path);
  if (!r) return reply("error: " + r.error().message());
  std::vector<std::string> warnings;
  for (const auto& d : r->diagnostics)
    if (ours(d.param)) {
      log::warn("prov", d.to_string());
      warnings.push_back(d.to_string());
    }

  std::string incoming = o_.incoming_dir.empty() ? str_field(m, "incoming_dir") : o_.incoming_dir;
  if (incoming.empty()) incoming = fs::path(path).parent_path().string();
  if (incoming.empty()) incoming = ".";
  std::error_code aec;
  if (auto abs = fs::absolute(incoming, aec); !aec) incoming = abs.lexically_normal().string();
  std::string ca = o_.ca_file.empty() ? str_field(m, "ca_file") : o_.ca_file;
  std::string iface = o_.iface.empty() ? str_field(m, "iface") : o_.iface;
  const std::string dcert = str_field(m, "device_cert"), dkey = str_field(m, "device_key");
  DeviceInfo dev = o_.device;
  dev.client_cert_installed = !dcert.empty() && !dkey.empty() && fs::exists(dcert) && fs::exists(dkey);
  if (m.contains("device") && m["device"].is_object()) {
    const Json& d = m["device"];
    auto take = [&](const char* k, std::string& f) {
      if (d.contains(k) && d[k].is_string()) f = d[k].get<std::string>();
    };
    take("product_name", dev.product_name);
    take("product_series", dev.product_series);
    take("serial", dev.serial);
    take("mac", dev.mac);
    take("sw_version", dev.sw_version);
    take("hw_version", dev.hw_version);
  }
  bool same = cfg_ && settings_of(*cfg_) == settings_of(r->config) && incoming == incoming_dir_ && ca == ca_file_ &&
              dcert == device_cert_ && dkey == device_key_ && dev.client_cert_installed == device_.client_cert_installed &&
              iface == iface_ && dev.product_name == device_.product_name &&
              dev.product_series == device_.product_series && dev.serial == device_.serial && dev.mac == device_.mac &&
              dev.sw_version == device_.sw_version && dev.hw_version == device_.hw_version;
  bool first = !cfg_;
  cfg_ = r->config;
  generation_ = gen;
  incoming_dir_ = incoming;
  ca_file_ = ca;
  device_cert_ = dcert;
  device_key_ = dkey;
  iface_ = iface;
  device_ = dev;
  ResyncTiming timing = ResyncTiming::from_config(cfg_->resync, &warnings);
  warnings_ = warnings;
  std::int64_t now = o_.now();
  if (first) {
    auto offset = [](std::int64_t t) {
      std::time_t tt = std::time_t(t);
      std::tm tm{};
      localtime_r(&tt, &tm);
      return std::int64_t(tm.tm_gmtoff);
    };
    schedule_.emplace(timing, o_.random, offset);
    schedule_->boot(now);
  } else {
    schedule_->set_timing(timing, now);
  }
  reply(same ? "unchanged" : "applied");
  rescan(first);
  send_status();
}

void Worker::on_command(const Json& m) {
  std::string name = str_field(m, "name");
  if (name == "resync") {
    if (!cfg_) {
      log::warn("prov", "resync command before any settings: ignored");
      return;
    }
    start_resync("command");
  } else if (name == "busy") {
    busy_ = bool_field(m, "value");
  } else {
    log::warn("prov", "unknown command '", name, "'");
  }
}

void Worker::start_resync(const std::string& why) {
  if (running_) {
    pending_ = true;
    pending_why_ = why;
    return;
  }
  pending_ = false;
  running_ = true;
  log::info("prov", "resync (", why, ")");
  Job job{*cfg_, source_, device_, ca_file_, device_cert_, device_key_};
  if (job.dev.mac.empty() && source_) job.dev.mac = source_->mac;
  if (source_) job.dev.ip = source_->address;
  if (job.dev.product_name.empty()) job.dev.product_name = "phonesec";
  thread_ = std::thread([this, job = std::move(job)] {
    ResyncOutcome out = do_resync(job);
    {
      std::lock_guard<std::mutex> g(mu_);
      outcome_ = std::move(out);
    }
    std::uint64_t one = 1;
    (void)!::write(done_fd_.get(), &one, sizeof one);
  });
  send_status();
}

void Worker::finish_resync() {
  std::uint64_t v;
  (void)!::read(done_fd_.get(), &v, sizeof v);
  if (thread_.joinable()) thread_.join();
  running_ = false;
  ResyncOutcome out;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!outcome_) return;
    out = std::move(*outcome_);
    outcome_.reset();
  }
  std::int64_t now = o_.now();
  last_resync_ = now;
  rules_ = Json::array();
  for (const auto& r : out.rules)
    rules_.push_back({{"name", r.name}, {"rule", r.rule}, {"url", r.url.empty() ? Json(nullptr) : Json(r.url)},
                      {"server_ip", r.server_ip}, {"bytes", r.bytes}, {"result", r.result}});
  bool ok = out.ok;
  std::string error = out.error;
  std::string path;
  if (ok && out.profiles > 0) {
    std::error_code ec;
    fs::create_directories(incoming_dir_, ec);
    path = incoming_dir_ + "/prov-incoming-" + std::to_string(written_ % 2 + 1) + ".xml";
    if (auto st = write_private(path, out.profile); !st) {
      ok = false;
      error = "cannot keep the fetched profile: " + st.error().message();
    } else {
      ++written_;
    }
  }
  result_ = ok ? Json("ok") : Json("failed: " + error);
  if (ok) log::info("prov", "resync ok: ", out.profiles, " profile(s)");
  else log::warn("prov", "resync failed: ", error);
  schedule_->done(ok, now);
  if (ok && out.profiles > 0) {
    Json rules = Json::array();
    for (const auto& r : out.rules)
      if (r.result == "ok")
        rules.push_back({{"name", r.name}, {"url", r.url}, {"server_ip", r.server_ip}, {"bytes", r.bytes}});
    bool changed = out.profile != last_profile_;
    last_profile_ = out.profile;
    (void)ch_.send(Json{{"op", "event"},
                        {"name", "profile"},
                        {"path", path},
                        {"generation", generation_ ? Json(*generation_) : Json(nullptr)},
                        {"changed", changed},
                        {"source", source_ ? Json(source_->describe()) : Json(nullptr)},
                        {"rules", rules}});
  }
  if (pending_) start_resync(pending_why_);
  send_status();
}

void Worker::send_status() {
  Json s;
  s["state"] = !cfg_ ? "waiting for settings" : running_ ? "resyncing" : "idle";
  s["generation"] = generation_ ? Json(*generation_) : Json(nullptr);
  s["source"] = source_ ? source_->describe() : describe_none(no_source_why_);
  s["source_url"] = source_ ? Json(source_->url) : Json(nullptr);
  s["last_resync"] = or_null(last_resync_);
  s["result"] = result_;
  s["next_resync"] = schedule_ ? or_null(schedule_->next()) : Json(nullptr);
  s["next_reason"] = schedule_ && schedule_->next() ? Json(schedule_->why()) : Json(nullptr);
  if (rules_.empty() && cfg_) {
    Json rules = Json::array();
    for (const auto& [name, rule] : profile_rules(cfg_->prov))
      if (!text::trim(rule).empty())
        rules.push_back({{"name", name}, {"rule", redact_rule(rule)}, {"url", nullptr}, {"server_ip", ""}, {"bytes", 0},
                         {"result", "not tried"}});
    s["rules"] = rules;
  } else {
    s["rules"] = rules_;
  }
  s["lease_errors"] = lease_errors_;
  Json w = warnings_;
  if (!watch_warning_.empty()) w.insert(w.begin(), watch_warning_);
  s["warnings"] = w;
  if (s == last_status_) return;
  last_status_ = s;
  (void)ch_.send(Json{{"op", "status"}, {"status", s}});
}

int Worker::poll_timeout_ms() const {
  std::int64_t ms = 60000;
  if (!watching_) ms = 5000;
  if (schedule_ && schedule_->next() && !running_) {
    std::int64_t at = *schedule_->next() + (busy_ ? std::int64_t(schedule_->timing().forced_delay_s) : 0);
    std::int64_t left = (at - o_.now()) * 1000;
    ms = std::clamp<std::int64_t>(left, 0, ms);
  }
  return int(ms);
}

Status Worker::run() {
  done_fd_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!done_fd_.valid()) return sys_error("prov worker: eventfd");
  watch_leases();
  send_status();
  for (;;) {
    if (cfg_ && !running_ && schedule_ && schedule_->due(o_.now(), busy_)) start_resync(schedule_->why());
    pollfd p[3] = {{ch_.fd(), POLLIN, 0}, {done_fd_.get(), POLLIN, 0}, {inotify_.get(), POLLIN, 0}};
    int n = ::poll(p, watching_ ? 3 : 2, poll_timeout_ms());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("prov worker: poll");
    if (p[1].revents & POLLIN) finish_resync();
    if (watching_ && (p[2].revents & POLLIN)) {
      alignas(inotify_event) char buf[4096];
      while (::read(inotify_.get(), buf, sizeof buf) > 0) {
      }
      rescan(false);
      send_status();
    } else if (!watching_ && n == 0) {
      rescan(false);
      send_status();
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      auto m = ch_.recv();
      if (!m) {
        if (m.error().code == Errc::parse) {
          log::warn("prov", m.error().message());
          continue;
        }
        return m.error();
      }
      if (!*m) return {};  // the controller closed the channel
      const Json& msg = **m;
      std::string op = msg["op"];
      if (op == "stop") return {};
      if (op == "apply") on_apply(msg);
      else if (op == "command") on_command(msg);
      else log::warn("prov", "unknown op '", op, "'");
      send_status();
    }
  }
}

}  // namespace

std::string default_run_dir() {
  const char* e = std::getenv("PHONESEC_RUN_DIR");
  return e && *e ? e : "/run/phonesec";
}

Status run_worker(Channel& ch, WorkerOptions o) {
  Worker w(ch, std::move(o));
  return w.run();
}

Status run_worker(Channel& ch) { return run_worker(ch, WorkerOptions{}); }

}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
#include "media/service.h"

#include <signal.h>
#include <sys/signalfd.h>

#include <ostream>

#include "common/log.h"

namespace phonesec::media {
namespace {

Result<config::PhoneConfig> load(const std::string& path) {
  auto r = config::load_file(path);
  if (!r) return r.error();
  for (const auto& d : r->diagnostics)
    if (d.severity == config::Severity::error) log::warn("media", d.to_string());
  return r->config;
}

// Adapts a callback to the loop.
class FdHandler : public Handler {
 public:
  explicit FdHandler(std::function<void(int)> f) : f_(std::move(f)) {}
  void on_readable(int fd) override { f_(fd); }

 private:
  std::function<void(int)> f_;
};

}  // namespace

Result<std::unique_ptr<Service>> Service::create(ServiceOptions o) {
  auto l = Loop::create();
  if (!l) return l.error();
  if (auto st = srtp::srtp_library_init(); !st) return st.error();
  return std::unique_ptr<Service>(new Service(std::move(*l), std::move(o)));
}

void Service::start(const LineSettings& s) {
  auto p = LineProxy::create(loop_, s, [this] { changed_ = true; });
  changed_ = true;
  if (!p) {
    log::error("media", p.error().message());
    failed_[s.line] = {s, p.error().message()};
    return;
  }
  failed_.erase(s.line);
  lines_[s.line] = std::move(*p);
}

void Service::tick() {
  auto now = std::chrono::steady_clock::now();
  if (failed_.empty() || now - last_retry_ < std::chrono::seconds(kRetrySeconds)) return;
  last_retry_ = now;
  std::vector<LineSettings> again;
  for (auto& [n, f] : failed_) again.push_back(f.first);
  for (auto& s : again) start(s);
}

std::string Service::apply(const config::PhoneConfig& c) {
  auto wanted = line_settings(c, o_.suites, o_.ca_file);
  std::vector<int> disabled;
  for (std::size_t i = 0; i < c.lines.size(); ++i)
    if (!c.lines[i].enable && (!c.lines[i].proxy.empty() || !c.lines[i].outbound_proxy.empty()))
      disabled.push_back(int(i) + 1);
  if (disabled != disabled_) changed_ = true;
  disabled_ = disabled;
  bool any = false;
  std::string errors;
  std::map<int, LineSettings> want;
  for (auto& s : wanted) want.emplace(s.line, s);
  for (auto it = lines_.begin(); it != lines_.end();) {
    auto w = want.find(it->first);
    if (w == want.end() || !(w->second == it->second->settings())) {
      log::info("media", "line ", it->first, ": settings changed, restarting (its calls end)");
      it = lines_.erase(it);
      any = true;
    } else {
      want.erase(w);
      ++it;
    }
  }
  for (auto it = failed_.begin(); it != failed_.end();) {
    auto w = want.find(it->first);
    if (w == want.end() || !(w->second == it->second.first)) {
      it = failed_.erase(it);
      any = true;
    } else {
      errors += (errors.empty() ? "" : "; ") + it->second.second;
      want.erase(w);
      ++it;
    }
  }
  for (auto& [n, s] : want) {
    any = true;
    start(s);
    if (auto f = failed_.find(n); f != failed_.end()) errors += (errors.empty() ? "" : "; ") + f->second.second;
  }
  if (any) changed_ = true;
  if (!errors.empty()) return "error: " + errors;
  return any ? "applied" : "unchanged";
}

Json Service::status() const {
  Json lines = Json::array();
  std::map<int, Json> by;
  for (auto& [n, l] : lines_) by[n] = l->status();
  for (auto& [n, f] : failed_)
    by[n] = Json{{"line", n}, {"enabled", true}, {"error", f.second}, {"calls", 0}};
  for (int n : disabled_) by[n] = Json{{"line", n}, {"enabled", false}, {"calls", 0}};
  for (auto& [n, j] : by) lines.push_back(j);
  return Json{{"lines", lines}};
}

Status run_worker(Channel& ch, ServiceOptions o) {
  // SSL_write to a proxy that closed the TLS connection would raise SIGPIPE (the TCP path
  // uses MSG_NOSIGNAL): it must end the write, not the worker.
  ::signal(SIGPIPE, SIG_IGN);
  auto svc = Service::create(std::move(o));
  if (!svc) return svc.error();
  Service& s = **svc;
  bool stop = false;
  FdHandler chan([&](int) {
    auto msg = ch.recv();
    if (!msg) {
      log::warn("media", "channel: ", msg.error().message());
      return;
    }
    if (!*msg) {
      stop = true;
      return;
    }
    const Json& m = **msg;
    std::string op = m.value("op", "");
    if (op == "stop") {
      stop = true;
    } else if (op == "apply") {
      std::string outcome;
      auto cfg = load(m.value("profile", ""));
      outcome = cfg ? s.apply(*cfg) : "error: " + cfg.error().message();
      Json reply{{"op", "applied"}, {"outcome", outcome}};
      if (m.contains("generation")) reply["generation"] = m["generation"];
      if (auto st = ch.send(reply); !st) log::warn("media", "channel: ", st.error().message());
    } else {
      log::warn("media", "channel: unknown op '", op, "' ignored");
    }
  });
  if (auto st = s.loop().add(ch.fd(), &chan); !st) return st;
  while (!stop) {
    if (auto st = s.loop().run_once(1000); !st) return st;
    s.tick();
    if (!stop && s.take_changed())
      if (auto st = ch.send(Json{{"op", "status"}, {"status", s.status()}}); !st)
        log::warn("media", "channel: ", st.error().message());
  }
  s.loop().remove(ch.fd());
  log::info("media", "worker stopping: calls ended, keys wiped");
  return {};
}

Status run_standalone(const std::string& path, ServiceOptions o, std::ostream* out) {
  ::signal(SIGPIPE, SIG_IGN);  // as in run_worker
  auto svc = Service::create(std::move(o));
  if (!svc) return svc.error();
  Service& s = **svc;
  auto cfg = load(path);
  if (!cfg) return cfg.error();
  std::string outcome = s.apply(*cfg);
  log::info("media", "profile ", path, ": ", outcome);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sfd.valid()) return sys_error("signalfd");
  bool stop = false;
  FdHandler sig([&](int fd) {
    signalfd_siginfo si{};
    while (::read(fd, &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == SIGHUP) {
        auto c = load(path);
        log::info("media", "SIGHUP: ", c ? s.apply(*c) : "error: " + c.error().message());
      } else {
        stop = true;
      }
    }
  });
  if (auto st = s.loop().add(sfd.get(), &sig); !st) return st;
  while (!stop) {
    if (auto st = s.loop().run_once(1000); !st) return st;
    s.tick();
    if (s.take_changed() && out) {
      *out << s.status().dump() << std::endl;
    }
  }
  s.loop().remove(sfd.get());
  return {};
}

}  // namespace phonesec::media

// SPDX-License-Identifier: Apache-2.0
#include "dot1x/worker.h"

#include <csignal>
#include <optional>

#include "common/log.h"
#include "config/phone_config.h"
#include "dot1x/agent.h"

namespace phonesec::dot1x {
namespace {

Json status_json(const Dot1xStatus& s) {
  Json j = Json::parse(to_json(s), nullptr, false);
  if (j.is_discarded()) j = Json::object();
  j["summary"] = to_string(s);
  return j;
}

struct Wanted {
  std::vector<std::string> args;
  config::Dot1xConfig cfg;
  bool operator==(const Wanted&) const = default;
};

// The settings an apply message asks for; std::nullopt (with the reason sent back) when the
// profile cannot be read.
std::optional<Wanted> read_apply(const Channel& ch, const Json& m) {
  Wanted w;
  for (const auto& a : jobj(m, "args"))
    if (a.is_string()) w.args.push_back(a.get<std::string>());
  auto r = config::load_file(jstr(m, "profile"));
  if (!r) {
    (void)ch.send({{"op", "applied"}, {"generation", jnum(m, "generation")}, {"outcome", "error: " + r.error().message()}});
    return std::nullopt;
  }
  w.cfg = r->config.dot1x;
  return w;
}

}  // namespace

Status run_worker(Channel& ch) {
  std::optional<Wanted> current, pending;
  // The first apply says what to run.
  while (!current) {
    auto m = ch.recv();
    if (!m) return m.error();
    if (!m->has_value()) return {};
    const Json& j = **m;
    if (j["op"] == "stop") return {};
    if (j["op"] == "apply") {
      current = read_apply(ch, j);
      if (current) (void)ch.send({{"op", "applied"}, {"generation", jnum(j, "generation")}, {"outcome", "applied"}});
    }
  }
  for (;;) {
    auto opts = parse_options(current->args, &current->cfg);
    if (!opts) return opts.error();
    opts->status_dir.clear();  // status goes to the controller, not to files
    auto agent = Agent::create(std::move(*opts));
    if (!agent) return agent.error();
    (*agent)->on_status([&ch](const Dot1xStatus& s) { (void)ch.send({{"op", "status"}, {"status", status_json(s)}}); });
    volatile std::sig_atomic_t stop = 0, reauth = 0;
    bool leave = false;
    auto on_ctl = [&] {
      auto m = ch.recv();
      if (!m) {
        log::warn("dot1x", m.error().message());
        return;
      }
      if (!m->has_value()) {  // the controller is gone
        leave = true;
        stop = 1;
        return;
      }
      const Json& j = **m;
      if (j["op"] == "stop") {
        leave = true;
        stop = 1;
      } else if (j["op"] == "command" && jstr(j, "name") == "reauth") {
        reauth = 1;
      } else if (j["op"] == "apply") {
        auto w = read_apply(ch, j);
        if (!w) return;
        bool same = *w == *current;
        (void)ch.send({{"op", "applied"}, {"generation", jnum(j, "generation")}, {"outcome", same ? "unchanged" : "applied"}});
        if (!same) {
          log::info("dot1x", "802.1X settings changed: restarting the supplicant");
          pending = std::move(w);
          stop = 1;
        }
      }
    };
    auto r = (*agent)->run(&stop, &reauth, ch.fd(), on_ctl);
    if (!r) return r;
    if (leave || !pending) return {};
    current = std::move(pending);
    pending.reset();
  }
}

}  // namespace phonesec::dot1x

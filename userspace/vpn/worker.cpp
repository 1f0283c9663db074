// SPDX-License-Identifier: Apache-2.0
#include "vpn/worker.h"

#include <poll.h>
#include <signal.h>

#include <optional>

#include "common/log.h"
#include "config/phone_config.h"
#include "vpn/client.h"

namespace phonesec::vpn {

Status run_worker(Channel& ch) {
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<VpnClient> client;
  std::string last_status;
  for (;;) {
    pollfd p{ch.fd(), POLLIN, 0};
    int n = ::poll(&p, 1, 1000);
    if (n < 0 && errno != EINTR) return sys_error("poll");
    if (n > 0) {
      auto m = ch.recv();
      if (!m) {
        log::warn("vpn", m.error().message());
        continue;
      }
      if (!m->has_value()) break;  // the controller is gone
      const Json& j = **m;
      const std::string op = j["op"];
      if (op == "stop") break;
      if (op == "apply") {
        auto r = config::load_file(jstr(j, "profile"));
        std::string outcome = "applied";
        if (!r) {
          outcome = "error: " + r.error().message();
        } else if (!client) {
          ClientOptions co;
          const Json args = jobj(j, "args");
          co.trust.ca_file = jstr(args, "ca");
          co.trust.pin = jstr(args, "pin");
          co.ifname = jstr(args, "ifname", co.ifname);
          if (jnum(args, "dpd_s") > 0) co.reconnect.dpd_s = int(jnum(args, "dpd_s"));
          ClientEvents ev;
          ev.tunnel_up = [&ch](const std::string& ifname, std::uint32_t ifindex) {
            (void)ch.send({{"op", "event"}, {"name", "tun_up"}, {"ifname", ifname}, {"ifindex", ifindex}});
          };
          ev.tunnel_down = [&ch](const std::string& ifname) {
            (void)ch.send({{"op", "event"}, {"name", "tun_down"}, {"ifname", ifname}});
          };
          client = std::make_unique<VpnClient>(co, ev);
          client->boot(r->config.vpn);
        } else {
          client->apply(r->config.vpn);
        }
        (void)ch.send({{"op", "applied"}, {"generation", jnum(j, "generation")}, {"outcome", outcome}});
      } else if (op == "command" && client) {
        const std::string name = jstr(j, "name");
        if (name == "connect") (void)client->connect();
        else if (name == "disconnect") client->disconnect();
      }
    }
    if (client) {
      const VpnStatus st = client->status();
      std::string s = to_json(st);
      if (s != last_status) {
        Json sj = Json::parse(s, nullptr, false);
        (void)ch.send({{"op", "status"}, {"status", sj.is_discarded() ? Json::object() : sj}});
        last_status = std::move(s);
      }
    }
  }
  if (client) client->disconnect();
  return {};
}

}  // namespace phonesec::vpn

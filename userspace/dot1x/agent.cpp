// SPDX-License-Identifier: Apache-2.0
#include "dot1x/agent.h"

#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "common/log.h"
#include "dot1x/eap_fast.h"
#include "dot1x/eap_tls.h"
#include "dot1x/mschapv2.h"

namespace phonesec::dot1x {

namespace {
constexpr const char* kFastAuthCiphers = "AES128-SHA:AES256-SHA:DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA";
}

MethodFactory make_method_factory(const Dot1xOptions& opts, SSL_CTX* tls_ctx, SSL_CTX* anon_ctx, PacStore* pacs) {
  const std::string server_name = opts.server_name;
  const size_t frag = opts.fragment_size;
  FastConfig fc;
  fc.allow_anonymous = opts.fast_provisioning & 1;
  fc.allow_authenticated = opts.fast_provisioning & 2;
  fc.inner = opts.fast_inner;
  fc.user = opts.inner_identity;
  fc.password = opts.password;
  const bool fast = opts.method == EapMethodChoice::fast;
  return [=](uint8_t type) -> std::unique_ptr<EapMethod> {
    if (!fast && type == eap_type::tls && tls_ctx) return std::make_unique<EapTls>(tls_ctx, server_name, frag);
    if (fast && type == eap_type::fast && pacs) return std::make_unique<EapFast>(fc, FastContexts{tls_ctx, anon_ctx}, *pacs, frag);
    return nullptr;
  };
}

Result<std::pair<SslCtxPtr, SslCtxPtr>> make_contexts(const Dot1xOptions& o) {
  TlsConfig tc;
  tc.ca_file = o.ca_file;
  tc.cert_file = o.cert_file;
  tc.key_file = o.key_file;
  tc.key_password = o.key_password;
  tc.server_name = o.server_name;
  if (o.method == EapMethodChoice::tls) {
    auto ctx = make_tls_context(tc);
    if (!ctx) return ctx.error();
    return std::pair{std::move(*ctx), SslCtxPtr()};
  }
  // EAP-FAST: the server proves itself with a certificate (authenticated provisioning) or the
  // PAC; the device certificate is not used.
  tc.cert_file.clear();
  tc.key_file.clear();
  tc.ciphers = kFastAuthCiphers;
  tc.verify_peer = !o.ca_file.empty();
  auto auth = make_tls_context(tc);
  if (!auth) return auth.error();
  SslCtxPtr anon;
  if (o.fast_provisioning & 1) {
    tc.ciphers = std::string("ADH-AES128-SHA") + ((o.fast_provisioning & 2) ? std::string(":") + kFastAuthCiphers : "") + ":@SECLEVEL=0";
    tc.security_level = 0;
    tc.verify_peer = (o.fast_provisioning & 2) && !o.ca_file.empty();
    auto a = make_tls_context(tc);
    if (!a) return a.error();
    anon = std::move(*a);
  }
  return std::pair{std::move(*auth), std::move(anon)};
}

Result<std::unique_ptr<Agent>> Agent::create(Dot1xOptions opts) {
  std::unique_ptr<Agent> a(new Agent());
  a->opts_ = std::move(opts);
  const Dot1xOptions& o = a->opts_;
  if (!o.enable) return a;
  auto ctxs = make_contexts(o);
  if (!ctxs) return ctxs.error();
  a->tls_ctx_ = std::move(ctxs->first);
  a->fast_anon_ctx_ = std::move(ctxs->second);
  if (o.method == EapMethodChoice::fast) {
    if (!mschapv2::warm_up()) return make_error(Errc::crypto, "MD4/DES unavailable: OpenSSL legacy provider missing (MSCHAPv2)");
    a->pacs_ = std::make_unique<PacStore>(o.pac_file);
    if (auto s = a->pacs_->load(); !s) return s.error();
  }

  auto s = PacketSocket::open(o.iface);
  if (!s) return s.error();
  a->sock_.emplace(std::move(*s));
  if (o.uplink != o.iface) {
    auto u = PacketSocket::open(o.uplink);
    if (!u) return u.error();
    a->uplink_.emplace(std::move(*u));
  }
  SupplicantConfig sc;
  sc.own_mac = a->sock_->mac();
  sc.timers = o.timers;
  sc.eap.identity = !o.identity.empty()                  ? o.identity
                    : o.method == EapMethodChoice::fast ? std::string("anonymous")
                                                        : "phone-" + hex(ByteView(sc.own_mac.data(), 6));
  sc.eap.methods = {o.method == EapMethodChoice::tls ? eap_type::tls : eap_type::fast};
  sc.eap.client_timeout = o.client_timeout;
  Agent* self = a.get();
  a->supp_ = std::make_unique<Supplicant>(sc, a->clock_, make_method_factory(o, a->tls_ctx_.get(), a->fast_anon_ctx_.get(), a->pacs_.get()), [self](ByteView f) {
    // Own frames go out on the uplink itself when the phone's interface is a bridge, so the
    // PC port never sees the phone's EAPOL.
    const PacketSocket& out = self->uplink_ ? *self->uplink_ : *self->sock_;
    if (auto r = out.send(f); !r) log::warn("dot1x", r.error().message());
  });
  if (o.pc_port_enable && !o.pc_port.empty()) {
    if (auto r = enable_bridge_eapol_forwarding(o.pc_port); !r) log::warn("dot1x", r.error().message());
    auto p = PacketSocket::open(o.pc_port);
    if (!p) return p.error();
    a->pc_sock_.emplace(std::move(*p));
    a->pc_ = std::make_unique<PcPortTracker>(sc.own_mac);
  }
  auto lw = LinkWatch::open([self](const std::string& n, bool up) { self->on_link(n, up); });
  if (!lw) return lw.error();
  a->links_ = std::move(*lw);
  return a;
}

void Agent::on_link(const std::string& ifname, bool up) {
  if (ifname == opts_.uplink) {
    log::info("dot1x", "uplink ", ifname, up ? " up" : " down");
    supp_->set_port_enabled(up);
  }
  if (pc_ && ifname == opts_.pc_port) {
    log::info("dot1x", "PC port ", ifname, up ? " up" : " down");
    if (!up) {
      for (const Bytes& f : pc_->link_down()) {
        auto src = parse_eapol(f);
        const PacketSocket& out = uplink_ ? *uplink_ : *sock_;
        if (auto r = out.send(f); !r) {
          log::warn("dot1x", "proxy EAPOL-Logoff: ", r.error().message());
          continue;
        }
        ++proxy_logoffs_;
        if (src) {
          supp_->remove_foreign_mac(src->src);
          log::info("dot1x", "proxy EAPOL-Logoff sent for PC ", mac_to_string(src->src));
        }
      }
    }
  }
}

void Agent::on_pc_frame(ByteView frame) {
  if (pc_->learn(frame)) {
    auto f = parse_eapol(frame);
    if (f) {
      supp_->add_foreign_mac(f->src);
      log::info("dot1x", "PC port station ", mac_to_string(f->src), " speaks 802.1X (passed through)");
    }
  }
}

Dot1xStatus Agent::status() const {
  if (!supp_) {
    Dot1xStatus s;
    s.enabled = false;
    s.transaction = "Disabled";
    return s;
  }
  Dot1xStatus s = supp_->status();
  s.counters.tx_proxy_logoff = proxy_logoffs_;
  if (pc_)
    for (const Mac& m : pc_->stations()) s.pc_macs.push_back(mac_to_string(m));
  return s;
}

void Agent::write_status(bool idle) {
  const Dot1xStatus s = status();
  std::string json = to_json(s);
  if (json == last_status_) {
    status_dirty_ = false;
    return;
  }
  // File I/O stays off the EAP exchange: a rename can wait on the filesystem (ext4 flushes the
  // replaced file), which showed as milliseconds per frame. Outcomes (Authenticated, Held,
  // link, PC stations) are written at once; anything else when the loop has been idle
  // (`idle`), or at most once a second.
  std::string summary = s.transaction + "|" + s.reason + "|" + (s.port_authorized ? "A" : "U") + (s.link_up ? "L" : "D");
  for (auto& m : s.pc_macs) summary += "|" + m;
  const bool outcome = summary != last_summary_ && (s.transaction != "Authenticating" || !s.link_up || s.pc_macs.size() != pc_count_);
  status_dirty_ = true;
  if (!outcome && !idle && clock_.now() - last_write_ < Millis(1000)) return;
  status_dirty_ = false;
  pc_count_ = s.pc_macs.size();
  last_summary_ = std::move(summary);
  last_write_ = clock_.now();
  last_status_ = json;
  if (status_cb_) status_cb_(s);
  if (opts_.status_dir.empty()) return;
  ::mkdir(opts_.status_dir.c_str(), 0755);
  for (auto [name, body] : {std::pair{std::string("dot1x.json"), json + "\n"}, std::pair{std::string("dot1x.txt"), to_string(s)}}) {
    const std::string path = opts_.status_dir + "/" + name, tmp = path + ".tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      f << body;
      if (!f) {
        log::warn("dot1x", "cannot write ", tmp);
        continue;
      }
    }
    std::rename(tmp.c_str(), path.c_str());
  }
}

Status Agent::run(const volatile std::sig_atomic_t* stop, volatile std::sig_atomic_t* reauth) {
  return run(stop, reauth, -1, {});
}

Status Agent::run(const volatile std::sig_atomic_t* stop, volatile std::sig_atomic_t* reauth, int ctl_fd,
                  const std::function<void()>& on_ctl) {
  write_status(true);
  if (!supp_) {
    while (!*stop) {
      pollfd c{ctl_fd, POLLIN, 0};
      if (::poll(&c, 1, 200) > 0 && on_ctl) on_ctl();
    }
    return {};
  }
  if (auto r = links_->request_dump(); !r) return r;
  Bytes buf;
  while (!*stop) {
    int timeout = 200;
    if (auto d = supp_->next_deadline()) {
      auto ms = std::chrono::duration_cast<Millis>(*d - clock_.now()).count() + 1;
      timeout = int(std::clamp<long>(ms, 0, 200));
    }
    if (status_dirty_) timeout = std::min(timeout, 20);
    pollfd fds[4] = {{sock_->fd(), POLLIN, 0}, {links_->fd(), POLLIN, 0}, {pc_sock_ ? pc_sock_->fd() : -1, POLLIN, 0},
                     {ctl_fd, POLLIN, 0}};
    int n = ::poll(fds, 4, timeout);
    if (n < 0 && errno != EINTR) return sys_error("poll");
    if (n > 0 && ctl_fd >= 0 && (fds[3].revents & (POLLIN | POLLHUP)) && on_ctl) on_ctl();
    if (n > 0 && (fds[1].revents & POLLIN)) {
      if (auto r = links_->process(); !r) return r;
    }
    if (n > 0 && pc_sock_ && (fds[2].revents & POLLIN))
      while (pc_sock_->recv(buf)) on_pc_frame(buf);
    if (n > 0 && (fds[0].revents & POLLIN))
      while (sock_->recv(buf)) supp_->receive_frame(buf);
    if (reauth && *reauth) {
      *reauth = 0;
      supp_->reauthenticate();
    }
    supp_->tick();
    write_status(/*idle=*/n == 0);
  }
  return {};
}

}  // namespace phonesec::dot1x

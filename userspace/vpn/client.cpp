// SPDX-License-Identifier: Apache-2.0
#include "vpn/client.h"

#include "common/log.h"
#include "vpn/netlink.h"

namespace phonesec::vpn {

VpnClient::VpnClient(ClientOptions opts, ClientEvents ev) : opts_(std::move(opts)), ev_(std::move(ev)) {}

VpnClient::~VpnClient() { disconnect(); }

void VpnClient::set_state(State s, const std::string& why) {
  if (s == state_) return;
  log::info("vpn", "state ", state_name(state_), " -> ", state_name(s), why.empty() ? "" : ": ", why);
  state_ = s;
  cv_.notify_all();
}

void VpnClient::fail(const Error& e) {
  last_error_ = e.message();
  enabled_ = false;
  log::error("vpn", "connection failed, VPN switched off: ", last_error_);
  set_state(State::disconnected, "failed");
}

void VpnClient::boot(const config::VpnConfig& c) {
  {
    std::lock_guard<std::mutex> g(m_);
    cfg_ = c;
  }
  if (c.connect_on_bootup) {
    log::info("vpn", "Connect_on_Bootup: connecting to ", c.server);
    (void)connect();
  }
}

void VpnClient::apply(const config::VpnConfig& c) {
  bool was_switch, restart;
  {
    std::lock_guard<std::mutex> g(m_);
    was_switch = cfg_.enable_connection;
    restart = enabled_ && (c.server != cfg_.server || c.user_name != cfg_.user_name || !(c.password == cfg_.password) ||
                           c.tunnel_group != cfg_.tunnel_group);
    cfg_ = c;
  }
  if (c.enable_connection && !was_switch) {
    (void)connect();
  } else if (!c.enable_connection && was_switch) {
    disconnect();
  } else if (restart) {
    disconnect();
    (void)connect();
  }
}

Status VpnClient::connect() {
  std::unique_lock<std::mutex> g(m_);
  if (enabled_) return {};
  // A worker that ended by itself (failure) is joined before a new one starts.
  if (worker_.joinable()) {
    g.unlock();
    worker_.join();
    g.lock();
  }
  auto s = settings_from(cfg_, opts_.trust);
  if (!s) {
    fail(s.error());
    return s.error();
  }
  s->ifname = opts_.ifname;
  s->reconnect = opts_.reconnect;
  s->dtls = opts_.dtls;
  enabled_ = true;
  last_error_.clear();
  reconnects_ = 0;
  server_ = s->host;
  user_ = s->user;
  set_state(State::connecting, "switch on");
  worker_done_ = false;
  worker_ = std::thread(&VpnClient::worker, this, std::move(s.value()));
  return {};
}

void VpnClient::disconnect() {
  {
    std::lock_guard<std::mutex> g(m_);
    if (enabled_) log::info("vpn", "switch off");
    enabled_ = false;
    if (session_) session_->cancel();
    cv_.notify_all();
  }
  if (!worker_.joinable()) return;
  {
    // libopenconnect does not hear a cancel while inside a TLS handshake (it waits for its
    // own timeout, tens of seconds): after a grace period its sockets are shut down.
    std::unique_lock<std::mutex> g(m_);
    if (!cv_.wait_for(g, std::chrono::seconds(1), [&] { return worker_done_; }) && session_) {
      log::info("vpn", "session did not stop on cancel; closing its sockets");
      session_->force_close();
    }
  }
  worker_.join();
}

bool VpnClient::sleep_unless_off(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> g(m_);
  cv_.wait_for(g, d, [&] { return !enabled_; });
  return enabled_;
}

void VpnClient::worker(Settings s) {
  Backoff backoff(s.reconnect);
  bool ever_up = false;
  std::unique_lock<std::mutex> g(m_, std::defer_lock);
  for (;;) {
    auto created = Session::create(s);
    g.lock();
    if (!enabled_) break;
    if (!created) {
      fail(created.error());
      break;
    }
    std::unique_ptr<Session> sess = std::move(created.value());
    session_ = sess.get();
    g.unlock();

    Status c = sess->connect();
    if (!c) {
      g.lock();
      session_ = nullptr;  // before it is destroyed: disconnect() may be reaching for it
      sess.reset();
      if (!enabled_) break;
      if (!ever_up || c.error().code == Errc::auth) {
        fail(c.error());
        break;
      }
      last_error_ = c.error().message();
      g.unlock();
      auto d = backoff.next();
      log::warn("vpn", "reconnect failed (", last_error_, "); next attempt in ", d.count(), " ms");
      if (!sleep_unless_off(d)) {
        g.lock();
        break;
      }
      continue;
    }

    ever_up = true;
    backoff.reset();
    const std::string ifn = sess->tun().ifname();
    g.lock();
    ifname_ = ifn;
    ifindex_ = sess->tun().ifindex();
    group_ = sess->group();
    last_error_.clear();
    set_state(State::connected, ifn + " " + sess->tun_config().address);
    g.unlock();
    if (ev_.tunnel_up) ev_.tunnel_up(ifn, sess->tun().ifindex());

    Status r = sess->run();
    g.lock();
    session_ = nullptr;
    g.unlock();
    sess.reset();  // the tun device goes away
    if (ev_.tunnel_down) ev_.tunnel_down(ifn);
    g.lock();
    ifname_.clear();
    ifindex_ = 0;
    if (!enabled_ || r) break;
    last_error_ = r.error().message();
    ++reconnects_;
    set_state(State::reconnecting, last_error_);
    g.unlock();
    auto d = backoff.next();
    log::warn("vpn", "tunnel lost; reconnecting in ", d.count(), " ms");
    if (!sleep_unless_off(d)) {
      g.lock();
      break;
    }
  }
  // Lock held here.
  if (state_ != State::disconnected) set_state(State::disconnected, enabled_ ? "" : "switch off");
  ifname_.clear();
  ifindex_ = 0;
  worker_done_ = true;
  cv_.notify_all();
}

VpnStatus VpnClient::status() const {
  VpnStatus st;
  {
    std::lock_guard<std::mutex> g(m_);
    st.enabled = enabled_;
    st.state = state_;
    st.server = server_.empty() ? cfg_.server : server_;
    st.user = user_.empty() ? cfg_.user_name : user_;
    st.group = state_ == State::connected ? group_ : "";
    st.ifname = state_ == State::connected ? ifname_ : "";
    st.ifindex = state_ == State::connected ? ifindex_ : 0;
    st.reconnects = reconnects_;
    st.last_error = last_error_;
  }
  if (!st.ifname.empty()) {
    auto li = read_link(st.ifname);
    if (li) {
      st.address = li->ipv4;
      st.netmask = li->ipv4.empty() ? "" : prefix_to_mask(li->prefixlen);
      st.bytes_sent = li->tx_bytes;
      st.bytes_received = li->rx_bytes;
    }
    if (auto ls = library_stats()) st.transport = ls->dtls_cipher.empty() ? "TLS" : "DTLS";
  }
  return st;
}

std::optional<LibraryStats> VpnClient::library_stats() const {
  std::lock_guard<std::mutex> g(m_);
  if (!session_ || state_ != State::connected) return std::nullopt;
  return session_->request_stats(std::chrono::milliseconds(500));
}

bool VpnClient::wait_for(const std::function<bool(const VpnStatus&)>& pred, std::chrono::milliseconds timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred(status())) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace phonesec::vpn

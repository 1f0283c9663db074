// SPDX-License-Identifier: Apache-2.0
#include "vpn/session.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

#include "common/log.h"
#include "vpn/redact.h"

namespace phonesec::vpn {
namespace {

constexpr const char* kUserAgent = "AnyConnect Linux_64 4.10 (phonesec)";
constexpr int kDtlsAttemptPeriod = 60;  // seconds between DTLS attempts while on TLS
constexpr int kResumeInterval = 2;      // seconds between cookie-resume attempts

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { openconnect_init_ssl(); });
}

}  // namespace

Result<std::unique_ptr<Session>> Session::create(const Settings& s) {
  init_library_once();
  std::unique_ptr<Session> self(new Session(s));
  self->oc_ = openconnect_vpninfo_new(kUserAgent, &Session::on_validate, nullptr, &Session::on_form,
                                      &Session::on_progress, self.get());
  if (!self->oc_) return make_error(Errc::system, "libopenconnect: cannot allocate a session");
  openconnect_info* oc = self->oc_;
  openconnect_set_loglevel(oc, log::level() == log::Level::debug ? PRG_DEBUG : PRG_INFO);
  if (int r = openconnect_set_protocol(oc, "anyconnect"); r != 0)
    return make_error(Errc::unsupported, "libopenconnect: no AnyConnect protocol support", -r);
  if (int r = openconnect_parse_url(oc, s.url.c_str()); r != 0)
    return make_error(Errc::invalid_argument, "VPN_Server '" + s.url + "' is not a usable URL", -r);
  if (!s.trust.ca_file.empty()) {
    if (access(s.trust.ca_file.c_str(), R_OK) != 0) return sys_error("VPN CA file " + s.trust.ca_file);
    openconnect_set_system_trust(oc, 0);
    if (int r = openconnect_set_cafile(oc, s.trust.ca_file.c_str()); r != 0)
      return make_error(Errc::invalid_argument, "VPN CA file " + s.trust.ca_file + " rejected", -r);
  }
  self->cmd_fd_ = openconnect_setup_cmd_pipe(oc);
  if (self->cmd_fd_ < 0) return make_error(Errc::system, "libopenconnect: command pipe", -self->cmd_fd_);
  openconnect_disable_ipv6(oc);  // the status page and the firewall deal in IPv4 tunnels
  if (!s.dtls) openconnect_disable_dtls(oc);
  if (s.reconnect.dpd_s > 0) openconnect_set_dpd(oc, s.reconnect.dpd_s);
  openconnect_set_stats_handler(oc, &Session::on_stats);
  openconnect_set_protect_socket_handler(oc, &Session::on_socket);
  return self;
}

Session::~Session() {
  if (oc_) openconnect_vpninfo_free(oc_);
  tun_.close();  // after libopenconnect stopped using it: the device goes away now
}

Error Session::failure(Errc code, const std::string& what) const {
  std::string why = !pin_failure_.empty() ? pin_failure_ : !cert_failure_.empty() ? cert_failure_ : filler_.failure();
  if (!why.empty()) return make_error(Errc::auth, why);
  if (code == Errc::io && filler_.password_submissions() > 0 && !logged_in_) {
    // The server ended the login after it had our credentials (ocserv answers a user outside
    // the chosen group with a bare 401): a refusal, not a network problem.
    return make_error(Errc::auth, "server refused the login of user '" + s_.user + "'" +
                                      (group().empty() ? "" : " in tunnel group '" + group() + "'") +
                                      (last_lib_error_.empty() ? "" : " (" + last_lib_error_ + ")"));
  }
  return make_error(code, what + (last_lib_error_.empty() ? "" : ": " + last_lib_error_));
}

Status Session::check_pin(const char* when) {
  if (s_.trust.pin.empty()) return {};
  int r = openconnect_check_peer_cert_hash(oc_, s_.trust.pin.c_str());
  if (r == 0) return {};
  const char* got = openconnect_get_peer_cert_hash(oc_);
  pin_failure_ = "server certificate of " + s_.host + " does not match the configured pin (" + when + "; server has " +
                 (got ? got : "?") + ")";
  return make_error(Errc::auth, pin_failure_);
}

Status Session::connect() {
  int r = openconnect_obtain_cookie(oc_);
  if (r != 0) return failure(Errc::io, "cannot log in to " + s_.host);
  logged_in_ = true;
  if (auto p = check_pin("after login"); !p) return p;
  r = openconnect_make_cstp_connection(oc_);
  if (r != 0) return failure(Errc::io, "cannot open the tunnel to " + s_.host);
  if (auto p = check_pin("tunnel channel"); !p) return p;

  const oc_ip_info* ip = nullptr;
  const oc_vpn_option *cstp = nullptr, *dtls = nullptr;
  if (openconnect_get_ip_info(oc_, &ip, &cstp, &dtls) != 0 || !ip || !ip->addr)
    return make_error(Errc::io, "server " + s_.host + " gave no IPv4 address for the tunnel");
  tun_cfg_ = TunConfig{};
  tun_cfg_.address = ip->addr;
  tun_cfg_.netmask = ip->netmask ? ip->netmask : "";
  tun_cfg_.mtu = ip->mtu > 0 ? std::uint32_t(ip->mtu) : 0;
  for (const oc_split_include* i = ip->split_includes; i; i = i->next)
    if (i->route) tun_cfg_.routes.emplace_back(i->route);
  if (ip->gateway_addr) tun_cfg_.gateway = ip->gateway_addr;

  auto tun = TunDevice::create(s_.ifname);
  if (!tun) return tun.error();
  tun_ = std::move(tun.value());
  if (auto c = tun_.configure(tun_cfg_); !c) return c;
  // Without a vpnc-script libopenconnect never closes the descriptor: it stays ours.
  if (int e = openconnect_setup_tun_fd(oc_, tun_.fd()); e != 0)
    return make_error(Errc::system, "libopenconnect refused the tun device", -e);
  if (s_.dtls && openconnect_setup_dtls(oc_, kDtlsAttemptPeriod) != 0)
    log::warn("vpn", "DTLS setup failed; the tunnel runs over TLS");
  log::info("vpn", "tunnel up on ", tun_.ifname(), ": ", tun_cfg_.address, "/",
            tun_cfg_.netmask.empty() ? "255.255.255.255" : tun_cfg_.netmask, ", ",
            tun_cfg_.routes.empty() ? "full tunnel" : std::to_string(tun_cfg_.routes.size()) + " split route(s)",
            ", group '", filler_.chosen_group(), "'");
  return {};
}

Status Session::run() {
  int r = openconnect_mainloop(oc_, s_.reconnect.cookie_resume_timeout_s, kResumeInterval);
  {
    std::lock_guard<std::mutex> g(m_);
    if (cancelled_) return {};
  }
  return make_error(Errc::io, "tunnel to " + s_.host + " lost" + (last_lib_error_.empty() ? "" : ": " + last_lib_error_),
                    r < 0 ? -r : 0);
}

void Session::cancel() {
  {
    std::lock_guard<std::mutex> g(m_);
    cancelled_ = true;
  }
  char c = OC_CMD_CANCEL;
  if (cmd_fd_ >= 0 && write(cmd_fd_, &c, 1) != 1) log::warn("vpn", "cannot signal the VPN session to stop");
}

void Session::force_close() {
  std::lock_guard<std::mutex> g(m_);
  for (const Sock& k : sockets_) {
    struct stat st;
    if (fstat(k.fd, &st) == 0 && st.st_ino == k.ino && S_ISSOCK(st.st_mode)) ::shutdown(k.fd, SHUT_RDWR);
  }
}

void Session::on_socket(void* p, int fd) {
  auto* self = static_cast<Session*>(p);
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  std::lock_guard<std::mutex> g(self->m_);
  // Forget descriptors that were closed since (their number now names another file).
  std::erase_if(self->sockets_, [](const Sock& k) {
    struct stat s2;
    return fstat(k.fd, &s2) != 0 || s2.st_ino != k.ino;
  });
  self->sockets_.push_back(Sock{fd, st.st_ino});
}

std::optional<LibraryStats> Session::request_stats(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> g(m_);
  std::uint64_t seq = stats_seq_;
  char c = OC_CMD_STATS;
  if (cmd_fd_ < 0 || write(cmd_fd_, &c, 1) != 1) return std::nullopt;
  if (!cv_.wait_for(g, timeout, [&] { return stats_seq_ != seq; })) return std::nullopt;
  return stats_;
}

int Session::on_validate(void* p, const char* reason) {
  auto* self = static_cast<Session*>(p);
  // The chain or the name check failed. A matching pin is the administrator's explicit trust.
  if (!self->s_.trust.pin.empty() && openconnect_check_peer_cert_hash(self->oc_, self->s_.trust.pin.c_str()) == 0) {
    log::info("vpn", "server certificate of ", self->s_.host, " accepted by its pin (", reason ? reason : "", ")");
    return 0;
  }
  std::string why = reason ? reason : "unknown reason";
  while (!why.empty() && why.back() == '\n') why.pop_back();
  self->cert_failure_ = "server certificate of " + self->s_.host + " not trusted: " + why;
  if (!self->s_.trust.pin.empty()) self->cert_failure_ += " (and it does not match the configured pin)";
  log::warn("vpn", self->cert_failure_);
  return 1;
}

int Session::on_form(void* p, oc_auth_form* form) {
  auto* self = static_cast<Session*>(p);
  // The password goes only to a server whose certificate matches the pin.
  if (!self->check_pin("before sending credentials")) {
    log::warn("vpn", self->pin_failure_);
    return OC_FORM_RESULT_CANCELLED;
  }
  int r = self->filler_.fill(form);
  if (r == OC_FORM_RESULT_CANCELLED) log::warn("vpn", "login to ", self->s_.host, " abandoned: ", self->filler_.failure());
  return r;
}

void Session::on_progress(void* p, int level, const char* fmt, ...) {
  auto* self = static_cast<Session*>(p);
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::string msg(buf);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  const char* ck = openconnect_get_cookie(self->oc_);
  std::string cookie = ck ? ck : "";
  msg = redact(std::move(msg), {&self->s_.password.reveal(), &cookie});
  secure_wipe(cookie.data(), cookie.size());
  if (level == PRG_ERR) {
    self->last_lib_error_ = msg;
    log::warn("openconnect", msg);
  } else if (level == PRG_INFO) {
    log::info("openconnect", msg);
  } else {
    log::debug("openconnect", msg);
  }
}

void Session::on_stats(void* p, const oc_stats* st) {
  auto* self = static_cast<Session*>(p);
  // Main-loop thread: the cipher getters are safe to call here.
  const char* d = openconnect_get_dtls_cipher(self->oc_);
  const char* c = openconnect_get_cstp_cipher(self->oc_);
  std::lock_guard<std::mutex> g(self->m_);
  self->stats_ = LibraryStats{st->tx_bytes, st->rx_bytes, st->tx_pkts, st->rx_pkts, d ? d : "", c ? c : ""};
  ++self->stats_seq_;
  self->cv_.notify_all();
}

}  // namespace phonesec::vpn

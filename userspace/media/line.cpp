// SPDX-License-Identifier: Apache-2.0
#include "media/line.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>

#include <openssl/rand.h>

#include "common/log.h"
#include "tls/net.h"
#include "common/resolver.h"
#include "tls/sip_transport.h"
#include "media/media_call.h"
#include "srtp/sdp.h"

namespace phonesec::media {
namespace {

using text::iequals;

constexpr std::size_t kMaxSip = 65535;
constexpr std::size_t kRegisterMemory = 16;

std::string ip_of(const Endpoint& e) {
  auto s = to_string(e);
  if (!s.empty() && s.front() == '[') return s.substr(1, s.find(']') - 1);
  return s.substr(0, s.rfind(':'));
}

std::uint16_t port_of(const Endpoint& e) {
  if (e.addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&e.addr)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&e.addr)->sin_port);
}

// host[:port] of Outbound_Proxy_n_, else Proxy_n_; a "sip:" prefix and parameters are ignored.
HostPort proxy_of(const config::LineConfig& l) {
  std::string p = !l.outbound_proxy.empty() ? l.outbound_proxy : l.proxy;
  if (p.rfind("sip:", 0) == 0) p = p.substr(4);
  if (auto semi = p.find(';'); semi != std::string::npos) p = p.substr(0, semi);
  HostPort hp;
  auto hp2 = uri_host_port("sip:" + p);
  if (hp2) hp = *hp2;
  if (hp.port == 0) hp.port = l.sip_transport == config::SipTransport::TLS ? 5061 : 5060;
  return hp;
}

Result<Endpoint> resolve(const HostPort& hp) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(hp.host.c_str(), std::to_string(hp.port).c_str(), &hints, &res);
  if (rc != 0) return make_error(Errc::not_found, "proxy " + hp.host + ": " + gai_strerror(rc));
  Endpoint e;
  std::memcpy(&e.addr, res->ai_addr, res->ai_addrlen);
  e.len = res->ai_addrlen;
  ::freeaddrinfo(res);
  return e;
}

// The local address the kernel would use toward `to` (a connected UDP socket, nothing sent).
Result<std::string> local_ip_toward(const Endpoint& to) {
  UniqueFd fd(::socket(to.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to.addr), to.len) != 0)
    return sys_error("no route toward the proxy " + to_string(to));
  Endpoint me;
  me.len = sizeof me.addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&me.addr), &me.len) != 0) return sys_error("getsockname");
  return ip_of(me);
}

std::string random_hex(std::size_t n) {
  unsigned char b[16];
  RAND_bytes(b, int(std::min(n, sizeof b)));
  std::string s;
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < std::min(n, sizeof b); ++i) {
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s;
}

const char* via_transport(config::SipTransport t) {
  return t == config::SipTransport::TLS ? "TLS" : t == config::SipTransport::TCP ? "TCP" : "UDP";
}

// Auto is resolved to UDP (no NAPTR lookup): the negotiator sees what the line really uses.
SipTransport neg_transport(SipTransport t) { return t == SipTransport::Auto ? SipTransport::UDP : t; }

const char* transport_name(config::SipTransport t) {
  switch (t) {
    case config::SipTransport::UDP: return "udp";
    case config::SipTransport::TCP: return "tcp";
    case config::SipTransport::TLS: return "tls";
    case config::SipTransport::Auto: return "auto";
  }
  return "?";
}

void strip_security(sip::Message& m) {
  for (auto n : {"Security-Server", "Security-Client", "Security-Verify"}) remove_header(m, n);
}

// Requests that create a dialog: the proxy record-routes them (RFC 3261 §16.6 step 4), twice
// (RFC 5658 double record-routing: one URI per side), so the UA's in-dialog requests, which it
// sends by the route set rather than to its outbound proxy, still come through this line.
bool creates_dialog(std::string_view m) {
  return iequals(m, "INVITE") || iequals(m, "SUBSCRIBE") || iequals(m, "REFER") || iequals(m, "NOTIFY");
}

void record_route(sip::Message& m, const HostPort& first, const HostPort& second) {
  auto uri = [](const HostPort& h) { return "<sip:" + h.host + ":" + std::to_string(h.port) + ";lr>"; };
  srtp::SipHeader rr{"Record-Route", uri(first) + ", " + uri(second)};
  for (auto it = m.headers.begin(); it != m.headers.end(); ++it)
    if (iequals(it->name, "Record-Route")) {
      m.headers.insert(it, rr);
      return;
    }
  // After the Via headers when there is none yet.
  auto pos = m.headers.begin();
  while (pos != m.headers.end() && iequals(pos->name, "Via")) ++pos;
  m.headers.insert(pos, rr);
}

// Appends one Record-Route entry (the bottom of the list: the UA as UAC reverses it, so it is
// the first hop of its route set).
void record_route_one(sip::Message& m, const HostPort& hp) {
  std::string uri = "<sip:" + hp.host + ":" + std::to_string(hp.port) + ";lr>";
  auto last = m.headers.end();
  for (auto it = m.headers.begin(); it != m.headers.end(); ++it)
    if (iequals(it->name, "Record-Route")) last = it;
  if (last != m.headers.end()) {
    last->value += ", " + uri;
    return;
  }
  auto pos = m.headers.begin();
  while (pos != m.headers.end() && iequals(pos->name, "Via")) ++pos;
  m.headers.insert(pos, {"Record-Route", uri});
}

bool is_offer_answer_method(std::string_view m) { return iequals(m, "INVITE") || iequals(m, "UPDATE"); }

bool has_sdp(const sip::Message& m) {
  if (m.body.empty()) return false;
  auto* ct = m.header("Content-Type");
  return !ct || text::iequals(std::string_view(*ct).substr(0, 15), "application/sdp");
}

// Sends and wipes: a message with SDP holds keys.
void send_wipe(int fd, const Endpoint& to, std::string& text, std::uint64_t& ok, std::uint64_t& dropped) {
  if (::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to.addr), to.len) < 0) {
    log::warn("media", "SIP send to ", to_string(to), ": ", std::strerror(errno));
    ++dropped;
  } else {
    ++ok;
  }
  secure_wipe(text.data(), text.size());
}

}  // namespace

std::vector<srtp::Suite> default_suites() {
  using S = srtp::Suite;
  // Four lines, not six: an INVITE with six a=crypto lines passes 1500 bytes and fragments over
  // UDP. AES_256_CM_* (RFC 6188) is rarely implemented (baresip has none); --suite offers it.
  return {S::AEAD_AES_256_GCM, S::AEAD_AES_128_GCM, S::AES_CM_128_HMAC_SHA1_80, S::AES_CM_128_HMAC_SHA1_32};
}

std::vector<LineSettings> line_settings(const config::PhoneConfig& c, const std::vector<srtp::Suite>& suites,
                                        const std::string& ca_file) {
  std::vector<LineSettings> out;
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    auto& l = c.lines[i];
    if (!l.enable || (l.proxy.empty() && l.outbound_proxy.empty())) continue;
    LineSettings s;
    s.line = int(i) + 1;
    s.cfg = l;
    s.rtp_min = c.rtp_port_min;
    s.rtp_max = c.rtp_port_max;
    if (!suites.empty()) s.suites = suites;
    s.tls_cipher_list = c.tls_cipher_list;
    s.ca_file = ca_file;
    out.push_back(std::move(s));
  }
  return out;
}

LineProxy::LineProxy(Loop& loop, LineSettings s, std::function<void()> changed)
    : loop_(loop),
      s_(std::move(s)),
      changed_(std::move(changed)),
      neg_({s_.line, s_.cfg.mediasec_request, s_.cfg.mediasec_over_tls_only}, neg_transport(s_.cfg.sip_transport)),
      ports_(s_.rtp_min, s_.rtp_max) {}

LineProxy::~LineProxy() {
  calls_.clear();
  for (int fd : {ua_sock_.get(), net_sock_.get(), stream_fd_})
    if (fd >= 0) loop_.remove(fd);
  if (tls_) tls_->shutdown();
}

Status LineProxy::connect_stream() {
  const std::string what = std::string(transport_name(transport_)) + " to the proxy " + proxy_text_;
  if (transport_ == config::SipTransport::TCP) {
    auto c = tls::tcp_connect(proxy_hp_.host, proxy_hp_.port, SystemResolver(), std::chrono::seconds(5));
    if (!c) return make_error(c.error().code, what + ": " + c.error().message(), c.error().sys_errno);
    tcp_fd_ = std::move(c->fd);
    stream_fd_ = tcp_fd_.get();
    stream_ = std::make_unique<tls::PlainStream>(stream_fd_);
  } else {
    auto plan = tls::sip_transport_plan(s_.cfg, s_.line);
    auto target = tls::sip_tls_target(plan, proxy_hp_.host, proxy_hp_.port);
    auto r = tls::tls_connect(*tls_ctx_, target, SystemResolver());
    if (!r.ok() || !r.session) {
      std::string why = r.session ? std::string(tls::reason_text(r.failure)) : r.session.error().message();
      return make_error(Errc::auth, what + " refused: " + why);
    }
    auto sess = std::make_unique<tls::TlsSession>(std::move(*r.session));
    tls_ = sess.get();
    stream_fd_ = sess->fd();
    stream_ = std::move(sess);
  }
  // The connection's socket blocks with timeouts (tls/): reads from the loop wait at most 1 ms,
  // so a wake-up that brings no application data (a TLS 1.3 session ticket, half a record)
  // comes back as Errc::timeout — "nothing yet" — instead of holding the loop for seconds.
  timeval tv{0, 1000};
  ::setsockopt(stream_fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  Endpoint me;
  me.len = sizeof me.addr;
  if (::getsockname(stream_fd_, reinterpret_cast<sockaddr*>(&me.addr), &me.len) == 0) net_hp_ = {ip_of(me), port_of(me)};
  if (auto st = loop_.add(stream_fd_, this); !st) return st;
  log::info("media", "line ", s_.line, ": ", what, " up from ", net_hp_.host, ":", net_hp_.port);
  return {};
}

void LineProxy::drop_stream(std::string_view why) {
  if (stream_fd_ < 0) return;
  log::warn("media", "line ", s_.line, ": connection to the proxy closed (", why, ")");
  loop_.remove(stream_fd_);
  stream_.reset();
  tls_ = nullptr;
  tcp_fd_.reset();
  stream_fd_ = -1;
  inbuf_.clear();
  if (changed_) changed_();
}

// Reads what the connection has and hands every complete message (Content-Length framing,
// RFC 3261 §18.3) to from_net; CRLF keep-alives between messages are skipped.
void LineProxy::read_stream() {
  char buf[16384];
  do {
    auto n = stream_->read_some(buf, sizeof buf);
    if (!n && n.error().code == Errc::timeout) break;  // no application data yet
    if (!n || *n == 0) {
      drop_stream(n ? "closed by the proxy" : n.error().message());
      return;
    }
    inbuf_.append(buf, *n);
  } while (tls_ && tls_->pending());
  for (;;) {
    std::size_t start = inbuf_.find_first_not_of("\r\n");
    if (start == std::string::npos) {
      inbuf_.clear();
      return;
    }
    if (start) inbuf_.erase(0, start);
    auto he = inbuf_.find("\r\n\r\n");
    if (he == std::string::npos) {
      if (inbuf_.size() > kMaxSip) drop_stream("a message without end of headers");
      return;
    }
    std::size_t len = 0;
    std::string head = inbuf_.substr(0, he + 2);
    for (std::size_t pos = 0; pos < head.size();) {
      auto nl = head.find("\r\n", pos);
      std::string_view line(head.data() + pos, nl - pos);
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        auto name = text::trim(line.substr(0, colon));
        if (iequals(name, "Content-Length") || iequals(name, "l")) len = std::strtoul(std::string(line.substr(colon + 1)).c_str(), nullptr, 10);
      }
      pos = nl + 2;
    }
    if (len > kMaxSip) {
      drop_stream("Content-Length too large");
      return;
    }
    if (inbuf_.size() < he + 4 + len) return;
    std::string msg = inbuf_.substr(0, he + 4 + len);
    inbuf_.erase(0, he + 4 + len);
    from_net(msg, proxy_);
    secure_wipe(msg.data(), msg.size());
    if (stream_fd_ < 0) return;
  }
}

Result<std::unique_ptr<LineProxy>> LineProxy::create(Loop& loop, LineSettings s, std::function<void()> changed) {
  std::unique_ptr<LineProxy> p(new LineProxy(loop, std::move(s), std::move(changed)));
  auto& cfg = p->s_.cfg;
  const std::string where = "line " + std::to_string(p->s_.line);
  p->transport_ = cfg.sip_transport == config::SipTransport::Auto ? config::SipTransport::UDP : cfg.sip_transport;
  HostPort proxy = proxy_of(cfg);
  p->proxy_hp_ = proxy;
  p->proxy_text_ = proxy.host + ":" + std::to_string(proxy.port);
  auto ep = resolve(proxy);
  if (!ep) return make_error(ep.error().code, where + ": " + ep.error().message());
  p->proxy_ = *ep;
  auto ip = local_ip_toward(p->proxy_);
  if (!ip) return make_error(ip.error().code, where + ": " + ip.error().message(), ip.error().sys_errno);
  p->net_hp_ = {*ip, cfg.sip_port};
  if (p->transport_ == config::SipTransport::TLS) {
    tls::TlsPolicy policy(tls::TlsPolicyOptions{p->s_.tls_cipher_list});
    auto ctx = tls::TlsClientContext::create(policy, tls::TlsApp::sip, tls::TrustOptions{p->s_.ca_file, std::nullopt});
    if (!ctx) return make_error(ctx.error().code, where + ": TLS: " + ctx.error().message());
    p->tls_ctx_.emplace(std::move(*ctx));
  }
  if (p->transport_ != config::SipTransport::UDP)
    if (auto st = p->connect_stream(); !st) return make_error(st.error().code, where + ": " + st.error().message());
  std::uint16_t ua_port = p->s_.ua_port ? p->s_.ua_port : std::uint16_t(cfg.sip_port + kUaPortOffset);
  std::uint16_t ua_default = p->s_.ua_default_port ? p->s_.ua_default_port : std::uint16_t(cfg.sip_port + kUaDefaultOffset);
  p->ua_hp_ = {"127.0.0.1", ua_port};
  if (p->transport_ == config::SipTransport::UDP) {
    auto net = bind_udp(*ip, cfg.sip_port);
    if (!net) return make_error(net.error().code, where + ": SIP socket: " + net.error().message(), net.error().sys_errno);
    p->net_sock_ = std::move(*net);
  }
  auto ua = bind_udp("127.0.0.1", ua_port);
  if (!ua) return make_error(ua.error().code, where + ": UA-side socket: " + ua.error().message(), ua.error().sys_errno);
  p->ua_sock_ = std::move(*ua);
  auto def = make_endpoint("127.0.0.1", ua_default);
  if (def) p->ua_addr_ = *def;
  if (cfg.auth_invite) {
    auto ac = sip::from_line(cfg);
    // MD5 first, then SHA-256: deployed callers take the first challenge (sipp 3.6 uses it even
    // when it cannot compute it, libre 1.1 / baresip 1.0 fail on any non-MD5 one), so a
    // SHA-256-first list locks out the proxy the line must let in. SHA-256 stays on offer.
    ac.offer = {sip::DigestAlg::MD5, sip::DigestAlg::SHA256};
    p->auth_.emplace(std::move(ac), [] { return std::chrono::steady_clock::now(); });
  }
  p->salt_ = random_hex(8);
  for (int fd : {p->net_sock_.get(), p->ua_sock_.get()})
    if (fd >= 0)
      if (auto st = loop.add(fd, p.get()); !st) return st.error();
  auto* raw = p.get();
  p->neg_.on_transition([raw](srtp::MediaSecState, srtp::MediaSecState, std::string_view) {
    if (raw->changed_) raw->changed_();
  });
  log::info("media", where, ": UA side 127.0.0.1:", ua_port, ", network side ", p->net_hp_.host, ":", p->net_hp_.port,
            " -> proxy ", p->proxy_text_, " (", transport_name(p->transport_), ")");
  return p;
}

void LineProxy::on_readable(int fd) {
  if (fd == stream_fd_) {
    read_stream();
    return;
  }
  static thread_local std::string buf;
  buf.resize(kMaxSip);
  for (int burst = 0; burst < 16; ++burst) {
    Endpoint src;
    src.len = sizeof src.addr;
    ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&src.addr), &src.len);
    if (n <= 0) break;
    std::string text(buf.data(), std::size_t(n));
    if (text.find_first_not_of("\r\n") == std::string::npos) continue;  // keep-alive (RFC 5626 CRLF)
    if (fd == ua_sock_.get())
      from_ua(text, src);
    else
      from_net(text, src);
    secure_wipe(text.data(), text.size());
  }
  secure_wipe(buf.data(), buf.size());
}

void LineProxy::from_ua(const std::string& text, const Endpoint& src) {
  auto m = sip::parse(text);
  if (!m) {
    log::warn("media", "line ", s_.line, ": unparseable SIP from the UA dropped: ", m.error().message());
    ++sip_dropped_;
    return;
  }
  ua_addr_ = src;
  if (m->is_request)
    ua_request(std::move(*m));
  else
    ua_response(std::move(*m));
}

void LineProxy::from_net(const std::string& text, const Endpoint& src) {
  auto m = sip::parse(text);
  if (!m) {
    log::warn("media", "line ", s_.line, ": unparseable SIP from ", to_string(src), " dropped: ", m.error().message());
    ++sip_dropped_;
    return;
  }
  if (m->is_request)
    net_request(std::move(*m), src);
  else
    net_response(std::move(*m));
}

Call* LineProxy::find_call(const std::string& id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second.get();
}

Call& LineProxy::call(const std::string& call_id) {
  auto& slot = calls_[call_id];
  if (!slot) {  // a new call: status changes
    slot = std::make_unique<Call>();
    slot->id = call_id;
    if (changed_) changed_();
  }
  return *slot;
}

void LineProxy::end_call(const std::string& id, std::string_view why) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  calls_.erase(it);  // relays first: they read the keys
  keys_.end_call(id);
  log::info("media", "line ", s_.line, ": call ", id, " ended (", why, "), keys wiped");
  if (changed_) changed_();
}

void LineProxy::ua_request(sip::Message m, const std::string& salt_suffix) {
  if (salt_suffix.empty() && iequals(m.method, "REGISTER")) {
    registers_.emplace_back("", m);
    if (registers_.size() > kRegisterMemory) registers_.pop_front();
  }
  if (!decrement_max_forwards(m)) {
    std::string r = sip::make_response(m, 483, "Too Many Hops", "");
    send_ua(ua_addr_, std::move(r));
    return;
  }
  remove_routes_to(m, ua_hp_);
  remove_routes_to(m, net_hp_);
  if (creates_dialog(m.method) && !m.to_has_tag()) record_route(m, net_hp_, ua_hp_);
  strip_security(m);
  for (auto& h : neg_.request_headers(m.method)) m.headers.push_back(h);
  if (auto orig = rewrite_contacts(m, net_hp_); !orig.empty()) ua_contact_ = orig;
  std::string in_branch = via_param(top_via(m), "branch").value_or("");
  std::string branch = stateless_branch(salt_ + salt_suffix, in_branch);
  push_via(m, std::string("SIP/2.0/") + via_transport(transport_) + " " + net_hp_.host + ":" + std::to_string(net_hp_.port) +
                  ";branch=" + branch + ";rport");
  if (!registers_.empty() && registers_.back().first.empty() && iequals(m.method, "REGISTER"))
    registers_.back().first = branch;

  const std::string call_id = m.header("Call-ID") ? *m.header("Call-ID") : "";
  const std::string cseq = m.header("CSeq") ? *m.header("CSeq") : "";
  if (is_offer_answer_method(m.method) && has_sdp(m)) {
    Call* slot = &call(call_id);
    MediaContext ctx{loop_, ports_, net_hp_.host, s_.suites, neg_.agreed()};
    auto body = ua_offer_to_net(*slot, keys_.call(call_id), ctx, cseq, m.body);
    if (!body) {
      log::error("media", "line ", s_.line, ": call ", call_id, ": ", body.error().message());
      pop_via(m);
      send_ua(ua_addr_, sip::make_response(m, 500, "Media Security Failed", ""));
      end_call(call_id, "offer not secured");
      return;
    }
    m.body = body->reveal();
  }
  std::string out = sip::serialize(m);
  secure_wipe(m.body.data(), m.body.size());
  send_net(proxy_, std::move(out));
  if (iequals(m.method, "BYE")) end_call(call_id, "BYE from the UA");
}

void LineProxy::ua_response(sip::Message m) {
  pop_via(m);  // ours, UA side
  std::string top = top_via(m);
  if (top.empty()) {
    ++sip_dropped_;
    return;
  }
  HostPort to = via_response_target(top);
  auto dest = make_endpoint(to.host, to.port);
  if (!dest) {
    log::warn("media", "line ", s_.line, ": response for unreachable Via ", top, " dropped");
    ++sip_dropped_;
    return;
  }
  rewrite_contacts(m, net_hp_);
  const std::string method = cseq_method(m);
  const std::string call_id = m.header("Call-ID") ? *m.header("Call-ID") : "";
  const std::string cseq = m.header("CSeq") ? *m.header("CSeq") : "";
  Call* c = find_call(call_id);
  if (c && is_offer_answer_method(method) && has_sdp(m) && m.status < 300) {
    MediaContext ctx{loop_, ports_, net_hp_.host, s_.suites, neg_.agreed()};
    auto body = ua_answer_to_net(*c, keys_.call(call_id), ctx, cseq, m.body);
    if (body)
      m.body = body->reveal();
    else
      log::error("media", "line ", s_.line, ": call ", call_id, ": ", body.error().message());
  }
  if (c && iequals(method, "INVITE")) {
    if (m.status >= 200 && m.status < 300) c->established = true;
    if (m.status >= 300 && !c->established) {
      std::string out = sip::serialize(m);
      send_net(*dest, std::move(out));
      end_call(call_id, std::to_string(m.status) + " from the UA");
      return;
    }
  }
  std::string out = sip::serialize(m);
  secure_wipe(m.body.data(), m.body.size());
  send_net(*dest, std::move(out));
}

void LineProxy::net_request(sip::Message m, const Endpoint& src) {
  if (auth_ && iequals(m.method, "INVITE") && !m.to_has_tag()) {
    auto d = auth_->on_request(m);
    if (d.verdict != sip::Verdict::accept) {
      ++auth_challenges_;
      if (changed_) changed_();
      log::info("media", "line ", s_.line, ": initial INVITE from ", to_string(src), " answered ", d.status, " (",
                d.reason, ")");
      send_net(src, std::move(d.response));
      return;
    }
  }
  sip::Message original = m;  // for responses of our own; its body (keys) is not needed
  secure_wipe(original.body.data(), original.body.size());
  original.body.clear();
  const std::string top = top_via(m);
  if (top.empty()) {
    ++sip_dropped_;
    return;
  }
  replace_top_via(m, via_with_received(top, ip_of(src), port_of(src)));
  if (!decrement_max_forwards(m)) {
    send_net(src, sip::make_response(original, 483, "Too Many Hops", ""));
    return;
  }
  std::string in_branch = via_param(top, "branch").value_or("");
  push_via(m, "SIP/2.0/UDP " + ua_hp_.host + ":" + std::to_string(ua_hp_.port) +
                  ";branch=" + stateless_branch(salt_ + "ua", in_branch) + ";rport");
  remove_routes_to(m, net_hp_);
  remove_routes_to(m, ua_hp_);
  if (creates_dialog(m.method) && !m.to_has_tag()) record_route(m, ua_hp_, net_hp_);
  // Every request from the network is for our UA: its own Contact (in-dialog requests name the
  // rewritten Contact, initial ones the line's address of record).
  if (!ua_contact_.empty()) m.uri = ua_contact_;
  strip_security(m);

  const std::string call_id = m.header("Call-ID") ? *m.header("Call-ID") : "";
  const std::string cseq = m.header("CSeq") ? *m.header("CSeq") : "";
  if (is_offer_answer_method(m.method) && has_sdp(m)) {
    Call* slot = &call(call_id);
    MediaContext ctx{loop_, ports_, net_hp_.host, s_.suites, neg_.agreed()};
    auto body = net_offer_to_ua(*slot, keys_.call(call_id), ctx, cseq, m.body);
    if (!body) {
      log::warn("media", "line ", s_.line, ": call ", call_id, " refused with 488: ", body.error().message());
      send_net(src, sip::make_response(original, 488, "Not Acceptable Here", salt_,
                                       {"Warning: 399 phonesec \"media must be SRTP (SDES a=crypto)\""}));
      secure_wipe(m.body.data(), m.body.size());
      if (!slot->established) end_call(call_id, "offer without usable a=crypto");
      return;
    }
    m.body = body->reveal();
    if (!slot->suite.empty() && slot->suite != last_suite_) {
      last_suite_ = slot->suite;
      if (changed_) changed_();
    }
  }
  std::string out = sip::serialize(m);
  secure_wipe(m.body.data(), m.body.size());
  send_ua(ua_addr_, std::move(out));
  if (iequals(m.method, "BYE")) end_call(call_id, "BYE from the network");
}

void LineProxy::net_response(sip::Message m) {
  std::string top = top_via(m);
  if (via_sent_by(top).host != net_hp_.host || via_sent_by(top).port != net_hp_.port) {
    log::warn("media", "line ", s_.line, ": response not via us dropped");
    ++sip_dropped_;
    return;
  }
  std::string our_branch = via_param(top, "branch").value_or("");
  pop_via(m);
  const std::string method = cseq_method(m);
  if (auto st = neg_.on_response(m.status, method, m.headers); !st)
    log::warn("media", "line ", s_.line, ": ", st.error().message());
  if (m.status == 494 && iequals(method, "REGISTER")) {
    // Security agreement required: send the REGISTER again with Security-Verify, once.
    for (auto it = registers_.begin(); it != registers_.end(); ++it)
      if (it->first == our_branch) {
        sip::Message again = std::move(it->second);
        registers_.erase(it);
        log::info("media", "line ", s_.line, ": 494 to REGISTER: sending it again with Security-Verify");
        ua_request(std::move(again), "-494");
        return;
      }
  }
  strip_security(m);
  if (creates_dialog(method) && m.status > 100 && m.status < 300 && m.to_has_tag()) {
    // The UA's route set comes from Record-Route in this response; a far end that did not echo
    // ours (RFC 3261 §12.1.1 says it must) would take the UA's in-dialog requests away from the
    // line. Put back the UA-facing one: the UA keeps routing through us.
    bool ours = false;
    for (auto& rr : m.all("Record-Route")) ours = ours || rr.find(ua_hp_.host + ":" + std::to_string(ua_hp_.port)) != std::string::npos;
    if (!ours) record_route_one(m, ua_hp_);
  }
  const std::string call_id = m.header("Call-ID") ? *m.header("Call-ID") : "";
  const std::string cseq = m.header("CSeq") ? *m.header("CSeq") : "";
  Call* c = find_call(call_id);
  if (c && is_offer_answer_method(method) && has_sdp(m) && m.status < 300) {
    MediaContext ctx{loop_, ports_, net_hp_.host, s_.suites, neg_.agreed()};
    auto body = net_answer_to_ua(*c, keys_.call(call_id), ctx, cseq, m.body);
    if (body)
      m.body = body->reveal();
    else
      log::error("media", "line ", s_.line, ": call ", call_id, ": ", body.error().message());
    if (!c->suite.empty() && c->suite != last_suite_) {
      last_suite_ = c->suite;
      if (changed_) changed_();
    }
  }
  std::string ua_top = top_via(m);
  HostPort to = via_response_target(ua_top);
  auto dest = make_endpoint(to.host, to.port);
  std::string out = sip::serialize(m);
  secure_wipe(m.body.data(), m.body.size());
  send_ua(dest ? *dest : ua_addr_, std::move(out));
  if (c && iequals(method, "INVITE")) {
    if (m.status >= 200 && m.status < 300) c->established = true;
    if (m.status >= 300 && !c->established) end_call(call_id, std::to_string(m.status) + " to the INVITE");
  }
}

void LineProxy::send_net(const Endpoint& to, std::string text) {
  if (transport_ == config::SipTransport::UDP) {
    send_wipe(net_sock_.get(), to, text, sip_to_net_, sip_dropped_);
    return;
  }
  // Stream: responses and requests alike go over the one connection to the proxy.
  if (!stream_)
    if (auto st = connect_stream(); !st) {
      log::warn("media", "line ", s_.line, ": message not sent: ", st.error().message());
      error_ = st.error().message();
      ++sip_dropped_;
      secure_wipe(text.data(), text.size());
      return;
    }
  if (auto st = stream_->write_all(text.data(), text.size()); !st) {
    ++sip_dropped_;
    drop_stream(st.error().message());
  } else {
    ++sip_to_net_;
  }
  secure_wipe(text.data(), text.size());
}

void LineProxy::send_ua(const Endpoint& to, std::string text) { send_wipe(ua_sock_.get(), to, text, sip_to_ua_, sip_dropped_); }

Json LineProxy::status() const {
  Json calls = Json::array();
  RelayCounters total;
  for (auto& [id, c] : calls_) {
    Json streams = Json::array();
    for (auto& [i, r] : c->relays) {
      auto& k = r->counters();
      total.to_net += k.to_net;
      total.from_net += k.from_net;
      total.auth_fail += k.auth_fail;
      total.no_key += k.no_key;
      streams.push_back({{"mline", i}, {"net_port", r->net_port()}, {"ua_port", r->ua_port()},
                         {"to_net", k.to_net}, {"from_net", k.from_net}, {"auth_fail", k.auth_fail},
                         {"no_key", k.no_key}});
    }
    calls.push_back({{"established", c->established}, {"suite", c->suite}, {"streams", streams}});
  }
  return Json{{"line", s_.line},
              {"enabled", true},
              {"transport", transport_name(transport_)},
              {"connected", transport_ == config::SipTransport::UDP || stream_fd_ >= 0},
              {"last_error", error_},
              {"proxy", proxy_text_},
              {"local", net_hp_.host + ":" + std::to_string(net_hp_.port)},
              {"ua_side", ua_hp_.host + ":" + std::to_string(ua_hp_.port)},
              {"mediasec",
               {{"mode", s_.cfg.mediasec_request ? "client" : "server"},
                {"over_tls_only", s_.cfg.mediasec_over_tls_only},
                {"state", srtp::to_string(neg_.state())},
                {"agreed", neg_.agreed()}}},
              {"auth_invite", s_.cfg.auth_invite},
              {"auth_invite_refused", auth_challenges_},
              {"calls", calls_.size()},
              {"call_list", calls},
              {"suite", last_suite_},
              {"sip", {{"to_net", sip_to_net_}, {"to_ua", sip_to_ua_}, {"dropped", sip_dropped_}}},
              {"media", {{"to_net", total.to_net}, {"from_net", total.from_net}, {"auth_fail", total.auth_fail}}}};
}

}  // namespace phonesec::media

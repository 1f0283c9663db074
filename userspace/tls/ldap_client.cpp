// SPDX-License-Identifier: Apache-2.0
#include "tls/ldap_client.h"

#include <cctype>
#include <charconv>

#include "common/log.h"
#include "tls/ber.h"

namespace phonesec::tls {

struct LdapSession::Impl {
  std::optional<TcpConnection> plain;  // owns the socket until (unless) TLS takes it
  std::optional<TlsSession> tls;
  std::optional<PlainStream> plain_stream;
  std::string where;
  int next_id = 1;

  Stream& stream() { return tls ? static_cast<Stream&>(*tls) : static_cast<Stream&>(*plain_stream); }

  Status send(const std::string& bytes) {
    if (Status st = stream().write_all(bytes.data(), bytes.size()); !st)
      return make_error(st.error().code, where + ": send: " + st.error().message());
    return {};
  }

  // Reads exactly one LDAPMessage.
  Result<ldap::Message> receive() {
    std::string buf(2, '\0');
    if (Status st = stream().read_exact(buf.data(), 2); !st)
      return make_error(st.error().code, where + ": receive: " + st.error().message());
    if (std::uint8_t(buf[1]) & 0x80) {
      std::size_t n = std::uint8_t(buf[1]) & 0x7f;
      if (n == 0 || n > 4)
        return make_error(Errc::parse, where + ": the server's answer is not an LDAP message");
      buf.resize(2 + n);
      if (Status st = stream().read_exact(buf.data() + 2, n); !st)
        return make_error(st.error().code, where + ": receive: " + st.error().message());
    }
    auto size = ber::tlv_size(buf);
    if (!size) return make_error(Errc::parse, where + ": " + size.error().message());
    std::size_t have = buf.size();
    buf.resize(*size);
    if (*size > have) {
      if (Status st = stream().read_exact(buf.data() + have, *size - have); !st)
        return make_error(st.error().code, where + ": receive: " + st.error().message());
    }
    auto m = ldap::decode_message(buf);
    if (!m) return make_error(Errc::parse, where + ": " + m.error().message());
    if (m->id == 0 && m->op == ldap::kExtendedResponse)
      return make_error(Errc::io, where + ": the server ended the session (" +
                                      ldap::result_name(m->result_code) +
                                      (m->diagnostic.empty() ? "" : ": " + m->diagnostic) + ")");
    return m;
  }
};

namespace {

std::string describe_result(const ldap::Message& m) {
  return ldap::result_name(m.result_code) + (m.diagnostic.empty() ? "" : ": " + m.diagnostic);
}

std::string url_text(const LdapUrl& u) {
  bool v6 = u.host.find(':') != std::string::npos;
  return std::string(u.scheme == LdapScheme::ldaps ? "ldaps://" : "ldap://") +
         (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port);
}

}  // namespace

Result<LdapUrl> parse_ldap_url(std::string_view server) {
  auto bad = [&](const std::string& why) {
    return make_error(Errc::invalid_argument, "LDAP_Server '" + std::string(server) + "': " + why);
  };
  std::string_view s = server;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  LdapUrl u;
  auto lower_prefix = [&](std::string_view p) {
    if (s.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
    return true;
  };
  if (lower_prefix("ldaps://")) {
    u.scheme = LdapScheme::ldaps;
    u.port = 636;
    s.remove_prefix(8);
  } else if (lower_prefix("ldap://")) {
    s.remove_prefix(7);
  } else if (s.find("://") != std::string_view::npos) {
    return bad("the scheme must be ldap:// or ldaps://");
  }
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  if (s.find_first_of("/?") != std::string_view::npos)
    return bad("a DN or query after the host is not supported");
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) return bad("missing ']' after the IPv6 address");
    u.host = std::string(s.substr(1, close - 1));
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("unexpected text after ']'");
      port = rest.substr(1);
      if (port.empty()) return bad("empty port");
    }
    if (!canonical_ip(u.host)) return bad("'" + u.host + "' is not an IPv6 address");
  } else {
    auto colon = s.find(':');
    if (colon != std::string_view::npos && s.find(':', colon + 1) != std::string_view::npos)
      return bad("an IPv6 address must be written in brackets");
    u.host = std::string(s.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = s.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
  }
  if (u.host.empty()) return bad("no host");
  for (char c : u.host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_'))
      return bad("'" + u.host + "' is not a host name or IP address");
  if (!port.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v < 1 || v > 65535)
      return bad("port '" + std::string(port) + "' is not 1-65535");
    u.port = std::uint16_t(v);
  }
  return u;
}

LdapSession::LdapSession(std::unique_ptr<Impl> impl, LdapSecurity sec, std::string status)
    : impl_(std::move(impl)), security_(sec), status_(std::move(status)) {}
LdapSession::LdapSession(LdapSession&&) noexcept = default;
LdapSession& LdapSession::operator=(LdapSession&&) noexcept = default;

LdapSession::~LdapSession() {
  if (!impl_) return;
  (void)impl_->send(ldap::unbind_request(impl_->next_id++));
  if (impl_->tls) impl_->tls->shutdown();
}

std::string LdapSession::tls_version() const { return impl_ && impl_->tls ? impl_->tls->version() : ""; }
std::string LdapSession::tls_cipher() const { return impl_ && impl_->tls ? impl_->tls->cipher() : ""; }

Result<LdapSession> LdapSession::open(const TlsPolicy& policy, const TrustOptions& trust,
                                      const LdapOptions& opts, const Resolver& resolve) {
  auto url = parse_ldap_url(opts.server);
  if (!url) return url.error();
  auto impl = std::make_unique<Impl>();
  impl->where = "LDAP " + url_text(*url);
  TlsTarget target{url->host, url->port, true};
  LdapSecurity sec;
  std::string status;

  if (opts.auth == LdapAuthMethod::digest_md5)
    return make_error(Errc::unsupported,
                      impl->where + ": DIGEST-MD5 authentication is not supported (use None or Simple)");

  if (url->scheme == LdapScheme::ldaps) {
    auto ctx = TlsClientContext::create(policy, TlsApp::ldaps, trust);
    if (!ctx) return ctx.error();
    auto r = tls_connect(*ctx, target, resolve, opts.timeout);
    if (!r.ok()) return r.session.error();
    impl->tls.emplace(std::move(r.session.value()));
    sec = LdapSecurity::ldaps;
    status = url_text(*url) + " LDAPS " + impl->tls->version() + " " + impl->tls->cipher();
  } else {
    auto conn = tcp_connect(url->host, url->port, resolve, opts.timeout);
    if (!conn)
      return make_error(conn.error().code, impl->where + ": " + conn.error().message(),
                        conn.error().sys_errno);
    impl->plain.emplace(std::move(*conn));
    impl->plain_stream.emplace(impl->plain->fd.get());
    if (!opts.starttls_enable) {
      sec = LdapSecurity::plain_starttls_disabled;
      status = url_text(*url) + " plain text (LDAP_StartTLS_Enable is No)";
    } else {
      int id = impl->next_id++;
      if (Status st = impl->send(ldap::start_tls_request(id)); !st) return st.error();
      auto resp = impl->receive();
      if (!resp)
        return make_error(resp.error().code, resp.error().message() + " (waiting for the StartTLS answer)");
      if (resp->op != ldap::kExtendedResponse || resp->id != id)
        return make_error(Errc::parse, impl->where + ": the answer to StartTLS is not its ExtendedResponse");
      if (resp->result_code != 0) {
        // The one case the seed allows plain text: the server does not do StartTLS.
        sec = LdapSecurity::plain_starttls_refused;
        status = url_text(*url) + " plain text: the server refused StartTLS (" + describe_result(*resp) + ")";
        log::warn("ldap", status);
      } else {
        auto ctx = TlsClientContext::create(policy, TlsApp::ldap_starttls, trust);
        if (!ctx) return ctx.error();
        impl->plain_stream.reset();
        TcpConnection c = std::move(*impl->plain);
        impl->plain.reset();
        auto r = tls_handshake(*ctx, std::move(c), target, resolve);
        if (!r.ok())
          return make_error(r.session.error().code, r.session.error().message() + " (after StartTLS)");
        impl->tls.emplace(std::move(r.session.value()));
        sec = LdapSecurity::starttls;
        status = url_text(*url) + " StartTLS " + impl->tls->version() + " " + impl->tls->cipher();
      }
    }
  }

  if (opts.auth == LdapAuthMethod::simple) {
    if (sec == LdapSecurity::plain_starttls_refused && !opts.password.empty())
      return make_error(Errc::auth,
                        impl->where +
                            ": the server refused StartTLS; LDAP_Password is not sent in plain text "
                            "(use ldaps:// or a server with StartTLS)");
    int id = impl->next_id++;
    std::string req = ldap::simple_bind_request(id, opts.bind_dn, opts.password);
    Status sent = impl->send(req);
    secure_wipe(req.data(), req.size());  // it held LDAP_Password
    if (!sent) return sent.error();
    auto resp = impl->receive();
    if (!resp) return resp.error();
    if (resp->op != ldap::kBindResponse || resp->id != id)
      return make_error(Errc::parse, impl->where + ": the answer to the bind is not a BindResponse");
    if (resp->result_code != 0)
      return make_error(Errc::auth, impl->where + ": bind as '" + opts.bind_dn + "' refused (" +
                                        describe_result(*resp) + ")");
    status += ", bound as " + opts.bind_dn;
  }
  log::info("ldap", status);
  return LdapSession(std::move(impl), sec, std::move(status));
}

Result<std::vector<LdapEntry>> LdapSession::search(const std::string& base, ldap::Scope scope,
                                                   const std::string& filter,
                                                   const std::vector<std::string>& attrs, int size_limit) {
  auto f = ldap::encode_filter(filter);
  if (!f) return f.error();
  int id = impl_->next_id++;
  if (Status st = impl_->send(ldap::search_request(id, base, scope, *f, attrs, size_limit)); !st)
    return st.error();
  std::vector<LdapEntry> out;
  for (;;) {
    auto m = impl_->receive();
    if (!m) return m.error();
    if (m->id != id) continue;
    if (m->op == ldap::kSearchEntry) {
      out.push_back({std::move(m->dn), std::move(m->attrs)});
    } else if (m->op == ldap::kSearchDone) {
      if (m->result_code == 0 || m->result_code == 4) return out;  // 4: sizeLimitExceeded, keep what came
      return make_error(Errc::io, impl_->where + ": search '" + filter + "' under '" + base + "' failed (" +
                                      describe_result(*m) + ")");
    }
  }
}

}  // namespace phonesec::tls

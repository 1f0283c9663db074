// SPDX-License-Identifier: Apache-2.0
#include "prov/fetch.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>

#include "common/log.h"
#include "common/text.h"
#include "tls/external.h"

namespace phonesec::prov {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t on_data(char* p, std::size_t size, std::size_t n, void* ud) {
  auto* body = static_cast<std::string*>(ud);
  if (body->size() + size * n > 64u << 20) return 0;  // 64 MiB cap (firmware images)
  body->append(p, size * n);
  return size * n;
}

// The server did not answer at all: try the next address (or proxy).
bool no_answer(CURLcode rc) {
  return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_COULDNT_RESOLVE_PROXY ||
         rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR;
}

// libcurl hands each HTTPS connection's SSL_CTX to userspace/tls before the handshake.
CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* arg) {
  auto* t = static_cast<tls::ExternalTls*>(arg);
  return t->configure(static_cast<SSL_CTX*>(ssl_ctx)) ? CURLE_OK : CURLE_SSL_CERTPROBLEM;
}

bool readable(const std::string& path) { return !path.empty() && access(path.c_str(), R_OK) == 0; }

// The URL handed to libcurl: the path percent-encoded where a rule may hold raw text (a space
// from "$CCERT" = "Not Installed"); '%' itself is kept (already encoded).
std::string curl_url(const RuleUrl& u) {
  RuleUrl e = u;
  e.path.clear();
  for (unsigned char c : u.path) {
    if (std::isalnum(c) || std::string_view("-._~/?=&%:@!$'()*+,;#[]").find(char(c)) != std::string_view::npos) {
      e.path += char(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      e.path += b;
    }
  }
  return e.to_string();
}

// What a server says on an error page: its <title>, else the body's first line.
std::string server_reason(const std::string& body) {
  std::string low = text::lower(body);
  if (auto t = low.find("<title>"); t != std::string::npos)
    if (auto e = low.find("</title>", t); e != std::string::npos) return body.substr(t + 7, e - t - 7);
  return body.substr(0, std::min<std::size_t>(body.find('\n'), 200));
}

RequestInfo request_info(const RuleUrl& u, const std::string& ip) {
  RequestInfo r;
  r.scheme = u.scheme;
  r.server = u.host;
  r.server_ip = ip;
  r.port = u.effective_port();
  r.path = u.path;
  return r;
}

}  // namespace

Fetcher::Fetcher(DomainPolicy policy, const Resolver& resolver, const ProvisioningLog* log,
                 const ProxyChooser* proxy, FetchOptions o)
    : policy_(std::move(policy)), resolver_(resolver), log_(log), proxy_(proxy), o_(std::move(o)) {
  global_init();
}

tls::TlsApp Fetcher::tls_app() const {
  if (o_.tls_app) return *o_.tls_app;
  return o_.op == ProvOp::upgrade ? tls::TlsApp::firmware_upgrade : tls::TlsApp::provisioning;
}

Result<FetchResult> Fetcher::fail(RequestInfo r, Error e) const {
  r.error = e.message();
  if (log_) log_->failure(o_.op, r);
  return e;
}

Result<FetchResult> Fetcher::fetch(std::string_view rule, std::string_view what) const {
  auto u = parse_rule_url(rule);
  if (!u) return make_error(Errc::invalid_argument, std::string(what) + ": " + u.error().message());
  if (u->relative())
    return make_error(Errc::invalid_argument,
                      std::string(what) + ": relative rule needs a server (complete_rule)");
  return fetch(*u, what);
}

Result<FetchResult> Fetcher::fetch(const RuleUrl& url, std::string_view what) const {
  RequestInfo base = request_info(url, "");
  // 1. Domains first: nothing is resolved or connected for a refused host.
  if (auto st = policy_.check_host(url.host, what); !st) return fail(base, st.error());
  // The device certificate, loaded once for every attempt of this fetch.
  std::optional<tls::ClientIdentity> device;
  if (url.scheme == "https" && o_.device_cert && readable(o_.device_cert->cert_file) &&
      readable(o_.device_cert->key_file)) {
    auto id = tls::load_client_identity(*o_.device_cert);
    if (!id) return fail(base, make_error(id.error().code, std::string(what) + ": device certificate: " +
                                                               id.error().message()));
    device = std::move(*id);
  }

  std::vector<ProxyChoice> choices = proxy_ ? proxy_->choose(url) : std::vector<ProxyChoice>{ProxyChoice{}};
  if (choices.empty()) choices.push_back({});
  std::string tried;
  for (const auto& pc : choices) {
    std::vector<std::string> ips;
    if (!pc.direct || is_ip_literal(url.host)) {
      ips.push_back("");  // no pinning: the proxy resolves, or the host is an address
    } else {
      auto r = resolver_.resolve(url.host);
      if (!r) return fail(base, make_error(Errc::not_found, std::string(what) + ": " + r.error().message()));
      ips = *r;
    }
    for (const auto& ip : ips) {
      RequestInfo ri = request_info(url, ip.empty() ? (pc.direct ? url.host : pc.host) : ip);
      if (log_) log_->request(o_.op, ri);
      bool answered = false;
      auto res = attempt(url, ip, pc, device ? &*device : nullptr, answered);
      if (answered) {
        if (!res)
          return fail(ri, make_error(res.error().code, std::string(what) + ": " + res.error().message()));
        ri.server_ip = res->server_ip.empty() ? ri.server_ip : res->server_ip;
        if (log_) log_->success(o_.op, ri);
        return res;
      }
      std::string where = pc.direct ? (ip.empty() ? url.host : ip) : "proxy " + pc.url();
      log::warn("prov", what, ": ", where, " did not answer (", res.error().message(), "), trying the next");
      tried += (tried.empty() ? "" : ", ") + where + ": " + res.error().message();
    }
  }
  return fail(base, make_error(Errc::io, std::string(what) + ": no server answered for " + url.host + " (" +
                                             tried + ")"));
}

Result<FetchResult> Fetcher::attempt(const RuleUrl& url, const std::string& pin_ip, const ProxyChoice& pc,
                                     const tls::ClientIdentity* device, bool& answered) const {
  CurlPtr c(curl_easy_init());
  if (!c) return make_error(Errc::system, "curl_easy_init failed");
  FetchResult out;
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::string u = curl_url(url);
  SlistPtr resolve;
  if (!pin_ip.empty()) {
    std::string h = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    std::string a = pin_ip.find(':') != std::string::npos ? "[" + pin_ip + "]" : pin_ip;
    resolve.reset(
        curl_slist_append(nullptr, (h + ":" + std::to_string(url.effective_port()) + ":" + a).c_str()));
    curl_easy_setopt(c.get(), CURLOPT_RESOLVE, resolve.get());
  }
  curl_easy_setopt(c.get(), CURLOPT_URL, u.c_str());
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT_MS, o_.connect_timeout_ms);
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, o_.timeout_ms);
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https,tftp");
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "phonesec-prov/0.1");
  std::unique_ptr<tls::ExternalTls> tls;
  if (url.scheme == "https") {
    // The address the identity check compares with the DNS of the certificate's name: the
    // pinned record, the URL's own address, or none through a proxy.
    std::string peer = !pc.direct ? "" : !pin_ip.empty() ? pin_ip : canonical_ip(url.host).value_or("");
    tls = std::make_unique<tls::ExternalTls>(o_.tls_policy, tls_app(),
                                             tls::TrustOptions{o_.ca_file, std::nullopt, o_.custom_ca_file},
                                             device, tls::ExternalTarget{url.host, url.effective_port(), peer},
                                             resolver_);
    if (curl_easy_setopt(c.get(), CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) != CURLE_OK) {
      answered = true;
      return make_error(Errc::unsupported,
                        "this libcurl cannot hand its SSL_CTX to the TLS policy (it must use OpenSSL: "
                        "Debian's libcurl4-openssl-dev); HTTPS refused");
    }
    curl_easy_setopt(c.get(), CURLOPT_SSL_CTX_DATA, tls.get());
    curl_easy_setopt(c.get(), CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c.get(), CURLOPT_SSL_VERIFYHOST, 0L);  // ours, in the handshake (see fetch.h)
    curl_easy_setopt(c.get(), CURLOPT_SSLVERSION, long(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(c.get(), CURLOPT_SSL_SESSIONID_CACHE, 0L);  // every handshake checked in full
  }
  std::string proxy_url = pc.url();
  curl_easy_setopt(c.get(), CURLOPT_PROXY, proxy_url.c_str());  // "" = none, environment ignored
  if (!pc.direct) {
    curl_easy_setopt(c.get(), CURLOPT_PROXYTYPE, CURLPROXY_HTTP);
    if (url.scheme == "https") curl_easy_setopt(c.get(), CURLOPT_HTTPPROXYTUNNEL, 1L);
    if (!pc.username.empty()) {
      curl_easy_setopt(c.get(), CURLOPT_PROXYAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(c.get(), CURLOPT_PROXYUSERNAME, pc.username.c_str());
      curl_easy_setopt(c.get(), CURLOPT_PROXYPASSWORD, pc.password.reveal().c_str());
    }
  }
  CURLcode rc = curl_easy_perform(c.get());
  char* ip = nullptr;
  if (curl_easy_getinfo(c.get(), CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) out.server_ip = ip;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &out.status);
  long connect_code = 0;
  curl_easy_getinfo(c.get(), CURLINFO_HTTP_CONNECTCODE, &connect_code);
  std::string err = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  if (tls && rc != CURLE_OK && (tls->failure() || rc == CURLE_SSL_CONNECT_ERROR ||
                                rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM)) {
    answered = true;  // a TLS failure is an answer: the next record would be the same server farm
    auto f = tls->failure_or(err);
    return make_error(tls::errc_of(f.kind), f.message);
  }
  if (tls) {
    out.tls_version = tls->version();
    out.tls_cipher = tls->cipher();
  }
  if (rc != CURLE_OK) {
    answered = !no_answer(rc);
    if (!pc.direct && connect_code >= 400) {
      answered = true;
      return make_error(Errc::auth, "proxy " + pc.url() + " refused the tunnel (HTTP " +
                                        std::to_string(connect_code) + ")");
    }
    return make_error(rc == CURLE_OPERATION_TIMEDOUT ? Errc::timeout : Errc::io, err);
  }
  answered = true;
  if (url.scheme != "tftp" && (out.status < 200 || out.status >= 300)) {
    if (!pc.direct && out.status == 407)
      return make_error(Errc::auth, "proxy " + pc.url() + " requires authentication (HTTP 407)");
    std::string why = server_reason(out.body);
    return make_error(Errc::io, "HTTP " + std::to_string(out.status) + " from " + url.to_string() +
                                    (why.empty() ? "" : " (" + why + ")"));
  }
  return out;
}

}  // namespace phonesec::prov

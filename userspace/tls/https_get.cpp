// SPDX-License-Identifier: Apache-2.0
#include "tls/https_get.h"
#include "common/text.h"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace phonesec::tls {
using text::lower;
namespace {

constexpr std::size_t kMaxBody = 8 << 20;

// Percent-encodes what may not appear raw in a request target (spaces from "Not Installed").
std::string encode_path(std::string_view p) {
  std::string out;
  for (unsigned char c : p) {
    if (std::isalnum(c) || std::string_view("-._~/?=&%:@!$'()*+,;").find(char(c)) != std::string_view::npos) {
      out += char(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

// Text a server puts in an error page: the <title>, else the first line of the body.
std::string server_reason(std::string_view body) {
  auto t = lower(body).find("<title>");
  if (t != std::string::npos) {
    auto e = lower(body).find("</title>", t);
    if (e != std::string::npos) return std::string(body.substr(t + 7, e - t - 7));
  }
  return std::string(body.substr(0, std::min<std::size_t>(body.find('\n'), 200)));
}

Result<std::string> dechunk(std::string_view in) {
  std::string out;
  for (;;) {
    auto eol = in.find("\r\n");
    if (eol == std::string_view::npos) return make_error(Errc::parse, "HTTP: truncated chunk size");
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(in.data(), in.data() + eol, n, 16);
    if (ec != std::errc()) return make_error(Errc::parse, "HTTP: bad chunk size");
    in.remove_prefix(eol + 2);
    if (n == 0) return out;
    if (in.size() < n + 2 || out.size() + n > kMaxBody)
      return make_error(Errc::parse, "HTTP: truncated or oversized chunk");
    out.append(in.substr(0, n));
    in.remove_prefix(n + 2);
  }
}

}  // namespace

Result<HttpsUrl> parse_https_url(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return make_error(Errc::invalid_argument, "URL '" + std::string(url) + "': " + why);
  };
  if (lower(url.substr(0, 8)) != "https://") return bad("must start with https://");
  std::string_view rest = url.substr(8);
  HttpsUrl u;
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) u.path = std::string(rest.substr(slash));
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("unexpected text after ']'");
      port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return bad("no host");
  if (u.host.find('@') != std::string::npos) return bad("user information is not supported");
  if (!port.empty() || authority.ends_with(":")) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || v < 1 || v > 65535)
      return bad("port '" + std::string(port) + "' is not 1-65535");
    u.port = std::uint16_t(v);
  }
  return u;
}

std::string expand_ccert(std::string_view text, std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, 8) == "$(CCERT)") {
      out += value;
      i += 8;
    } else if (text.substr(i, 6) == "$CCERT" &&
               (i + 6 == text.size() ||
                !(std::isalnum(static_cast<unsigned char>(text[i + 6])) || text[i + 6] == '_'))) {
      out += value;
      i += 6;
    } else {
      out += text[i++];
    }
  }
  return out;
}

HttpsResult https_get(const TlsClientContext& ctx, const HttpsUrl& url, const Resolver& resolve,
                      std::string_view user_agent, std::chrono::milliseconds timeout) {
  HttpsResult out;
  auto conn = tls_connect(ctx, {url.host, url.port, true}, resolve, timeout);
  if (!conn.ok()) {
    out.failure = conn.failure;
    out.response = conn.session.error();
    return out;
  }
  TlsSession& s = conn.session.value();
  std::string where = "GET https://" + url.host + ":" + std::to_string(url.port) + url.path;
  bool v6 = url.host.find(':') != std::string::npos;
  std::string req =
      "GET " + encode_path(url.path) + " HTTP/1.1\r\nHost: " + (v6 ? "[" + url.host + "]" : url.host) +
      (url.port == 443 ? "" : ":" + std::to_string(url.port)) + "\r\nUser-Agent: " + std::string(user_agent) +
      "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  if (Status st = s.write_all(req.data(), req.size()); !st) {
    out.response = make_error(st.error().code, where + ": " + st.error().message());
    return out;
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    auto n = s.read_some(buf, sizeof buf);
    if (!n) {
      out.response = make_error(n.error().code, where + ": " + n.error().message());
      return out;
    }
    if (*n == 0) break;
    raw.append(buf, *n);
    if (raw.size() > kMaxBody) {
      out.response =
          make_error(Errc::io, where + ": answer larger than " + std::to_string(kMaxBody) + " bytes");
      return out;
    }
  }
  s.shutdown();
  auto hdr_end = raw.find("\r\n\r\n");
  if (hdr_end == std::string::npos || !raw.starts_with("HTTP/1.")) {
    out.response = make_error(Errc::parse, where + ": the answer is not HTTP");
    return out;
  }
  HttpsResponse r;
  std::string_view head(raw.data(), hdr_end);
  std::string_view status_line = head.substr(0, head.find("\r\n"));
  if (status_line.size() < 12 ||
      std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status).ec != std::errc()) {
    out.response = make_error(Errc::parse, where + ": bad status line '" + std::string(status_line) + "'");
    return out;
  }
  r.reason = std::string(status_line.size() > 13 ? status_line.substr(13) : "");
  std::string body = raw.substr(hdr_end + 4);
  std::string lhead = lower(head);
  if (lhead.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
    auto d = dechunk(body);
    if (!d) {
      out.response = make_error(Errc::parse, where + ": " + d.error().message());
      return out;
    }
    body = std::move(*d);
  } else if (auto cl = lhead.find("\r\ncontent-length:"); cl != std::string::npos) {
    std::size_t n = 0;
    std::string_view v(lhead.data() + cl + 17, lhead.size() - cl - 17);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (std::from_chars(v.data(), v.data() + v.size(), n).ec != std::errc() || n > body.size()) {
      out.response = make_error(Errc::io, where + ": body shorter than its Content-Length");
      return out;
    }
    body.resize(n);
  }
  r.body = std::move(body);
  r.peer_ip = s.peer_ip();
  r.tls_version = s.version();
  r.tls_cipher = s.cipher();
  if (r.status < 200 || r.status > 299) {
    out.failure = TlsFailure::none;
    out.response = make_error(r.status == 400 || r.status == 401 || r.status == 403 ? Errc::auth : Errc::io,
                              where + ": server answered " + std::to_string(r.status) + " " + r.reason +
                                  " (" + server_reason(r.body) + ")");
    return out;
  }
  out.response = std::move(r);
  return out;
}

}  // namespace phonesec::tls

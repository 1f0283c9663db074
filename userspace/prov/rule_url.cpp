// SPDX-License-Identifier: Apache-2.0
#include "prov/rule_url.h"
#include "common/text.h"

#include <arpa/inet.h>

#include <cctype>

namespace phonesec::prov {
using text::lower;
using text::trim;
namespace {

// Drops "[…]" option groups and "(…)" conditions in front of the URL.
Result<std::string_view> strip_prefixes(std::string_view rule) {
  std::string_view s = trim(rule);
  while (!s.empty() && (s.front() == '[' || s.front() == '(')) {
    // "[--key …]" is an option group; "[2001:db8::1]/x" is an IPv6 host.
    if (s.front() == '[' && trim(s.substr(1)).rfind("--", 0) != 0) break;
    char close = s.front() == '[' ? ']' : ')';
    auto end = s.find(close);
    if (end == std::string_view::npos)
      return make_error(Errc::parse, "rule '" + std::string(rule) + "': unclosed '" + s.front() + "'");
    s = trim(s.substr(end + 1));
  }
  // The URL is the first word; anything after it (a second alternative) is ignored here.
  auto sp = s.find_first_of(" \t");
  if (sp != std::string_view::npos) s = s.substr(0, sp);
  return s;
}

Result<std::uint16_t> parse_port(std::string_view p, std::string_view ctx) {
  if (p.empty() || p.size() > 5)
    return make_error(Errc::parse, std::string(ctx) + ": bad port '" + std::string(p) + "'");
  unsigned v = 0;
  for (char c : p) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return make_error(Errc::parse, std::string(ctx) + ": bad port '" + std::string(p) + "'");
    v = v * 10 + unsigned(c - '0');
  }
  if (v == 0 || v > 65535)
    return make_error(Errc::parse, std::string(ctx) + ": port out of range '" + std::string(p) + "'");
  return std::uint16_t(v);
}

// "host[:port]" or "[v6][:port]" -> host, port.
Status split_host_port(std::string_view hp, std::string& host, std::uint16_t& port, std::string_view ctx) {
  if (!hp.empty() && hp.front() == '[') {
    auto end = hp.find(']');
    if (end == std::string_view::npos)
      return make_error(Errc::parse, std::string(ctx) + ": unclosed '[' in host");
    host = std::string(hp.substr(1, end - 1));
    auto rest = hp.substr(end + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return make_error(Errc::parse, std::string(ctx) + ": junk after ']'");
      auto p = parse_port(rest.substr(1), ctx);
      if (!p) return p.error();
      port = *p;
    }
    return {};
  }
  auto colon = hp.rfind(':');
  if (colon != std::string_view::npos && hp.find(':') == colon) {
    auto p = parse_port(hp.substr(colon + 1), ctx);
    if (!p) return p.error();
    port = *p;
    hp = hp.substr(0, colon);
  }
  host = std::string(hp);
  return {};
}

}  // namespace

std::uint16_t RuleUrl::effective_port() const {
  if (port) return port;
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  return 69;
}

std::string RuleUrl::to_string() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + (port ? ":" + std::to_string(port) : "") + path;
}

Result<RuleUrl> parse_rule_url(std::string_view rule) {
  auto s = strip_prefixes(rule);
  if (!s) return s.error();
  std::string_view u = *s;
  std::string ctx = "rule '" + std::string(trim(rule)) + "'";
  if (u.empty()) return make_error(Errc::parse, ctx + ": no URL");
  RuleUrl out;
  out.scheme = "tftp";
  auto sep = u.find("://");
  if (sep != std::string_view::npos) {
    out.scheme = lower(u.substr(0, sep));
    if (out.scheme != "tftp" && out.scheme != "http" && out.scheme != "https")
      return make_error(Errc::parse, ctx + ": unsupported scheme '" + out.scheme + "'");
    u = u.substr(sep + 3);
  } else if (u.front() == '/') {
    out.path = std::string(u);
    return out;  // relative
  }
  auto slash = u.find('/');
  std::string_view hp = u.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/" : std::string(u.substr(slash));
  if (hp.empty()) return make_error(Errc::parse, ctx + ": empty host");
  if (auto st = split_host_port(hp, out.host, out.port, ctx); !st) return st.error();
  if (out.host.empty()) return make_error(Errc::parse, ctx + ": empty host");
  return out;
}

Result<std::string> sip_proxy_host(std::string_view value) {
  std::string_view v = trim(value);
  if (v.empty()) return std::string();
  std::string ctx = "proxy '" + std::string(v) + "'";
  std::string lv = lower(v.substr(0, std::min<std::size_t>(v.size(), 5)));
  if (lv.rfind("sips:", 0) == 0)
    v.remove_prefix(5);
  else if (lv.rfind("sip:", 0) == 0)
    v.remove_prefix(4);
  if (auto at = v.find('@'); at != std::string_view::npos) v = v.substr(at + 1);
  v = v.substr(0, v.find_first_of(";?>/ \t"));
  std::string host;
  std::uint16_t port = 0;
  if (auto st = split_host_port(v, host, port, ctx); !st) return st.error();
  if (host.empty()) return make_error(Errc::parse, ctx + ": empty host");
  return host;
}

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace phonesec::prov

namespace phonesec::prov {
Result<RuleUrl> complete_rule(const RuleUrl& rule, std::string_view server_url) {
  if (!rule.relative()) return rule;
  auto s = parse_rule_url(server_url);
  if (!s) return s.error();
  if (s->relative())
    return make_error(Errc::invalid_argument, "server '" + std::string(server_url) + "' names no host");
  RuleUrl out = *s;
  out.path = rule.path;
  return out;
}
}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
#include "media/sip_edit.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>

#include "common/text.h"

namespace phonesec::media {
namespace {

using text::iequals;
using text::trim;

// Splits a header value at commas outside quotes and angle brackets.
std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  bool quote = false;
  int angle = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '"') quote = !quote;
    else if (!quote && c == '<') ++angle;
    else if (!quote && c == '>') --angle;
    else if (!quote && angle <= 0 && c == ',') {
      out.emplace_back(trim(v.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.emplace_back(trim(v.substr(start)));
  return out;
}

std::string join_list(const std::vector<std::string>& v) {
  std::string s;
  for (auto& e : v) s += (s.empty() ? "" : ", ") + e;
  return s;
}

srtp::SipHeaders::iterator first(sip::Message& m, std::string_view name) {
  for (auto it = m.headers.begin(); it != m.headers.end(); ++it)
    if (iequals(it->name, name)) return it;
  return m.headers.end();
}

std::uint16_t to_port(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && v <= 65535 ? std::uint16_t(v) : 0;
}

HostPort split_host_port(std::string_view hp) {
  HostPort r;
  if (!hp.empty() && hp.front() == '[') {  // IPv6 reference
    auto close = hp.find(']');
    r.host = std::string(hp.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    if (close != std::string_view::npos && close + 1 < hp.size() && hp[close + 1] == ':')
      r.port = to_port(hp.substr(close + 2));
    return r;
  }
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos) {
    r.host = std::string(hp);
  } else {
    r.host = std::string(hp.substr(0, colon));
    r.port = to_port(hp.substr(colon + 1));
  }
  return r;
}

std::string format_host_port(const HostPort& hp) {
  std::string h = hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host;
  return hp.port ? h + ":" + std::to_string(hp.port) : h;
}

// [begin, end) of the host:port inside a URI string.
std::optional<std::pair<std::size_t, std::size_t>> host_port_span(std::string_view uri) {
  auto colon = uri.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::size_t start = colon + 1;
  std::size_t stop = uri.find_first_of(";?>", start);
  if (stop == std::string_view::npos) stop = uri.size();
  auto at = uri.substr(0, stop).rfind('@');
  if (at != std::string_view::npos && at >= start) start = at + 1;
  if (start >= stop) return std::nullopt;
  return std::make_pair(start, stop);
}

// The URI of a name-addr or addr-spec: [begin, end).
std::pair<std::size_t, std::size_t> uri_span(std::string_view v) {
  auto lt = v.find('<');
  if (lt != std::string_view::npos) {
    auto gt = v.find('>', lt);
    return {lt + 1, gt == std::string_view::npos ? v.size() : gt};
  }
  auto semi = v.find(';');
  return {0, semi == std::string_view::npos ? v.size() : semi};
}

}  // namespace

std::string top_via(const sip::Message& m) {
  for (auto& h : m.headers)
    if (iequals(h.name, "Via")) return split_list(h.value).front();
  return {};
}

bool pop_via(sip::Message& m) {
  auto it = first(m, "Via");
  if (it == m.headers.end()) return false;
  auto list = split_list(it->value);
  if (list.size() <= 1) {
    m.headers.erase(it);
  } else {
    list.erase(list.begin());
    it->value = join_list(list);
  }
  return true;
}

void push_via(sip::Message& m, std::string value) {
  auto it = first(m, "Via");
  m.headers.insert(it == m.headers.end() ? m.headers.begin() : it, {"Via", std::move(value)});
}

void replace_top_via(sip::Message& m, const std::string& value) {
  auto it = first(m, "Via");
  if (it == m.headers.end()) return;
  auto list = split_list(it->value);
  list.front() = value;
  it->value = join_list(list);
}

std::optional<std::string> via_param(std::string_view via, std::string_view name) {
  std::size_t pos = via.find(';');
  while (pos != std::string_view::npos) {
    std::size_t next = via.find(';', pos + 1);
    auto p = trim(via.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1));
    auto eq = p.find('=');
    if (iequals(trim(p.substr(0, eq)), name))
      return eq == std::string_view::npos ? std::string() : std::string(trim(p.substr(eq + 1)));
    pos = next;
  }
  return std::nullopt;
}

HostPort via_sent_by(std::string_view via) {
  auto sp = via.find_first_of(" \t");
  if (sp == std::string_view::npos) return {};
  auto rest = trim(via.substr(sp));
  auto semi = rest.find(';');
  return split_host_port(trim(rest.substr(0, semi)));
}

HostPort via_response_target(std::string_view via) {
  HostPort hp = via_sent_by(via);
  if (auto r = via_param(via, "received"); r && !r->empty()) hp.host = *r;
  if (auto r = via_param(via, "rport"); r && !r->empty()) hp.port = to_port(*r);
  if (hp.port == 0) hp.port = 5060;
  return hp;
}

std::string via_with_received(std::string_view via, const std::string& ip, std::uint16_t port) {
  std::string out;
  std::size_t semi = via.find(';');
  out = std::string(trim(via.substr(0, semi)));
  while (semi != std::string_view::npos) {
    std::size_t next = via.find(';', semi + 1);
    auto p = trim(via.substr(semi + 1, next == std::string_view::npos ? std::string_view::npos : next - semi - 1));
    auto name = trim(p.substr(0, p.find('=')));
    if (!iequals(name, "received") && !iequals(name, "rport") && !p.empty()) out += ";" + std::string(p);
    semi = next;
  }
  return out + ";received=" + ip + ";rport=" + std::to_string(port);
}

std::string stateless_branch(std::string_view salt, std::string_view incoming_branch) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  std::string in = std::string(salt) + "|" + std::string(incoming_branch);
  EVP_Digest(in.data(), in.size(), md, &len, EVP_sha256(), nullptr);
  std::string out = "z9hG4bK-ps";
  char hex[3];
  for (unsigned i = 0; i < 10; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    out += hex;
  }
  return out;
}

std::optional<HostPort> uri_host_port(std::string_view uri) {
  auto [b, e] = uri_span(uri);
  auto inner = uri.substr(b, e - b);
  auto span = host_port_span(inner);
  if (!span) return std::nullopt;
  return split_host_port(inner.substr(span->first, span->second - span->first));
}

std::string uri_with_host_port(std::string_view uri, const HostPort& hp) {
  auto [b, e] = uri_span(uri);
  auto inner = uri.substr(b, e - b);
  auto span = host_port_span(inner);
  if (!span) return std::string(uri);
  std::string out(uri);
  out.replace(b + span->first, span->second - span->first, format_host_port(hp));
  return out;
}

std::string rewrite_contacts(sip::Message& m, const HostPort& hp) {
  std::string original;
  for (auto& h : m.headers) {
    if (!iequals(h.name, "Contact") || trim(h.value) == "*") continue;
    auto list = split_list(h.value);
    for (auto& c : list) {
      if (original.empty()) {
        auto [b, e] = uri_span(c);
        original = c.substr(b, e - b);
      }
      c = uri_with_host_port(c, hp);
    }
    h.value = join_list(list);
  }
  return original;
}

void remove_routes_to(sip::Message& m, const HostPort& us) {
  for (auto it = m.headers.begin(); it != m.headers.end();) {
    if (!iequals(it->name, "Route")) {
      ++it;
      continue;
    }
    auto list = split_list(it->value);
    std::vector<std::string> keep;
    for (auto& r : list) {
      auto hp = uri_host_port(r);
      bool ours = hp && hp->host == us.host && (hp->port ? hp->port : 5060) == us.port;
      if (!ours) keep.push_back(r);
    }
    if (keep.empty()) {
      it = m.headers.erase(it);
    } else {
      it->value = join_list(keep);
      ++it;
    }
  }
}

void remove_header(sip::Message& m, std::string_view name) {
  std::erase_if(m.headers, [&](const srtp::SipHeader& h) { return iequals(h.name, name); });
}

std::string cseq_method(const sip::Message& m) {
  const std::string* c = m.header("CSeq");
  if (!c) return {};
  auto sp = c->find(' ');
  return sp == std::string::npos ? std::string() : std::string(trim(std::string_view(*c).substr(sp + 1)));
}

bool decrement_max_forwards(sip::Message& m) {
  auto it = first(m, "Max-Forwards");
  if (it == m.headers.end()) {
    m.headers.push_back({"Max-Forwards", "70"});
    return true;
  }
  int v = 0;
  auto s = trim(it->value);
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v <= 0) return false;
  it->value = std::to_string(v - 1);
  return true;
}

}  // namespace phonesec::media

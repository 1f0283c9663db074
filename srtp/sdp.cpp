// SPDX-License-Identifier: Apache-2.0
#include "srtp/sdp.h"

#include <charconv>

#include "common/secure.h"

namespace phonesec::srtp {
namespace {
std::vector<std::string_view> lines_of(std::string_view b) {
  std::vector<std::string_view> v;
  size_t start = 0;
  for (size_t i = 0; i <= b.size(); ++i) {
    if (i == b.size() || b[i] == '\n') {
      auto l = b.substr(start, i - start);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (!l.empty()) v.push_back(l);
      start = i + 1;
    }
  }
  return v;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> v;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) v.push_back(s.substr(i, j - i));
    i = j;
  }
  return v;
}
}  // namespace

Result<SdpInfo> parse_sdp(std::string_view body) {
  auto lines = lines_of(body);
  if (lines.empty() || lines[0] != "v=0") return make_error(Errc::parse, "SDP: first line must be v=0");
  SdpInfo info;
  std::string session_conn;
  int crypto_no = 0;
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view l = lines[n];
    std::string where = "SDP line " + std::to_string(n + 1);
    if (l.size() < 2 || l[1] != '=') return make_error(Errc::parse, where + ": not <type>=<value>");
    if (l.substr(0, 2) == "m=") {
      auto w = words(l.substr(2));
      if (w.size() < 3) return make_error(Errc::parse, where + ": m= needs media, port and proto");
      SdpMedia m;
      m.media = std::string(w[0]);
      auto portw = w[1].substr(0, w[1].find('/'));
      unsigned port = 0;
      auto r = std::from_chars(portw.data(), portw.data() + portw.size(), port);
      if (r.ec != std::errc() || r.ptr != portw.data() + portw.size() || port > 65535)
        return make_error(Errc::parse, where + ": bad port '" + std::string(w[1]) + "'");
      m.port = std::uint16_t(port);
      m.proto = std::string(w[2]);
      for (size_t i = 3; i < w.size(); ++i) m.fmts.emplace_back(w[i]);
      m.connection = session_conn;
      info.media.push_back(std::move(m));
      crypto_no = 0;
    } else if (l.substr(0, 2) == "c=") {
      auto w = words(l.substr(2));
      std::string addr = w.size() >= 3 ? std::string(w[2].substr(0, w[2].find('/'))) : std::string();
      if (info.media.empty()) session_conn = addr;
      else info.media.back().connection = addr;
    } else if (l.substr(0, 9) == "a=crypto:") {
      ++crypto_no;
      if (info.media.empty()) {
        info.warnings.push_back(where + ": a=crypto at session level ignored");
        continue;
      }
      auto a = parse_crypto_attribute(l);
      if (!a) {
        info.warnings.push_back("m-line " + std::to_string(info.media.size()) + ": a=crypto #" +
                                std::to_string(crypto_no) + " skipped: " + a.error().context);
        continue;
      }
      info.media.back().crypto.push_back(std::move(*a));
    } else if (l == kMediaSecAttr) {
      if (!info.media.empty()) info.media.back().mediasec_requested = true;
    }
  }
  return info;
}

SecretString media_security_lines(const std::vector<CryptoAttribute>& crypto, bool mediasec_agreed) {
  std::string s;
  s.reserve(160 * crypto.size() + 32);  // one allocation: no stray key copies in freed blocks
  for (auto& c : crypto) {
    s += format_crypto_attribute(c).reveal();
    s += "\r\n";
  }
  if (mediasec_agreed) {
    s += kMediaSecAttr;
    s += "\r\n";
  }
  return SecretString(std::move(s));
}

std::string redact_sdp(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  size_t i = 0;
  while (i < body.size()) {
    size_t p = body.find("inline:", i);
    if (p == std::string_view::npos) { out.append(body.substr(i)); break; }
    out.append(body.substr(i, p + 7 - i));
    size_t e = p + 7;
    while (e < body.size() && body[e] != '|' && body[e] != ';' && body[e] != ' ' && body[e] != '\r' && body[e] != '\n') ++e;
    out.append(kRedacted);
    i = e;
  }
  return out;
}

}  // namespace phonesec::srtp

// SPDX-License-Identifier: Apache-2.0
// Firewall_Config grammar (seed table 5): comma-separated, case-insensitive keywords, spaces
// tolerated anywhere around tokens and colons:
//   NO_ICMP_PING | NO_ICMP_UNREACHABLE | NO_CISCO_TFTP | UDP:x | UDP:x:y | TCP:x | TCP:x:y
// Ports 1-65535, x <= y, at most 5 UDP and 5 TCP entries. A bad token is skipped with a warning
// naming it; the rest applies.
#include "config/params.h"

namespace phonesec::config {

FirewallOptions parse_firewall_config(std::string_view text, std::vector<Diagnostic>& out, std::string_view file, int line) {
  FirewallOptions o;
  auto warn = [&](const std::string& tok, const std::string& why) {
    out.push_back({Severity::warning, std::string(file), line, line ? 1 : 0, "Firewall_Config",
                   "token '" + tok + "' skipped: " + why});
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string tok = trim(text.substr(start, comma - start));
    start = comma + 1;
    if (tok.empty()) {
      if (comma == text.size()) break;
      continue;
    }
    // Split on ':' with spaces tolerated around each part.
    std::vector<std::string> parts;
    std::size_t s = 0;
    for (;;) {
      std::size_t c = tok.find(':', s);
      parts.push_back(lower(trim(std::string_view(tok).substr(s, c == std::string::npos ? std::string::npos : c - s))));
      if (c == std::string::npos) break;
      s = c + 1;
    }
    const std::string& kw = parts[0];
    if (parts.size() == 1 && kw == "no_icmp_ping") o.no_icmp_ping = true;
    else if (parts.size() == 1 && kw == "no_icmp_unreachable") o.no_icmp_unreachable = true;
    else if (parts.size() == 1 && kw == "no_cisco_tftp") o.no_cisco_tftp = true;
    else if (kw == "udp" || kw == "tcp") {
      auto& list = kw == "udp" ? o.udp : o.tcp;
      if (parts.size() < 2 || parts.size() > 3) {
        warn(tok, "expected " + std::string(kw == "udp" ? "UDP" : "TCP") + ":port or :first:last");
        continue;
      }
      std::uint32_t v[2] = {0, 0};
      std::string why;
      for (std::size_t i = 1; i < parts.size() && why.empty(); ++i) {
        const std::string& p = parts[i];
        if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos) why = "'" + p + "' is not a port number (1-65535)";
        else if (p.size() > 5 || (v[i - 1] = std::uint32_t(std::stoul(p))) < 1 || v[i - 1] > 65535) why = "port outside 1-65535";
      }
      if (!why.empty()) { warn(tok, why); continue; }
      if (parts.size() == 2) v[1] = v[0];
      if (v[0] > v[1]) { warn(tok, "range start above its end"); continue; }
      if (list.size() >= kMaxFirewallPortOptions) { warn(tok, "more than 5 " + std::string(kw == "udp" ? "UDP" : "TCP") + " entries"); continue; }
      list.push_back({std::uint16_t(v[0]), std::uint16_t(v[1])});
    } else {
      warn(tok, "unknown keyword (expected NO_ICMP_PING, NO_ICMP_UNREACHABLE, NO_CISCO_TFTP, UDP:x[:y], TCP:x[:y])");
    }
    if (comma == text.size()) break;
  }
  return o;
}

}  // namespace phonesec::config

namespace phonesec::config {

std::string format_firewall_config(const FirewallOptions& o) {
  std::vector<std::string> t;
  if (o.no_icmp_ping) t.push_back("NO_ICMP_PING");
  if (o.no_icmp_unreachable) t.push_back("NO_ICMP_UNREACHABLE");
  if (o.no_cisco_tftp) t.push_back("NO_CISCO_TFTP");
  for (const auto* l : {&o.udp, &o.tcp})
    for (const auto& r : *l) {
      std::string s = (l == &o.udp ? "UDP:" : "TCP:") + std::to_string(r.lo);
      if (r.hi != r.lo) s += ":" + std::to_string(r.hi);
      t.push_back(s);
    }
  return join(t, ",");
}

}  // namespace phonesec::config

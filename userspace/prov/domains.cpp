// SPDX-License-Identifier: Apache-2.0
#include "prov/domains.h"

#include <algorithm>
#include <cctype>

#include "prov/rule_url.h"

namespace phonesec::prov {
namespace {

std::string normalize(std::string_view h) {
  std::string o;
  for (char c : h)
    if (!std::isspace(static_cast<unsigned char>(c))) o += char(std::tolower(static_cast<unsigned char>(c)));
  while (!o.empty() && o.back() == '.') o.pop_back();
  return o;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

DomainPolicy::DomainPolicy(const std::vector<std::string>& entries) {
  for (const auto& e : entries) {
    std::string cur;
    for (char c : e + ",") {
      if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
        if (auto n = normalize(cur);
            !n.empty() && std::find(allowed_.begin(), allowed_.end(), n) == allowed_.end())
          allowed_.push_back(n);
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
}

Status DomainPolicy::check_host(std::string_view host, std::string_view what) const {
  if (!restricted()) return {};
  std::string n = normalize(host);
  if (n.empty())
    return make_error(Errc::auth, std::string(what) + ": no host to check against Restricted_Access_Domains");
  if (std::find(allowed_.begin(), allowed_.end(), n) != allowed_.end()) return {};
  return make_error(Errc::auth, std::string(what) + ": host '" + std::string(host) +
                                    "' is not in Restricted_Access_Domains (" + joined(allowed_) + ")");
}

Status DomainPolicy::check_rule(std::string_view rule, std::string_view what) const {
  if (!restricted()) return {};
  auto u = parse_rule_url(rule);
  if (!u) return make_error(Errc::auth, std::string(what) + ": " + u.error().message());
  if (u->relative()) return {};
  return check_host(u->host, what);
}

std::vector<std::pair<std::string, std::string>> provisioning_rules(const config::PhoneConfig& c) {
  return {
      {"Profile_Rule", c.prov.profile_rule},     {"Profile_Rule_B", c.prov.profile_rule_b},
      {"Profile_Rule_C", c.prov.profile_rule_c}, {"Profile_Rule_D", c.prov.profile_rule_d},
      {"Upgrade_Rule", c.prov.upgrade_rule},     {"Cisco_Headset_Upgrade_Rule", c.prov.headset_upgrade_rule},
      {"Report_Rule", c.prov.report_rule},       {"Custom_CA_Rule", c.prov.custom_ca_rule}};
}

Status check_line_servers(const config::PhoneConfig& c, std::size_t index) {
  if (index >= c.lines.size())
    return make_error(Errc::invalid_argument, "line " + std::to_string(index + 1) + " does not exist");
  DomainPolicy pol(c.prov.restricted_access_domains);
  const auto& l = c.lines[index];
  std::string n = std::to_string(index + 1) + "_";
  for (auto [v, base] : {std::pair{&l.proxy, "Proxy_"}, std::pair{&l.outbound_proxy, "Outbound_Proxy_"}}) {
    if (v->empty()) continue;
    auto h = sip_proxy_host(*v);
    if (!h) return make_error(Errc::invalid_argument, base + n + ": " + h.error().message());
    if (auto st = pol.check_host(*h, base + n); !st) return st;
  }
  return {};
}

std::vector<Refusal> audit(const config::PhoneConfig& c) {
  std::vector<Refusal> out;
  DomainPolicy pol(c.prov.restricted_access_domains);
  if (!pol.restricted()) return out;
  auto rule = [&](const std::string& v, const char* name) {
    if (v.empty()) return;
    auto u = parse_rule_url(v);
    if (u && !u->relative() && u->host.find('$') != std::string::npos) return;  // checked after expansion
    if (auto st = pol.check_rule(v, name); !st) out.push_back({name, st.error().message()});
  };
  for (const auto& [name, v] : provisioning_rules(c)) rule(v, name.c_str());
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    const auto& l = c.lines[i];
    if (!l.enable) continue;
    for (auto [v, base] : {std::pair{&l.proxy, "Proxy_"}, std::pair{&l.outbound_proxy, "Outbound_Proxy_"}}) {
      if (v->empty()) continue;
      std::string name = std::string(base) + std::to_string(i + 1) + "_";
      auto h = sip_proxy_host(*v);
      if (!h) {
        out.push_back({name, h.error().message()});
        continue;
      }
      if (auto st = pol.check_host(*h, name); !st) out.push_back({name, st.error().message()});
    }
  }
  return out;
}

}  // namespace phonesec::prov

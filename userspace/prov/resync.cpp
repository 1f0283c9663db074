// SPDX-License-Identifier: Apache-2.0
#include "prov/resync.h"

#include <cctype>
#include <pugixml.hpp>
#include <sstream>

#include "common/text.h"
#include "config/phone_config.h"

namespace phonesec::prov {
namespace {

std::string local_name(const char* n) {
  std::string s(n);
  auto c = s.find(':');
  return c == std::string::npos ? s : s.substr(c + 1);
}

pugi::xml_node find_profile(pugi::xml_node n) {
  for (auto c : n.children()) {
    if (c.type() != pugi::node_element) continue;
    if (text::lower(local_name(c.name())) == "flat-profile") return c;
    if (auto f = find_profile(c)) return f;
  }
  return {};
}

// Copies e under `to` with prefixes dropped from element names (the loader matches local names).
void copy_element(pugi::xml_node e, pugi::xml_node to) {
  auto n = to.append_child(local_name(e.name()).c_str());
  for (auto a : e.attributes())
    if (std::string(a.name()).rfind("xmlns", 0) != 0) n.append_attribute(local_name(a.name()).c_str()) = a.value();
  for (auto c : e.children()) {
    if (c.type() == pugi::node_element) copy_element(c, n);
    else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) n.append_child(pugi::node_pcdata).set_value(c.value());
  }
}

bool not_found(const Error& e) {
  const std::string m = e.message();
  return m.find("HTTP 404 ") != std::string::npos || m.find("TFTP: File Not Found") != std::string::npos ||
         m.find("File Not Found") != std::string::npos;
}

}  // namespace

std::string redact_rule(std::string_view rule) {
  std::string out;
  bool in_group = false, redact_next = false;
  for (std::size_t i = 0; i < rule.size();) {
    char c = rule[i];
    if (!in_group) {
      if (c == '[') in_group = true;
      out += c;
      ++i;
      continue;
    }
    if (c == ']') {
      in_group = false;
      redact_next = false;
      out += c;
      ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      out += c;
      ++i;
      continue;
    }
    // One token of the group: quoted or up to a space or ']'.
    std::size_t end = i;
    if (c == '"' || c == '\'') {
      end = rule.find(c, i + 1);
      end = end == std::string_view::npos ? rule.size() : end + 1;
    } else {
      while (end < rule.size() && !std::isspace(static_cast<unsigned char>(rule[end])) && rule[end] != ']') ++end;
    }
    std::string_view tok = rule.substr(i, end - i);
    out += redact_next ? std::string_view("********") : tok;
    redact_next = tok == "--key";
    i = end;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> profile_rules(const config::ProvisioningConfig& p) {
  return {{"Profile_Rule", p.profile_rule},
          {"Profile_Rule_B", p.profile_rule_b},
          {"Profile_Rule_C", p.profile_rule_c},
          {"Profile_Rule_D", p.profile_rule_d}};
}

Result<std::string> merge_profiles(const std::vector<std::string>& texts, const std::vector<std::string>& names) {
  pugi::xml_document out;
  auto decl = out.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto fp = out.append_child("flat-profile");
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string& name = i < names.size() ? names[i] : "profile " + std::to_string(i + 1);
    pugi::xml_document doc;
    auto r = doc.load_buffer(texts[i].data(), texts[i].size(), pugi::parse_default, pugi::encoding_auto);
    if (!r) return make_error(Errc::parse, name + ": not well-formed XML: " + r.description());
    auto prof = find_profile(doc);
    if (!prof) return make_error(Errc::parse, name + ": no <flat-profile> element");
    for (auto e : prof.children())
      if (e.type() == pugi::node_element) copy_element(e, fp);
  }
  std::ostringstream os;
  out.save(os, "  ", pugi::format_default, pugi::encoding_utf8);
  return os.str();
}

ResyncOutcome run_resync(const config::ProvisioningConfig& p, const std::optional<ChosenSource>& source,
                         const MacroTable& macros, const FetchFn& fetch, bool fails_on_fnf,
                         const ProvisioningLog* log) {
  ResyncOutcome out;
  std::vector<std::string> texts, names;
  for (const auto& [name, rule] : profile_rules(p)) {
    if (text::trim(rule).empty()) continue;
    out.rules.push_back({name, redact_rule(rule), "", "", 0, "not tried"});
  }
  if (out.rules.empty()) {
    out.error = "no profile rule is set (Profile_Rule … Profile_Rule_D are empty)";
    return out;
  }
  std::size_t k = 0;
  for (const auto& [name, raw] : profile_rules(p)) {
    if (text::trim(raw).empty()) continue;
    RuleRun& rr = out.rules[k++];
    auto fail = [&](const std::string& why) {
      rr.result = "failed: " + why;
      out.error = rr.name + ": " + why;
      return out;
    };
    std::string expanded = expand(raw, macros);
    auto url = parse_rule_url(expanded);
    if (!url) {  // the parser quotes the rule: show it redacted
      std::string m = url.error().message();
      std::string shown = redact_rule(text::trim(expanded));
      for (auto at = m.find(std::string(text::trim(expanded))); at != std::string::npos;
           at = m.find(std::string(text::trim(expanded)), at + shown.size()))
        m.replace(at, text::trim(expanded).size(), shown);
      return fail(m);
    }
    if (url->relative()) {
      if (!source)
        return fail("relative rule '" + rr.rule + "' needs a provisioning server and no DHCP lease offers one");
      auto full = complete_rule(*url, source->url);
      if (!full) return fail(full.error().message());
      url = *full;
    }
    rr.url = url->to_string();
    auto got = fetch(*url, rr.name);
    if (!got) {
      if (!fails_on_fnf && not_found(got.error())) {
        rr.result = "not found (skipped: Resync_Fails_On_FNF is No)";
        continue;
      }
      // The Fetcher's message already names the rule.
      rr.result = "failed: " + got.error().message();
      out.error = got.error().message();
      return out;
    }
    rr.server_ip = got->server_ip;
    rr.bytes = got->body.size();
    auto valid = config::load_string(got->body, rr.url);
    if (!valid) {
      if (log) {
        RequestInfo ri;
        ri.scheme = url->scheme;
        ri.server = url->host;
        ri.server_ip = got->server_ip;
        ri.port = url->effective_port();
        ri.path = url->path;
        ri.error = rr.name + ": profile refused: " + valid.error().message();
        log->failure(ProvOp::resync, ri);
      }
      return fail("profile refused: " + valid.error().message());
    }
    rr.result = "ok";
    texts.push_back(std::move(got->body));
    names.push_back(rr.url);
  }
  if (!texts.empty()) {
    auto merged = merge_profiles(texts, names);
    if (!merged) {
      out.error = merged.error().message();
      return out;
    }
    out.profile = std::move(*merged);
  }
  out.profiles = texts.size();
  out.ok = true;
  return out;
}

}  // namespace phonesec::prov

// SPDX-License-Identifier: Apache-2.0
#include "srtp/secagree.h"
#include "common/text.h"

#include <cctype>

namespace phonesec::srtp {
using text::lower;
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

// Splits at `sep` outside quoted strings (a backslash escapes inside quotes). Returns false on
// an unterminated quote.
bool split_unquoted(std::string_view v, char sep, std::vector<std::string_view>& parts) {
  bool q = false;
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (q && c == '\\' && i + 1 < v.size()) { ++i; continue; }
    if (c == '"') q = !q;
    else if (c == sep && !q) { parts.push_back(v.substr(start, i - start)); start = i + 1; }
  }
  if (q) return false;
  parts.push_back(v.substr(start));
  return true;
}

bool all_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) if (!is_token_char(c)) return false;
  return true;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 3261)
std::optional<int> parse_qvalue(std::string_view s) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
  int whole = s[0] - '0';
  int frac = 0;
  if (s.size() > 1) {
    if (s[1] != '.' || s.size() > 5) return std::nullopt;
    int scale = 100;
    for (size_t i = 2; i < s.size(); ++i, scale /= 10) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      frac += (s[i] - '0') * scale;
    }
  }
  int v = whole * 1000 + frac;
  if (v > 1000) return std::nullopt;
  return v;
}

std::string where(std::string_view header, size_t index) {
  return std::string(header) + ": mechanism " + std::to_string(index + 1);
}

}  // namespace

bool is_token_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-': case '.': case '!': case '%': case '*': case '_': case '+': case '`': case '\'': case '~':
      return true;
    default:
      return false;
  }
}

bool SecMechanism::has_param(std::string_view n) const {
  for (auto& p : params)
    if (p.name == n) return true;
  return false;
}

Status parse_security_value(std::string_view header, std::string_view value, std::vector<SecMechanism>& out) {
  std::vector<std::string_view> items;
  if (!split_unquoted(value, ',', items))
    return make_error(Errc::parse, std::string(header) + ": unterminated quoted string");
  size_t base = out.size();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string_view item = trim(items[i]);
    if (item.empty()) {
      // Empty list elements (",,") are tolerated by RFC 3261 list syntax only between items.
      if (items.size() == 1) return make_error(Errc::parse, std::string(header) + ": empty value");
      continue;
    }
    SecMechanism m;
    m.raw = std::string(item);
    std::vector<std::string_view> parts;
    split_unquoted(item, ';', parts);  // quotes were balanced by the comma split
    std::string_view name = trim(parts[0]);
    if (!all_token(name))
      return make_error(Errc::parse, where(header, base + i) + ": bad mechanism name '" + std::string(name) + "'");
    m.name = lower(name);
    for (size_t k = 1; k < parts.size(); ++k) {
      std::string_view p = trim(parts[k]);
      SecParam sp;
      size_t eq = p.find('=');
      std::string_view pn = trim(p.substr(0, eq));
      if (!all_token(pn))
        return make_error(Errc::parse, where(header, base + i) + ": bad parameter name '" + std::string(pn) + "'");
      sp.name = lower(pn);
      if (eq != std::string_view::npos) {
        std::string_view pv = trim(p.substr(eq + 1));
        sp.has_value = true;
        if (pv.size() >= 2 && pv.front() == '"' && pv.back() == '"') {
          sp.value = std::string(pv.substr(1, pv.size() - 2));
        } else if (pv.size() >= 2 && pv.front() == '[' && pv.back() == ']') {
          sp.value = std::string(pv);  // IPv6 reference
        } else if (all_token(pv)) {
          sp.value = std::string(pv);
        } else {
          return make_error(Errc::parse, where(header, base + i) + ": bad value for parameter '" + sp.name + "'");
        }
        if (sp.name == "q") {
          auto q = parse_qvalue(sp.value);
          if (!q) return make_error(Errc::parse, where(header, base + i) + ": invalid q value '" + sp.value + "'");
          m.q_milli = *q;
        }
      } else if (sp.name == "q") {
        return make_error(Errc::parse, where(header, base + i) + ": q without a value");
      }
      m.params.push_back(std::move(sp));
    }
    out.push_back(std::move(m));
  }
  return {};
}

Result<std::vector<SecMechanism>> parse_security_values(std::string_view header, const std::vector<std::string>& values) {
  std::vector<SecMechanism> out;
  for (auto& v : values) {
    auto st = parse_security_value(header, v, out);
    if (!st) return st.error();
  }
  return out;
}

std::string format_mechanism(const SecMechanism& m) {
  if (!m.raw.empty()) return m.raw;
  std::string s = m.name;
  for (auto& p : m.params) {
    s += ';';
    s += p.name;
    if (p.has_value) {
      s += '=';
      bool tok = all_token(p.value) || (p.value.size() > 1 && p.value.front() == '[');
      s += tok ? p.value : "\"" + p.value + "\"";
    }
  }
  return s;
}

SecMechanism make_mechanism(std::string name, std::vector<SecParam> params) {
  SecMechanism m;
  m.name = lower(name);
  m.params = std::move(params);
  m.raw = format_mechanism(m);
  return m;
}

Result<std::vector<std::string>> parse_option_tags(std::string_view header, std::string_view value) {
  std::vector<std::string_view> items;
  if (!split_unquoted(value, ',', items)) return make_error(Errc::parse, std::string(header) + ": unterminated quote");
  std::vector<std::string> tags;
  for (auto it : items) {
    auto t = trim(it);
    if (t.empty()) continue;
    if (!all_token(t)) return make_error(Errc::parse, std::string(header) + ": bad option tag '" + std::string(t) + "'");
    tags.push_back(lower(t));
  }
  if (tags.empty()) return make_error(Errc::parse, std::string(header) + ": empty option-tag list");
  return tags;
}

bool has_option_tag(const std::vector<std::string>& values, std::string_view tag) {
  for (auto& v : values) {
    auto r = parse_option_tags("option tags", v);
    if (!r) continue;
    for (auto& t : *r)
      if (t == tag) return true;
  }
  return false;
}

}  // namespace phonesec::srtp

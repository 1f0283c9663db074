// SPDX-License-Identifier: Apache-2.0
// Value rules of the parameter table: what each kind accepts from a real profile and the
// canonical text it is turned into.
#include "config/params.h"

#include "common/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>

namespace phonesec::config {

std::string trim(std::string_view s) { return std::string(text::trim(s)); }

std::string lower(std::string_view s) { return text::lower(s); }

std::vector<std::string> split_list(std::string_view s, bool spaces_too) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',' || (spaces_too && std::isspace(static_cast<unsigned char>(c)))) {
      if (auto t = trim(cur); !t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (auto t = trim(cur); !t.empty()) out.push_back(t);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string o;
  for (std::size_t i = 0; i < v.size(); ++i) o += (i ? sep : "") + v[i];
  return o;
}

namespace {

std::optional<bool> parse_bool(std::string_view raw) {
  std::string v = lower(trim(raw));
  for (const char* t : {"yes", "true", "1", "on", "enabled", "enable", "oui", "activé", "active"})
    if (v == t) return true;
  for (const char* f : {"no", "false", "0", "off", "disabled", "disable", "non", "désactivé", "desactive"})
    if (v == f) return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_uint(std::string_view raw) {
  std::string v = trim(raw);
  int base = 10;
  std::size_t start = 0;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) base = 16, start = 2;
  if (start >= v.size()) return std::nullopt;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data() + start, v.data() + v.size(), n, base);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

}  // namespace

Result<std::string> canonical(const Param& p, std::string_view raw) {
  std::string v = trim(raw);
  auto bad = [&](const std::string& allowed) {
    return make_error(Errc::invalid_argument, "'" + v + "' is not " + allowed);
  };
  switch (p.kind) {
    case Kind::Bool:
    case Kind::EnabledBool: {
      auto b = parse_bool(v);
      if (!b) return bad(p.kind == Kind::Bool ? "one of Yes, No" : "one of Enabled, Disabled");
      return std::string(p.kind == Kind::Bool ? (*b ? "Yes" : "No") : (*b ? "Enabled" : "Disabled"));
    }
    case Kind::UInt: {
      auto n = parse_uint(v);
      std::string range = "a number in " + std::to_string(p.lo) + "-" + std::to_string(p.hi);
      if (!n || *n < p.lo || *n > p.hi) return bad(range);
      return std::to_string(*n);
    }
    case Kind::Enum:
      for (const auto& a : p.allowed)
        if (lower(a) == lower(v)) return a;
      for (const auto& [alias, value] : p.aliases)
        if (lower(alias) == lower(v)) return value;
      return bad("one of " + join(p.allowed, ", "));
    case Kind::IntList: {
      std::vector<std::string> out;
      for (const auto& tok : split_list(v, true)) {
        auto n = parse_uint(tok);
        std::string s = n ? std::to_string(*n) : tok;
        if (std::find(p.allowed.begin(), p.allowed.end(), s) == p.allowed.end())
          return make_error(Errc::invalid_argument, "option '" + tok + "' is not one of " + join(p.allowed, ", "));
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);  // a repeat adds nothing
      }
      return join(out, ",");
    }
    case Kind::List:
      return join(split_list(v, false), ",");
    case Kind::String:
      if (p.check)
        if (auto st = p.check(v); !st) return st.error();
      return v;
    case Kind::FirewallConfig:
      return v;
    case Kind::Secret:
      return std::string(raw);
  }
  return v;
}

}  // namespace phonesec::config

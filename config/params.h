// SPDX-License-Identifier: Apache-2.0
// The parameter table: one row per cfg.xml parameter (name, kind, allowed values, default,
// setter/getter on canonical text). Per-line parameters are written Name_n_ with n in
// 1..kMaxLines. The rows live in params_table.cpp; the value rules (what each kind accepts and
// its canonical spelling) in params.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "config/phone_config.h"

namespace phonesec::config {

enum class Kind {
  Bool,            // Yes / No (also yes, NO, Oui, Non, true, false, 1, 0, on, off, enabled, disabled)
  EnabledBool,     // Enabled / Disabled (same spellings accepted)
  UInt,            // decimal or 0x hex, within [lo, hi]
  Enum,            // one of `allowed` (or an alias), case-insensitive
  String,          // trimmed text
  Secret,          // text never shown
  List,            // comma-separated strings, spaces around items dropped
  IntList,         // comma- or space-separated integers, each one of `allowed`, no repeats
  FirewallConfig,  // the Firewall_Config grammar (bad tokens are warnings, never an error)
};

struct Param {
  std::string name;  // full name, or the base "Line_Enable_" of a per-line parameter
  Kind kind = Kind::String;
  std::string def;   // canonical default ("" = empty); per-line: see def_line
  std::vector<std::string> allowed;                          // Enum / IntList
  std::vector<std::pair<std::string, std::string>> aliases;  // Enum: other spelling → allowed value
  std::uint32_t lo = 0, hi = 0;                              // UInt
  bool per_line = false;
  std::function<std::string(int)> def_line;  // per-line default, line index 0-based
  std::function<void(PhoneConfig&, int, const std::string&)> set;  // takes canonical text
  std::function<std::string(const PhoneConfig&, int)> get;        // gives canonical text
  // String kind only: validates the trimmed text (the error is the diagnostic's message).
  std::function<Status(std::string_view)> check;

  std::string display_name() const { return per_line ? name + "n_" : name; }
  std::string name_for_line(int i) const { return per_line ? name + std::to_string(i + 1) + "_" : name; }
  std::string default_for(int i) const { return def_line ? def_line(i) : def; }
  int instances() const { return per_line ? kMaxLines : 1; }
  // Empty text keeps the default for typed kinds; for text kinds it is a value.
  bool empty_is_value() const {
    return kind == Kind::String || kind == Kind::Secret || kind == Kind::List || kind == Kind::FirewallConfig;
  }
};

const std::vector<Param>& params();
// The row for a name as written in cfg.xml ("sip_port_3_", case-insensitive), and its line.
const Param* find_param(std::string_view name, int* line = nullptr);

// Validates raw text for a parameter: the canonical text, or an error message naming the
// value and the allowed values ("'SCTP' is not one of UDP, TCP, TLS, Auto").
Result<std::string> canonical(const Param& p, std::string_view raw);

std::string trim(std::string_view s);
std::string lower(std::string_view s);
std::vector<std::string> split_list(std::string_view s, bool spaces_too);
std::string join(const std::vector<std::string>& v, const char* sep);

}  // namespace phonesec::config

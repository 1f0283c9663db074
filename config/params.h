// SPDX-License-Identifier: Apache-2.0
// The parameter table: one row per cfg.xml parameter (name, kind, allowed values, default,
// setter/getter). Per-line parameters are written Name_n_ with n in 1..kMaxLines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/phone_config.h"

namespace phonesec::config {

enum class Kind {
  Bool,          // Yes / No (also yes, NO, Oui, Non, true, false, 1, 0, on, off, enabled, disabled)
  EnabledBool,   // Enabled / Disabled (same spellings accepted)
  UInt,          // decimal or 0x hex, within [lo, hi]
  Enum,          // one of `allowed`, case-insensitive
  String,        // trimmed text
  Secret,        // text never shown
  List,          // comma-separated strings
  IntList,       // comma- or space-separated integers, each one of `allowed`
  FirewallConfig,  // the Firewall_Config grammar
};

struct Param {
  std::string name;  // full name, or the base "Line_Enable_" of a per-line parameter
  Kind kind;
  std::string def;   // canonical default ("" = empty); per-line: see def_line
  std::vector<std::string> allowed;
  std::uint32_t lo = 0, hi = 0;
  bool per_line = false;
  std::function<std::string(int)> def_line;  // per-line default, line index 0-based
  std::function<void(PhoneConfig&, int, const std::string&)> set;  // canonical text
  std::function<std::string(const PhoneConfig&, int)> get;        // canonical text

  std::string display_name() const { return per_line ? name + "n_" : name; }
  std::string name_for_line(int i) const { return per_line ? name + std::to_string(i + 1) + "_" : name; }
  std::string default_for(int i) const { return def_line ? def_line(i) : def; }
};

const std::vector<Param>& params();

// Validates raw text for a parameter: the canonical text, or an error message naming the
// allowed values ("'SCTP' is not one of UDP, TCP, TLS, Auto").
Result<std::string> canonical(const Param& p, std::string_view raw);

std::string trim(std::string_view s);
std::string lower(std::string_view s);

}  // namespace phonesec::config

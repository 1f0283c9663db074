// SPDX-License-Identifier: Apache-2.0
#include "common/args.h"

#include <iostream>

namespace phonesec::cli {

bool parse_args(const Command& c, int argc, char** argv, int first, Args& out) {
  for (const auto& o : c.options)
    if (!o.def.empty()) out.values[o.name] = {o.def};
  std::map<std::string, bool> seen;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    // A one-letter option may also be written with one dash ("-o FILE").
    if (a.size() == 2 && a[0] == '-' && a[1] != '-') a = "-" + a;
    if (a.rfind("--", 0) != 0) {
      std::cerr << "phonesec " << c.name << ": unexpected argument '" << a << "'\n";
      return false;
    }
    std::string n = a.substr(2), v;
    auto eq = n.find('=');
    bool inline_value = eq != std::string::npos;
    if (inline_value) v = n.substr(eq + 1), n = n.substr(0, eq);
    const OptionSpec* spec = nullptr;
    for (const auto& o : c.options)
      if (o.name == n) spec = &o;
    if (!spec) {
      std::cerr << "phonesec " << c.name << ": unknown option --" << n << " (see phonesec help " << c.name << ")\n";
      return false;
    }
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= argc) {
        std::cerr << "phonesec " << c.name << ": --" << n << " needs a value\n";
        return false;
      }
      v = argv[++i];
    }
    if (!spec->takes_value) v = "1";
    if (!seen[n] || !spec->repeatable) out.values[n].clear();
    seen[n] = true;
    out.values[n].push_back(v);
  }
  return true;
}

void print_usage(const std::vector<Command>& cmds) {
  std::cout << "usage: phonesec <command> [options]\n\ncommands:\n";
  for (const auto& c : cmds) std::cout << "  " << c.name << std::string(10 - std::min<size_t>(9, c.name.size()), ' ') << c.help << "\n";
  std::cout << "\n'phonesec help <command>' lists a command's options.\n";
}

void print_command_help(const Command& c) {
  std::cout << "phonesec " << c.name << ": " << c.help << "\n";
  for (const auto& o : c.options) {
    std::cout << "  --" << o.name << (o.takes_value ? " VALUE" : "") << "  " << o.help;
    if (!o.def.empty()) std::cout << " (default " << o.def << ")";
    if (o.repeatable) std::cout << " (repeatable)";
    std::cout << "\n";
  }
}

}  // namespace phonesec::cli

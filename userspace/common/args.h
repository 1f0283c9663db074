// SPDX-License-Identifier: Apache-2.0
// Subcommands from one table: name, help, options (with defaults), handler (xdp-tools
// params.h style). Options are --name VALUE, repeatable ones collect every value; flags are
// --name alone. One-letter options may be written -x as well as --x.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace phonesec::cli {

struct OptionSpec {
  std::string name;   // without "--"
  std::string help;
  bool takes_value = true;
  bool repeatable = false;
  std::string def;    // default value ("" = none)
};

struct Args {
  std::map<std::string, std::vector<std::string>> values;
  bool has(const std::string& n) const { return values.count(n) && !values.at(n).empty(); }
  std::string get(const std::string& n) const { return has(n) ? values.at(n).back() : ""; }
  const std::vector<std::string>& all(const std::string& n) const {
    static const std::vector<std::string> none;
    return values.count(n) ? values.at(n) : none;
  }
};

struct Command {
  std::string name;
  std::string help;
  std::vector<OptionSpec> options;
  std::function<int(const Args&)> handler;
};

// Parses argv for one command; on error prints "phonesec <cmd>: …" and returns false.
bool parse_args(const Command& c, int argc, char** argv, int first, Args& out);
void print_usage(const std::vector<Command>& cmds);
void print_command_help(const Command& c);

}  // namespace phonesec::cli

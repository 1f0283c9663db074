// SPDX-License-Identifier: Apache-2.0
// Shared by the perf/ benchmarks: command line (--out DIR, --quick), the JSON result file,
// medians, the clock, CPU pinning and entering a network namespace.
//
// Result file <out>/<bench>.json, read by perf/compare and perf/plot:
//   {"bench": NAME, "schema": 1, "env": {...}, "metrics": {NAME: {value, unit, kind, ...}},
//    "tables": {NAME: {"columns": [...], "rows": [[...], ...]}}}
// kind: "exact" (deterministic: compare checks equality), "ratio" (a timing divided by a
// reference measured side by side in the same run: compare allows a tolerance), "info"
// (absolute timings and context: recorded, never gated; they depend on the machine).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace phonesec::perf {

struct Args {
  std::string out = ".";  // directory for <bench>.json
  bool quick = false;     // smoke run: few iterations, figures not meaningful
};
// Parses --out DIR and --quick; prints usage and exits on anything else.
Args parse_args(int argc, char** argv, const char* bench, const char* what);

struct Metric {
  double value = 0;
  std::string unit;
  std::string kind = "info";    // exact | ratio | info
  std::string better;           // lower | higher (ratio metrics)
  std::optional<double> target_max, target_min;  // a goal from the issues, reported by compare
  std::optional<double> tolerance;               // ratio metrics: relative, overrides compare's default
  std::string note;
};

class Report {
 public:
  explicit Report(std::string bench);
  Metric& metric(const std::string& name, double value, const std::string& unit, const std::string& kind = "info");
  Metric& ratio(const std::string& name, double value, const std::string& better, double tolerance = 0.0);
  Metric& exact(const std::string& name, double value, const std::string& unit);
  void env(const std::string& key, const std::string& value) { env_[key] = value; }
  // A table for the plots and the human summary (numbers or strings, one row per line).
  void table(const std::string& name, std::vector<std::string> columns, std::vector<std::vector<std::string>> rows);
  // Writes <dir>/<bench>.json; returns false (and says why on stderr) on failure.
  bool write(const std::string& dir) const;

 private:
  std::string bench_;
  std::map<std::string, std::string> env_;
  std::vector<std::pair<std::string, Metric>> metrics_;
  std::vector<std::pair<std::string, std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>>>> tables_;
};

double median(std::vector<double> v);
std::uint64_t now_ns();                 // CLOCK_MONOTONIC
std::string fmt(double v, int prec = 2);
// Pins the calling thread to the CPU it runs on now; returns that CPU.
int pin_here();
std::string slurp(const std::string& path);
// Runs a shell command; returns its exit status (127 and up: could not run).
int sh(const std::string& cmd);
std::string sh_out(const std::string& cmd);

// Enters network namespace `ns` (/run/netns/ns) on this thread; leaves it when destroyed.
class InNetns {
 public:
  explicit InNetns(const std::string& ns);
  ~InNetns();
  InNetns(const InNetns&) = delete;
  InNetns& operator=(const InNetns&) = delete;

 private:
  int self_ = -1;
};

}  // namespace phonesec::perf

// SPDX-License-Identifier: Apache-2.0
#include "bench_common.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace phonesec::perf {
namespace {

using OJson = nlohmann::ordered_json;

// A table cell: a number when the whole text is one (integers stay integers), else the text.
OJson cell(const std::string& c) {
  if (c.empty()) return c;
  char* end = nullptr;
  long long i = std::strtoll(c.c_str(), &end, 10);
  if (*end == '\0') return i;
  double d = std::strtod(c.c_str(), &end);
  if (*end == '\0') return d;
  return c;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

}  // namespace

Args parse_args(int argc, char** argv, const char* bench, const char* what) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--out" && i + 1 < argc) a.out = argv[++i];
    else if (s == "--quick") a.quick = true;
    else {
      std::cerr << "usage: " << bench << " [--out DIR] [--quick]\n" << what
                << "\nWrites DIR/" << bench << ".json (see perf/README in the lead's README). Root only.\n";
      std::exit(s == "-h" || s == "--help" ? 0 : 2);
    }
  }
  return a;
}

Report::Report(std::string bench) : bench_(std::move(bench)) {
  utsname u{};
  uname(&u);
  env_["kernel"] = u.release;
  env_["cpu"] = cpu_model();
  env_["nproc"] = std::to_string(sysconf(_SC_NPROCESSORS_ONLN));
  env_["bpf_clang"] = PS_BPF_CLANG_VERSION;
}

Metric& Report::metric(const std::string& name, double value, const std::string& unit, const std::string& kind) {
  Metric m;
  m.value = value;
  m.unit = unit;
  m.kind = kind;
  metrics_.emplace_back(name, m);
  return metrics_.back().second;
}

Metric& Report::ratio(const std::string& name, double value, const std::string& better, double tolerance) {
  Metric& m = metric(name, value, "x", "ratio");
  m.better = better;
  if (tolerance > 0) m.tolerance = tolerance;
  return m;
}

Metric& Report::exact(const std::string& name, double value, const std::string& unit) {
  return metric(name, value, unit, "exact");
}

void Report::table(const std::string& name, std::vector<std::string> columns, std::vector<std::vector<std::string>> rows) {
  tables_.push_back({name, {std::move(columns), std::move(rows)}});
}

bool Report::write(const std::string& dir) const {
  OJson j;
  j["bench"] = bench_;
  j["schema"] = 1;
  j["time"] = static_cast<long long>(std::time(nullptr));
  j["env"] = OJson::object();
  for (const auto& [k, v] : env_) j["env"][k] = v;
  j["metrics"] = OJson::object();
  for (const auto& [n, m] : metrics_) {
    OJson o;  // NaN and infinities are written as null
    o["value"] = m.value;
    o["unit"] = m.unit;
    o["kind"] = m.kind;
    if (!m.better.empty()) o["better"] = m.better;
    if (m.tolerance) o["tolerance"] = *m.tolerance;
    if (m.target_max) o["target_max"] = *m.target_max;
    if (m.target_min) o["target_min"] = *m.target_min;
    if (!m.note.empty()) o["note"] = m.note;
    j["metrics"][n] = std::move(o);
  }
  j["tables"] = OJson::object();
  for (const auto& [n, t] : tables_) {
    OJson rows = OJson::array();
    for (const auto& r : t.second) {
      OJson row = OJson::array();
      for (const auto& c : r) row.push_back(cell(c));
      rows.push_back(std::move(row));
    }
    j["tables"][n] = {{"columns", t.first}, {"rows", std::move(rows)}};
  }
  // Invalid UTF-8 in a note or an environment string is replaced, never a throw.
  const std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::string path = dir + "/" + bench_ + ".json";
  std::ofstream f(path, std::ios::trunc);
  f << text;
  if (!f) {
    std::cerr << bench_ << ": cannot write " << path << "\n";
    return false;
  }
  std::cerr << bench_ << ": wrote " << path << "\n";
  return true;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::uint64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::uint64_t(t.tv_sec) * 1000000000ull + std::uint64_t(t.tv_nsec);
}

std::string fmt(double v, int prec) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

int pin_here() {
  int cpu = sched_getcpu();
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  sched_setaffinity(0, sizeof s, &s);
  return cpu;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

std::string sh_out(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

InNetns::InNetns(const std::string& ns) {
  self_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int target = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (self_ < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
    if (target >= 0) close(target);
    throw std::runtime_error("enter network namespace " + ns);
  }
  close(target);
}

InNetns::~InNetns() {
  if (self_ >= 0) {
    setns(self_, CLONE_NEWNET);
    close(self_);
  }
}

}  // namespace phonesec::perf

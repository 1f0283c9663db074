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

namespace phonesec::perf {
namespace {

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += c;
    else if (c == '\n') o += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) o += ' ';
    else o += c;
  }
  return o + "\"";
}

std::string json_num(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
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
  std::ostringstream os;
  os << "{\n  \"bench\": " << json_str(bench_) << ",\n  \"schema\": 1,\n  \"time\": " << std::time(nullptr)
     << ",\n  \"env\": {";
  bool first = true;
  for (const auto& [k, v] : env_) os << (first ? "" : ", ") << json_str(k) << ": " << json_str(v), first = false;
  os << "},\n  \"metrics\": {";
  first = true;
  for (const auto& [n, m] : metrics_) {
    os << (first ? "\n" : ",\n") << "    " << json_str(n) << ": {\"value\": " << json_num(m.value)
       << ", \"unit\": " << json_str(m.unit) << ", \"kind\": " << json_str(m.kind);
    if (!m.better.empty()) os << ", \"better\": " << json_str(m.better);
    if (m.tolerance) os << ", \"tolerance\": " << json_num(*m.tolerance);
    if (m.target_max) os << ", \"target_max\": " << json_num(*m.target_max);
    if (m.target_min) os << ", \"target_min\": " << json_num(*m.target_min);
    if (!m.note.empty()) os << ", \"note\": " << json_str(m.note);
    os << "}";
    first = false;
  }
  os << "\n  },\n  \"tables\": {";
  first = true;
  for (const auto& [n, t] : tables_) {
    os << (first ? "\n" : ",\n") << "    " << json_str(n) << ": {\"columns\": [";
    for (std::size_t i = 0; i < t.first.size(); ++i) os << (i ? ", " : "") << json_str(t.first[i]);
    os << "], \"rows\": [";
    for (std::size_t r = 0; r < t.second.size(); ++r) {
      os << (r ? ",\n      [" : "\n      [");
      for (std::size_t i = 0; i < t.second[r].size(); ++i) {
        const std::string& c = t.second[r][i];
        char* end = nullptr;
        std::strtod(c.c_str(), &end);
        bool num = !c.empty() && end && *end == '\0';
        os << (i ? ", " : "") << (num ? c : json_str(c));
      }
      os << "]";
    }
    os << "]}";
    first = false;
  }
  os << "\n  }\n}\n";
  std::string path = dir + "/" + bench_ + ".json";
  std::ofstream f(path, std::ios::trunc);
  f << os.str();
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

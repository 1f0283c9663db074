// SPDX-License-Identifier: Apache-2.0
#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace phonesec::log {
namespace {
Level initial_level() {
  const char* e = std::getenv("PHONESEC_LOG");
  if (!e) return Level::info;
  std::string s(e);
  if (s == "debug") return Level::debug;
  if (s == "warn") return Level::warn;
  if (s == "error") return Level::error;
  return Level::info;
}
std::atomic<Level> g_level{initial_level()};
const char* name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "?";
}
}  // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }
void write(Level l, std::string_view component, std::string_view msg) {
  std::fprintf(stderr, "phonesec %s [%.*s] %.*s\n", name(l), int(component.size()), component.data(),
               int(msg.size()), msg.data());
}
}  // namespace phonesec::log

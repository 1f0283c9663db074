// SPDX-License-Identifier: Apache-2.0
// Minimal leveled logging to stderr (the daemon's stderr goes to the journal/syslog on the
// phone). Secrets must be passed as SecretString, which prints redacted.
#pragma once

#include <sstream>
#include <string_view>

namespace phonesec::log {

enum class Level { debug = 0, info, warn, error };

void set_level(Level l);
Level level();
void write(Level l, std::string_view component, std::string_view msg);

template <typename... Args>
void emit(Level l, std::string_view component, const Args&... args) {
  if (l < level()) return;
  std::ostringstream os;
  (os << ... << args);
  write(l, component, os.str());
}

template <typename... A> void debug(std::string_view c, const A&... a) { emit(Level::debug, c, a...); }
template <typename... A> void info(std::string_view c, const A&... a) { emit(Level::info, c, a...); }
template <typename... A> void warn(std::string_view c, const A&... a) { emit(Level::warn, c, a...); }
template <typename... A> void error(std::string_view c, const A&... a) { emit(Level::error, c, a...); }

}  // namespace phonesec::log

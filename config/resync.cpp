// SPDX-License-Identifier: Apache-2.0
#include "config/resync.h"

#include <charconv>
#include <string>

#include "common/text.h"

namespace phonesec::config {
namespace {

std::optional<std::uint32_t> seconds(std::string_view s) {
  s = text::trim(s);
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 0xffffffffu) return std::nullopt;
  return std::uint32_t(v);
}

}  // namespace

Result<DelayList> parse_delay_list(std::string_view text) {
  auto bad = [&] {
    return make_error(Errc::invalid_argument,
                      "'" + std::string(text::trim(text)) + "' is not a delay list (seconds: d[+r],d[+r],…)");
  };
  DelayList out;
  std::string_view rest = text::trim(text);
  if (rest.empty()) return out;
  for (;;) {
    auto comma = rest.find(',');
    std::string_view item = text::trim(rest.substr(0, comma));
    auto plus = item.find('+');
    auto d = seconds(item.substr(0, plus));
    std::optional<std::uint32_t> r = std::uint32_t(0);
    if (plus != std::string_view::npos) r = seconds(item.substr(plus + 1));
    if (!d || !r) return bad();
    out.push_back({*d, *r});
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  // A single "0" is the classic "disabled"; a 0 inside a list would mean "at once, forever".
  if (out.size() == 1 && out[0].base_s == 0 && out[0].random_s == 0) out.clear();
  for (const auto& s : out)
    if (s.base_s == 0 && s.random_s == 0) return bad();
  return out;
}

Result<std::optional<int>> parse_hhmm(std::string_view t) {
  t = text::trim(t);
  if (t.empty()) return std::optional<int>{};
  auto bad = make_error(Errc::invalid_argument, "'" + std::string(t) + "' is not a time HHmm in 0000-2400");
  if (t.size() != 4) return bad;
  for (char c : t)
    if (c < '0' || c > '9') return bad;
  int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[2] - '0') * 10 + (t[3] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return bad;
  return std::optional<int>{(h % 24) * 60 + m};
}

}  // namespace phonesec::config

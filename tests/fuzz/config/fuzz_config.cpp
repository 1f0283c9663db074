// SPDX-License-Identifier: Apache-2.0
// Any bytes as cfg.xml: the loader either rejects them with a place or yields a config whose
// every value is canonical (re-loading its own to_xml gives the same config, no diagnostics).
// The same bytes as Firewall_Config text never yield more than 5 ranges per protocol or a bad range.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/params.h"

using namespace phonesec::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = load_string(in, "fuzz.xml");
  if (r.ok()) {
    auto again = load_string(to_xml(r->config, true), "again.xml");
    if (!again.ok() || !again->diagnostics.empty() || !(again->config == r->config)) std::abort();
    for (const auto& d : r->diagnostics)
      if (d.to_string().empty()) std::abort();
  } else if (r.error().context.rfind("fuzz.xml", 0) != 0) {
    std::abort();
  }
  std::vector<Diagnostic> diags;
  auto o = parse_firewall_config(in, diags);
  if (o.udp.size() > 5 || o.tcp.size() > 5) std::abort();
  for (const auto* l : {&o.udp, &o.tcp})
    for (const auto& pr : *l)
      if (pr.lo == 0 || pr.lo > pr.hi) std::abort();
  return 0;
}

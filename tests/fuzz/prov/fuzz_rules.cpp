// SPDX-License-Identifier: Apache-2.0
// Rule URLs, SIP proxy values, macro expansion, the domain policy, PAC results, lease files, the
// resync timing grammar and rule redaction under fuzzing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/resync.h"
#include "prov/domains.h"
#include "prov/lease_file.h"
#include "prov/resync.h"
#include "prov/macros.h"
#include "prov/proxy.h"
#include "prov/rule_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phonesec::prov;
  std::string s(reinterpret_cast<const char*>(data), size);
  if (auto u = parse_rule_url(s); u) {
    (void)u->to_string();
    (void)complete_rule(*u, "tftp://10.0.0.1");
  }
  (void)sip_proxy_host(s);
  DeviceInfo d;
  d.mac = s.substr(0, 17);
  (void)expand(s, macro_table(d, {}));
  DomainPolicy p({s, "prov.test"});
  (void)p.check_rule(s, "Profile_Rule");
  (void)parse_pac_result(s);
  if (auto f = parse_lease_file(s, "fuzz.v4"); f) {
    (void)format_lease_file(*f);
    (void)choose_from_leases({*f}, {66, 160, 159, 150, 60, 43, 125}, {17, 160, 159});
  }
  (void)redact_rule(s);
  (void)phonesec::config::parse_delay_list(s);
  (void)phonesec::config::parse_hhmm(s);
  return 0;
}

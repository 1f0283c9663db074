// SPDX-License-Identifier: Apache-2.0
// DHCPv4/DHCPv6 reply parsing and source choice under fuzzing. First byte: 0 = v4, else v6.
#include <cstddef>
#include <cstdint>

#include "prov/dhcp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phonesec::prov;
  if (size < 1) return 0;
  Bytes b(data + 1, data + size);
  auto r = data[0] == 0 ? parse_dhcpv4(b) : parse_dhcpv6(b);
  if (!r) return 0;
  for (const auto& [code, v] : r->options) (void)source_from_option(*r, code);
  (void)choose_source(
      *r, r->v6 ? std::vector<int>{17, 160, 159} : std::vector<int>{66, 160, 159, 150, 60, 43, 125});
  (void)wpad_url(*r);
  return 0;
}

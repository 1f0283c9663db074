// SPDX-License-Identifier: Apache-2.0
// Any bytes through everything in the TLS module that reads outside input: an LDAP server's
// message, an LDAP filter, LDAP_Server URLs, TLS_Cipher_List, hosts text (the resolver's).
// HTTPS URLs and $CCERT are read by prov (rule_url, macros: tests/fuzz/prov).
// Errors must carry a message; encoded filters must be exactly one well-formed TLV.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tls/ber.h"
#include "tls/cipher_list.h"
#include "tls/ldap_client.h"
#include "tls/ldap_proto.h"
#include "common/resolver.h"

using namespace phonesec;
using namespace phonesec::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto m = ldap::decode_message(in); !m && m.error().message().empty()) std::abort();
  if (auto f = ldap::encode_filter(in); f) {
    auto n = ber::tlv_size(*f);
    if (!n || *n != f->size()) std::abort();
  } else if (f.error().message().find("LDAP filter") == std::string::npos) {
    std::abort();
  }
  if (auto u = parse_ldap_url(in); u) {
    if (u->host.empty() || u->port == 0) std::abort();
  } else if (u.error().message().rfind("LDAP_Server", 0) != 0) {
    std::abort();
  }
  if (size < 256) {  // OpenSSL's own cipher-string parser is slow on long inputs
    if (Status st = validate_cipher_list(in); !st && st.error().message().rfind("TLS_Cipher_List", 0) != 0)
      std::abort();
  }
  if (auto r = StaticResolver::from_hosts(in); r) (void)r->resolve("a.test");
  return 0;
}

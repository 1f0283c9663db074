// SPDX-License-Identifier: Apache-2.0
// LDAPv3 messages the phone's directory client needs (RFC 4511): StartTLS (RFC 4513 §3),
// simple bind, search with an RFC 4515 filter, unbind; and the server's answers. Pure
// encode/decode, no I/O, so tests and fuzzers can feed raw bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/secure.h"

namespace phonesec::tls::ldap {

inline constexpr std::string_view kStartTlsOid = "1.3.6.1.4.1.1466.20037";

enum class Scope { base = 0, one = 1, sub = 2 };

// RFC 4515 string filter → BER. Supports & | ! = =* (present) substrings (a=x*y*z) >= <= ~=
// and \XX escapes. Errors name the offset.
Result<std::string> encode_filter(std::string_view filter);

std::string start_tls_request(int id);
// Simple bind; an empty dn and password is an anonymous bind.
std::string simple_bind_request(int id, std::string_view dn, const SecretString& password);
std::string search_request(int id, std::string_view base, Scope scope, std::string_view filter_ber,
                           const std::vector<std::string>& attrs, int size_limit);
std::string unbind_request(int id);

// One server message, decoded as far as the client needs.
struct Message {
  int id = 0;
  std::uint8_t op = 0;   // protocolOp tag (0x61 bind response, 0x64 entry, 0x65 done, 0x78 extended…)
  int result_code = -1;  // for responses carrying an LDAPResult
  std::string diagnostic;
  std::string response_name;  // extended responses
  // Search entries.
  std::string dn;
  std::map<std::string, std::vector<std::string>> attrs;
};

inline constexpr std::uint8_t kBindResponse = 0x61, kSearchEntry = 0x64, kSearchDone = 0x65,
                              kSearchReference = 0x73, kExtendedResponse = 0x78;

// Decodes one whole LDAPMessage (the bytes of exactly one TLV).
Result<Message> decode_message(std::string_view bytes);

// "success", "protocolError", "unavailable", … (RFC 4511 §4.1.9), or the number.
std::string result_name(int code);

}  // namespace phonesec::tls::ldap

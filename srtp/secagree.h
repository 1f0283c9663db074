// SPDX-License-Identifier: Apache-2.0
// RFC 3329 security-agreement headers (Security-Client, Security-Server, Security-Verify) with
// the mediasec header parameter (draft-dawes-sipcore-mediasec-parameter), and SIP option-tag
// lists (Require, Proxy-Require, Supported, Unsupported).
//
// A header value is a comma list of mechanisms; one message may carry several headers of the
// same name, and the list is their concatenation in order. Each mechanism keeps its text as
// received (`raw`) so Security-Verify can echo the server's list verbatim, plus a parsed view:
// name, parameters in order, q value. Unknown mechanisms and parameters are kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace phonesec::srtp {

struct SecParam {
  std::string name;   // lower-cased (parameter names are case-insensitive)
  std::string value;  // empty when the parameter has no "=value"; quotes removed
  bool has_value = false;
};

struct SecMechanism {
  std::string raw;   // the mechanism as received, surrounding whitespace trimmed
  std::string name;  // lower-cased mechanism name ("sdes-srtp", "ipsec-3gpp", …)
  std::vector<SecParam> params;
  std::optional<int> q_milli;  // q=0.5 → 500; absent when no q parameter

  bool has_param(std::string_view n) const;
  bool mediasec() const { return has_param("mediasec"); }
};

// Parses one header value ("sdes-srtp;mediasec, msrp-tls;mediasec;q=0.5") and appends the
// mechanisms to `out`. `header` names the header in error messages.
Status parse_security_value(std::string_view header, std::string_view value, std::vector<SecMechanism>& out);

// Parses every value of one header name, in message order.
Result<std::vector<SecMechanism>> parse_security_values(std::string_view header,
                                                        const std::vector<std::string>& values);

// Formats a mechanism for sending: its raw text when it has one, else name;params.
std::string format_mechanism(const SecMechanism& m);

// Builds a mechanism from its parts (for the mechanisms we offer ourselves).
SecMechanism make_mechanism(std::string name, std::vector<SecParam> params = {});

// Option-tag list ("mediasec, sec-agree"): tokens, lower-cased, in order.
Result<std::vector<std::string>> parse_option_tags(std::string_view header, std::string_view value);
bool has_option_tag(const std::vector<std::string>& values, std::string_view tag);

// RFC 3261 token character.
bool is_token_char(char c);

}  // namespace phonesec::srtp

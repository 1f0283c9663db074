// SPDX-License-Identifier: Apache-2.0
// Fuzz target: sec-agree header values and option tags, then the MediaSec machine fed the parsed
// response. Input: header lines "Name: value" separated by newlines; the first line may be a
// status code. Invariants: no crash; a mechanism that parsed formats back to text that parses.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "srtp/mediasec.h"

using namespace phonesec::srtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  SipHeaders h;
  int status = 401;
  size_t pos = 0;
  bool first = true;
  while (pos <= in.size()) {
    size_t nl = in.find('\n', pos);
    std::string line = in.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? in.size() + 1 : nl + 1;
    if (first && !line.empty() && line[0] >= '1' && line[0] <= '6') status = std::atoi(line.c_str());
    first = false;
    auto c = line.find(':');
    if (c == std::string::npos) continue;
    h.push_back({line.substr(0, c), line.substr(c + 1)});
  }
  for (auto& x : h) {
    std::vector<SecMechanism> out;
    if (parse_security_value(x.name, x.value, out).ok()) {
      for (auto& m : out) {
        std::vector<SecMechanism> again;
        if (!parse_security_value("again", format_mechanism(m), again).ok() || again.size() != 1) std::abort();
      }
    }
    (void)parse_option_tags(x.name, x.value);
  }
  for (bool request : {true, false}) {
    MediaSecNegotiator n({1, request, false}, SipTransport::UDP);
    (void)n.request_headers("REGISTER");
    (void)n.on_response(status, "REGISTER", h);
    auto out = n.request_headers("INVITE");
    (void)n.on_response(200, "INVITE", h);
    (void)out;
  }
  return 0;
}

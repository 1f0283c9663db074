// SPDX-License-Identifier: Apache-2.0
// SIP message parsing, digest credentials and the Auth_INVITE decision under fuzzing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sip/invite_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phonesec::sip;
  std::string s(reinterpret_cast<const char*>(data), size);
  static InviteAuthenticator* auth = [] {
    InviteAuthConfig c;
    c.enabled = true;
    c.username = "1001";
    c.password = phonesec::SecretString("pw");
    c.realm = "prov.test";
    return new InviteAuthenticator(std::move(c), [] { return std::chrono::steady_clock::time_point{}; });
  }();
  if (auto m = parse(s); m) {
    auto d = auth->on_request(*m);
    if (d.status) (void)parse(d.response);
    (void)make_response(*m, 200, "OK", "t");
  }
  if (auto c = parse_credentials(s); c) {
    for (auto a : {DigestAlg::MD5, DigestAlg::SHA256_sess}) (void)expected_response(a, *c, "INVITE", "pw");
  }
  return 0;
}

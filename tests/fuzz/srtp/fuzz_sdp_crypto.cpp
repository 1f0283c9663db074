// SPDX-License-Identifier: Apache-2.0
// Fuzz target: SDP body scan and a=crypto parsing, offer selection and answer/format round trip.
// Invariants: no crash; a line that parsed formats to text that parses to the same key.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "srtp/sdp.h"

using namespace phonesec::srtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto one = parse_crypto_attribute(in);
  if (one.ok()) {
    auto text = format_crypto_attribute(*one);
    auto again = parse_crypto_attribute(text.reveal());
    if (!again.ok() || !again->keys[0].key.same_as(one->keys[0].key)) std::abort();
  }
  auto sdp = parse_sdp(in);
  if (sdp.ok()) {
    for (auto& m : sdp->media) {
      if (const CryptoAttribute* pick = select_offer(m.crypto)) {
        auto k = MasterKey::generate(pick->suite);
        if (k.ok()) (void)format_crypto_attribute(make_answer(*pick, *k));
      }
    }
  }
  (void)redact_sdp(in);
  return 0;
}

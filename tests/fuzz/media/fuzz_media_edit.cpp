// SPDX-License-Identifier: Apache-2.0
// The media service's edits on hostile input: SIP parse → every header edit the proxy makes →
// serialize → parse again; the body through the SDP parser and the SDP rewrite.
#include <cstddef>
#include <cstdint>
#include <string>

#include "media/sdp_edit.h"
#include "media/sip_edit.h"
#include "srtp/sdp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phonesec;
  using namespace phonesec::media;
  std::string s(reinterpret_cast<const char*>(data), size);
  if (auto m = sip::parse(s); m) {
    (void)top_via(*m);
    (void)via_response_target(top_via(*m));
    push_via(*m, "SIP/2.0/UDP 10.0.0.1:5060;branch=" + stateless_branch("x", via_param(top_via(*m), "branch").value_or("")));
    replace_top_via(*m, via_with_received(top_via(*m), "10.0.0.9", 5070));
    remove_routes_to(*m, {"127.0.0.1", 15060});
    (void)rewrite_contacts(*m, {"10.0.0.1", 5060});
    (void)uri_host_port(m->uri);
    m->uri = uri_with_host_port(m->uri, {"10.0.0.2", 5080});
    (void)decrement_max_forwards(*m);
    (void)cseq_method(*m);
    while (pop_via(*m)) {
    }
    (void)sip::parse(sip::serialize(*m));
    if (auto info = srtp::parse_sdp(m->body); info) {
      std::vector<MediaEdit> e(info->media.size());
      for (std::size_t i = 0; i < e.size(); ++i)
        e[i] = MediaEdit{i % 2 == 0, std::uint16_t(20000 + i), secure_proto(info->media[i].proto),
                         SecretString("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\n")};
      (void)srtp::parse_sdp(rewrite_sdp(m->body, "10.0.0.1", e).reveal());
    }
  }
  return 0;
}

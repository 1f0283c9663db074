// SPDX-License-Identifier: Apache-2.0
// The proxy's header edits and the SDP rewrite, on fixed messages.
#include <gtest/gtest.h>

#include "media/sdp_edit.h"
#include "media/sip_edit.h"

using namespace phonesec;
using namespace phonesec::media;

namespace {
sip::Message msg(const std::string& text) {
  auto m = sip::parse(text);
  EXPECT_TRUE(m.ok());
  return *m;
}
const char* kInvite =
    "INVITE sip:b@10.0.0.2:5080 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc;rport, SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKold\r\n"
    "Route: <sip:127.0.0.1:15060;lr>, <sip:proxy.example;lr>\r\n"
    "Contact: <sip:a@127.0.0.1:5070;transport=udp>;expires=60\r\n"
    "CSeq: 7 INVITE\r\n"
    "Max-Forwards: 70\r\n"
    "Content-Length: 3\r\n\r\nabc";
}  // namespace

TEST(SipEdit, ViaListPushPopAndResponseTarget) {
  auto m = msg(kInvite);
  EXPECT_EQ(top_via(m), "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc;rport");
  push_via(m, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-ps1");
  EXPECT_EQ(via_param(top_via(m), "branch"), "z9hG4bK-ps1");
  ASSERT_TRUE(pop_via(m));
  ASSERT_TRUE(pop_via(m));  // the first entry of a comma-joined Via
  EXPECT_EQ(top_via(m), "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKold");
  auto t = via_response_target(top_via(m));
  EXPECT_EQ(t.host, "10.9.9.9");
  EXPECT_EQ(t.port, 5060);
  auto r = via_with_received("SIP/2.0/UDP h:1;branch=x;rport", "1.2.3.4", 999);
  EXPECT_EQ(via_response_target(r).host, "1.2.3.4");
  EXPECT_EQ(via_response_target(r).port, 999);
}

TEST(SipEdit, StatelessBranchIsStablePerIncomingBranch) {
  EXPECT_EQ(stateless_branch("s", "z9hG4bKabc"), stateless_branch("s", "z9hG4bKabc"));  // retransmission, CANCEL
  EXPECT_NE(stateless_branch("s", "z9hG4bKabc"), stateless_branch("s", "z9hG4bKabd"));
  EXPECT_NE(stateless_branch("s", "z9hG4bKabc"), stateless_branch("t", "z9hG4bKabc"));
  EXPECT_EQ(stateless_branch("s", "x").rfind("z9hG4bK", 0), 0u);
}

TEST(SipEdit, ContactRouteAndMaxForwards) {
  auto m = msg(kInvite);
  EXPECT_EQ(rewrite_contacts(m, {"10.0.0.1", 5060}), "sip:a@127.0.0.1:5070;transport=udp");
  EXPECT_EQ(*m.header("Contact"), "<sip:a@10.0.0.1:5060;transport=udp>;expires=60");
  remove_routes_to(m, {"127.0.0.1", 15060});
  EXPECT_EQ(m.all("Route"), std::vector<std::string>{"<sip:proxy.example;lr>"});
  EXPECT_EQ(cseq_method(m), "INVITE");
  EXPECT_TRUE(decrement_max_forwards(m));
  EXPECT_EQ(*m.header("Max-Forwards"), "69");
  auto z = msg("OPTIONS sip:x SIP/2.0\r\nMax-Forwards: 0\r\n\r\n");
  EXPECT_FALSE(decrement_max_forwards(z));
}

TEST(SipEdit, SerializeRecomputesContentLength) {
  auto m = msg(kInvite);
  m.body = "hello";
  std::string s = sip::serialize(m);
  EXPECT_NE(s.find("Content-Length: 5\r\n\r\nhello"), std::string::npos);
  EXPECT_EQ(s.find("Content-Length: 3"), std::string::npos);
  EXPECT_EQ(s.rfind("INVITE sip:b@10.0.0.2:5080 SIP/2.0\r\n", 0), 0u);
}

TEST(SdpEdit, RewritesPortsProtoAddressesAndSecurityLines) {
  const std::string in =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtcp:30001\r\n"
      "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
      "m=video 0 RTP/AVP 96\r\n";
  std::vector<MediaEdit> e(2);
  e[0] = MediaEdit{true, 20000, secure_proto("RTP/AVP"), SecretString("a=crypto:1 X inline:KEY\r\na=3ge2ae:requested\r\n")};
  auto out = rewrite_sdp(in, "10.0.0.1", e).reveal();
  EXPECT_EQ(out,
            "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
            "m=audio 20000 RTP/SAVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=crypto:1 X inline:KEY\r\na=3ge2ae:requested\r\n"
            "m=video 0 RTP/AVP 96\r\n");
  EXPECT_EQ(plain_proto("RTP/SAVPF"), "RTP/AVPF");
}

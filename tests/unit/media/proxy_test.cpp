// SPDX-License-Identifier: Apache-2.0
// One line of the service on loopback, without root: a fake UA and a fake proxy (UDP sockets of
// the test) on either side of a LineProxy driven by its own loop. Checks what leaves toward the
// proxy (our Via on top, Route to us gone, Record-Route, Contact rewritten, RTP/SAVP with our
// a=crypto, the UA's address not leaked), what reaches the UA (plain RTP/AVP answer, the
// far end's keys gone), the order of messages kept, and that an offer from the network without
// a=crypto is refused with 488 and never reaches the UA.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <optional>

#include "media/line.h"
#include "media/loop.h"

using namespace phonesec;
using namespace phonesec::media;

namespace {

constexpr std::uint16_t kSip = 25160, kUa = 25170, kProxy = 25180;

struct Peer {
  UniqueFd fd;
  explicit Peer(std::uint16_t port) {
    auto r = bind_udp("127.0.0.1", port);
    if (r) fd = std::move(*r);
  }
  void send(std::uint16_t to, const std::string& m) const {
    auto e = make_endpoint("127.0.0.1", to);
    ::sendto(fd.get(), m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&e->addr), e->len);
  }
};

// Runs the loop until `p` has a datagram (or 2 s).
std::optional<std::string> recv_via(Loop& loop, const Peer& p) {
  for (int i = 0; i < 200; ++i) {
    (void)loop.run_once(10);
    char buf[65536];
    ssize_t n = ::recv(p.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) return std::string(buf, std::size_t(n));
  }
  return std::nullopt;
}

const std::string kUaSdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

std::string invite(const std::string& branch, int cseq, const std::string& sdp) {
  return "INVITE sip:b@127.0.0.1:" + std::to_string(kProxy) + " SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(kUa) + ";branch=" + branch + ";rport\r\n"
         "Route: <sip:127.0.0.1:" + std::to_string(kSip + kUaPortOffset) + ";lr>\r\n"
         "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: call-1\r\nCSeq: " + std::to_string(cseq) + " INVITE\r\n"
         "Contact: <sip:a@127.0.0.1:" + std::to_string(kUa) + ">\r\nMax-Forwards: 70\r\n"
         "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

std::string top_via_of(const std::string& m) {
  auto p = m.find("\r\nVia: ");
  return m.substr(p + 7, m.find("\r\n", p + 7) - p - 7);
}

}  // namespace

TEST(MediaProxy, OfferOutAnswerBackAndPlainOfferRefused) {
  ASSERT_TRUE(srtp::srtp_library_init().ok());
  auto loop = Loop::create();
  ASSERT_TRUE(loop.ok());
  LineSettings s;
  s.cfg.sip_port = kSip;
  s.cfg.proxy = "127.0.0.1:" + std::to_string(kProxy);
  s.rtp_min = 26200;
  s.rtp_max = 26299;
  s.ua_default_port = kUa;
  auto line = LineProxy::create(*loop, s, nullptr);
  ASSERT_TRUE(line.ok()) << line.error().message();
  Peer ua(kUa), proxy(kProxy);

  // UA -> proxy: two requests in a row arrive in order; the INVITE is secured.
  ua.send(kSip + kUaPortOffset, "OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:25170;branch=z9hG4bKo1\r\n"
                                "Call-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  ua.send(kSip + kUaPortOffset, invite("z9hG4bKi1", 1, kUaSdp));
  auto first = recv_via(*loop, proxy);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->rfind("OPTIONS ", 0), 0u) << "order kept";
  auto out = recv_via(*loop, proxy);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->rfind("INVITE ", 0), 0u);
  EXPECT_EQ(top_via_of(*out).rfind("SIP/2.0/UDP 127.0.0.1:25160;branch=z9hG4bK-ps", 0), 0u) << *out;
  EXPECT_EQ(out->find("Route: <sip:127.0.0.1:35160"), std::string::npos) << "our Route entry removed";
  EXPECT_NE(out->find("Record-Route: <sip:127.0.0.1:25160;lr>, <sip:127.0.0.1:35160;lr>"), std::string::npos);
  EXPECT_NE(out->find("Contact: <sip:a@127.0.0.1:25160>"), std::string::npos) << "Contact is the line's";
  EXPECT_NE(out->find("Max-Forwards: 69"), std::string::npos);
  EXPECT_NE(out->find("m=audio 2620"), std::string::npos) << "relay port in the RTP range";
  EXPECT_NE(out->find("RTP/SAVP 0"), std::string::npos);
  EXPECT_NE(out->find("a=crypto:1 AEAD_AES_256_GCM inline:"), std::string::npos);
  EXPECT_EQ(out->find("30000"), std::string::npos) << "the UA's media port leaked";
  EXPECT_EQ(out->find("a=3ge2ae"), std::string::npos) << "no MediaSec agreed";
  auto ctag_pos = out->find("a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:");
  ASSERT_NE(ctag_pos, std::string::npos);

  // Proxy -> UA: the 200 with the far end's SRTP answer becomes plain RTP for the UA.
  std::string via_ours = top_via_of(*out);
  std::string ans_sdp =
      "v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/SAVP 0\r\n"
      "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
  proxy.send(kSip, "SIP/2.0 200 OK\r\nVia: " + via_ours + "\r\nVia: SIP/2.0/UDP 127.0.0.1:25170;branch=z9hG4bKi1;rport\r\n"
                   "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: call-1\r\nCSeq: 1 INVITE\r\n"
                   "Contact: <sip:b@127.0.0.1:25180>\r\nContent-Type: application/sdp\r\nContent-Length: " +
                       std::to_string(ans_sdp.size()) + "\r\n\r\n" + ans_sdp);
  auto back = recv_via(*loop, ua);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rfind("SIP/2.0 200 OK", 0), 0u);
  EXPECT_EQ(top_via_of(*back), "SIP/2.0/UDP 127.0.0.1:25170;branch=z9hG4bKi1;rport") << "our Via popped";
  EXPECT_NE(back->find("RTP/AVP 0"), std::string::npos) << *back;
  EXPECT_EQ(back->find("a=crypto"), std::string::npos) << "keys must not reach the UA";
  EXPECT_NE(back->find("Record-Route: <sip:127.0.0.1:35160;lr>"), std::string::npos) << "UA keeps routing via us";
  auto st = (*line)->status();
  EXPECT_EQ(st["calls"], 1);
  EXPECT_EQ(st["suite"], "AES_CM_128_HMAC_SHA1_80");

  // Network -> phone: an INVITE offering plain RTP is refused with 488; the UA sees nothing.
  std::string plain = "v=0\r\no=- 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\n";
  proxy.send(kSip, "INVITE sip:a@127.0.0.1:25160 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:25180;branch=z9hG4bKn1\r\n"
                   "From: <sip:c@x>;tag=9\r\nTo: <sip:a@x>\r\nCall-ID: call-2\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                   "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(plain.size()) + "\r\n\r\n" + plain);
  auto refused = recv_via(*loop, proxy);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->rfind("SIP/2.0 488", 0), 0u) << *refused;
  char buf[2048];
  EXPECT_LT(::recv(ua.fd.get(), buf, sizeof buf, MSG_DONTWAIT), 0) << "the UA got the plain offer";
  EXPECT_EQ((*line)->status()["calls"], 1);
}

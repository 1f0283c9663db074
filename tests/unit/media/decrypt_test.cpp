// SPDX-License-Identifier: Apache-2.0
// phonesec-media decrypt without root: a capture built here (Ethernet/IPv4/UDP) of an SDES-SRTP
// call in both directions, SRTP and SRTCP made by libsrtp2 with the keys of the SDP offer and
// answer; decrypt_capture must give back the clear packets byte for byte, copy other frames,
// and refuse the wrong keys with no output file.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "media/decrypt.h"
#include "srtp/sdp_crypto.h"
#include "srtp/session.h"

using namespace phonesec;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> frame(std::uint32_t src, std::uint32_t dst, std::uint16_t sport, std::uint16_t dport,
                                const std::uint8_t* p, std::size_t n) {
  std::vector<std::uint8_t> f(14 + 20 + 8 + n, 0);
  f[12] = 0x08;
  std::uint8_t* ip = &f[14];
  ip[0] = 0x45;
  std::size_t tot = 20 + 8 + n;
  ip[2] = std::uint8_t(tot >> 8);
  ip[3] = std::uint8_t(tot);
  ip[8] = 64;
  ip[9] = 17;
  for (int i = 0; i < 4; ++i) {
    ip[12 + i] = std::uint8_t(src >> (24 - 8 * i));
    ip[16 + i] = std::uint8_t(dst >> (24 - 8 * i));
  }
  std::uint8_t* u = ip + 20;
  u[0] = std::uint8_t(sport >> 8);
  u[1] = std::uint8_t(sport);
  u[2] = std::uint8_t(dport >> 8);
  u[3] = std::uint8_t(dport);
  u[4] = std::uint8_t((8 + n) >> 8);
  u[5] = std::uint8_t(8 + n);
  std::memcpy(u + 8, p, n);
  return f;
}

std::vector<std::uint8_t> rtp(std::uint16_t seq, std::uint32_t ssrc, std::uint8_t fill) {
  std::vector<std::uint8_t> b(12 + 160, fill);
  b[0] = 0x80;
  b[1] = 0;
  b[2] = std::uint8_t(seq >> 8);
  b[3] = std::uint8_t(seq);
  b[8] = std::uint8_t(ssrc >> 24);
  b[9] = std::uint8_t(ssrc >> 16);
  b[10] = std::uint8_t(ssrc >> 8);
  b[11] = std::uint8_t(ssrc);
  return b;
}

std::string sdp(const std::string& ip, int port, const srtp::CryptoAttribute& a) {
  return "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio " +
         std::to_string(port) + " RTP/SAVP 0\r\n" + srtp::format_crypto_attribute(a).reveal() + "\r\n";
}

std::vector<std::vector<std::uint8_t>> udp_payloads(const std::string& path) {
  std::vector<std::vector<std::uint8_t>> out;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) return out;
  pcap_pkthdr* h;
  const u_char* d;
  while (pcap_next_ex(p, &h, &d) == 1) out.emplace_back(d + 42, d + h->caplen);
  pcap_close(p);
  return out;
}

}  // namespace

TEST(MediaDecrypt, CaptureDecryptsBothDirectionsAndWrongKeysAreRefused) {
  for (srtp::Suite suite : {srtp::Suite::AES_CM_128_HMAC_SHA1_80, srtp::Suite::AEAD_AES_256_GCM}) {
    SCOPED_TRACE(std::string(srtp::suite_name(suite)));
    auto dir = fs::temp_directory_path() / ("psm-decrypt-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto ko = srtp::MasterKey::generate(suite), ka = srtp::MasterKey::generate(suite);
    ASSERT_TRUE(ko && ka);
    auto off = srtp::make_offer_line(1, *ko), ans = srtp::make_offer_line(1, *ka);
    const std::uint32_t A = 0x0a000001, B = 0x0a000002;  // offerer 10.0.0.1:20000, answerer 10.0.0.2:40000
    std::ofstream(dir / "offer.sdp") << sdp("10.0.0.1", 20000, off);
    std::ofstream(dir / "answer.sdp") << sdp("10.0.0.2", 40000, ans);
    auto tx_o = srtp::SrtpSession::create(srtp::Direction::outbound, *ko);
    auto tx_a = srtp::SrtpSession::create(srtp::Direction::outbound, *ka);
    ASSERT_TRUE(tx_o && tx_a);

    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t* dump = pcap_dump_open(dead, (dir / "in.pcap").c_str());
    std::vector<std::vector<std::uint8_t>> clear;
    auto put = [&](const std::vector<std::uint8_t>& f) {
      pcap_pkthdr h{};
      h.caplen = h.len = std::uint32_t(f.size());
      pcap_dump(reinterpret_cast<u_char*>(dump), &h, f.data());
    };
    std::uint8_t sip[] = "OPTIONS sip:x SIP/2.0\r\n\r\n";
    put(frame(A, B, 5060, 5060, sip, sizeof sip - 1));  // not media: copied
    for (std::uint16_t i = 0; i < 20; ++i) {
      bool from_offerer = i % 2 == 0;
      auto p = rtp(i, from_offerer ? 111 : 222, std::uint8_t(i));
      clear.push_back(p);
      p.resize(p.size() + 64);
      auto n = (from_offerer ? *tx_o : *tx_a).protect_rtp(p.data(), 172, p.size());
      ASSERT_TRUE(n.ok());
      put(from_offerer ? frame(A, B, 20000, 40000, p.data(), *n) : frame(B, A, 40000, 20000, p.data(), *n));
    }
    pcap_dump_close(dump);
    pcap_close(dead);

    auto r = media::decrypt_capture((dir / "offer.sdp").string(), (dir / "answer.sdp").string(),
                                    (dir / "in.pcap").string(), (dir / "out.pcap").string());
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->rtp, 20u);
    EXPECT_EQ(r->other, 1u);
    auto got = udp_payloads((dir / "out.pcap").string());
    ASSERT_EQ(got.size(), 21u);
    for (std::size_t i = 0; i < clear.size(); ++i) EXPECT_EQ(got[i + 1], clear[i]) << "packet " << i;

    // Wrong keys: the answer's key replaced — nothing from the answerer authenticates.
    auto other = srtp::MasterKey::generate(suite);
    std::ofstream(dir / "wrong.sdp") << sdp("10.0.0.2", 40000, srtp::make_offer_line(1, *other));
    auto w = media::decrypt_capture((dir / "offer.sdp").string(), (dir / "wrong.sdp").string(),
                                    (dir / "in.pcap").string(), (dir / "bad.pcap").string());
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message().find("wrong keys"), std::string::npos) << w.error().message();
    EXPECT_FALSE(fs::exists(dir / "bad.pcap"));
    fs::remove_all(dir);
  }
}

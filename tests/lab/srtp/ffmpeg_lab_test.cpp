// SPDX-License-Identifier: Apache-2.0
// SRTP interop with ffmpeg's own SRTP implementation (libavformat srtp.c, not libsrtp), on the
// loopback of a private network namespace:
//  - ffmpeg sends a 1 kHz tone as PCMU over SRTP (+ SRTCP) to our inbound session;
//  - our outbound session sends a 1 kHz tone to ffmpeg, which decodes it to raw samples.
// ffmpeg 5.1 knows AES_CM_128_HMAC_SHA1_80 and _32 only, without MKI.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "lab_env.h"
#include "srtp/session.h"

using namespace phonesec::srtp;

namespace {

int udp_bound(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  return fd;
}

// G.711 μ-law (ITU-T G.711), enough for a test tone.
std::uint8_t ulaw_encode(std::int16_t pcm) {
  const int bias = 0x84, clip = 32635;
  int sign = (pcm >> 8) & 0x80;
  int s = sign ? -pcm : pcm;
  if (s > clip) s = clip;
  s += bias;
  int exp = 7;
  for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1) --exp;
  int mant = (s >> (exp + 3)) & 0x0f;
  return std::uint8_t(~(sign | (exp << 4) | mant));
}
std::int16_t ulaw_decode(std::uint8_t u) {
  u = std::uint8_t(~u);
  int t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return std::int16_t((u & 0x80) ? 0x84 - t : t - 0x84);
}

// Zero crossings per sample: a 1 kHz tone at 8 kHz crosses 0.25 times per sample.
double crossing_rate(const std::vector<std::int16_t>& s) {
  if (s.size() < 2) return 0;
  size_t c = 0;
  for (size_t i = 1; i < s.size(); ++i)
    if ((s[i - 1] < 0) != (s[i] < 0)) ++c;
  return double(c) / double(s.size() - 1);
}

class FfmpegSrtp : public ::testing::TestWithParam<Suite> {
 protected:
  void SetUp() override {
    auto e = pss::enter_private_netns();
    ASSERT_TRUE(e.empty()) << e;
    ASSERT_TRUE(pss::in_path("ffmpeg")) << "ffmpeg not found in PATH (Debian package ffmpeg)";
  }
};

}  // namespace

TEST_P(FfmpegSrtp, FfmpegSendsToOurReceiver) {
  const Suite suite = GetParam();
  auto dir = pss::scratch("ffsend");
  auto key = MasterKey::generate(suite);
  ASSERT_TRUE(key.ok());
  auto other = MasterKey::generate(suite);
  auto rx = SrtpSession::create(Direction::inbound, *key);
  auto wrong = SrtpSession::create(Direction::inbound, *other);
  ASSERT_TRUE(rx.ok() && wrong.ok());
  int rtp_fd = udp_bound(40000), rtcp_fd = udp_bound(40001);
  ASSERT_GE(rtp_fd, 0);
  ASSERT_GE(rtcp_fd, 0);

  pss::Child ff({"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                 "sine=frequency=1000:sample_rate=8000:samples_per_frame=160", "-t", "1.2", "-c:a", "pcm_mulaw",
                 "-f", "rtp", "-packetsize", "172", "-srtp_out_suite", std::string(suite_name(suite)),
                 "-srtp_out_params", key->to_base64().reveal(), "srtp://127.0.0.1:40000?localport=40010"},
                dir, "ffmpeg.out");

  int ok = 0, bad = 0, wrong_ok = 0, rtcp_ok = 0, rtcp_bad = 0;
  std::vector<std::int16_t> samples;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  bool exited = false;
  auto quiet_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < end) {
    pollfd p[2] = {{rtp_fd, POLLIN, 0}, {rtcp_fd, POLLIN, 0}};
    poll(p, 2, 100);
    std::uint8_t buf[2048];
    if (p[0].revents & POLLIN) {
      ssize_t n = recv(rtp_fd, buf, sizeof buf, 0);
      std::uint8_t copy[2048];
      std::memcpy(copy, buf, size_t(n));
      if (wrong->unprotect_rtp(copy, size_t(n)).ok()) ++wrong_ok;
      auto m = rx->unprotect_rtp(buf, size_t(n));
      if (m.ok() && *m == 172 && (buf[1] & 0x7f) == 0) {
        ++ok;
        for (size_t i = 12; i < *m; ++i) samples.push_back(ulaw_decode(buf[i]));
      } else {
        ++bad;
      }
      quiet_since = std::chrono::steady_clock::now();
    }
    if (p[1].revents & POLLIN) {
      ssize_t n = recv(rtcp_fd, buf, sizeof buf, 0);
      auto m = rx->unprotect_rtcp(buf, size_t(n));
      if (m.ok() && buf[1] == 200) ++rtcp_ok;  // sender report
      else ++rtcp_bad;
    }
    if (!exited && !ff.running()) exited = true;
    if (exited && std::chrono::steady_clock::now() - quiet_since > std::chrono::milliseconds(300)) break;
  }
  close(rtp_fd);
  close(rtcp_fd);
  EXPECT_EQ(ff.wait(2000), 0) << pss::slurp(dir / "ffmpeg.out");
  EXPECT_GE(ok, 50) << "authenticated RTP packets from ffmpeg";
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(wrong_ok, 0) << "a session with another key accepted ffmpeg's packets";
  if (suite == Suite::AES_CM_128_HMAC_SHA1_80) {
    EXPECT_GE(rtcp_ok, 1) << "SRTCP sender reports from ffmpeg";
    EXPECT_EQ(rtcp_bad, 0);
  } else {
    // ffmpeg 5.1 (libavformat/srtp.c) also cuts the SRTCP tag to 32 bits for the SDES _32 suite;
    // RFC 3711 §5.2 forbids HMAC-SHA1 tags under 80 bits on SRTCP (RFC 4568 §6.2, libsrtp2,
    // pjsip and Asterisk keep 80): we keep 80 and refuse those reports.
    EXPECT_EQ(rtcp_ok, 0);
    EXPECT_GE(rtcp_bad, 1) << "ffmpeg sent no SRTCP";
  }
  EXPECT_NEAR(crossing_rate(samples), 0.25, 0.03) << "decoded audio is not the 1 kHz tone";
  std::filesystem::remove_all(dir);
}

namespace {
// Sends a 1 kHz PCMU tone (at twice real time, up to 10 s) through `tx` to an ffmpeg that decodes the SDP's key and
// stream to raw samples (-t 1). Returns ffmpeg's exit code (-1: still waiting, killed).
int send_to_ffmpeg(Suite suite, const MasterKey& sdp_key, SrtpSession& tx, const std::filesystem::path& dir,
                   std::vector<std::int16_t>& samples, std::uint32_t max_packets = 1000) {
  {
    std::ofstream sdp(dir / "in.sdp");
    sdp << "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        << "m=audio 41000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        << "a=crypto:1 " << suite_name(suite) << " inline:" << sdp_key.to_base64().reveal() << "\r\n";
  }
  int rc;
  {
    pss::Child ff({"ffmpeg", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file,udp,rtp,srtp", "-i",
                   "in.sdp", "-t", "1", "-f", "s16le", "-ac", "1", "-ar", "8000", "-y", "out.raw"},
                  dir, "ffmpeg.out");
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(41000);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // let ffmpeg open its socket
    double phase = 0;
    for (std::uint32_t seq = 0; seq < max_packets && ff.running(); ++seq) {  // until ffmpeg has its second
      std::uint8_t pkt[256] = {0x80, 0x00, std::uint8_t(seq >> 8), std::uint8_t(seq),
                               std::uint8_t((seq * 160) >> 24), std::uint8_t((seq * 160) >> 16),
                               std::uint8_t((seq * 160) >> 8), std::uint8_t(seq * 160), 0x11, 0x22, 0x33, 0x44};
      for (int i = 0; i < 160; ++i, phase += 2 * M_PI * 1000 / 8000)
        pkt[12 + i] = ulaw_encode(std::int16_t(8000 * std::sin(phase)));
      auto n = tx.protect_rtp(pkt, 172, sizeof pkt);
      if (!n) break;
      sendto(fd, pkt, *n, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    close(fd);
    rc = ff.wait(3000);
  }
  std::string raw = pss::slurp(dir / "out.raw");
  samples.resize(raw.size() / 2);
  std::memcpy(samples.data(), raw.data(), samples.size() * 2);
  return rc;
}
}  // namespace

TEST_P(FfmpegSrtp, OurSenderToFfmpeg) {
  const Suite suite = GetParam();
  auto dir = pss::scratch("ffrecv");
  auto key = MasterKey::generate(suite);
  ASSERT_TRUE(key.ok());
  auto tx = SrtpSession::create(Direction::outbound, *key);
  ASSERT_TRUE(tx.ok());
  std::vector<std::int16_t> samples;
  EXPECT_EQ(send_to_ffmpeg(suite, *key, *tx, dir, samples), 0) << pss::slurp(dir / "ffmpeg.out");
  EXPECT_GE(samples.size(), 6000u) << "ffmpeg decoded too little audio (wrong key or lost packets)";
  EXPECT_NEAR(crossing_rate(samples), 0.25, 0.03) << "ffmpeg's output is not our 1 kHz tone";
  std::filesystem::remove_all(dir);
}

// The harness can fail: ffmpeg told another key decodes nothing of what we send.
TEST_F(FfmpegSrtp, FfmpegWithAnotherKeyDecodesNothing) {
  auto dir = pss::scratch("ffwrong");
  auto key = MasterKey::generate(Suite::AES_CM_128_HMAC_SHA1_80);
  auto other = MasterKey::generate(Suite::AES_CM_128_HMAC_SHA1_80);
  auto tx = SrtpSession::create(Direction::outbound, *key);
  ASSERT_TRUE(tx.ok());
  std::vector<std::int16_t> samples;
  EXPECT_NE(send_to_ffmpeg(Suite::AES_CM_128_HMAC_SHA1_80, *other, *tx, dir, samples, 150), 0);
  EXPECT_LT(samples.size(), 160u);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Suites, FfmpegSrtp,
                         ::testing::Values(Suite::AES_CM_128_HMAC_SHA1_80, Suite::AES_CM_128_HMAC_SHA1_32),
                         [](const auto& i) { return std::string(suite_name(i.param)); });

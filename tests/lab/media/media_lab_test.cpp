// SPDX-License-Identifier: Apache-2.0
// The media-security service with real user agents: the phone's UA (baresip, no SRTP at all)
// calls through phonesec-media a far-end baresip that insists on SRTP (mediaenc=srtp-mand), and
// the other way round. Asserts: each side hears the other's tone (FFT peak of what it recorded),
// what leaves the phone is only SRTP with the negotiated suite's tag, the capture decrypts to the
// tone with the keys of the SDP on the wire (and refuses wrong keys), the suite negotiated is the
// one offered, Auth_INVITE_n_ lets the right credentials in and keeps wrong ones out.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <thread>

#include "media_lab.h"

namespace {

using psm::Lab;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint16_t kRtpMin = 20000, kRtpMax = 20100;  // range + 1 (RTCP)

bool in_range(std::uint16_t p) { return p >= kRtpMin && p <= kRtpMax; }

std::size_t tag_len(const std::string& suite) {
  if (suite.find("GCM") != std::string::npos) return 16;
  return suite.find("_32") != std::string::npos ? 4 : 10;
}

// G.711 mu-law to linear (ITU-T G.711).
std::int16_t ulaw(std::uint8_t u) {
  u = ~u;
  int t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return std::int16_t((u & 0x80) ? 0x84 - t : t - 0x84);
}

void write_wav(const fs::path& p, const std::vector<std::int16_t>& s) {
  std::ofstream f(p, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  f.write("RIFF", 4);
  u32(36 + std::uint32_t(s.size() * 2));
  f.write("WAVEfmt ", 8);
  u32(16);
  u16(1);
  u16(1);
  u32(8000);
  u32(16000);
  u16(2);
  u16(16);
  f.write("data", 4);
  u32(std::uint32_t(s.size() * 2));
  f.write(reinterpret_cast<const char*>(s.data()), std::streamsize(s.size() * 2));
}

// The PCMU audio of the RTP packets of `udp` sent to `dst_port`, as a WAV.
fs::path audio_to(const std::vector<psm::Udp>& udp, std::uint16_t dst_port, const fs::path& out) {
  std::vector<std::int16_t> s;
  for (auto& u : udp)
    if (u.dport == dst_port && u.payload.size() > 12 && (std::uint8_t(u.payload[1]) & 0x7f) == 0)
      for (std::size_t i = 12; i < u.payload.size(); ++i) s.push_back(ulaw(std::uint8_t(u.payload[i])));
  write_wav(out, s);
  return out;
}

// The SDP body of the first SIP message on the wire that starts with `start` and has `cseq`.
std::string sip_body(const std::vector<psm::Udp>& udp, const std::string& start, const std::string& cseq) {
  for (auto& u : udp) {
    if (u.payload.rfind(start, 0) != 0 || u.payload.find(cseq) == std::string::npos) continue;
    auto b = u.payload.find("\r\n\r\n");
    if (b != std::string::npos && b + 4 < u.payload.size()) return u.payload.substr(b + 4);
  }
  return {};
}

std::string field(const std::string& status_json, const std::string& key) {
  auto p = status_json.find("\"" + key + "\":\"");
  if (p == std::string::npos) return {};
  p += key.size() + 4;
  return status_json.substr(p, status_json.find('"', p) - p);
}

void expect_tone(const fs::path& wav, double hz, const std::string& who) {
  ASSERT_FALSE(wav.empty()) << who << ": no recording";
  auto t = psm::tone_of(wav);
  EXPECT_GT(t.samples, 8000) << who << ": less than a second of audio received";
  EXPECT_NEAR(t.hz, hz, 5.0) << who << ": tone frequency";
  EXPECT_GT(t.share, 0.2) << who << ": the spectrum is not dominated by the tone";
}

struct CallResult {
  std::vector<psm::Udp> wire;
  std::string status;  // last status line with a call in it
};

// baresip's ctrl_tcp: one command as a netstring (the UA puts the call on hold: a re-INVITE).
void ua_command(Lab& lab, const std::string& command) {
  std::string py = "import socket, json; s = socket.create_connection(('127.0.0.1', 4444)); "
                   "m = json.dumps({'command': '" + command + "', 'params': '', 'token': 't'}); "
                   "s.sendall(('%d:%s,' % (len(m), m)).encode()); s.settimeout(2); print(s.recv(4096))";
  lab.in_phone({psm::kPython, "-c", py}, "ctrl.out").wait(4000);
}

// The phone's UA (a.wav, 440 Hz) calls the far end (b.wav, 1000 Hz) for `secs` seconds; with
// hold_after_ms > 0 the UA puts the call on hold then and resumes it 600 ms later (two
// re-INVITEs: phonesec rekeys each time).
CallResult outbound_call(Lab& lab, std::vector<std::string> media_args, int secs, int hold_after_ms = 0,
                         bool via_daemon = false) {
  const std::string far = lab.net_ip();
  lab.baresip("b", far, 5080, "40000-40099", "b.wav",
              "<sip:b@" + far + ":5080>;regint=0;answermode=auto;mediaenc=srtp-mand;audio_codecs=pcmu");
  lab.baresip("a", "127.0.0.1", 5070, "30000-30099", "a.wav",
              "<sip:a@" + far + ":5080>;regint=0;outbound=\"sip:127.0.0.1:15060\";audio_codecs=pcmu",
              hold_after_ms ? "module ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:4444\n" : "");
  auto& b = lab.in_net({"baresip", "-f", (lab.dir() / "b").string(), "-t", std::to_string(secs + 4)}, "b.log");
  auto& cap = lab.capture("net.pcap");
  auto& media = via_daemon ? lab.daemon(far + ":5080") : lab.media(far + ":5080", "", std::move(media_args));
  for (int i = 0; i < 100 && pss::slurp(lab.dir() / "b.log").find("baresip is ready") == std::string::npos; ++i)
    std::this_thread::sleep_for(20ms);
  auto& a = lab.in_phone({"baresip", "-f", (lab.dir() / "a").string(), "-t", std::to_string(secs), "-e",
                          "/dial sip:b@" + far + ":5080"},
                         "a.log");
  if (hold_after_ms) {
    for (int i = 0; i < 200 && pss::slurp(lab.dir() / "a.log").find("Call established") == std::string::npos; ++i)
      std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(hold_after_ms));
    ua_command(lab, "hold");
    std::this_thread::sleep_for(600ms);
    ua_command(lab, "resume");  // a second re-INVITE: sendrecv again, keys renewed again
  }
  a.wait((secs + 5) * 1000);
  std::this_thread::sleep_for(300ms);
  CallResult r;
  std::string log = pss::slurp(lab.dir() / "media.log");
  // The status line of the established call (the last one has no call any more).
  for (std::size_t pos = 0; (pos = log.find("{\"lines\"", pos)) != std::string::npos;) {
    auto nl = log.find('\n', pos);
    std::string line = log.substr(pos, nl - pos);
    if (line.find("\"established\":true") != std::string::npos) r.status = line;
    pos = nl;
  }
  Lab::stop(media);
  Lab::stop(cap);
  Lab::stop(b);
  r.wire = psm::read_udp(lab.dir() / "net.pcap");
  return r;
}

// Every datagram to or from the RTP range on the uplink is SRTP/SRTCP: RTP packets carry the
// 160 PCMU bytes plus the suite's tag (a plain one is 172 bytes), and there are plenty each way.
void expect_only_srtp(const CallResult& r, const std::string& suite, const std::string& phone_ip) {
  std::size_t out = 0, in = 0, bad = 0;
  for (auto& u : r.wire) {
    bool ours_out = u.src == phone_ip && in_range(u.sport), ours_in = u.dst == phone_ip && in_range(u.dport);
    if (!ours_out && !ours_in) continue;
    bool rtcp = u.payload.size() > 1 && std::uint8_t(u.payload[1]) >= 192 && std::uint8_t(u.payload[1]) <= 223;
    if (rtcp) continue;  // SRTCP: checked by decryption
    if (u.payload.size() != 172 + tag_len(suite)) ++bad;
    (ours_out ? out : in)++;
  }
  EXPECT_GT(out, 50u) << "SRTP packets sent";
  EXPECT_GT(in, 50u) << "SRTP packets received";
  EXPECT_EQ(bad, 0u) << "datagrams in the RTP range that are not " << suite << " SRTP of 20 ms PCMU";
}

class MediaLab : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pss::in_path("baresip")) << "baresip not found (Debian package baresip-core)";
    ASSERT_TRUE(pss::in_path("tcpdump"));
    ASSERT_TRUE(fs::exists(psm::kPython)) << "Debian's python3 with python3-numpy is needed";
  }
};

TEST_F(MediaLab, CallThroughRelayToneEachWayOnlySrtpOnTheWireAndTheCaptureDecrypts) {
  Lab lab("call");
  ASSERT_EQ(lab.up(), "");
  auto r = outbound_call(lab, {}, 4);
  expect_tone(psm::decoded_wav(lab.dir() / "b" / "rec"), 440, "far end");
  expect_tone(psm::decoded_wav(lab.dir() / "a" / "rec"), 1000, "phone's UA");
  ASSERT_FALSE(r.status.empty()) << pss::slurp(lab.dir() / "media.log");
  EXPECT_EQ(field(r.status, "suite"), "AEAD_AES_256_GCM") << "the first offered suite the far end accepts";
  EXPECT_EQ(lab.last_status().find("\"calls\":0") != std::string::npos, true) << "call over, keys wiped";
  expect_only_srtp(r, "AEAD_AES_256_GCM", lab.phone_ip());

  // What leaves the phone offers SRTP only.
  std::string offer = sip_body(r.wire, "INVITE ", "INVITE"), answer = sip_body(r.wire, "SIP/2.0 200", "INVITE");
  ASSERT_NE(offer.find("RTP/SAVP"), std::string::npos) << offer;
  EXPECT_EQ(offer.find("RTP/AVP "), std::string::npos) << offer;
  EXPECT_NE(offer.find("a=crypto:"), std::string::npos);
  EXPECT_NE(offer.find("c=IN IP4 " + lab.phone_ip()), std::string::npos) << "media address is the relay's";
  EXPECT_EQ(offer.find("127.0.0.1"), std::string::npos) << "the UA's loopback address leaked: " << offer;

  // The capture decrypts with the keys of the SDP on the wire: PCMU of the tones, both ways.
  std::ofstream(lab.dir() / "offer.sdp") << offer;
  std::ofstream(lab.dir() / "answer.sdp") << answer;
  fs::path clear = lab.dir() / "clear.pcap";
  std::string cmd = psm::kMediaBin + " decrypt --sdp " + (lab.dir() / "offer.sdp").string() + " --sdp " +
                    (lab.dir() / "answer.sdp").string() + " --pcap " + (lab.dir() / "net.pcap").string() + " -o " +
                    clear.string() + " > " + (lab.dir() / "decrypt.log").string() + " 2>&1";
  ASSERT_EQ(psm::sh(cmd), 0) << pss::slurp(lab.dir() / "decrypt.log");
  auto plain = psm::read_udp(clear);
  std::uint16_t far_port = 0, our_port = 0;
  for (auto& u : plain)
    if (u.src == lab.phone_ip() && in_range(u.sport) && u.payload.size() == 172) {
      far_port = u.dport;
      our_port = u.sport;
    }
  ASSERT_NE(far_port, 0) << "no clear RTP after decryption";
  auto to_far = psm::tone_of(audio_to(plain, far_port, lab.dir() / "to_far.wav"));
  auto to_us = psm::tone_of(audio_to(plain, our_port, lab.dir() / "to_us.wav"));
  EXPECT_NEAR(to_far.hz, 440, 5) << "decrypted phone -> far end audio";
  EXPECT_NEAR(to_us.hz, 1000, 5) << "decrypted far end -> phone audio";

  // Wrong keys: a clear error, no output file.
  std::string bad = offer;
  auto k = bad.find("inline:");
  ASSERT_NE(k, std::string::npos);
  bad[k + 10] = bad[k + 10] == 'A' ? 'B' : 'A';
  auto k2 = bad.find("inline:", k + 1);  // every offered line: the chosen one is wrong whatever it is
  while (k2 != std::string::npos) {
    bad[k2 + 10] = bad[k2 + 10] == 'A' ? 'B' : 'A';
    k2 = bad.find("inline:", k2 + 1);
  }
  std::ofstream(lab.dir() / "bad.sdp") << bad;
  fs::path garbage = lab.dir() / "garbage.pcap";
  std::string cmd2 = psm::kMediaBin + " decrypt --sdp " + (lab.dir() / "bad.sdp").string() + " --sdp " +
                     (lab.dir() / "answer.sdp").string() + " --pcap " + (lab.dir() / "net.pcap").string() + " -o " +
                     garbage.string() + " > " + (lab.dir() / "decrypt2.log").string() + " 2>&1";
  EXPECT_NE(psm::sh(cmd2), 0);
  EXPECT_NE(pss::slurp(lab.dir() / "decrypt2.log").find("wrong keys"), std::string::npos)
      << pss::slurp(lab.dir() / "decrypt2.log");
  EXPECT_FALSE(fs::exists(garbage)) << "wrong keys must leave no output";
}

// The same call with the phone as it boots: phonesecd runs media security as its worker (as
// nobody, without capabilities); the UA hears the far end and only SRTP leaves.
TEST_F(MediaLab, CallThroughPhonesecdWorkerToneEachWayOnlySrtp) {
  Lab lab("pscd");
  ASSERT_EQ(lab.up(), "");
  auto r = outbound_call(lab, {}, 4, 0, /*via_daemon=*/true);
  expect_tone(psm::decoded_wav(lab.dir() / "b" / "rec"), 440, "far end");
  expect_tone(psm::decoded_wav(lab.dir() / "a" / "rec"), 1000, "phone's UA");
  expect_only_srtp(r, "AEAD_AES_256_GCM", lab.phone_ip());
  const std::string st = lab.daemon_status();
  EXPECT_NE(st.find("\"media\":{\"capabilities\":\"\""), std::string::npos) << st;
  EXPECT_NE(st.find("\"uid\":65534"), std::string::npos) << st;
  EXPECT_NE(pss::slurp(lab.dir() / "media.log").find("worker media started"), std::string::npos)
      << pss::slurp(lab.dir() / "media.log");
}

TEST_F(MediaLab, EachSuiteTheFarEndAcceptsIsNegotiatedInTurn) {
  // baresip answers four suites (it has no AES_256_CM_*); AEAD_AES_256_GCM is the default offer's
  // first and is negotiated by the call test above, the other three here.
  for (std::string suite : {"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM"}) {
    SCOPED_TRACE(suite);
    Lab lab("suite");
    ASSERT_EQ(lab.up(), "");
    auto r = outbound_call(lab, {"--suite", suite}, 2);
    ASSERT_FALSE(r.status.empty()) << pss::slurp(lab.dir() / "media.log");
    EXPECT_EQ(field(r.status, "suite"), suite);
    expect_tone(psm::decoded_wav(lab.dir() / "b" / "rec"), 440, "far end");
    expect_tone(psm::decoded_wav(lab.dir() / "a" / "rec"), 1000, "phone's UA");
    expect_only_srtp(r, suite, lab.phone_ip());
  }
}

// Auth_INVITE_1_: sipp (the far end) calls the phone's line; the phone's UA is baresip in
// auto-answer. Right credentials: challenged once, then the UA answers (SRTP answer on the
// wire). The same authenticated INVITE sent again (a replay): challenged again, never reaches the
// UA. A wrong password: 403 from phonesec, the UA never sees the INVITE.
TEST_F(MediaLab, AuthInviteRightWrongAndReplayedCredentials) {
  ASSERT_TRUE(pss::in_path("sipp")) << "sipp not found (Debian package sip-tester)";
  const std::string scen = std::string(PS_SOURCE_DIR) + "/tests/lab/media/scenarios/uac_auth.xml";
  for (bool right : {true, false}) {
    SCOPED_TRACE(right ? "right password" : "wrong password");
    Lab lab(right ? "auth-ok" : "auth-bad");
    ASSERT_EQ(lab.up(), "");
    const std::string far = lab.net_ip(), phone = lab.phone_ip();
    lab.baresip("a", "127.0.0.1", 5070, "30000-30099", "a.wav",
                "<sip:a@" + far + ":5080>;regint=0;answermode=auto;outbound=\"sip:127.0.0.1:15060\";audio_codecs=pcmu");
    auto& a = lab.in_phone({"baresip", "-f", (lab.dir() / "a").string(), "-t", "10"}, "a.log");
    auto& cap = lab.capture("net.pcap");
    auto& media = lab.media(far + ":5080",
                            "<Auth_INVITE_1_>Yes</Auth_INVITE_1_><User_ID_1_>a</User_ID_1_>"
                            "<Password_1_>s3cret</Password_1_>\n");
    for (int i = 0; i < 100 && pss::slurp(lab.dir() / "a.log").find("baresip is ready") == std::string::npos; ++i)
      std::this_thread::sleep_for(20ms);
    auto& sipp = lab.in_net({"sipp", "-sf", scen, "-i", far, "-p", "5090", "-m", "1", "-nostdin", "-timeout", "8s",
                             "-au", "a", "-ap", right ? "s3cret" : "wrong", phone + ":5060"},
                            "sipp.out");
    int rc = sipp.wait(12000);
    std::string replay_answer;
    if (right) {
      // Replay the authenticated INVITE exactly as it went over the wire.
      auto wire = psm::read_udp(lab.dir() / "net.pcap");
      std::string invite;
      for (auto& u : wire)
        if (u.payload.rfind("INVITE ", 0) == 0 && u.payload.find("Authorization:") != std::string::npos) invite = u.payload;
      ASSERT_FALSE(invite.empty()) << "no authenticated INVITE on the wire";
      std::ofstream(lab.dir() / "replay.sip", std::ios::binary) << invite;
      std::string py = "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('" + far +
                       "', 5091)); s.settimeout(3); s.sendto(open('" + (lab.dir() / "replay.sip").string() +
                       "','rb').read(), ('" + phone + "', 5060)); print(s.recv(65535).decode().split(chr(13))[0])";
      lab.in_net({psm::kPython, "-c", py}, "replay.out").wait(5000);
      replay_answer = pss::slurp(lab.dir() / "replay.out");
    }
    std::this_thread::sleep_for(200ms);
    std::string st = lab.last_status();
    Lab::stop(media);
    Lab::stop(cap);
    Lab::stop(a);
    std::string ua_log = pss::slurp(lab.dir() / "a.log");
    if (right) {
      EXPECT_EQ(rc, 0) << pss::slurp(lab.dir() / "sipp.out");
      EXPECT_NE(ua_log.find("Call established"), std::string::npos) << "the UA got the authenticated INVITE";
      EXPECT_NE(replay_answer.find("SIP/2.0 401"), std::string::npos) << "replayed INVITE: " << replay_answer;
      EXPECT_NE(st.find("\"auth_invite_refused\":2"), std::string::npos) << "first INVITE and the replay: " << st;
      auto calls = ua_log.find("Call established");
      EXPECT_EQ(ua_log.find("Call established", calls + 1), std::string::npos) << "the replay reached the UA";
    } else {
      EXPECT_NE(rc, 0) << "sipp must not get a 200 with a wrong password";
      EXPECT_NE(pss::slurp(lab.dir() / "sipp.out").find("403"), std::string::npos) << pss::slurp(lab.dir() / "sipp.out");
      EXPECT_EQ(ua_log.find("Call established"), std::string::npos) << "the UA must not see an INVITE with wrong credentials";
      EXPECT_NE(st.find("\"auth_invite_refused\":2"), std::string::npos) << st;
    }
  }
}

// sipp logs failed check_it / check_it_inverse to <scenario>_<pid>_errors.log; a failed check
// does not always fail the call, so the test reads the log.
std::string sipp_check_failures(const fs::path& dir) {
  std::string out;
  for (auto& f : fs::directory_iterator(dir)) {
    if (f.path().string().find("errors.log") == std::string::npos) continue;
    std::string log = pss::slurp(f.path());
    for (const char* k : {"Failed regexp match", "Regexp matched but should not"})
      for (size_t p = log.find(k); p != std::string::npos; p = log.find(k, p + 1)) out += log.substr(p, 160) + "\n";
  }
  return out;
}

struct RegistrarFlow {
  const char* name;
  const char* scenario;
  bool request;          // MediaSec_Request_1_
  bool tls = false;      // SIP_Transport_1_ TLS (sipp behind a TLS relay), MediaSec over TLS only
  bool tcp = false;      // SIP_Transport_1_ TCP (sipp -t t1)
};

// A throw-away certificate for "ms.test" (the proxy is reached by IP address: the name does not
// validate), and sipp's TLS front in the net namespace on port 5061.
void tls_front(Lab& lab) {
  ASSERT_EQ(psm::sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                    "-subj /CN=ms.test -keyout " + (lab.dir() / "key.pem").string() + " -out " +
                    (lab.dir() / "cert.pem").string() + " >/dev/null 2>&1"),
            0);
  lab.in_net({psm::kPython, std::string(PS_SOURCE_DIR) + "/tests/lab/srtp/tls_relay.py", "5061", "5090",
              (lab.dir() / "cert.pem").string(), (lab.dir() / "key.pem").string(), lab.net_ip()},
             "relay.out");
  std::this_thread::sleep_for(400ms);
}

class MediaLabRegistrar : public ::testing::TestWithParam<RegistrarFlow> {};

// The phone's UA registers and calls through phonesec-media; sipp plays the registrar/P-CSCF
// and checks, on the wire, what phonesec adds: Security-Client / Security-Verify per the flow,
// Require and Proxy-Require: mediasec, RTP/SAVP with a=crypto and a=3ge2ae:requested once agreed.
TEST_P(MediaLabRegistrar, RegisterThenSecuredInvite) {
  const RegistrarFlow f = GetParam();
  ASSERT_TRUE(pss::in_path("sipp")) << "sipp not found (Debian package sip-tester)";
  ASSERT_TRUE(pss::in_path("baresip"));
  Lab lab(std::string("reg-") + f.name);
  ASSERT_EQ(lab.up(), "");
  const std::string far = lab.net_ip();
  const std::string scen = std::string(PS_SOURCE_DIR) + "/tests/lab/media/scenarios/" + f.scenario;
  std::vector<std::string> argv = {"sipp", "-sf", scen, "-i", far, "-p", "5090", "-m", "2", "-nostdin", "-timeout",
                                   "10s", "-trace_err"};
  if (f.tls || f.tcp) argv.insert(argv.end(), {"-t", "t1"});
  auto& sipp = lab.in_net(argv, "sipp.out");
  std::string extra = std::string("<MediaSec_Request_1_>") + (f.request ? "Yes" : "No") + "</MediaSec_Request_1_>\n";
  std::vector<std::string> media_args;
  if (f.tls) {
    tls_front(lab);
    extra += "<SIP_Transport_1_>TLS</SIP_Transport_1_><TLS_Name_Validate_1_>No</TLS_Name_Validate_1_>"
             "<MediaSec_Over_TLS_Only_1_>Yes</MediaSec_Over_TLS_Only_1_>\n";
    media_args = {"--ca", (lab.dir() / "cert.pem").string()};
  }
  if (f.tcp) extra += "<SIP_Transport_1_>TCP</SIP_Transport_1_>\n";
  if (f.tcp) std::this_thread::sleep_for(300ms);  // sipp listening before the line connects
  auto& media = lab.media(far + (f.tls ? ":5061" : ":5090"), extra, media_args);
  if (f.tls) {
    EXPECT_NE(lab.last_status().find("\"transport\":\"tls\""), std::string::npos) << lab.last_status();
  }
  lab.baresip("a", "127.0.0.1", 5070, "30000-30099", "a.wav",
              "<sip:phone1@" + far + ":5090>;auth_pass=secret;outbound=\"sip:127.0.0.1:15060\";regint=600;"
              "audio_codecs=pcmu");
  lab.baresip("a2", "127.0.0.1", 5070, "30000-30099", "a.wav",
              "<sip:phone1@" + far + ":5090>;auth_pass=secret;outbound=\"sip:127.0.0.1:15060\";regint=0;"
              "audio_codecs=pcmu");
  // Register first (one baresip run, killed once registered so that it does not unregister),
  // then call (a second run: the line's MediaSec state lives in phonesec-media, not in the UA).
  auto& reg = lab.in_phone({"baresip", "-f", (lab.dir() / "a").string(), "-t", "20"}, "a-reg.log");
  for (int i = 0; i < 150 && pss::slurp(lab.dir() / "a-reg.log").find("200 OK") == std::string::npos; ++i)
    std::this_thread::sleep_for(20ms);
  kill(reg.pid(), SIGKILL);
  reg.wait(1000);
  std::string st = lab.last_status();
  EXPECT_NE(st.find("\"agreed\":true"), std::string::npos) << "MediaSec agreed after REGISTER: " << st;
  auto& call = lab.in_phone({"baresip", "-f", (lab.dir() / "a2").string(), "-t", "2", "-e",
                             "/dial sip:uas@" + far + ":5090"},
                            "a-call.log");
  call.wait(6000);
  int rc = sipp.wait(8000);
  Lab::stop(media);
  EXPECT_EQ(rc, 0) << pss::slurp(lab.dir() / "sipp.out");
  EXPECT_EQ(sipp_check_failures(lab.dir()), "") << "sipp checks failed";
  EXPECT_NE(pss::slurp(lab.dir() / "a-reg.log").find("200 OK"), std::string::npos)
      << "the UA registered: " << pss::slurp(lab.dir() / "a-reg.log");
  EXPECT_NE(pss::slurp(lab.dir() / "a-call.log").find("Call established"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Flows, MediaLabRegistrar,
                         ::testing::Values(RegistrarFlow{"client401", "registrar_401.xml", true},
                                           RegistrarFlow{"client494", "registrar_494.xml", true},
                                           RegistrarFlow{"server", "registrar_server.xml", false},
                                           RegistrarFlow{"client401_tls_only", "registrar_401.xml", true, true},
                                           RegistrarFlow{"client401_tcp", "registrar_401.xml", true, false, true}),
                         [](const auto& i) { return std::string(i.param.name); });

// SIP over TLS to a proxy whose certificate does not carry the name the line uses (an IP address
// against CN=ms.test) with TLS_Name_Validate_1_ = Yes: the line refuses the proxy and says why;
// the UA's REGISTER goes nowhere (sipp sees nothing).
TEST_F(MediaLab, TlsProxyWhoseNameDoesNotValidateIsRefused) {
  ASSERT_TRUE(pss::in_path("sipp"));
  Lab lab("tls-name");
  ASSERT_EQ(lab.up(), "");
  const std::string far = lab.net_ip();
  const std::string scen = std::string(PS_SOURCE_DIR) + "/tests/lab/media/scenarios/registrar_401.xml";
  auto& sipp = lab.in_net({"sipp", "-sf", scen, "-i", far, "-p", "5090", "-m", "1", "-nostdin", "-timeout", "3s",
                           "-t", "t1", "-trace_msg"},
                          "sipp.out");
  tls_front(lab);
  auto& media = lab.media(far + ":5061",
                          "<SIP_Transport_1_>TLS</SIP_Transport_1_><TLS_Name_Validate_1_>Yes</TLS_Name_Validate_1_>\n",
                          {"--ca", (lab.dir() / "cert.pem").string()});
  lab.baresip("a", "127.0.0.1", 5070, "30000-30099", "a.wav",
              "<sip:phone1@" + far + ":5090>;auth_pass=secret;outbound=\"sip:127.0.0.1:15060\";regint=600;"
              "audio_codecs=pcmu");
  lab.in_phone({"baresip", "-f", (lab.dir() / "a").string(), "-t", "2"}, "a.log").wait(5000);
  std::string st = lab.last_status();
  sipp.wait(5000);
  Lab::stop(media);
  EXPECT_NE(st.find("\"error\":"), std::string::npos) << st;
  EXPECT_NE(st.find("refused"), std::string::npos) << st;
  EXPECT_EQ(st.find("\"transport\":\"tls\",\"ua_side\""), std::string::npos);
  EXPECT_EQ(pss::slurp(lab.dir() / "a.log").find("200 OK"), std::string::npos) << "the UA registered";
  std::string msgs;
  for (auto& e : fs::directory_iterator(lab.dir()))
    if (e.path().string().find("_messages.log") != std::string::npos) msgs += pss::slurp(e.path());
  EXPECT_EQ(msgs.find("REGISTER"), std::string::npos) << "a REGISTER reached the proxy: " << msgs;
}

// Bodies of every SIP message on the wire starting with `start` whose CSeq names INVITE, in order.
std::vector<std::string> invite_bodies(const std::vector<psm::Udp>& udp, const std::string& start) {
  std::vector<std::string> out;
  for (auto& u : udp) {
    if (u.payload.rfind(start, 0) != 0 || u.payload.find(" INVITE\r\n") == std::string::npos) continue;
    auto b = u.payload.find("\r\n\r\n");
    if (b != std::string::npos && b + 4 < u.payload.size()) out.push_back(u.payload.substr(b + 4));
  }
  return out;
}

std::string decrypt(Lab& lab, const std::string& offer, const std::string& answer, const std::string& tag) {
  std::ofstream(lab.dir() / (tag + "-offer.sdp")) << offer;
  std::ofstream(lab.dir() / (tag + "-answer.sdp")) << answer;
  std::string log = (lab.dir() / (tag + ".log")).string();
  psm::sh(psm::kMediaBin + " decrypt --sdp " + (lab.dir() / (tag + "-offer.sdp")).string() + " --sdp " +
          (lab.dir() / (tag + "-answer.sdp")).string() + " --pcap " + (lab.dir() / "net.pcap").string() + " -o " +
          (lab.dir() / (tag + ".pcap")).string() + " > " + log + " 2>&1");
  return pss::slurp(log);
}

std::uint64_t count_after(const std::string& log, const std::string& what) {
  auto p = log.find(what);
  if (p == std::string::npos) return 0;
  auto s = log.rfind(' ', p - 2);
  return std::strtoull(log.c_str() + s + 1, nullptr, 10);
}

// The UA puts the call on hold and resumes it (two re-INVITEs): phonesec offers fresh keys each
// time, and what it sends is protected with the keys of the latest offer/answer — the capture's
// phone -> far end packets decrypt with the first offer/answer only before the re-INVITEs and
// with the last one only after them (each decryption drops the rest as unauthenticated).
TEST_F(MediaLab, ReInviteFromTheUaRekeys) {
  Lab lab("rekey");
  ASSERT_EQ(lab.up(), "");
  auto r = outbound_call(lab, {"--suite", "AES_CM_128_HMAC_SHA1_80"}, 4, 1200);
  auto offers = invite_bodies(r.wire, "INVITE "), answers = invite_bodies(r.wire, "SIP/2.0 200");
  ASSERT_EQ(offers.size(), 3u) << "INVITE and two re-INVITEs on the wire";
  ASSERT_GE(answers.size(), 3u);
  auto key = [](const std::string& sdp) {
    auto k = sdp.find("inline:");
    return k == std::string::npos ? std::string() : sdp.substr(k + 7, 40);
  };
  ASSERT_FALSE(key(offers[0]).empty());
  EXPECT_NE(key(offers[0]), key(offers[1])) << "the re-INVITE must carry a fresh key";
  EXPECT_NE(key(offers[1]), key(offers[2]));
  std::string before = decrypt(lab, offers[0], answers[0], "first");
  std::string after = decrypt(lab, offers[2], answers[answers.size() - 1], "last");
  EXPECT_GT(count_after(before, "RTP and"), 50u) << before;
  EXPECT_GT(count_after(before, "packets that failed authentication"), 20u) << "sent after the rekey: " << before;
  EXPECT_GT(count_after(after, "RTP and"), 50u) << after;
  EXPECT_GT(count_after(after, "packets that failed authentication"), 20u) << "sent before the rekey: " << after;
  EXPECT_NE(pss::slurp(lab.dir() / "media.log").find("rekeyed"), std::string::npos);
}

}  // namespace

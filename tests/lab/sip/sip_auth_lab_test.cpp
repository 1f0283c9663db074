// SPDX-License-Identifier: Apache-2.0
// Auth_INVITE_n_ against a real SIP peer: sipp (the proxy side) sends an initial INVITE to a
// UAS driven by InviteAuthenticator, in a private network namespace. sipp answers the 401
// digest challenge with the right credentials (200, call set up and torn down) and with a wrong
// password (403); a captured accepted INVITE replayed verbatim is challenged again. Root only.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "netns.h"
#include "sip/invite_auth.h"

using namespace phonesec;
using namespace phonesec::sip;
using namespace phonesec::test;

namespace {

const std::string kNs = "pspvsip";
const std::string kScenarios = PS_SOURCE_DIR "/tests/lab/sip/scenarios";

struct Namespace {
  Namespace() {
    sh("ip netns del " + kNs + " 2>/dev/null");
    sh_or_throw("ip netns add " + kNs + " && ip -n " + kNs + " link set lo up");
  }
  ~Namespace() { sh("ip netns del " + kNs + " 2>/dev/null"); }
};

// A phone line's UAS: answers INVITEs through the authenticator, 200 to accepted INVITEs and
// BYEs, ignores ACKs.
class Uas {
 public:
  explicit Uas(InviteAuthConfig c) : auth_(std::move(c), [] { return std::chrono::steady_clock::now(); }) {
    fd_ = socket_in(kNs, AF_INET, SOCK_DGRAM);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
    socklen_t l = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &l);
    port_ = ntohs(a.sin_port);
    th_ = std::thread([this] { loop(); });
  }
  ~Uas() {
    stop_ = true;
    th_.join();
    close(fd_);
  }
  std::uint16_t port() const { return port_; }
  std::atomic<int> challenged{0}, forbidden{0}, accepted{0}, replays{0}, stale{0};
  std::string accepted_raw() {
    std::lock_guard g(mu_);
    return accepted_raw_;
  }

 private:
  void loop() {
    char buf[8192];
    while (!stop_) {
      if (!wait_readable(fd_, 100)) continue;
      sockaddr_storage from{};
      socklen_t fl = sizeof from;
      auto n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0) continue;
      std::string raw(buf, std::size_t(n));
      auto m = parse(raw);
      if (!m || !m->is_request || m->method == "ACK") continue;
      std::string out;
      if (m->method == "INVITE") {
        auto d = auth_.on_request(*m);
        if (d.verdict == Verdict::accept) {
          ++accepted;
          {
            std::lock_guard g(mu_);
            accepted_raw_ = raw;
          }
          out = make_response(*m, 200, "OK", "uas1",
                              {"Contact: <sip:1001@127.0.0.1:" + std::to_string(port_) + ">"});
        } else {
          if (d.verdict == Verdict::forbidden)
            ++forbidden;
          else if (d.verdict == Verdict::replay)
            ++replays;
          else if (d.verdict == Verdict::stale)
            ++stale;
          else
            ++challenged;
          out = d.response;
        }
      } else {
        out = make_response(*m, 200, "OK", "uas1");
      }
      sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  }
  InviteAuthenticator auth_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread th_;
  std::mutex mu_;
  std::string accepted_raw_;
};

InviteAuthConfig line_cfg() {
  config::LineConfig l;
  l.auth_invite = true;
  l.user_id = "1001";
  l.proxy = "prov.test";
  l.password = SecretString("s3cret-pw");
  auto c = from_line(l);
  c.offer = {DigestAlg::MD5};  // sipp 3.6 answers MD5 digests only
  return c;
}

// sipp's exit code: 0 when every call followed the scenario.
int run_sipp(const std::string& scenario, std::uint16_t port, const std::string& password, std::string& log) {
  auto dir = std::filesystem::temp_directory_path() / ("pspvsip." + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string out = (dir / "sipp.out").string();
  int rc = sh("cd " + dir.string() + " && timeout 20 ip netns exec " + kNs + " sipp -sf " + kScenarios + "/" +
              scenario + " 127.0.0.1:" + std::to_string(port) + " -i 127.0.0.1 -s 1001 -au 1001 -ap '" +
              password + "' -m 1 -nostdin -timeout 15 -trace_err > " + out + " 2>&1");
  log.clear();
  for (auto& f : std::filesystem::directory_iterator(dir))
    if (f.path().extension() == ".log" || f.path().extension() == ".out") {
      std::ifstream in(f.path());
      log +=
          f.path().filename().string() + ":\n" + std::string(std::istreambuf_iterator<char>(in), {}) + "\n";
    }
  std::filesystem::remove_all(dir);
  return rc;
}

}  // namespace

TEST(SipAuthLab, SippAnswersChallengeWithRightCredentials) {
  ASSERT_EQ(sh("command -v sipp >/dev/null"), 0) << "sipp (Debian sip-tester) not found in PATH";
  Namespace ns;
  Uas uas(line_cfg());
  std::string log;
  EXPECT_EQ(run_sipp("uac_invite_auth_200.xml", uas.port(), "s3cret-pw", log), 0) << log;
  EXPECT_EQ(uas.challenged, 1);
  EXPECT_EQ(uas.accepted, 1);
  EXPECT_EQ(uas.forbidden, 0);

  // The accepted INVITE, replayed verbatim (same nonce, same nc), is not accepted again.
  std::string raw = uas.accepted_raw();
  ASSERT_NE(raw.find("Authorization: Digest"), std::string::npos) << raw;
  EXPECT_NE(raw.find("algorithm=MD5"), std::string::npos);
  int s = socket_in(kNs, AF_INET, SOCK_DGRAM);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(uas.port());
  ASSERT_EQ(sendto(s, raw.data(), raw.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            ssize_t(raw.size()));
  ASSERT_TRUE(wait_readable(s, 2000));
  char buf[4096];
  auto n = recv(s, buf, sizeof buf, 0);
  close(s);
  ASSERT_GT(n, 0);
  auto resp = parse(std::string(buf, std::size_t(n)));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 401);
  EXPECT_EQ(uas.accepted, 1);
  EXPECT_EQ(uas.replays, 1);
}

TEST(SipAuthLab, SippWithWrongPasswordIsForbidden) {
  ASSERT_EQ(sh("command -v sipp >/dev/null"), 0) << "sipp (Debian sip-tester) not found in PATH";
  Namespace ns;
  Uas uas(line_cfg());
  std::string log;
  EXPECT_EQ(run_sipp("uac_invite_auth_403.xml", uas.port(), "not-the-password", log), 0) << log;
  EXPECT_EQ(uas.challenged, 1);
  EXPECT_EQ(uas.forbidden, 1);
  EXPECT_EQ(uas.accepted, 0);
  // The right-credentials scenario fails against a wrong password: the test can fail.
  Uas uas2(line_cfg());
  EXPECT_NE(run_sipp("uac_invite_auth_200.xml", uas2.port(), "not-the-password", log), 0);
  EXPECT_EQ(uas2.accepted, 0);
}

TEST(SipAuthLab, AnswerAfterNonceExpiryIsStale) {
  ASSERT_EQ(sh("command -v sipp >/dev/null"), 0) << "sipp (Debian sip-tester) not found in PATH";
  Namespace ns;
  auto c = line_cfg();
  c.nonce_lifetime = std::chrono::seconds(1);  // sipp waits 2.2 s before answering
  Uas uas(std::move(c));
  std::string log;
  EXPECT_EQ(run_sipp("uac_invite_auth_401_stale.xml", uas.port(), "s3cret-pw", log), 0) << log;
  EXPECT_EQ(uas.challenged, 1);
  EXPECT_EQ(uas.stale, 1);
  EXPECT_EQ(uas.accepted, 0);
}

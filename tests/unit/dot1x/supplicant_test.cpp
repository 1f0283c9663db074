// SPDX-License-Identifier: Apache-2.0
// SUPP_PAE / SUPP_BE / EAP peer driven by a scripted authenticator and a fake clock: EAPOL-Start
// at link up and its retransmission, identity, method rounds, Success/Failure, HELD, authPeriod
// timeout, re-authentication, Nak, malformed and foreign frames dropped and counted.
#include <gtest/gtest.h>

#include "dot1x/supplicant.h"

namespace phonesec::dot1x {
namespace {

using namespace std::chrono_literals;
const Mac kAuth{0x02, 0, 0, 0, 0x0a, 0x01};
const Mac kPhone{0x02, 0, 0, 0, 0x05, 0x01};
const Mac kPc{0x02, 0, 0, 0, 0x0c, 0x01};
constexpr uint8_t kFakeType = eap_type::md5;

// Answers each request with "r<n>"; done with COND_SUCC after `rounds` requests.
class FakeMethod final : public EapMethod {
 public:
  explicit FakeMethod(int rounds) : rounds_(rounds) {}
  uint8_t type() const override { return kFakeType; }
  std::optional<Bytes> process(const EapPacket& req, MethodRet& ret) override {
    if (!req.data.empty() && req.data[0] == 0xff) {  // "malformed for this method"
      ret.ignore = true;
      return std::nullopt;
    }
    ++seen_;
    ret.state = seen_ >= rounds_ ? MethodState::done : MethodState::may_cont;
    ret.decision = seen_ >= rounds_ ? Decision::cond_succ : Decision::fail;
    Bytes d{'r', uint8_t('0' + seen_)};
    return build_eap(EapCode::response, req.id, kFakeType, d);
  }

 private:
  int rounds_;
  int seen_ = 0;
};

class SuppTest : public ::testing::Test {
 protected:
  SuppTest() {
    SupplicantConfig c;
    c.own_mac = kPhone;
    c.timers = PaeTimers{1000ms, 3, 5000ms, 2000ms};
    c.eap.identity = "phone-SEP001122334455";
    c.eap.methods = {kFakeType};
    c.eap.client_timeout = 60000ms;
    supp = std::make_unique<Supplicant>(
        c, clock, [this](uint8_t t) -> std::unique_ptr<EapMethod> { return t == kFakeType ? std::make_unique<FakeMethod>(2) : nullptr; },
        [this](ByteView f) { sent.emplace_back(f.begin(), f.end()); });
  }
  // The last frame sent, parsed (dst must be the PAE group address, src the phone).
  EapolFrame last() {
    EXPECT_FALSE(sent.empty());
    auto f = parse_eapol(sent.back());
    EXPECT_TRUE(f);
    EXPECT_EQ(f->src, kPhone);
    EXPECT_EQ(f->dst, kPaeGroupAddr);
    return *f;
  }
  EapPacket last_eap() {
    last_frame = sent.back();
    auto f = parse_eapol(last_frame);
    auto p = parse_eap(f->body);
    EXPECT_TRUE(p);
    return *p;
  }
  void from_auth(const Bytes& eap, const Mac& dst = kPaeGroupAddr, const Mac& src = kAuth) {
    supp->receive_frame(build_eapol(dst, src, 2, EapolType::eap_packet, eap));
  }
  void advance(Millis d) {
    clock.advance(d);
    supp->tick();
  }
  void authenticate() {
    supp->set_port_enabled(true);
    from_auth(build_eap(EapCode::request, 1, eap_type::identity, {}));
    from_auth(build_eap(EapCode::request, 2, kFakeType, as_bytes("c1")));
    from_auth(build_eap(EapCode::request, 3, kFakeType, as_bytes("c2")));
    from_auth(build_eap_success_failure(EapCode::success, 3));
  }

  FakeClock clock;
  std::vector<Bytes> sent;
  Bytes last_frame;
  std::unique_ptr<Supplicant> supp;
};

TEST_F(SuppTest, LinkDownNothingSentThenStartAtLinkUp) {
  supp->tick();
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(supp->status().transaction, "Authenticating");
  EXPECT_FALSE(supp->status().link_up);
  supp->set_port_enabled(true);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(last().type, EapolType::start);
  EXPECT_EQ(last().version, 2);
  EXPECT_EQ(supp->pae_state(), SuppPaeState::CONNECTING);
}

TEST_F(SuppTest, StartRetransmittedEveryStartPeriodThenAuthorizedWithoutAuthenticator) {
  supp->set_port_enabled(true);
  ASSERT_EQ(supp->next_deadline(), clock.now() + 1000ms);
  advance(999ms);
  EXPECT_EQ(sent.size(), 1u);
  advance(1ms);
  EXPECT_EQ(sent.size(), 2u);
  advance(1000ms);
  EXPECT_EQ(sent.size(), 3u);
  for (auto& f : sent) EXPECT_EQ(parse_eapol(f)->type, EapolType::start);
  // maxStart (3) Starts unanswered: 802.1X-2010 lets the port go authorized (no authenticator).
  advance(1000ms);
  EXPECT_EQ(sent.size(), 3u);
  EXPECT_EQ(supp->pae_state(), SuppPaeState::AUTHENTICATED);
  EXPECT_EQ(supp->counters().tx_start, 3u);
  EXPECT_EQ(supp->status().reason, "no authenticator answered 3 EAPOL-Start: port open without 802.1X");
  EXPECT_EQ(supp->status().protocol, "");
}

TEST_F(SuppTest, FullExchangeIdentityMethodSuccess) {
  supp->set_port_enabled(true);
  from_auth(build_eap(EapCode::request, 1, eap_type::identity, {}));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(last().type, EapolType::eap_packet);
  auto r = last_eap();
  EXPECT_EQ(r.code, EapCode::response);
  EXPECT_EQ(r.id, 1);
  EXPECT_EQ(r.type, eap_type::identity);
  EXPECT_EQ(std::string(r.data.begin(), r.data.end()), "phone-SEP001122334455");
  EXPECT_EQ(supp->pae_state(), SuppPaeState::AUTHENTICATING);

  from_auth(build_eap(EapCode::request, 2, kFakeType, as_bytes("c1")));
  r = last_eap();
  EXPECT_EQ(r.id, 2);
  EXPECT_EQ(r.type, kFakeType);
  EXPECT_EQ(std::string(r.data.begin(), r.data.end()), "r1");
  // A repeated request (same identifier) gets the same response again, not a new method round.
  from_auth(build_eap(EapCode::request, 2, kFakeType, as_bytes("c1")));
  EXPECT_EQ(sent.size(), 4u);
  EXPECT_EQ(std::string(last_eap().data.begin(), last_eap().data.end()), "r1");
  from_auth(build_eap(EapCode::request, 3, kFakeType, as_bytes("c2")));
  EXPECT_EQ(std::string(last_eap().data.begin(), last_eap().data.end()), "r2");
  EXPECT_FALSE(supp->authorized());
  from_auth(build_eap_success_failure(EapCode::success, 3));
  EXPECT_EQ(supp->pae_state(), SuppPaeState::AUTHENTICATED);
  EXPECT_TRUE(supp->authorized());
  auto s = supp->status();
  EXPECT_EQ(s.transaction, "Authenticated");
  EXPECT_EQ(s.supp_pae, "AUTHENTICATED");
  EXPECT_EQ(s.eap, "SUCCESS");
  EXPECT_EQ(s.authenticator, "02:00:00:00:0a:01");
  EXPECT_EQ(s.counters.auth_success, 1u);
  EXPECT_EQ(s.counters.tx_response, 4u);
  EXPECT_EQ(sent.size(), 5u) << "nothing sent after Success";
  // Stable: time passing changes nothing.
  advance(100000ms);
  EXPECT_EQ(supp->pae_state(), SuppPaeState::AUTHENTICATED);
  EXPECT_EQ(sent.size(), 5u);
}

TEST_F(SuppTest, SuccessBeforeTheMethodFinishedIsAFailure) {
  supp->set_port_enabled(true);
  from_auth(build_eap(EapCode::request, 1, eap_type::identity, {}));
  from_auth(build_eap(EapCode::request, 2, kFakeType, as_bytes("c1")));
  from_auth(build_eap_success_failure(EapCode::success, 2));  // decision still FAIL
  EXPECT_EQ(supp->pae_state(), SuppPaeState::HELD);
  EXPECT_FALSE(supp->authorized());
}

TEST_F(SuppTest, FailureHoldsForHeldPeriodWithReasonThenStartsAgain) {
  supp->set_port_enabled(true);
  from_auth(build_eap(EapCode::request, 1, eap_type::identity, {}));
  from_auth(build_eap_success_failure(EapCode::failure, 1));
  EXPECT_EQ(supp->pae_state(), SuppPaeState::HELD);
  auto s = supp->status();
  EXPECT_EQ(s.transaction, "Held");
  EXPECT_EQ(s.reason, "EAP-Failure from the authentication server");
  EXPECT_EQ(s.counters.auth_failure, 1u);
  const size_t n = sent.size();
  advance(4999ms);
  EXPECT_EQ(sent.size(), n);
  EXPECT_EQ(supp->pae_state(), SuppPaeState::HELD);
  advance(1ms);
  EXPECT_EQ(supp->pae_state(), SuppPaeState::CONNECTING);
  ASSERT_EQ(sent.size(), n + 1);
  EXPECT_EQ(last().type, EapolType::start);
  // The new attempt can succeed.
  from_auth(build_eap(EapCode::request, 10, eap_type::identity, {}));
  from_auth(build_eap(EapCode::request, 11, kFakeType, {}));
  from_auth(build_eap(EapCode::request, 12, kFakeType, {}));
  from_auth(build_eap_success_failure(EapCode::success, 12));
  EXPECT_EQ(supp->status().transaction, "Authenticated");
  EXPECT_EQ(supp->status().reason, "");
}

TEST_F(SuppTest, AuthPeriodTimeoutRestartsWithStart) {
  supp->set_port_enabled(true);
  from_auth(build_eap(EapCode::request, 1, eap_type::identity, {}));
  const size_t n = sent.size();
  advance(1999ms);
  EXPECT_EQ(sent.size(), n);
  advance(1ms);
  EXPECT_EQ(supp->counters().auth_timeout, 1u);
  EXPECT_EQ(supp->pae_state(), SuppPaeState::CONNECTING);
  ASSERT_EQ(sent.size(), n + 1);
  EXPECT_EQ(last().type, EapolType::start);
  EXPECT_NE(supp->status().reason.find("authPeriod"), std::string::npos);
}

TEST_F(SuppTest, ReauthenticationOnRequestAndFromTheServer) {
  authenticate();
  ASSERT_TRUE(supp->authorized());
  const size_t n = sent.size();
  supp->reauthenticate();
  ASSERT_EQ(sent.size(), n + 1);
  EXPECT_EQ(last().type, EapolType::start);
  EXPECT_EQ(supp->status().transaction, "Authenticating");
  from_auth(build_eap(EapCode::request, 20, eap_type::identity, {}));
  from_auth(build_eap(EapCode::request, 21, kFakeType, {}));
  from_auth(build_eap(EapCode::request, 22, kFakeType, {}));
  from_auth(build_eap_success_failure(EapCode::success, 22));
  EXPECT_TRUE(supp->authorized());
  EXPECT_EQ(supp->counters().auth_success, 2u);
  // Server-initiated: a Request/Identity while authenticated restarts the conversation.
  from_auth(build_eap(EapCode::request, 30, eap_type::identity, {}));
  EXPECT_EQ(last_eap().type, eap_type::identity);
  EXPECT_EQ(last_eap().id, 30);
  EXPECT_EQ(supp->pae_state(), SuppPaeState::AUTHENTICATING);
}

TEST_F(SuppTest, NakListsOurMethodWhenTheServerProposesAnother) {
  supp->set_port_enabled(true);
  from_auth(build_eap(EapCode::request, 1, eap_type::identity, {}));
  from_auth(build_eap(EapCode::request, 2, eap_type::fast, Bytes{0x21}));
  auto r = last_eap();
  EXPECT_EQ(r.type, eap_type::nak);
  EXPECT_EQ(r.id, 2);
  ASSERT_EQ(r.data.size(), 1u);
  EXPECT_EQ(r.data[0], kFakeType);
  EXPECT_NE(supp->eap().reason().find("not allowed"), std::string::npos);
}

TEST_F(SuppTest, MalformedUnexpectedAndForeignFramesAreDroppedAndCounted) {
  supp->set_port_enabled(true);
  from_auth(build_eap(EapCode::request, 1, eap_type::identity, {}));
  const size_t n = sent.size();
  // Truncated EAPOL, EAP with a bad Length, an EAP Response, an EAPOL-Key, a request for the
  // PC (unicast to its MAC), a frame from a learned PC, a request the method rejects.
  supp->receive_frame(Bytes{1, 2, 3});
  supp->receive_frame(build_eapol(kPaeGroupAddr, kAuth, 2, EapolType::eap_packet, Bytes{1, 5, 0, 200, 4}));
  from_auth(build_eap(EapCode::response, 5, eap_type::identity, {}));
  supp->receive_frame(build_eapol(kPaeGroupAddr, kAuth, 2, EapolType::key, Bytes(10)));
  from_auth(build_eap(EapCode::request, 6, eap_type::identity, {}), kPc);
  supp->add_foreign_mac(kPc);
  supp->receive_frame(build_eapol(kPaeGroupAddr, kPc, 2, EapolType::start, {}));
  from_auth(build_eap(EapCode::request, 7, kFakeType, Bytes{0xff}));
  EXPECT_EQ(sent.size(), n) << "nothing answered";
  const auto& c = supp->counters();
  EXPECT_EQ(c.rx_malformed, 2u);
  EXPECT_EQ(c.rx_unexpected, 2u);
  EXPECT_EQ(c.rx_not_ours, 2u);
  EXPECT_EQ(c.rx_discarded, 1u);
  // Still in the conversation: the next good request is answered.
  from_auth(build_eap(EapCode::request, 8, kFakeType, {}));
  EXPECT_EQ(sent.size(), n + 1);
  EXPECT_EQ(last_eap().id, 8);
}

TEST_F(SuppTest, LinkDownDeauthorizesAndLogoffIsSent) {
  authenticate();
  supp->set_port_enabled(false);
  EXPECT_FALSE(supp->authorized());
  EXPECT_EQ(supp->pae_state(), SuppPaeState::DISCONNECTED);
  supp->set_port_enabled(true);
  supp->set_user_logoff(true);
  EXPECT_EQ(last().type, EapolType::logoff);
  EXPECT_EQ(supp->status().transaction, "Held");
  EXPECT_EQ(supp->status().reason, "logged off");
}

TEST(Status, DisabledAndJson) {
  Dot1xStatus s;
  s.transaction = "Disabled";
  EXPECT_EQ(to_string(s), "Device Authentication: Off\nTransaction Status: Disabled\nProtocol: None\n");
  s.enabled = true;
  s.transaction = "Held";
  s.reason = "bad \"cert\"\n";
  const std::string j = to_json(s);
  EXPECT_NE(j.find("\"reason\":\"bad \\\"cert\\\"\\n\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"transaction\":\"Held\""), std::string::npos);
}

}  // namespace
}  // namespace phonesec::dot1x

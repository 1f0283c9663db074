// SPDX-License-Identifier: Apache-2.0
// The 802.1X supplicant: SUPP_PAE and SUPP_BE of IEEE 802.1X-2010 (clause 8, figures 8-17 and
// 8-18, with the 2004 variable names) wired to the RFC 4137 EAP peer. Pure: frames come in as
// raw Ethernet bytes (receive_frame), go out through the injected send callback, and time is
// the injected Clock. The owner calls tick() at next_deadline() and after every input.
#pragma once

#include <functional>
#include <optional>
#include <set>

#include "dot1x/clock.h"
#include "dot1x/eap_peer.h"
#include "dot1x/eapol.h"
#include "dot1x/status.h"

namespace phonesec::dot1x {

enum class SuppPaeState {
  DISCONNECTED,
  LOGOFF,
  CONNECTING,
  AUTHENTICATING,
  AUTHENTICATED,
  HELD,
  RESTART,
  S_FORCE_AUTH,
  S_FORCE_UNAUTH,
};
enum class SuppBeState { INITIALIZE, IDLE, REQUEST, RESPONSE, RECEIVE, FAIL, TIMEOUT, SUCCESS };
enum class PortControl { Auto, ForceAuthorized, ForceUnauthorized };
std::string_view to_string(SuppPaeState s);
std::string_view to_string(SuppBeState s);

// 802.1X-2010 default timer values; tunable so tests run fast.
struct PaeTimers {
  Millis start_period{30000};  // startPeriod
  unsigned max_start = 3;      // maxStart
  Millis held_period{60000};   // heldPeriod
  Millis auth_period{30000};   // authPeriod
};

struct SupplicantConfig {
  Mac own_mac{};
  uint8_t eapol_version = 2;
  PaeTimers timers;
  PortControl port_control = PortControl::Auto;
  EapPeerConfig eap;
};

using SendFrame = std::function<void(ByteView frame)>;

class Supplicant {
 public:
  Supplicant(SupplicantConfig cfg, const Clock& clock, MethodFactory factory, SendFrame send);

  // Lower-layer events.
  void set_port_enabled(bool up);          // link up/down of the uplink
  void set_user_logoff(bool logoff);
  void set_port_control(PortControl pc);
  void reauthenticate();                   // restart authentication now (re-auth on request)
  void receive_frame(ByteView frame);      // a raw Ethernet frame seen on the uplink
  void tick();                             // run the machines until stable
  std::optional<TimePoint> next_deadline() const;

  // Stations behind the phone: frames from or to them are never handled by the phone.
  void add_foreign_mac(const Mac& m) { foreign_.insert(m); }
  void remove_foreign_mac(const Mac& m) { foreign_.erase(m); }

  SuppPaeState pae_state() const { return pae_; }
  SuppBeState be_state() const { return be_; }
  const EapPeer& eap() const { return eap_; }
  bool authorized() const { return port_authorized_; }
  Dot1xStatus status() const;
  Dot1xCounters& counters() { return counters_; }
  const Dot1xCounters& counters() const { return counters_; }
  const Mac& own_mac() const { return cfg_.own_mac; }

 private:
  bool step_pae();
  bool step_be();
  void enter_pae(SuppPaeState s);
  void enter_be(SuppBeState s);
  void tx(EapolType type, ByteView body);
  bool expired(TimePoint t) const { return clock_.now() >= t; }

  SupplicantConfig cfg_;
  const Clock& clock_;
  SendFrame send_;
  EapLowerLayer ll_;
  EapPeer eap_;
  SuppPaeState pae_ = SuppPaeState::DISCONNECTED;
  SuppBeState be_ = SuppBeState::INITIALIZE;
  bool pae_entered_ = false;

  // 802.1X-2010 clause 8 variables
  bool initialize_ = false;
  bool user_logoff_ = false;
  bool logoff_sent_ = false;
  unsigned start_count_ = 0;
  bool eapol_eap_ = false;
  bool supp_abort_ = false;
  bool supp_start_ = false;
  bool supp_success_ = false;
  bool supp_fail_ = false;
  bool supp_timeout_ = false;
  bool port_valid_ = true;   // no MACsec on a wired phone port
  bool port_authorized_ = false;
  PortControl s_port_mode_ = PortControl::Auto;
  TimePoint start_when_{}, held_while_{}, auth_while_{};
  bool auth_while_running_ = false;

  std::set<Mac> foreign_;
  Mac authenticator_{};
  bool seen_authenticator_ = false;
  std::string reason_;
  uint8_t protocol_ = 0;
  std::optional<TimePoint> attempt_started_;
  int64_t last_auth_ms_ = -1;
  Dot1xCounters counters_;
};

}  // namespace phonesec::dot1x

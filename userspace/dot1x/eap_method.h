// SPDX-License-Identifier: Apache-2.0
// The interface between the RFC 4137 EAP peer state machine and one EAP method (the
// m.check/m.process/m.getKey calls of RFC 4137 section 4.1). Methods are also used inside the
// EAP-FAST tunnel (MSCHAPv2, GTC) through the same interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dot1x/bytes.h"
#include "dot1x/eapol.h"

namespace phonesec::dot1x {

enum class MethodState { none, init, cont, may_cont, done };
enum class Decision { fail, cond_succ, uncond_succ };
std::string_view to_string(MethodState s);
std::string_view to_string(Decision d);

struct MethodRet {
  bool ignore = false;
  MethodState state = MethodState::cont;
  Decision decision = Decision::fail;
  bool allow_notifications = true;
};

class EapMethod {
 public:
  virtual ~EapMethod() = default;
  virtual uint8_t type() const = 0;
  // Processes one Request of this method; returns the whole EAP Response packet, or nullopt
  // with ret.ignore set when the request is dropped (malformed, unexpected).
  virtual std::optional<Bytes> process(const EapPacket& req, MethodRet& ret) = 0;
  virtual bool key_available() const { return false; }
  virtual SecretBytes key() const { return {}; }
  // Why the method failed or ignored the last request (certificate rejected, alert, bad
  // MSCHAPv2 authenticator response…); empty if nothing to say. Never contains secrets.
  virtual std::string reason() const { return {}; }
  // Asked once when the exchange ends in EAP-Failure: the best explanation from how far the
  // method got (a server may fail it without saying why). Defaults to reason().
  virtual std::string failure_reason() const { return reason(); }
  // True once the method wants an immediate new attempt after an EAP-Failure (EAP-FAST:
  // a PAC was provisioned anonymously, which ends in EAP-Failure by design).
  virtual bool retry_immediately() const { return false; }
};

using MethodFactory = std::function<std::unique_ptr<EapMethod>(uint8_t type)>;

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// EAP-GTC peer (RFC 3748 section 5.6) as used inside EAP-FAST: the request starts with
// "CHALLENGE=", the response is "RESPONSE=" user NUL password. No key (ISK = zeros).
#pragma once

#include "dot1x/eap_method.h"

namespace phonesec::dot1x {

class EapGtc final : public EapMethod {
 public:
  EapGtc(std::string user, SecretString password) : user_(std::move(user)), password_(std::move(password)) {}
  uint8_t type() const override { return eap_type::gtc; }
  std::optional<Bytes> process(const EapPacket& req, MethodRet& ret) override {
    static constexpr std::string_view kPrefix = "CHALLENGE=";
    if (req.data.size() < kPrefix.size() || std::string_view(reinterpret_cast<const char*>(req.data.data()), kPrefix.size()) != kPrefix) {
      reason_ = "GTC request without the CHALLENGE= prefix EAP-FAST requires";
      ret.ignore = true;
      return std::nullopt;
    }
    Bytes d(as_bytes("RESPONSE=").begin(), as_bytes("RESPONSE=").end());
    append(d, as_bytes(user_));
    d.push_back(0);
    append(d, as_bytes(password_.reveal()));
    Bytes r = build_eap(EapCode::response, req.id, eap_type::gtc, d);
    secure_wipe(d.data(), d.size());
    ret.state = MethodState::done;
    ret.decision = Decision::cond_succ;
    return r;
  }
  std::string reason() const override { return reason_; }

 private:
  std::string user_;
  SecretString password_;
  std::string reason_;
};

}  // namespace phonesec::dot1x

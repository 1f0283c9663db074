// SPDX-License-Identifier: Apache-2.0
// MS-CHAPv2 (RFC 2759) and its MPPE keys (RFC 3079) for the EAP-FAST inner method, plus the
// EAP-MSCHAPv2 peer (draft-kamath-pppext-eap-mschapv2). MD4 and single DES live only in
// OpenSSL 3's legacy provider: they are fetched from a private library context, never from the
// process-wide one.
#pragma once

#include <array>
#include <optional>

#include "common/result.h"
#include "common/secure.h"
#include "dot1x/eap_method.h"

namespace phonesec::dot1x {

namespace mschapv2 {
// Loads the legacy provider and fetches MD4/DES now rather than during the first exchange.
bool warm_up();
// MD4(UTF-16LE(password)); ASCII/Latin-1 passwords (as the phone's UI allows).
Result<SecretBytes> nt_password_hash(const SecretString& password);
Result<Bytes> generate_nt_response(ByteView auth_challenge, ByteView peer_challenge, std::string_view user,
                                   const SecretBytes& pw_hash);
// "S=" + 40 upper-case hex digits.
Result<std::string> authenticator_response(const SecretBytes& pw_hash, ByteView nt_response, ByteView peer_challenge,
                                           ByteView auth_challenge, std::string_view user);
// The 32-byte MSK the EAP-MSCHAPv2 peer exports: client send key ‖ client receive key.
Result<SecretBytes> peer_msk(const SecretBytes& pw_hash, ByteView nt_response);
}  // namespace mschapv2

class EapMschapv2 final : public EapMethod {
 public:
  // Fixed challenges: EAP-FAST anonymous provisioning (RFC 5422 section 3.2.3) takes both from
  // the tunnel key block and ignores the one in the Challenge packet.
  EapMschapv2(std::string user, SecretString password, std::optional<std::array<uint8_t, 16>> server_challenge = {},
              std::optional<std::array<uint8_t, 16>> peer_challenge = {})
      : user_(std::move(user)), password_(std::move(password)), fixed_server_(server_challenge), fixed_peer_(peer_challenge) {}
  uint8_t type() const override { return eap_type::mschapv2; }
  std::optional<Bytes> process(const EapPacket& req, MethodRet& ret) override;
  bool key_available() const override { return success_ && !msk_.empty(); }
  SecretBytes key() const override { return msk_; }
  std::string reason() const override { return reason_; }

 private:
  std::string user_;
  SecretString password_;
  std::optional<std::array<uint8_t, 16>> fixed_server_, fixed_peer_;
  std::array<uint8_t, 16> auth_challenge_{}, peer_challenge_{};
  Bytes nt_response_;
  SecretBytes pw_hash_;
  SecretBytes msk_;
  bool success_ = false;
  std::string reason_;
};

}  // namespace phonesec::dot1x

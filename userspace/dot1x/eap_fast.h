// SPDX-License-Identifier: Apache-2.0
// EAP-FAST peer (RFC 4851) with PAC provisioning (RFC 5422): anonymous (ADH, MSCHAPv2 with
// challenges from the key block, ends in EAP-Failure by design and retries at once with the
// new PAC) and server-authenticated (certificate, then a Tunnel PAC requested); PAC use through
// the ClientHello SessionTicket extension and the session-secret callback (the OpenSSL 3 way,
// as wpa_supplicant does). Inner methods: EAP-MSCHAPv2 and EAP-GTC; Crypto-Binding checked.
#pragma once

#include <memory>

#include "dot1x/eap_fast_tlv.h"
#include "dot1x/eap_method.h"
#include "dot1x/pac_store.h"
#include "dot1x/tls_conn.h"
#include "dot1x/tls_framing.h"

namespace phonesec::dot1x {

struct FastConfig {
  bool allow_anonymous = true;       // provisioning without server authentication (ADH)
  bool allow_authenticated = true;   // provisioning with the server's certificate
  uint8_t inner = eap_type::mschapv2;  // or eap_type::gtc
  std::string user;                  // inner identity
  SecretString password;
};

// TLS contexts, built once: `authenticated` verifies the server (CA) and is used with a PAC and
// for authenticated provisioning; `anonymous` offers ADH-AES128-SHA at security level 0.
struct FastContexts {
  SSL_CTX* authenticated = nullptr;
  SSL_CTX* anonymous = nullptr;
};

class EapFast final : public EapMethod {
 public:
  EapFast(FastConfig cfg, FastContexts ctx, PacStore& store, size_t fragment_size)
      : cfg_(std::move(cfg)), ctx_(ctx), store_(store), framing_(eap_type::fast, fragment_size) {}
  uint8_t type() const override { return eap_type::fast; }
  std::optional<Bytes> process(const EapPacket& req, MethodRet& ret) override;
  bool key_available() const override { return !msk_.empty(); }
  SecretBytes key() const override { return msk_; }
  std::string reason() const override { return reason_; }
  std::string failure_reason() const override;
  bool retry_immediately() const override { return provisioned_anonymously_; }
  // What happened, for tests and status: "pac", "anonymous", "authenticated" ("" before TLS).
  const std::string& mode() const { return mode_; }

 private:
  std::optional<Bytes> start(const EapPacket& req, ByteView payload, MethodRet& ret);
  std::optional<Bytes> tunnel(uint8_t id, ByteView plain, Bytes records_out, MethodRet& ret);
  Result<Bytes> inner_eap(ByteView eap, bool& done_ok);
  Status derive_tunnel_keys();
  void fail(const std::string& why, MethodRet& ret);

  FastConfig cfg_;
  FastContexts ctx_;
  PacStore& store_;
  TlsFraming framing_;
  std::unique_ptr<TlsConn> conn_;
  Bytes a_id_;
  bool using_pac_ = false, anon_ = false, keys_ready_ = false;
  std::string mode_;
  SecretBytes simck_;
  std::optional<std::array<uint8_t, 16>> server_challenge_, client_challenge_;
  std::unique_ptr<EapMethod> inner_;
  bool inner_ok_ = false;
  bool got_pac_ = false;
  bool provisioned_anonymously_ = false;
  bool failed_ = false;
  SecretBytes msk_;
  std::string reason_;
};

}  // namespace phonesec::dot1x

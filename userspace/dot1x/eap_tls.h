// SPDX-License-Identifier: Apache-2.0
// EAP-TLS peer (RFC 5216) with the device certificate: TLS 1.2 handshake over TlsFraming,
// empty Response after the server's Finished, MSK from the TLS exporter.
#pragma once

#include <memory>

#include "dot1x/eap_method.h"
#include "dot1x/tls_conn.h"
#include "dot1x/tls_framing.h"

namespace phonesec::dot1x {

class EapTls final : public EapMethod {
 public:
  // ctx must outlive the method (one per supplicant, built from the device certificate).
  EapTls(SSL_CTX* ctx, std::string server_name, size_t fragment_size)
      : ctx_(ctx), server_name_(std::move(server_name)), framing_(eap_type::tls, fragment_size) {}
  uint8_t type() const override { return eap_type::tls; }
  std::optional<Bytes> process(const EapPacket& req, MethodRet& ret) override;
  bool key_available() const override { return !msk_.empty(); }
  SecretBytes key() const override { return msk_; }
  std::string reason() const override { return reason_; }
  std::string failure_reason() const override;

 private:
  SSL_CTX* ctx_;
  std::string server_name_;
  TlsFraming framing_;
  std::unique_ptr<TlsConn> conn_;
  SecretBytes msk_;
  std::string reason_;
  bool failed_ = false;
};

}  // namespace phonesec::dot1x

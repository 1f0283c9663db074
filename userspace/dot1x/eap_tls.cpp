// SPDX-License-Identifier: Apache-2.0
#include "dot1x/eap_tls.h"

#include "common/log.h"

namespace phonesec::dot1x {

// A TLS 1.2 server that refuses our certificate may answer with a bare EAP-Failure and no
// alert (hostapd does): the last step we reached says what was refused.
std::string EapTls::failure_reason() const {
  if (!reason_.empty() || !conn_ || failed_) return reason_;
  if (conn_->established()) return "server completed TLS but refused access (EAP-Failure after the handshake)";
  if (conn_->client_cert_sent())
    return "server rejected the device certificate (EAP-Failure after it was sent, no TLS alert)";
  return "";
}

std::optional<Bytes> EapTls::process(const EapPacket& req, MethodRet& ret) {
  auto r = framing_.receive(req);
  if (!r) {
    reason_ = r.error().message();
    log::warn("dot1x", "EAP-TLS: dropped: ", reason_);
    ret.ignore = true;
    return std::nullopt;
  }
  ret.allow_notifications = true;
  ret.decision = Decision::fail;
  // Until our Finished is out the server may end the exchange with EAP-Failure at any time;
  // RFC 4137 discards a Failure while the method is in CONT, so TLS never reports CONT.
  ret.state = MethodState::may_cont;
  switch (r->kind) {
    case TlsFraming::Kind::ack_sent:
    case TlsFraming::Kind::fragment_sent:
      if (conn_ && conn_->established() && !failed_) {
        ret.decision = Decision::cond_succ;
        ret.state = framing_.sending() ? MethodState::may_cont : MethodState::done;
      }
      return std::move(r->response);
    case TlsFraming::Kind::start: {
      failed_ = false;
      msk_.wipe();
      reason_.clear();
      auto c = TlsConn::create(ctx_, server_name_);
      if (!c) {
        reason_ = c.error().message();
        ret.state = MethodState::done;
        return framing_.respond(req.id, {});
      }
      conn_ = std::move(*c);
      Bytes out;
      if (conn_->handshake({}, out) == TlsConn::Hs::failed) {
        reason_ = conn_->reason();
        ret.state = MethodState::done;
      }
      log::debug("dot1x", "EAP-TLS: ClientHello ", out.size(), " bytes");
      return framing_.respond(req.id, out);
    }
    case TlsFraming::Kind::message: break;
  }
  if (!conn_) {
    reason_ = "EAP-TLS data before the Start request";
    ret.ignore = true;
    return std::nullopt;
  }
  if (failed_ || conn_->established()) {
    // After our alert or after Finished the server only sends Success/Failure; anything else
    // is answered with an ACK so the exchange can end.
    ret.state = MethodState::may_cont;
    ret.decision = failed_ ? Decision::fail : Decision::cond_succ;
    return framing_.respond(req.id, {});
  }
  Bytes out;
  switch (conn_->handshake(r->message, out)) {
    case TlsConn::Hs::more: return framing_.respond(req.id, out);
    case TlsConn::Hs::failed:
      failed_ = true;
      reason_ = conn_->reason();
      log::warn("dot1x", "EAP-TLS: ", reason_);
      // Send our alert (or an ACK of the server's alert) and wait for EAP-Failure.
      ret.state = MethodState::may_cont;
      return framing_.respond(req.id, out);
    case TlsConn::Hs::done:
      msk_ = conn_->export_key("client EAP encryption", 64);
      log::info("dot1x", "EAP-TLS: handshake done (", conn_->version(), ", ", conn_->cipher_name(), ")");
      {
        Bytes resp = framing_.respond(req.id, out);
        ret.state = framing_.sending() ? MethodState::may_cont : MethodState::done;
        ret.decision = Decision::cond_succ;
        return resp;
      }
  }
  return std::nullopt;
}

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
#include "dot1x/eap_fast.h"

#include <openssl/ssl.h>

#include <cstring>
#include <ctime>

#include "common/log.h"
#include "dot1x/eap_gtc.h"
#include "dot1x/mschapv2.h"

namespace phonesec::dot1x {

using namespace fast;

void EapFast::fail(const std::string& why, MethodRet& ret) {
  failed_ = true;
  if (reason_.empty()) reason_ = why;
  log::warn("dot1x", "EAP-FAST: ", why);
  ret.state = MethodState::may_cont;  // the server's EAP-Failure ends it
  ret.decision = Decision::fail;
}

std::string EapFast::failure_reason() const {
  if (!reason_.empty()) return reason_;
  if (provisioned_anonymously_) return "PAC provisioned anonymously (EAP-Failure by design): authenticating with it now";
  if (using_pac_ && conn_ && !conn_->established()) return "server refused the PAC (EAP-Failure during the TLS handshake)";
  if (inner_ && !inner_ok_) return "inner " + eap_type_name(inner_->type()) + " refused by the server";
  return "";
}

std::optional<Bytes> EapFast::process(const EapPacket& req, MethodRet& ret) {
  auto r = framing_.receive(req);
  if (!r) {
    reason_ = r.error().message();
    ret.ignore = true;
    return std::nullopt;
  }
  ret.state = MethodState::may_cont;
  ret.decision = Decision::fail;
  switch (r->kind) {
    case TlsFraming::Kind::ack_sent:
    case TlsFraming::Kind::fragment_sent: return std::move(r->response);
    case TlsFraming::Kind::start: return start(req, r->message, ret);
    case TlsFraming::Kind::message: break;
  }
  if (!conn_) {
    reason_ = "EAP-FAST data before the Start request";
    ret.ignore = true;
    return std::nullopt;
  }
  if (failed_) return framing_.respond(req.id, {});
  if (!conn_->established()) {
    Bytes out;
    switch (conn_->handshake(r->message, out)) {
      case TlsConn::Hs::more: return framing_.respond(req.id, out);
      case TlsConn::Hs::failed:
        fail(conn_->reason(), ret);
        return framing_.respond(req.id, out);
      case TlsConn::Hs::done: break;
    }
    if (auto s = derive_tunnel_keys(); !s) {
      fail(s.error().message(), ret);
      return framing_.respond(req.id, out);
    }
    // Phase 2 may ride in the same message as the server's Finished.
    auto plain = conn_->decrypt({});
    if (!plain) {
      fail(plain.error().message(), ret);
      return framing_.respond(req.id, out);
    }
    return tunnel(req.id, *plain, std::move(out), ret);
  }
  auto plain = conn_->decrypt(r->message);
  if (!plain) {
    fail(plain.error().message(), ret);
    return framing_.respond(req.id, {});
  }
  return tunnel(req.id, *plain, {}, ret);
}

std::optional<Bytes> EapFast::start(const EapPacket& req, ByteView payload, MethodRet& ret) {
  conn_.reset();
  inner_.reset();
  simck_.wipe();
  msk_.wipe();
  reason_.clear();
  mode_.clear();
  using_pac_ = anon_ = keys_ready_ = inner_ok_ = got_pac_ = provisioned_anonymously_ = failed_ = false;
  server_challenge_.reset();
  client_challenge_.reset();
  const uint8_t version = std::min<uint8_t>(req.data[0] & tls_flags::version_mask, 1);
  if (version < 1) {
    fail("server offers EAP-FAST version 0", ret);
    ret.state = MethodState::done;
    return framing_.respond(req.id, {});
  }
  framing_.set_version(version);
  auto tl = parse_tlvs(payload);
  a_id_.clear();
  if (tl)
    for (const Tlv& t : *tl)
      if (t.type == pac_attr::a_id) a_id_.assign(t.value.begin(), t.value.end());
  if (a_id_.empty()) {
    reason_ = "EAP-FAST Start without an Authority-ID TLV";
    ret.ignore = true;
    return std::nullopt;
  }
  auto pac = store_.find(a_id_, uint64_t(std::time(nullptr)));
  if (!pac && store_.find(a_id_, 0)) log::info("dot1x", "EAP-FAST: stored PAC expired, provisioning a new one");
  SSL_CTX* ctx = nullptr;
  if (pac) {
    ctx = ctx_.authenticated;
    using_pac_ = true;
  } else if (cfg_.allow_authenticated && ctx_.authenticated && !cfg_.allow_anonymous) {
    ctx = ctx_.authenticated;
  } else if (cfg_.allow_anonymous && ctx_.anonymous) {
    ctx = ctx_.anonymous;  // offers ADH and, when allowed, the authenticated suites too
  } else if (cfg_.allow_authenticated && ctx_.authenticated) {
    ctx = ctx_.authenticated;
  }
  if (!ctx) {
    fail("no PAC for A-ID " + hex(a_id_) + " and provisioning is not allowed", ret);
    ret.state = MethodState::done;
    return framing_.respond(req.id, {});
  }
  auto c = TlsConn::create(ctx, "");
  if (!c) {
    fail(c.error().message(), ret);
    return framing_.respond(req.id, {});
  }
  conn_ = std::move(*c);
  if (pac) {
    Bytes tlv;
    put_tlv(tlv, pac_attr::opaque, pac->opaque, false);
    SecretBytes key = pac->key;
    auto s = conn_->use_pac(tlv, [key](ByteView sr, ByteView cr) {
      Bytes seed(sr.begin(), sr.end());
      append(seed, cr);
      return t_prf(key.view(), "PAC to master secret label hash", seed, 48);
    });
    if (!s) {
      fail(s.error().message(), ret);
      return framing_.respond(req.id, {});
    }
  }
  Bytes out;
  if (conn_->handshake({}, out) == TlsConn::Hs::failed) fail(conn_->reason(), ret);
  log::info("dot1x", "EAP-FAST: A-ID ", hex(a_id_), using_pac_ ? ", using the stored PAC" : ", no PAC: provisioning");
  return framing_.respond(req.id, out);
}

Status EapFast::derive_tunnel_keys() {
  const SSL_CIPHER* c = SSL_get_current_cipher(conn_->ssl());
  anon_ = c && SSL_CIPHER_get_auth_nid(c) == NID_auth_null;
  if (using_pac_ && !conn_->resumed()) {
    // The server ignored the PAC and ran a full handshake: provisioning again.
    using_pac_ = false;
    log::info("dot1x", "EAP-FAST: server did not accept the PAC, full handshake");
  }
  if (anon_ && !cfg_.allow_anonymous) return make_error(Errc::auth, "EAP-FAST: server chose an anonymous suite, not allowed");
  mode_ = using_pac_ ? "pac" : anon_ ? "anonymous" : "authenticated";
  auto kb = conn_->fast_key_block_tail(anon_ ? 72 : 40);
  if (!kb) return kb.error();
  simck_ = SecretBytes(kb->view().subspan(0, 40));
  if (anon_) {
    std::array<uint8_t, 16> s{}, cl{};
    std::memcpy(s.data(), kb->data() + 40, 16);
    std::memcpy(cl.data(), kb->data() + 56, 16);
    server_challenge_ = s;
    client_challenge_ = cl;
  }
  keys_ready_ = true;
  log::info("dot1x", "EAP-FAST: tunnel up (", mode_, ", ", conn_->cipher_name(), ")");
  return {};
}

Result<Bytes> EapFast::inner_eap(ByteView eap, bool& done_ok) {
  auto p = parse_eap(eap);
  if (!p) return make_error(Errc::parse, "inner EAP: " + p.error().message());
  if (p->code != EapCode::request) return make_error(Errc::parse, "inner EAP: not a Request");
  if (p->type == eap_type::identity) return build_eap(EapCode::response, p->id, eap_type::identity, as_bytes(cfg_.user));
  uint8_t want = anon_ ? eap_type::mschapv2 : cfg_.inner;
  if (p->type != want) {
    const Bytes nak{want};
    return build_eap(EapCode::response, p->id, eap_type::nak, nak);
  }
  if (!inner_ || inner_->type() != p->type) {
    if (p->type == eap_type::mschapv2)
      inner_ = std::make_unique<EapMschapv2>(cfg_.user, cfg_.password, server_challenge_, client_challenge_);
    else
      inner_ = std::make_unique<EapGtc>(cfg_.user, cfg_.password);
  }
  MethodRet r;
  auto resp = inner_->process(*p, r);
  if (r.state == MethodState::done) {
    inner_ok_ = r.decision != Decision::fail;
    done_ok = inner_ok_;
  }
  if (!resp) return make_error(Errc::auth, inner_->reason().empty() ? "inner method dropped the request" : inner_->reason());
  return *resp;
}

std::optional<Bytes> EapFast::tunnel(uint8_t id, ByteView plain, Bytes records, MethodRet& ret) {
  auto tl = parse_tlvs(plain);
  if (!tl) {
    fail(tl.error().message(), ret);
    return framing_.respond(id, records);
  }
  const Tlv *payload = nullptr, *cb = nullptr, *pac = nullptr;
  int result = 0, iresult = 0;
  for (const Tlv& t : *tl) {
    switch (t.type) {
      case tlv::eap_payload: payload = &t; break;
      case tlv::crypto_binding: cb = &t; break;
      case tlv::pac: pac = &t; break;
      case tlv::result: result = t.value.size() >= 2 ? get_be16(t.value.data()) : kResultFailure; break;
      case tlv::intermediate_result: iresult = t.value.size() >= 2 ? get_be16(t.value.data()) : kResultFailure; break;
      default:
        if (t.mandatory) log::warn("dot1x", "EAP-FAST: unsupported mandatory TLV ", t.type, " ignored");
    }
  }
  Bytes out;
  if (result == kResultFailure || iresult == kResultFailure) {
    fail(inner_ && !inner_->reason().empty() ? inner_->reason() : "server reported failure inside the tunnel (Result TLV)", ret);
    out = result_tlv(tlv::result, kResultFailure);
  } else {
    if (iresult == kResultSuccess) out = result_tlv(tlv::intermediate_result, kResultSuccess);
    if (cb) {
      if (!inner_ok_) {
        fail("Crypto-Binding before the inner method succeeded", ret);
        auto e = conn_->encrypt(result_tlv(tlv::result, kResultFailure));
        if (e) append(records, *e);
        return framing_.respond(id, records);
      }
      SecretBytes isk(32);
      if (inner_ && inner_->key_available()) {
        SecretBytes k = inner_->key();
        // RFC 4851 section 5.2 with EAP-MSCHAPv2: the MS-MPPE keys in reverse order.
        if (inner_->type() == eap_type::mschapv2 && k.size() == 32) {
          std::memcpy(isk.data(), k.data() + 16, 16);
          std::memcpy(isk.data() + 16, k.data(), 16);
        } else {
          std::memcpy(isk.data(), k.data(), std::min<size_t>(32, k.size()));
        }
      }
      Imck im = next_imck(simck_.view(), isk.view());
      Bytes raw;
      put_tlv(raw, tlv::crypto_binding, cb->value);
      auto ans = answer_crypto_binding(raw, im.cmk);
      if (!ans) {
        fail(ans.error().message(), ret);
        auto e = conn_->encrypt(result_tlv(tlv::result, kResultFailure));
        if (e) append(records, *e);
        return framing_.respond(id, records);
      }
      simck_ = std::move(im.simck);
      msk_ = session_msk(simck_.view());
      if (result == kResultSuccess) append(out, result_tlv(tlv::result, kResultSuccess));
      append(out, *ans);
    } else if (result == kResultSuccess) {
      Bytes r = result_tlv(tlv::result, kResultSuccess);
      append(r, out);
      out = std::move(r);
    }
    if (payload) {
      bool done_ok = false;
      auto inner = inner_eap(payload->value, done_ok);
      if (!inner) {
        fail(inner.error().message(), ret);
      } else {
        put_tlv(out, tlv::eap_payload, *inner);
      }
    }
    bool requested_pac = false;
    if (!using_pac_ && !anon_ && !pac && !got_pac_ && (iresult == kResultSuccess || result == kResultSuccess)) {
      requested_pac = true;
      // RFC 5422 section 3.4: Request-Action (Process-TLV) + PAC TLV { PAC-Type: Tunnel PAC }.
      Bytes action, type, req;
      put_be16(action, 1);
      put_tlv(out, tlv::request_action, action, false);
      put_be16(type, 1);
      put_tlv(req, pac_attr::type, type, false);
      put_tlv(out, tlv::pac, req);
    }
    if (pac) {
      auto p = parse_pac(pac->value);
      uint16_t ack = kResultSuccess;
      if (!p) {
        log::warn("dot1x", "EAP-FAST: ", p.error().message());
        ack = kResultFailure;
      } else if (p->a_id != a_id_) {
        log::warn("dot1x", "EAP-FAST: PAC for another A-ID (", hex(p->a_id), ") refused");
        ack = kResultFailure;
      } else if (auto s = store_.put(std::move(*p)); !s) {
        log::warn("dot1x", "EAP-FAST: ", s.error().message());
        ack = kResultFailure;
      } else {
        got_pac_ = true;
        log::info("dot1x", "EAP-FAST: new PAC stored in ", store_.path());
      }
      Bytes a, v;
      put_be16(v, ack);
      put_tlv(a, pac_attr::ack, v, false);
      put_tlv(out, tlv::pac, a);
    }
    if (result == kResultSuccess && inner_ok_ && !msk_.empty()) {
      if (anon_) {
        provisioned_anonymously_ = got_pac_;
        ret.state = MethodState::done;
        ret.decision = Decision::fail;
        log::info("dot1x", "EAP-FAST: anonymous provisioning done, EAP-Failure expected");
      } else if (requested_pac) {
        // Authenticated, but the server is expected to send the PAC before EAP-Success.
        ret.state = MethodState::may_cont;
        ret.decision = Decision::cond_succ;
      } else {
        ret.state = MethodState::done;
        ret.decision = Decision::uncond_succ;
        log::info("dot1x", "EAP-FAST: authenticated (", mode_, ")");
      }
    }
  }
  if (!out.empty()) {
    auto e = conn_->encrypt(out);
    if (!e) {
      fail(e.error().message(), ret);
      return framing_.respond(id, records);
    }
    append(records, *e);
  }
  return framing_.respond(id, records);
}

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
#include "srtp/session.h"

#include <srtp2/srtp.h>

#include <array>
#include <mutex>

namespace phonesec::srtp {

const char* srtp_status_name(int status) {
  switch (static_cast<srtp_err_status_t>(status)) {
    case srtp_err_status_ok: return "srtp_err_status_ok";
    case srtp_err_status_fail: return "srtp_err_status_fail";
    case srtp_err_status_bad_param: return "srtp_err_status_bad_param";
    case srtp_err_status_alloc_fail: return "srtp_err_status_alloc_fail";
    case srtp_err_status_dealloc_fail: return "srtp_err_status_dealloc_fail";
    case srtp_err_status_init_fail: return "srtp_err_status_init_fail";
    case srtp_err_status_terminus: return "srtp_err_status_terminus";
    case srtp_err_status_auth_fail: return "srtp_err_status_auth_fail";
    case srtp_err_status_cipher_fail: return "srtp_err_status_cipher_fail";
    case srtp_err_status_replay_fail: return "srtp_err_status_replay_fail";
    case srtp_err_status_replay_old: return "srtp_err_status_replay_old";
    case srtp_err_status_algo_fail: return "srtp_err_status_algo_fail";
    case srtp_err_status_no_such_op: return "srtp_err_status_no_such_op";
    case srtp_err_status_no_ctx: return "srtp_err_status_no_ctx";
    case srtp_err_status_cant_check: return "srtp_err_status_cant_check";
    case srtp_err_status_key_expired: return "srtp_err_status_key_expired";
    case srtp_err_status_socket_err: return "srtp_err_status_socket_err";
    case srtp_err_status_signal_err: return "srtp_err_status_signal_err";
    case srtp_err_status_nonce_bad: return "srtp_err_status_nonce_bad";
    case srtp_err_status_read_fail: return "srtp_err_status_read_fail";
    case srtp_err_status_write_fail: return "srtp_err_status_write_fail";
    case srtp_err_status_parse_err: return "srtp_err_status_parse_err";
    case srtp_err_status_encode_err: return "srtp_err_status_encode_err";
    case srtp_err_status_semaphore_err: return "srtp_err_status_semaphore_err";
    case srtp_err_status_pfkey_err: return "srtp_err_status_pfkey_err";
    case srtp_err_status_bad_mki: return "srtp_err_status_bad_mki";
    case srtp_err_status_pkt_idx_old: return "srtp_err_status_pkt_idx_old";
    case srtp_err_status_pkt_idx_adv: return "srtp_err_status_pkt_idx_adv";
  }
  return "srtp_err_status_unknown";
}

namespace {

Error srtp_error(const char* op, srtp_err_status_t st) {
  switch (st) {
    case srtp_err_status_auth_fail: return make_error(Errc::auth, std::string("srtp ") + op + ": authentication failed");
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return make_error(Errc::auth, std::string("srtp ") + op + ": replayed or too old packet");
    case srtp_err_status_bad_mki: return make_error(Errc::auth, std::string("srtp ") + op + ": unknown MKI");
    case srtp_err_status_key_expired: return make_error(Errc::crypto, std::string("srtp ") + op + ": key lifetime exhausted");
    default:
      return make_error(Errc::crypto, std::string("srtp ") + op + ": " + srtp_status_name(st) + " (" +
                                           std::to_string(int(st)) + ")");
  }
}

void set_policy(Suite s, srtp_policy_t& p) {
  switch (s) {
    case Suite::AES_CM_128_HMAC_SHA1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
      break;
    case Suite::AES_CM_128_HMAC_SHA1_32:  // RFC 4568 §6.2.1: SRTCP keeps the 80-bit tag
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
      break;
    case Suite::AES_256_CM_HMAC_SHA1_80:
      srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtp);
      srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtcp);
      break;
    case Suite::AES_256_CM_HMAC_SHA1_32:
      srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&p.rtp);
      srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtcp);
      break;
    case Suite::AEAD_AES_128_GCM:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
      break;
    case Suite::AEAD_AES_256_GCM:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
      break;
  }
}

}  // namespace

void SrtpSession::Free::operator()(srtp_ctx_t_* p) const { srtp_dealloc(p); }

Status srtp_library_init() {
  static std::once_flag once;
  static srtp_err_status_t st = srtp_err_status_ok;
  std::call_once(once, [] { st = srtp_init(); });
  if (st != srtp_err_status_ok) return srtp_error("init", st);
  return {};
}

Result<SrtpSession> SrtpSession::create(Direction d, const MasterKey& key, SessionOptions o) {
  std::vector<KeyParam> keys(1);
  keys[0].key = key;
  return create(d, keys, o);
}

Result<SrtpSession> SrtpSession::create(Direction d, const std::vector<KeyParam>& keys, SessionOptions o) {
  if (auto st = srtp_library_init(); !st) return st.error();
  if (keys.empty() || keys.size() > SRTP_MAX_NUM_MASTER_KEYS)
    return make_error(Errc::invalid_argument, "srtp session: 1 to 16 master keys needed, got " + std::to_string(keys.size()));
  const Suite suite = keys[0].key.suite();
  const bool mki = keys[0].mki.has_value();
  for (auto& k : keys) {
    if (k.key.suite() != suite || k.key.size() != master_len(suite))
      return make_error(Errc::invalid_argument, "srtp session: master keys of mixed suites or lengths");
    if (k.mki.has_value() != mki || k.mki_len != keys[0].mki_len)
      return make_error(Errc::invalid_argument, "srtp session: every key needs an MKI of the same length");
  }
  if (keys.size() > 1 && !mki) return make_error(Errc::invalid_argument, "srtp session: several keys need MKIs");
  if (o.window < 64 || o.window > 0x7fff)
    return make_error(Errc::invalid_argument, "srtp session: replay window must be 64-32767");

  // libsrtp2 reads key ‖ salt and the MKI through pointers held only during srtp_create.
  struct Slot {
    std::array<std::uint8_t, kMaxMasterLen> key{};
    std::array<std::uint8_t, 128> mki{};
    srtp_master_key_t mk{};
  };
  std::vector<Slot> slots(keys.size());
  std::vector<srtp_master_key_t*> ptrs(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto& s = slots[i];
    for (size_t b = 0; b < keys[i].key.size(); ++b) s.key[b] = keys[i].key.data()[b];
    if (mki) {
      std::uint64_t v = *keys[i].mki;
      for (int b = int(keys[i].mki_len) - 1; b >= 0 && v; --b, v >>= 8) s.mki[size_t(b)] = std::uint8_t(v & 0xff);
    }
    s.mk.key = s.key.data();
    s.mk.mki_id = mki ? s.mki.data() : nullptr;
    s.mk.mki_size = mki ? keys[i].mki_len : 0;
    ptrs[i] = &s.mk;
  }
  srtp_policy_t p{};
  set_policy(suite, p);
  p.ssrc.type = d == Direction::outbound ? ssrc_any_outbound : ssrc_any_inbound;
  if (mki) {
    p.keys = ptrs.data();
    p.num_master_keys = keys.size();
  } else {
    p.key = slots[0].key.data();
  }
  p.window_size = o.window;
  p.allow_repeat_tx = 0;
  srtp_t raw = nullptr;
  srtp_err_status_t st = srtp_create(&raw, &p);
  for (auto& s : slots) {
    secure_wipe(s.key.data(), s.key.size());
    secure_wipe(s.mki.data(), s.mki.size());
  }
  if (st != srtp_err_status_ok) return srtp_error("create", st);
  SrtpSession out;
  out.ctx_.reset(raw);
  out.suite_ = suite;
  out.dir_ = d;
  out.mki_ = mki;
  const std::size_t mki_len = mki ? keys[0].mki_len : 0;
  out.rtp_trailer_ = suite_info(suite).rtp_tag + mki_len;
  out.rtcp_trailer_ = (suite_info(suite).aead ? 16 : 10) + 4 + mki_len;
  if (keys[0].lifetime && (keys.size() == 1 || d == Direction::outbound)) out.limit_ = *keys[0].lifetime;
  return out;
}

Result<std::size_t> SrtpSession::protect_rtp(std::uint8_t* buf, std::size_t len, std::size_t cap) {
  if (len < 12 || cap < len + rtp_trailer_ || len > 0xffff)
    return make_error(Errc::invalid_argument, "srtp protect: packet too short or no room for the tag");
  if (used_ >= limit_) return srtp_error("packet", srtp_err_status_key_expired);
  int n = int(len);
  srtp_err_status_t st = mki_ ? srtp_protect_mki(ctx_.get(), buf, &n, 1, 0) : srtp_protect(ctx_.get(), buf, &n);
  if (st != srtp_err_status_ok) return srtp_error("protect", st);
  ++used_;
  return std::size_t(n);
}

Result<std::size_t> SrtpSession::unprotect_rtp(std::uint8_t* buf, std::size_t len) {
  if (len < 12 || len > 0xffff) return make_error(Errc::invalid_argument, "srtp unprotect: bad packet length");
  if (used_ >= limit_) return srtp_error("packet", srtp_err_status_key_expired);
  int n = int(len);
  srtp_err_status_t st = mki_ ? srtp_unprotect_mki(ctx_.get(), buf, &n, 1) : srtp_unprotect(ctx_.get(), buf, &n);
  if (st != srtp_err_status_ok) return srtp_error("unprotect", st);
  ++used_;
  return std::size_t(n);
}

Result<std::size_t> SrtpSession::protect_rtcp(std::uint8_t* buf, std::size_t len, std::size_t cap) {
  if (len < 8 || cap < len + rtcp_trailer_ || len > 0xffff)
    return make_error(Errc::invalid_argument, "srtcp protect: packet too short or no room for the trailer");
  if (used_ >= limit_) return srtp_error("packet", srtp_err_status_key_expired);
  int n = int(len);
  srtp_err_status_t st =
      mki_ ? srtp_protect_rtcp_mki(ctx_.get(), buf, &n, 1, 0) : srtp_protect_rtcp(ctx_.get(), buf, &n);
  if (st != srtp_err_status_ok) return srtp_error("protect_rtcp", st);
  ++used_;
  return std::size_t(n);
}

Result<std::size_t> SrtpSession::unprotect_rtcp(std::uint8_t* buf, std::size_t len) {
  if (len < 8 || len > 0xffff) return make_error(Errc::invalid_argument, "srtcp unprotect: bad packet length");
  if (used_ >= limit_) return srtp_error("packet", srtp_err_status_key_expired);
  int n = int(len);
  srtp_err_status_t st =
      mki_ ? srtp_unprotect_rtcp_mki(ctx_.get(), buf, &n, 1) : srtp_unprotect_rtcp(ctx_.get(), buf, &n);
  if (st != srtp_err_status_ok) return srtp_error("unprotect_rtcp", st);
  ++used_;
  return std::size_t(n);
}

}  // namespace phonesec::srtp

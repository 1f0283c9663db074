// SPDX-License-Identifier: Apache-2.0
// SrtpSession: one libsrtp2 context for one direction of one m-line (RFC 3711 SRTP + SRTCP,
// RFC 7714 GCM). Packets are protected/unprotected in place; the caller's buffer must have room
// for the trailer (tag, MKI, SRTCP index): see trailer_room(). Replay protection is libsrtp2's
// (window 128 unless WSH says otherwise). No allocation, logging or exception on success; a
// failure returns an Error naming the operation. libsrtp2 zeroes its derived keys on dealloc;
// the master keys handed in are copied by libsrtp2 only into its key-derivation step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "srtp/sdp_crypto.h"

struct srtp_ctx_t_;

namespace phonesec::srtp {

enum class Direction { outbound, inbound };

struct SessionOptions {
  unsigned window = 128;  // replay window (SDES WSH)
};

// SDES key lifetime (RFC 4568 §6.1): the session counts SRTP + SRTCP packets under its master key
// and refuses more than the first key's lifetime allows (a single key, or the outbound key of an
// MKI set). packets_left() lets the controller rekey (re-INVITE) before that. Without a lifetime
// libsrtp2's own limits apply (2^48 SRTP, 2^31 SRTCP).

// The libsrtp2 name of a status ("srtp_err_status_cant_check"), for error messages.
const char* srtp_status_name(int status);

// libsrtp2 is initialised once per process; every SrtpSession::create calls this.
Status srtp_library_init();

class SrtpSession {
 public:
  // keys: one master key, or several each with an MKI of the same length (outbound uses the first).
  static Result<SrtpSession> create(Direction d, const std::vector<KeyParam>& keys, SessionOptions o = {});
  static Result<SrtpSession> create(Direction d, const MasterKey& key, SessionOptions o = {});

  SrtpSession(SrtpSession&&) noexcept = default;
  SrtpSession& operator=(SrtpSession&&) noexcept = default;
  ~SrtpSession() = default;

  // In place. `len` is the packet length, `cap` the buffer size. Returns the new length.
  Result<std::size_t> protect_rtp(std::uint8_t* buf, std::size_t len, std::size_t cap);
  Result<std::size_t> unprotect_rtp(std::uint8_t* buf, std::size_t len);
  Result<std::size_t> protect_rtcp(std::uint8_t* buf, std::size_t len, std::size_t cap);
  Result<std::size_t> unprotect_rtcp(std::uint8_t* buf, std::size_t len);

  Suite suite() const { return suite_; }
  Direction direction() const { return dir_; }
  // Bytes protect may append (tag + MKI, plus the SRTCP index for RTCP).
  std::size_t trailer_room() const { return rtcp_trailer_; }
  std::uint64_t packets_left() const { return limit_ - used_; }

 private:
  struct Free {
    void operator()(srtp_ctx_t_* p) const;
  };
  SrtpSession() = default;
  std::unique_ptr<srtp_ctx_t_, Free> ctx_;
  Suite suite_ = Suite::AES_CM_128_HMAC_SHA1_80;
  Direction dir_ = Direction::outbound;
  bool mki_ = false;
  std::size_t rtp_trailer_ = 0;
  std::size_t rtcp_trailer_ = 0;
  std::uint64_t limit_ = ~std::uint64_t(0);
  std::uint64_t used_ = 0;
};

}  // namespace phonesec::srtp

// SPDX-License-Identifier: Apache-2.0
// SDES `a=crypto` attributes (RFC 4568 §9.1 grammar):
//   a=crypto:<tag> <crypto-suite> <key-params> [<session-param> …]
//   key-params  = key-param *(";" key-param), key-param = "inline:" key-salt ["|" lifetime] ["|" mki]
//   lifetime    = ["2^"] 1*DIGIT,  mki = mki-value ":" mki-length (octets, 1–128)
// Suites: AES_CM_128_HMAC_SHA1_80/_32, AES_256_CM_HMAC_SHA1_80/_32 (RFC 6188),
// AEAD_AES_128_GCM/AEAD_AES_256_GCM (RFC 7714). The key length is checked per suite.
// Session params: UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP, KDR=n, WSH=n,
// FEC_ORDER=…, FEC_KEY=…; others are kept in `other` (a leading "-" marks them optional).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/secure.h"
#include "srtp/master_key.h"

namespace phonesec::srtp {

struct KeyParam {
  MasterKey key;
  std::optional<std::uint64_t> lifetime;  // packets
  bool lifetime_pow2 = false;             // written as 2^n
  std::optional<std::uint64_t> mki;       // MKI value
  std::uint8_t mki_len = 0;               // octets, 1–128 when mki is set
};

struct SessionParam {
  std::string name;
  std::string value;
  bool has_value = false;
};

struct CryptoAttribute {
  std::uint32_t tag = 0;
  Suite suite = Suite::AES_CM_128_HMAC_SHA1_80;
  std::vector<KeyParam> keys;
  bool unencrypted_srtp = false;
  bool unencrypted_srtcp = false;
  bool unauthenticated_srtp = false;
  std::optional<unsigned> kdr;  // key derivation rate, as the exponent (0–24)
  std::optional<unsigned> wsh;  // replay window size (>= 64)
  std::string fec_order;        // "FEC_SRTP" / "SRTP_FEC" / empty
  bool fec_key = false;
  std::vector<SessionParam> other;
};

// Parses the attribute value: the text after "a=crypto:" (a leading "a=crypto:" or "crypto:" is
// accepted too). An unknown suite is Errc::unsupported; syntax and key-length errors name the
// field. Never logs the key.
Result<CryptoAttribute> parse_crypto_attribute(std::string_view text);

// "a=crypto:…" line without CRLF. It holds the key, hence a SecretString.
SecretString format_crypto_attribute(const CryptoAttribute& a);

// Whether we can run an offered line: supported suite, no UNENCRYPTED_*/UNAUTHENTICATED_SRTP
// (refused: this phone never weakens SRTP), KDR absent or 0 (libsrtp2 derives once), no FEC_KEY,
// no unknown mandatory parameter, MKI length ≤ 128. Returns the reason when not.
std::optional<std::string> unusable_reason(const CryptoAttribute& a);

// Picks the first usable offered line (offer order is preference order, RFC 4568 §7.5).
const CryptoAttribute* select_offer(const std::vector<CryptoAttribute>& offers);

// The answer to `offer`: same tag and suite, our key, no MKI (RFC 4568 §7.1.2 lets each side
// choose), the offer's WSH echoed.
CryptoAttribute make_answer(const CryptoAttribute& offer, const MasterKey& local);

// An offer line for `suite` with `key`.
CryptoAttribute make_offer_line(std::uint32_t tag, const MasterKey& key);

}  // namespace phonesec::srtp

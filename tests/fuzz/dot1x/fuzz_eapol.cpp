// SPDX-License-Identifier: Apache-2.0
// Any bytes as: one selector byte (odd: EAP-FAST, even: EAP-TLS), then frames on the uplink
// (2-byte big-endian length + frame, repeated)
// through the EAPOL/EAP parsers and the whole supplicant (SUPP_PAE, SUPP_BE, EAP peer, EAP-TLS
// framing and OpenSSL), with time advancing between frames. Invariants: every frame is counted
// exactly once, whatever the supplicant sends parses and comes from the phone, parse/build of
// EAPOL round-trips.
#include <cstdint>
#include <cstdlib>

#include "common/log.h"
#include "dot1x/eap_fast.h"
#include "dot1x/eap_tls.h"
#include "dot1x/supplicant.h"

using namespace phonesec::dot1x;

namespace {
const Mac kPhone{0x02, 0, 0, 0, 0x05, 0x01};

SSL_CTX* tls_ctx() {
  static SslCtxPtr ctx = [] {
    TlsConfig c;
    c.verify_peer = false;
    auto r = make_tls_context(c);
    if (!r) std::abort();
    return std::move(*r);
  }();
  return ctx.get();
}

SSL_CTX* anon_ctx() {
  static SslCtxPtr ctx = [] {
    TlsConfig c;
    c.verify_peer = false;
    c.ciphers = "ADH-AES128-SHA:AES128-SHA:@SECLEVEL=0";
    c.security_level = 0;
    auto r = make_tls_context(c);
    if (!r) std::abort();
    return std::move(*r);
  }();
  return ctx.get();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  phonesec::log::set_level(phonesec::log::Level::error);
  FakeClock clock;
  SupplicantConfig cfg;
  cfg.own_mac = kPhone;
  cfg.eap.identity = "fuzz";
  // Odd first byte: EAP-FAST (no PAC file on disk: the store is never saved unless a PAC
  // arrives inside a real tunnel, which random bytes cannot build).
  const bool fast = size > 0 && (data[0] & 1);
  cfg.eap.methods = {fast ? eap_type::fast : eap_type::tls};
  static PacStore pacs("/nonexistent/pdx-fuzz.pac");
  FastConfig fc;
  fc.user = "fuzz";
  fc.password = phonesec::SecretString("pw");
  cfg.timers = PaeTimers{Millis(100), 3, Millis(100), Millis(100)};
  bool bad_tx = false;
  Supplicant s(
      cfg, clock,
      [&](uint8_t t) -> std::unique_ptr<EapMethod> {
        if (t == eap_type::tls) return std::make_unique<EapTls>(tls_ctx(), "", 200);
        if (t == eap_type::fast) return std::make_unique<EapFast>(fc, FastContexts{tls_ctx(), anon_ctx()}, pacs, 200);
        return nullptr;
      },
      [&](ByteView f) {
        auto p = parse_eapol(f);
        if (!p || p->src != kPhone) bad_tx = true;
        if (p && p->type == EapolType::eap_packet && !parse_eap(p->body)) bad_tx = true;
      });
  s.set_port_enabled(true);
  size_t off = 1, frames = 0;  // byte 0 selects the method
  while (off + 2 <= size) {
    size_t n = size_t(data[off]) << 8 | data[off + 1];
    off += 2;
    n = std::min(n, size - off);
    ByteView f(data + off, n);
    off += n;
    auto p = parse_eapol(f);
    if (p) {
      if (p->body.data() < f.data() || p->body.data() + p->body.size() > f.data() + f.size()) std::abort();
      if (p->type == EapolType::eap_packet) {
        if (auto e = parse_eap(p->body); e && e->raw.size() > p->body.size()) std::abort();
      }
      // The EAP-FAST TLV and PAC parsers on whatever follows the EAP header.
      if (p->body.size() > 5) {
        (void)fast::parse_tlvs(p->body.subspan(5));
        (void)fast::parse_pac(p->body.subspan(5));
      }
      Bytes again = build_eapol(p->dst, p->src, p->version, p->type, p->body);
      auto q = parse_eapol(again);
      if (!q || q->type != p->type || !std::equal(q->body.begin(), q->body.end(), p->body.begin(), p->body.end()))
        std::abort();
    }
    const auto before = s.counters();
    s.receive_frame(f);
    ++frames;
    const auto& c = s.counters();
    const uint64_t seen = (c.rx_frames - before.rx_frames) + (c.rx_malformed - before.rx_malformed);
    // Each frame: parsed (rx_frames), or dropped as malformed EAPOL; a parsed frame may also be
    // counted malformed at the EAP level.
    if (seen < 1 || seen > 2) std::abort();
    if (n % 7 == 0) clock.advance(Millis(60));
    s.tick();
  }
  if (s.counters().rx_frames + s.counters().rx_malformed < frames) std::abort();
  if (bad_tx) std::abort();
  (void)to_json(s.status());
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// bench_srtp_session: protect + unprotect of 160-byte G.711 RTP packets (one 20 ms frame), through
// phonesec's SrtpSession and through raw libsrtp2 calls, side by side in the same run.
// Each round runs raw and ours back to back (alternating which goes first) so load from other
// processes hits both alike; ratio is the median of the per-round ours/raw ratios, pps the
// median rounds. Output: <out>/srtp_session.json (perf/ format). Target: ratio >= 0.95.
//   bench_srtp_session --out DIR [--quick]
#include <srtp2/srtp.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_common.h"
#include "srtp/session.h"

using namespace phonesec::srtp;

namespace {

constexpr std::size_t kPayload = 160;
constexpr std::size_t kHeader = 12;

struct Packet {
  std::uint8_t b[kHeader + kPayload + 64];
};

void fill(Packet& p, std::uint16_t seq, std::uint32_t ts) {
  p.b[0] = 0x80;
  p.b[1] = 0x00;  // PT 0 (PCMU)
  p.b[2] = std::uint8_t(seq >> 8);
  p.b[3] = std::uint8_t(seq);
  p.b[4] = std::uint8_t(ts >> 24);
  p.b[5] = std::uint8_t(ts >> 16);
  p.b[6] = std::uint8_t(ts >> 8);
  p.b[7] = std::uint8_t(ts);
  p.b[8] = 0x12; p.b[9] = 0x34; p.b[10] = 0x56; p.b[11] = 0x78;
  std::memset(p.b + kHeader, 0xd5, kPayload);  // μ-law silence-ish
}

// Thread CPU time, not wall time: on a shared machine a preempted round would otherwise count
// the time other processes ran.
double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Raw {
  srtp_t tx = nullptr, rx = nullptr;
  std::uint32_t seq = 0;
  ~Raw() {
    if (tx) srtp_dealloc(tx);
    if (rx) srtp_dealloc(rx);
  }
};

void raw_policy(Suite s, srtp_policy_t& p) {
  if (s == Suite::AEAD_AES_128_GCM) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
  }
}

bool make_raw(Suite s, const MasterKey& k, Raw& r) {
  std::uint8_t key[kMaxMasterLen];
  std::memcpy(key, k.data(), k.size());
  for (int d = 0; d < 2; ++d) {
    srtp_policy_t p{};
    raw_policy(s, p);
    p.ssrc.type = d == 0 ? ssrc_any_outbound : ssrc_any_inbound;
    p.key = key;
    p.window_size = 128;
    if (srtp_create(d == 0 ? &r.tx : &r.rx, &p) != srtp_err_status_ok) return false;
  }
  phonesec::secure_wipe(key, sizeof key);
  return true;
}

// One round: n protect+unprotect pairs; returns packets/s or -1 on a failure.
double round_raw(Raw& r, std::size_t n) {
  Packet p;
  double t0 = now_s();
  for (std::size_t i = 0; i < n; ++i, ++r.seq) {
    fill(p, std::uint16_t(r.seq), r.seq * 160);
    int len = int(kHeader + kPayload);
    if (srtp_protect(r.tx, p.b, &len) != srtp_err_status_ok) return -1;
    if (srtp_unprotect(r.rx, p.b, &len) != srtp_err_status_ok) return -1;
  }
  return double(n) / (now_s() - t0);
}

struct Ours {
  std::optional<SrtpSession> tx, rx;
  std::uint32_t seq = 0;
};

double round_ours(Ours& o, std::size_t n) {
  Packet p;
  double t0 = now_s();
  for (std::size_t i = 0; i < n; ++i, ++o.seq) {
    fill(p, std::uint16_t(o.seq), o.seq * 160);
    auto a = o.tx->protect_rtp(p.b, kHeader + kPayload, sizeof p.b);
    if (!a) return -1;
    auto b = o.rx->unprotect_rtp(p.b, *a);
    if (!b) return -1;
  }
  return double(n) / (now_s() - t0);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  auto args = phonesec::perf::parse_args(argc, argv, "bench_srtp_session",
                                         "SRTP protect+unprotect of 160-byte G.711 packets: phonesec's session vs raw libsrtp2");
  std::size_t packets = args.quick ? 2000 : 50000;
  int rounds = args.quick ? 3 : 21;
  if (!srtp_library_init()) { std::fprintf(stderr, "bench_srtp: libsrtp2 init failed\n"); return 1; }

  phonesec::perf::Report rep("srtp_session");
  rep.env("payload_bytes", std::to_string(kPayload));
  rep.env("packets_per_round", std::to_string(packets));
  rep.env("rounds", std::to_string(rounds));
  rep.env("unit", "protect+unprotect pairs per CPU-second of the thread");
  std::vector<std::vector<std::string>> rows;
  const Suite suites[] = {Suite::AES_CM_128_HMAC_SHA1_80, Suite::AEAD_AES_128_GCM};
  for (Suite s : suites) {
    auto k = MasterKey::generate(s);
    if (!k) { std::fprintf(stderr, "bench_srtp: %s\n", k.error().message().c_str()); return 1; }
    Raw raw;
    if (!make_raw(s, *k, raw)) { std::fprintf(stderr, "bench_srtp: raw srtp_create failed\n"); return 1; }
    Ours ours;
    auto tx = SrtpSession::create(Direction::outbound, *k);
    auto rx = SrtpSession::create(Direction::inbound, *k);
    if (!tx || !rx) { std::fprintf(stderr, "bench_srtp: session create failed\n"); return 1; }
    ours.tx.emplace(std::move(*tx));
    ours.rx.emplace(std::move(*rx));
    round_raw(raw, packets / 10);  // warm-up
    round_ours(ours, packets / 10);
    std::vector<double> vr, vo, ratios;
    for (int r = 0; r < rounds; ++r) {  // interleaved, alternating which goes first
      double a = (r & 1) ? round_ours(ours, packets) : round_raw(raw, packets);
      double b = (r & 1) ? round_raw(raw, packets) : round_ours(ours, packets);
      double pr = (r & 1) ? b : a, po = (r & 1) ? a : b;
      if (pr < 0 || po < 0) { std::fprintf(stderr, "bench_srtp: protect/unprotect failed\n"); return 1; }
      vr.push_back(pr);
      vo.push_back(po);
      ratios.push_back(po / pr);
    }
    std::string name(suite_name(s));
    double ratio = median(ratios);
    auto& m = rep.ratio("ratio." + name + ".phonesec_vs_raw", ratio, "higher", 0.05);
    m.target_min = 0.95;  // issue 4: our path within 5 % of raw libsrtp2
    rep.metric("pps." + name + ".phonesec", median(vo), "pairs/s");
    rep.metric("pps." + name + ".raw", median(vr), "pairs/s");
    std::sort(ratios.begin(), ratios.end());
    rows.push_back({name, phonesec::perf::fmt(median(vo), 0), phonesec::perf::fmt(median(vr), 0), phonesec::perf::fmt(ratio, 3),
                    phonesec::perf::fmt(ratios.front(), 3), phonesec::perf::fmt(ratios.back(), 3)});
  }
  rep.table("srtp_pps", {"suite", "phonesec_pps", "raw_pps", "phonesec/raw", "min", "max"}, rows);
  return rep.write(args.out) ? 0 : 1;
}

// SPDX-License-Identifier: Apache-2.0
// bench_media_relay: what the RTP<->SRTP relay of phonesec-media (media::MediaRelay) costs per
// packet and how much latency it adds, on loopback, one 20 ms G.711 packet (172 bytes) at a time.
//   path "direct":  bench UA socket -> echo socket -> bench UA socket
//   path "relay":   bench UA socket -> relay (protect) -> echo -> relay (unprotect) -> UA socket
// The echo plays the far end: it bounces each SRTP packet back (the call's answer reuses the
// offer's key, so the echoed packet authenticates on the way in). Per round trip the relay does
// one protect and one unprotect, two recv and two sendto.
//   cost:    the relay thread's CPU time per round trip vs raw libsrtp2 protect+unprotect of the
//            same packet (CPU time of this thread); ratio = relay / raw (how many times the bare
//            crypto the whole relay hop costs).
//   latency: round-trip time through the relay minus the direct round trip, per packet: median
//            and p99 of the relay path and of the direct path, and their difference.
// Output: <out>/media_relay.json (perf/ format). No target: figures to watch, not gates.
//   bench_media_relay --out DIR [--quick]
#include <poll.h>
#include <pthread.h>
#include <srtp2/srtp.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "bench_common.h"
#include "media/relay.h"

using namespace phonesec;
using namespace phonesec::media;

namespace {

constexpr std::size_t kLen = 172;

double mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

double cpu_ns(clockid_t c) {
  timespec ts{};
  clock_gettime(c, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

void fill(std::uint8_t* b, std::uint32_t seq) {
  std::memset(b, 0xd5, kLen);
  b[0] = 0x80;
  b[1] = 0x00;
  b[2] = std::uint8_t(seq >> 8);
  b[3] = std::uint8_t(seq);
  b[4] = std::uint8_t(seq >> 24);
  b[5] = std::uint8_t(seq >> 16);
  b[8] = 0x12;
  b[9] = 0x34;
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

// Sends to `to` and waits for the reply on fd; returns the round trip in ns, -1 on a timeout.
double ping(int fd, const Endpoint& to, std::uint32_t seq) {
  std::uint8_t b[2048];
  fill(b, seq);
  double t0 = mono_ns();
  if (::sendto(fd, b, kLen, 0, reinterpret_cast<const sockaddr*>(&to.addr), to.len) < 0) return -1;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 1000) != 1) return -1;
  if (::recv(fd, b, sizeof b, 0) <= 0) return -1;
  return mono_ns() - t0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = perf::parse_args(argc, argv, "bench_media_relay",
                               "phonesec-media's RTP<->SRTP relay: cost per packet vs raw libsrtp2, added latency");
  const std::size_t n = args.quick ? 300 : 20000;
  if (!srtp::srtp_library_init()) return 1;
  perf::Report rep("media_relay");
  rep.env("packet_bytes", std::to_string(kLen));
  rep.env("round_trips", std::to_string(n));
  std::vector<std::vector<std::string>> rows;

  for (srtp::Suite suite : {srtp::Suite::AES_CM_128_HMAC_SHA1_80, srtp::Suite::AEAD_AES_128_GCM}) {
    const std::string name(srtp::suite_name(suite));
    auto loop = Loop::create();
    if (!loop) return 1;
    PortRange ports(41000, 41099);
    srtp::CallKeys keys;
    srtp::Suite one[] = {suite};
    auto offer = keys.make_offer(0, one, false);
    if (!offer || !keys.accept_answer(0, {offer->front()})) {
      std::fprintf(stderr, "bench_media_relay: keys\n");
      return 1;
    }
    auto relay = MediaRelay::create(*loop, ports, "127.0.0.1", keys, 0);
    if (!relay) {
      std::fprintf(stderr, "bench_media_relay: %s\n", relay.error().message().c_str());
      return 1;
    }
    auto ua = bind_udp("127.0.0.1", 41200);
    auto echo = bind_udp("127.0.0.1", 41202);
    if (!ua || !echo) return 1;
    auto ua_ep = make_endpoint("127.0.0.1", 41200), echo_ep = make_endpoint("127.0.0.1", 41202);
    auto relay_ua = make_endpoint("127.0.0.1", (*relay)->ua_port());
    (*relay)->set_remote(*echo_ep, *echo_ep);
    (*relay)->set_ua(*ua_ep, *ua_ep);
    // Blocking sockets for the bench's own ends.
    int fl = 0;
    for (int fd : {ua->get(), echo->get()}) {
      fl = fcntl(fd, F_GETFL);
      fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    std::atomic<bool> stop{false};
    std::thread echo_t([&] {
      std::uint8_t b[2048];
      sockaddr_storage from{};
      while (!stop) {
        pollfd p{echo->get(), POLLIN, 0};
        if (::poll(&p, 1, 50) != 1) continue;
        socklen_t fl2 = sizeof from;
        ssize_t k = ::recvfrom(echo->get(), b, sizeof b, 0, reinterpret_cast<sockaddr*>(&from), &fl2);
        if (k > 0) ::sendto(echo->get(), b, std::size_t(k), 0, reinterpret_cast<sockaddr*>(&from), fl2);
      }
    });
    std::thread relay_t([&] {
      while (!stop) (void)loop->run_once(50);
    });
    clockid_t relay_clock;
    pthread_getcpuclockid(relay_t.native_handle(), &relay_clock);

    std::vector<double> direct, through;
    for (std::size_t i = 0; i < n / 10; ++i) {  // warm-up
      (void)ping(ua->get(), *echo_ep, std::uint32_t(i));
      (void)ping(ua->get(), *relay_ua, std::uint32_t(i));
    }
    double relay_cpu = 0;
    std::uint32_t seq = std::uint32_t(n / 10);
    for (std::size_t i = 0; i < n; ++i, ++seq) {  // interleaved so both see the same load
      double d = ping(ua->get(), *echo_ep, seq);
      double c0 = cpu_ns(relay_clock);
      double t = ping(ua->get(), *relay_ua, seq);
      relay_cpu += cpu_ns(relay_clock) - c0;
      if (d < 0 || t < 0) {
        std::fprintf(stderr, "bench_media_relay: a packet was lost (%s)\n", name.c_str());
        stop = true;
        echo_t.join();
        relay_t.join();
        return 1;
      }
      direct.push_back(d);
      through.push_back(t);
    }
    stop = true;
    echo_t.join();
    relay_t.join();

    // Raw libsrtp2 protect+unprotect of the same packet, CPU time of this thread.
    auto* s = keys.stream(0);
    auto tx = srtp::SrtpSession::create(srtp::Direction::outbound, offer->front().keys);
    auto rx = srtp::SrtpSession::create(srtp::Direction::inbound, offer->front().keys);
    if (!s || !tx || !rx) return 1;
    std::uint8_t b[2048];
    double r0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
    for (std::uint32_t i = 0; i < n; ++i) {
      fill(b, i);
      auto a = tx->protect_rtp(b, kLen, sizeof b);
      if (!a || !rx->unprotect_rtp(b, *a)) return 1;
    }
    double raw_per = (cpu_ns(CLOCK_THREAD_CPUTIME_ID) - r0) / double(n);
    double relay_per = relay_cpu / double(n);
    std::vector<double> added(n);
    for (std::size_t i = 0; i < n; ++i) added[i] = through[i] - direct[i];

    rep.metric("cost." + name + ".relay_cpu_ns_per_round_trip", relay_per, "ns");
    rep.metric("cost." + name + ".raw_protect_unprotect_ns", raw_per, "ns");
    rep.ratio("ratio." + name + ".relay_vs_raw", relay_per / raw_per, "lower", 0.5);
    rep.metric("latency." + name + ".direct_median_us", pct(direct, 0.5) / 1e3, "us");
    rep.metric("latency." + name + ".relay_median_us", pct(through, 0.5) / 1e3, "us");
    rep.metric("latency." + name + ".added_median_us", pct(added, 0.5) / 1e3, "us");
    rep.metric("latency." + name + ".added_p99_us", pct(added, 0.99) / 1e3, "us");
    rows.push_back({name, perf::fmt(relay_per, 0), perf::fmt(raw_per, 0), perf::fmt(relay_per / raw_per, 2),
                    perf::fmt(pct(direct, 0.5) / 1e3, 1), perf::fmt(pct(through, 0.5) / 1e3, 1),
                    perf::fmt(pct(added, 0.5) / 1e3, 1), perf::fmt(pct(added, 0.99) / 1e3, 1)});
    (void)fl;
  }
  rep.table("media_relay",
            {"suite", "relay_cpu_ns/rt", "raw_ns/pair", "relay/raw", "direct_med_us", "relay_med_us", "added_med_us",
             "added_p99_us"},
            rows);
  return rep.write(args.out) ? 0 : 1;
}

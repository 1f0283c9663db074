// SPDX-License-Identifier: Apache-2.0
#include "media/decrypt.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "srtp/sdp.h"
#include "srtp/session.h"

namespace phonesec::media {
namespace {

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperClose {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

// One direction of one m-line: packets to (ip, port) are opened with `rx`.
struct Sink {
  std::string ip;  // empty or 0.0.0.0: any address
  std::uint16_t port = 0;
  bool mux = false;
  unsigned mline = 0;
  const char* who = "";
  std::optional<srtp::SrtpSession> rtp, rtcp;
  std::uint64_t ok = 0, failed = 0;
  std::string first_failure;
};

Result<std::string> slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return make_error(Errc::io, "cannot read " + p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Result<srtp::SrtpSession> inbound(const srtp::CryptoAttribute& a, const std::string& what) {
  srtp::SessionOptions o;
  if (a.wsh) o.window = *a.wsh;
  auto s = srtp::SrtpSession::create(srtp::Direction::inbound, a.keys, o);
  if (!s) return make_error(s.error().code, what + ": " + s.error().message());
  return s;
}

std::uint16_t csum_fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(~sum);
}

std::uint32_t csum_add(std::uint32_t sum, const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += std::uint32_t(p[n - 1] << 8);
  return sum;
}

}  // namespace

Result<DecryptReport> decrypt_capture(const std::string& offer_path, const std::string& answer_path,
                                      const std::string& in_path, const std::string& out_path) {
  auto offer_text = slurp(offer_path);
  if (!offer_text) return offer_text.error();
  auto answer_text = slurp(answer_path);
  if (!answer_text) return answer_text.error();
  auto offer = srtp::parse_sdp(*offer_text);
  if (!offer) return make_error(Errc::parse, offer_path + ": " + offer.error().message());
  auto answer = srtp::parse_sdp(*answer_text);
  if (!answer) return make_error(Errc::parse, answer_path + ": " + answer.error().message());
  if (offer->media.size() != answer->media.size())
    return make_error(Errc::invalid_argument, "offer has " + std::to_string(offer->media.size()) +
                                                  " m-lines, answer " + std::to_string(answer->media.size()));
  std::vector<Sink> sinks;
  for (unsigned i = 0; i < offer->media.size(); ++i) {
    auto& om = offer->media[i];
    auto& am = answer->media[i];
    if (am.port == 0 || om.port == 0) continue;
    if (am.crypto.empty())
      return make_error(Errc::invalid_argument, answer_path + ": m-line " + std::to_string(i) + " has no a=crypto");
    const srtp::CryptoAttribute& ans = am.crypto.front();
    const srtp::CryptoAttribute* off = nullptr;
    for (auto& c : om.crypto)
      if (c.tag == ans.tag && c.suite == ans.suite) off = &c;
    if (!off)
      return make_error(Errc::invalid_argument, "m-line " + std::to_string(i) + ": the answer's a=crypto tag " +
                                                    std::to_string(ans.tag) + " is not in the offer");
    bool mux = offer_text->find("a=rtcp-mux") != std::string::npos && answer_text->find("a=rtcp-mux") != std::string::npos;
    std::string ml = "m-line " + std::to_string(i);
    // To the answerer: the offerer's key. To the offerer: the answerer's key.
    for (int dir = 0; dir < 2; ++dir) {
      Sink s;
      s.mline = i;
      s.mux = mux;
      s.ip = dir == 0 ? am.connection : om.connection;
      s.port = dir == 0 ? am.port : om.port;
      s.who = dir == 0 ? "offerer -> answerer" : "answerer -> offerer";
      const srtp::CryptoAttribute& key = dir == 0 ? *off : ans;
      auto a = inbound(key, ml);
      if (!a) return a.error();
      auto b = inbound(key, ml);
      if (!b) return b.error();
      s.rtp = std::move(*a);
      s.rtcp = std::move(*b);
      sinks.push_back(std::move(s));
    }
  }
  if (sinks.empty()) return make_error(Errc::invalid_argument, "no active SRTP m-line in the offer/answer");

  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapClose> in(pcap_open_offline(in_path.c_str(), err));
  if (!in) return make_error(Errc::io, in_path + ": " + err);
  int link = pcap_datalink(in.get());
  std::size_t l2 = 0;
  if (link == DLT_EN10MB) l2 = 14;
  else if (link == DLT_LINUX_SLL) l2 = 16;
  else if (link == DLT_RAW || link == DLT_IPV4 || link == DLT_IPV6) l2 = 0;
  else return make_error(Errc::unsupported, in_path + ": link type " + std::to_string(link) + " not supported");
  std::unique_ptr<pcap_dumper_t, DumperClose> out(pcap_dump_open(in.get(), out_path.c_str()));
  if (!out) return make_error(Errc::io, out_path + ": " + pcap_geterr(in.get()));

  DecryptReport rep;
  std::uint64_t index = 0;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  std::vector<std::uint8_t> buf;
  auto fail = [&](Error e) -> Result<DecryptReport> {
    out.reset();
    std::error_code ec;
    std::filesystem::remove(out_path, ec);
    return e;
  };
  int rc;
  while ((rc = pcap_next_ex(in.get(), &h, &data)) == 1) {
    ++index;
    buf.assign(data, data + h->caplen);
    pcap_pkthdr oh = *h;
    bool handled = false;
    std::size_t l3 = l2;
    if (link == DLT_EN10MB && buf.size() >= 14) {
      std::uint16_t et = std::uint16_t(buf[12] << 8 | buf[13]);
      if (et == 0x8100 && buf.size() >= 18) l3 = 18;
    }
    if (buf.size() > l3 + 20 && h->caplen == h->len) {
      std::uint8_t ver = buf[l3] >> 4;
      std::size_t ihl = 0, l4 = 0;
      char dst[INET6_ADDRSTRLEN] = {};
      std::uint8_t proto = 0;
      if (ver == 4) {
        ihl = std::size_t(buf[l3] & 15) * 4;
        proto = buf[l3 + 9];
        inet_ntop(AF_INET, &buf[l3 + 16], dst, sizeof dst);
        bool frag = (buf[l3 + 6] & 0x3f) || buf[l3 + 7];
        if (frag) proto = 0;
      } else if (ver == 6 && buf.size() > l3 + 40) {
        ihl = 40;
        proto = buf[l3 + 6];
        inet_ntop(AF_INET6, &buf[l3 + 24], dst, sizeof dst);
      }
      l4 = l3 + ihl;
      if (proto == 17 && buf.size() >= l4 + 8 + 12) {
        std::uint16_t dport = std::uint16_t(buf[l4 + 2] << 8 | buf[l4 + 3]);
        for (auto& s : sinks) {
          bool ip_ok = s.ip.empty() || s.ip == "0.0.0.0" || s.ip == "::" || s.ip == dst;
          bool rtcp_port = dport == s.port + 1 && !s.mux;
          if (!ip_ok || (dport != s.port && !rtcp_port)) continue;
          std::size_t p = l4 + 8;
          std::size_t n = buf.size() - p;
          bool rtcp = rtcp_port || (buf[p + 1] >= 192 && buf[p + 1] <= 223);
          auto r = rtcp ? s.rtcp->unprotect_rtcp(&buf[p], n) : s.rtp->unprotect_rtp(&buf[p], n);
          if (!r) {
            if (r.error().context.find("replayed") != std::string::npos) {
              ++rep.duplicates;
              handled = true;
              break;
            }
            if (r.error().context.find("srtp_err_status_bad_param") != std::string::npos) {
              // Too short to hold a tag and index: not SRTP/SRTCP at all (baresip's plain
              // RTCP APP "PINGPONG" that opens the path). Left as it is, counted.
              ++rep.not_srtp;
              break;
            }
            // Not authentic under this key: dropped from the output. When nothing of this
            // direction authenticates at all, the keys are wrong (an error at the end).
            ++s.failed;
            ++rep.unauthenticated;
            if (s.first_failure.empty())
              s.first_failure = "packet " + std::to_string(index) + " (" + (rtcp ? "SRTCP" : "SRTP") + ", m-line " +
                                std::to_string(s.mline) + ", " + s.who + " port " + std::to_string(dport) +
                                "): " + r.error().message();
            handled = true;
            break;
          }
          std::size_t udp_len = 8 + *r;
          buf.resize(p + *r);
          buf[l4 + 4] = std::uint8_t(udp_len >> 8);
          buf[l4 + 5] = std::uint8_t(udp_len);
          if (ver == 4) {
            std::size_t tot = ihl + udp_len;
            buf[l3 + 2] = std::uint8_t(tot >> 8);
            buf[l3 + 3] = std::uint8_t(tot);
            buf[l3 + 10] = buf[l3 + 11] = 0;
            std::uint16_t c = csum_fold(csum_add(0, &buf[l3], ihl));
            buf[l3 + 10] = std::uint8_t(c >> 8);
            buf[l3 + 11] = std::uint8_t(c);
            buf[l4 + 6] = buf[l4 + 7] = 0;  // no UDP checksum (allowed on IPv4)
          } else {
            buf[l3 + 4] = std::uint8_t(udp_len >> 8);
            buf[l3 + 5] = std::uint8_t(udp_len);
            buf[l4 + 6] = buf[l4 + 7] = 0;
            std::uint32_t sum = csum_add(0, &buf[l3 + 8], 32);
            sum += 17 + std::uint32_t(udp_len);
            sum = csum_add(sum, &buf[l4], udp_len);
            std::uint16_t c = csum_fold(sum);
            if (c == 0) c = 0xffff;
            buf[l4 + 6] = std::uint8_t(c >> 8);
            buf[l4 + 7] = std::uint8_t(c);
          }
          oh.caplen = oh.len = std::uint32_t(buf.size());
          pcap_dump(reinterpret_cast<u_char*>(out.get()), &oh, buf.data());
          ++(rtcp ? rep.rtcp : rep.rtp);
          ++s.ok;
          handled = true;
          break;
        }
      }
    }
    if (!handled) {
      pcap_dump(reinterpret_cast<u_char*>(out.get()), h, data);
      ++rep.other;
    }
  }
  if (rc == -1) return fail(make_error(Errc::io, in_path + ": " + pcap_geterr(in.get())));
  rep.other -= rep.not_srtp;
  for (auto& s : sinks)
    if (s.failed > 0 && s.ok == 0)
      return fail(make_error(Errc::auth, s.first_failure + " — wrong keys or not this call (no packet " + s.who +
                                             " authenticates)"));
  if (rep.rtp + rep.rtcp == 0) return fail(make_error(Errc::not_found, in_path + ": no packet of this call found"));
  return rep;
}

}  // namespace phonesec::media

// SPDX-License-Identifier: Apache-2.0
#include "media/media_call.h"

#include "common/log.h"
#include "media/sdp_edit.h"
#include "srtp/sdp.h"

namespace phonesec::media {
namespace {

std::string ml(unsigned i) { return "m-line " + std::to_string(i); }

Result<srtp::SdpInfo> parse(const std::string& body, const char* what) {
  auto info = srtp::parse_sdp(body);
  if (!info) return make_error(Errc::parse, std::string(what) + ": " + info.error().message());
  for (auto& w : info->warnings) log::warn("media", what, ": ", w);
  return info;
}

Status set_pair(const srtp::SdpMedia& m, bool remote, MediaRelay& r) {
  auto rtp = make_endpoint(m.connection, m.port);
  if (!rtp) return rtp.error();
  auto rtcp = make_endpoint(m.connection, std::uint16_t(m.port + 1));
  if (!rtcp) return rtcp.error();
  if (remote)
    r.set_remote(*rtp, *rtcp);
  else
    r.set_ua(*rtp, *rtcp);
  return {};
}

Result<MediaRelay*> relay_for(Call& c, srtp::CallKeys& k, MediaContext& ctx, unsigned i) {
  auto& slot = c.relays[i];
  if (!slot) {
    auto r = MediaRelay::create(ctx.loop, ctx.ports, ctx.net_ip, k, i);
    if (!r) {
      c.relays.erase(i);
      return r.error();
    }
    slot = std::move(*r);
  }
  return slot.get();
}

bool memo_hit(const Call::Memo& m, const std::string& key) { return !m.key.empty() && m.key.reveal() == key; }

void note_suite(Call& c, srtp::CallKeys& k) {
  for (auto& [i, r] : c.relays)
    if (auto* s = k.stream(i)) {
      c.suite = std::string(srtp::suite_name(s->suite));
      return;
    }
}

}  // namespace

Result<SecretString> ua_offer_to_net(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                     const std::string& body) {
  SecretString key(cseq + "\n" + body);
  if (memo_hit(c.ua_offer, key.reveal())) return c.ua_offer.out;
  auto info = parse(body, "SDP offer from the UA");
  if (!info) return info.error();
  std::vector<MediaEdit> edits(info->media.size());
  for (unsigned i = 0; i < info->media.size(); ++i) {
    auto& m = info->media[i];
    if (m.port == 0) continue;
    bool rekey = k.stream(i) != nullptr;  // a re-offer for a running stream: fresh keys
    auto r = relay_for(c, k, ctx, i);
    if (!r) return r.error();
    if (auto st = set_pair(m, false, **r); !st) return st.error();
    auto crypto = k.make_offer(i, ctx.suites, rekey);
    if (!crypto) return crypto.error();
    edits[i] = MediaEdit{true, (*r)->net_port(), secure_proto(m.proto),
                         srtp::media_security_lines(*crypto, ctx.mediasec_agreed)};
  }
  c.ua_offer = {key, rewrite_sdp(body, ctx.net_ip, edits)};
  return c.ua_offer.out;
}

Result<SecretString> net_answer_to_ua(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                      const std::string& body) {
  // 183 and 200 of one INVITE (same CSeq) often repeat the same answer: accept the keys once.
  SecretString key(cseq + "\n" + body);
  if (memo_hit(c.net_answer, key.reveal())) return c.net_answer.out;
  (void)ctx;
  auto info = parse(body, "SDP answer from the network");
  if (!info) return info.error();
  std::vector<MediaEdit> edits(info->media.size());
  for (unsigned i = 0; i < info->media.size(); ++i) {
    auto& m = info->media[i];
    auto it = c.relays.find(i);
    if (it == c.relays.end()) continue;
    if (m.port == 0) {  // stream refused by the far end
      edits[i] = MediaEdit{true, 0, plain_proto(m.proto), {}};
      continue;
    }
    if (auto st = k.accept_answer(i, m.crypto); !st) {
      // No usable key: the relay forwards nothing for this stream (never plain RTP outside).
      log::error("media", "call ", c.id, " ", ml(i), ": answer refused: ", st.error().message());
    }
    if (auto st = set_pair(m, true, *it->second); !st) return st.error();
    edits[i] = MediaEdit{true, it->second->ua_port(), plain_proto(m.proto), {}};
  }
  note_suite(c, k);
  c.net_answer = {key, rewrite_sdp(body, "127.0.0.1", edits)};
  return c.net_answer.out;
}

Result<SecretString> net_offer_to_ua(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                     const std::string& body) {
  SecretString key(cseq + "\n" + body);
  if (memo_hit(c.net_offer, key.reveal())) return c.net_offer.out;
  auto info = parse(body, "SDP offer from the network");
  if (!info) return info.error();
  std::vector<MediaEdit> edits(info->media.size());
  for (unsigned i = 0; i < info->media.size(); ++i) {
    auto& m = info->media[i];
    if (m.port == 0) continue;
    if (m.crypto.empty() || !srtp::select_offer(m.crypto))
      return make_error(Errc::unsupported, "SDP offer from the network: " + ml(i) + " has no usable a=crypto");
    auto ans = k.answer_offer(i, m.crypto);
    if (!ans) return ans.error();
    c.our_answer[i] = std::move(*ans);
    auto r = relay_for(c, k, ctx, i);
    if (!r) return r.error();
    if (auto st = set_pair(m, true, **r); !st) return st.error();
    edits[i] = MediaEdit{true, (*r)->ua_port(), plain_proto(m.proto), {}};
  }
  note_suite(c, k);
  c.net_offer = {key, rewrite_sdp(body, "127.0.0.1", edits)};
  return c.net_offer.out;
}

Result<SecretString> ua_answer_to_net(Call& c, srtp::CallKeys& k, MediaContext& ctx, const std::string& cseq,
                                      const std::string& body) {
  SecretString key(cseq + "\n" + body);
  if (memo_hit(c.ua_answer, key.reveal())) return c.ua_answer.out;
  (void)k;
  auto info = parse(body, "SDP answer from the UA");
  if (!info) return info.error();
  std::vector<MediaEdit> edits(info->media.size());
  for (unsigned i = 0; i < info->media.size(); ++i) {
    auto& m = info->media[i];
    auto it = c.relays.find(i);
    auto ans = c.our_answer.find(i);
    if (it == c.relays.end() || ans == c.our_answer.end()) continue;
    if (m.port == 0) {
      edits[i] = MediaEdit{true, 0, secure_proto(m.proto), {}};
      continue;
    }
    if (auto st = set_pair(m, false, *it->second); !st) return st.error();
    edits[i] = MediaEdit{true, it->second->net_port(), secure_proto(m.proto),
                         srtp::media_security_lines({ans->second}, ctx.mediasec_agreed)};
  }
  c.ua_answer = {key, rewrite_sdp(body, ctx.net_ip, edits)};
  return c.ua_answer.out;
}

}  // namespace phonesec::media

// SPDX-License-Identifier: Apache-2.0
#include "srtp/key_store.h"

#include "common/log.h"

namespace phonesec::srtp {
namespace {
bool same_keys(const CryptoAttribute& a, const CryptoAttribute& b) {
  if (a.suite != b.suite || a.keys.size() != b.keys.size() || a.wsh != b.wsh) return false;
  for (size_t i = 0; i < a.keys.size(); ++i)
    if (!a.keys[i].key.same_as(b.keys[i].key) || a.keys[i].mki != b.keys[i].mki) return false;
  return true;
}
std::string ml(unsigned mline) { return "m-line " + std::to_string(mline); }
}  // namespace

Result<std::vector<CryptoAttribute>> CallKeys::make_offer(unsigned mline, std::span<const Suite> suites, bool rekey) {
  if (suites.empty()) return make_error(Errc::invalid_argument, ml(mline) + ": no suite to offer");
  auto cur = current_.find(mline);
  std::vector<CryptoAttribute> lines;
  std::uint32_t tag = 1;
  for (Suite s : suites) {
    // A re-offer without rekey repeats the key in use for that suite (RFC 4568 §7.1.4).
    if (!rekey && cur != current_.end() && cur->second.local.suite == s) {
      CryptoAttribute a = cur->second.local;
      a.tag = tag++;
      lines.push_back(std::move(a));
      continue;
    }
    auto k = MasterKey::generate(s);
    if (!k) return k.error();
    lines.push_back(make_offer_line(tag++, *k));
  }
  pending_[mline] = Pending{lines};
  return lines;
}

Status CallKeys::accept_answer(unsigned mline, const std::vector<CryptoAttribute>& answer) {
  auto p = pending_.find(mline);
  if (p == pending_.end()) return make_error(Errc::state, ml(mline) + ": answer without an offer");
  if (answer.size() != 1)
    return make_error(Errc::invalid_argument, ml(mline) + ": answer must carry exactly one a=crypto, got " +
                                                  std::to_string(answer.size()));
  const CryptoAttribute& a = answer[0];
  if (auto why = unusable_reason(a)) return make_error(Errc::invalid_argument, ml(mline) + ": answer " + *why);
  for (auto& o : p->second.offered) {
    if (o.tag != a.tag) continue;
    if (o.suite != a.suite)
      return make_error(Errc::invalid_argument, ml(mline) + ": answer tag " + std::to_string(a.tag) +
                                                    " changes the suite to " + std::string(suite_name(a.suite)));
    CryptoAttribute local = o;
    local.wsh = a.wsh;
    pending_.erase(p);
    auto cur = current_.find(mline);
    if (cur != current_.end() && same_keys(cur->second.local, local) && same_keys(cur->second.remote, a))
      return {};  // re-INVITE without new keys: the crypto contexts carry on
    return install(mline, local, a);
  }
  return make_error(Errc::invalid_argument, ml(mline) + ": answer tag " + std::to_string(a.tag) + " was not offered");
}

Result<CryptoAttribute> CallKeys::answer_offer(unsigned mline, const std::vector<CryptoAttribute>& offer) {
  const CryptoAttribute* pick = select_offer(offer);
  if (!pick) return make_error(Errc::unsupported, ml(mline) + ": no usable a=crypto line in the offer");
  auto cur = current_.find(mline);
  if (cur != current_.end() && cur->second.remote.tag == pick->tag && same_keys(cur->second.remote, *pick)) {
    return cur->second.local;  // unchanged re-offer: keep keys and sessions
  }
  auto k = MasterKey::generate(pick->suite);
  if (!k) return k.error();
  CryptoAttribute local = make_answer(*pick, *k);
  if (auto st = install(mline, local, *pick); !st) return st.error();
  return local;
}

Status CallKeys::install(unsigned mline, const CryptoAttribute& local, const CryptoAttribute& remote) {
  // WSH is a hint (RFC 4568 §6.3.7): the receive window takes the largest of 128 and both hints.
  SessionOptions rx_opt;
  if (remote.wsh && *remote.wsh > rx_opt.window) rx_opt.window = *remote.wsh;
  if (local.wsh && *local.wsh > rx_opt.window) rx_opt.window = *local.wsh;
  auto tx = SrtpSession::create(Direction::outbound, local.keys);
  if (!tx) return tx.error();
  auto rx = SrtpSession::create(Direction::inbound, remote.keys, rx_opt);
  if (!rx) return rx.error();
  MediaStream& s = streams_[mline];
  bool rekey = s.tx.has_value();
  s.suite = local.suite;
  s.tag = local.tag;
  s.tx.emplace(std::move(*tx));
  s.rx.emplace(std::move(*rx));
  ++s.generation;
  current_[mline] = Current{local, remote};
  log::info("srtp", ml(mline), rekey ? ": rekeyed, " : ": keys installed, ", suite_name(local.suite), " tag ",
            local.tag, " generation ", s.generation);
  return {};
}

MediaStream* CallKeys::stream(unsigned mline) {
  auto it = streams_.find(mline);
  return it == streams_.end() ? nullptr : &it->second;
}

CallKeys* KeyStore::find(const std::string& call_id) {
  auto it = calls_.find(call_id);
  return it == calls_.end() ? nullptr : &it->second;
}

}  // namespace phonesec::srtp

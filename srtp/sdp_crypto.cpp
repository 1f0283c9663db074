// SPDX-License-Identifier: Apache-2.0
#include "srtp/sdp_crypto.h"

#include <charconv>

namespace phonesec::srtp {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> v;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_ws(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_ws(s[j])) ++j;
    if (j > i) v.push_back(s.substr(i, j - i));
    i = j;
  }
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> v;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) { v.push_back(s.substr(start, i - start)); start = i + 1; }
  return v;
}

template <typename T>
std::optional<T> number(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  T v{};
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

Error err(Errc c, std::string_view where, std::string msg) {
  return make_error(c, "a=crypto: " + std::string(where) + ": " + msg);
}

Status parse_key_param(Suite suite, std::string_view kp, size_t idx, KeyParam& out) {
  std::string where = "key-param " + std::to_string(idx + 1);
  if (kp.substr(0, 7) != "inline:") return err(Errc::unsupported, where, "key method is not 'inline'");
  auto fields = split(kp.substr(7), '|');
  if (fields.size() > 3) return err(Errc::parse, where, "too many '|' fields");
  auto key = MasterKey::from_base64(suite, fields[0]);
  if (!key) return err(key.error().code, where, key.error().context.substr(6));  // drop "srtp: "
  out.key = *key;
  for (size_t f = 1; f < fields.size(); ++f) {
    std::string_view v = fields[f];
    size_t colon = v.find(':');
    if (colon != std::string_view::npos) {  // MKI
      if (f + 1 != fields.size()) return err(Errc::parse, where, "MKI must be the last field");
      auto mv = number<std::uint64_t>(v.substr(0, colon), 19);
      auto ml = number<unsigned>(v.substr(colon + 1), 3);
      if (!mv || !ml || *ml < 1 || *ml > 128) return err(Errc::parse, where, "bad MKI '" + std::string(v) + "'");
      if (*ml < 8 && *mv >= (std::uint64_t(1) << (8 * *ml)))
        return err(Errc::parse, where, "MKI value does not fit in " + std::to_string(*ml) + " octets");
      out.mki = *mv;
      out.mki_len = std::uint8_t(*ml);
    } else {  // lifetime
      if (out.lifetime || out.mki) return err(Errc::parse, where, "unexpected field '" + std::string(v) + "'");
      if (v.substr(0, 2) == "2^") {
        auto e = number<unsigned>(v.substr(2), 2);
        if (!e || *e > 63) return err(Errc::parse, where, "bad lifetime '" + std::string(v) + "'");
        out.lifetime = std::uint64_t(1) << *e;
        out.lifetime_pow2 = true;
      } else {
        auto n = number<std::uint64_t>(v, 19);
        if (!n || *n == 0) return err(Errc::parse, where, "bad lifetime '" + std::string(v) + "'");
        out.lifetime = *n;
      }
      // RFC 3711 §9.2 / RFC 7714 §13: at most 2^48 SRTP packets per master key.
      if (*out.lifetime > (std::uint64_t(1) << 48))
        return err(Errc::invalid_argument, where, "lifetime above 2^48 packets");
    }
  }
  return {};
}

Status parse_session_param(std::string_view sp, CryptoAttribute& a) {
  size_t eq = sp.find('=');
  std::string_view name = sp.substr(0, eq);
  std::string_view val = eq == std::string_view::npos ? std::string_view{} : sp.substr(eq + 1);
  bool has = eq != std::string_view::npos;
  if (name == "UNENCRYPTED_SRTP" && !has) a.unencrypted_srtp = true;
  else if (name == "UNENCRYPTED_SRTCP" && !has) a.unencrypted_srtcp = true;
  else if (name == "UNAUTHENTICATED_SRTP" && !has) a.unauthenticated_srtp = true;
  else if (name == "KDR" && has) {
    auto n = number<unsigned>(val, 2);
    if (!n || *n > 24) return err(Errc::parse, "KDR", "must be 0-24, got '" + std::string(val) + "'");
    a.kdr = *n;
  } else if (name == "WSH" && has) {
    auto n = number<unsigned>(val, 5);
    if (!n || *n < 64 || *n > 0x7fff) return err(Errc::parse, "WSH", "must be 64-32767, got '" + std::string(val) + "'");
    a.wsh = *n;
  } else if (name == "FEC_ORDER" && has) {
    if (val != "FEC_SRTP" && val != "SRTP_FEC") return err(Errc::parse, "FEC_ORDER", "unknown order '" + std::string(val) + "'");
    a.fec_order = std::string(val);
  } else if (name == "FEC_KEY" && has) {
    a.fec_key = true;
  } else {
    if (name.empty()) return err(Errc::parse, "session-param", "empty name");
    a.other.push_back(SessionParam{std::string(name), std::string(val), has});
  }
  return {};
}

}  // namespace

Result<CryptoAttribute> parse_crypto_attribute(std::string_view text) {
  if (text.substr(0, 2) == "a=") text.remove_prefix(2);
  if (text.substr(0, 7) == "crypto:") text.remove_prefix(7);
  auto tok = split_ws(text);
  if (tok.size() < 3) return make_error(Errc::parse, "a=crypto: needs tag, suite and key-params");
  CryptoAttribute a;
  auto tag = number<std::uint32_t>(tok[0], 9);
  if (!tag) return err(Errc::parse, "tag", "not 1-9 digits: '" + std::string(tok[0]) + "'");
  a.tag = *tag;
  auto suite = suite_from_name(tok[1]);
  if (!suite) return err(Errc::unsupported, "suite", "unsupported crypto suite '" + std::string(tok[1]) + "'");
  a.suite = *suite;
  auto kps = split(tok[2], ';');
  for (size_t i = 0; i < kps.size(); ++i) {
    KeyParam kp;
    auto st = parse_key_param(a.suite, kps[i], i, kp);
    if (!st) return st.error();
    a.keys.push_back(std::move(kp));
  }
  if (a.keys.size() > 1) {  // RFC 4568 §6.1: several keys need MKIs of one length
    for (auto& k : a.keys)
      if (!k.mki || k.mki_len != a.keys[0].mki_len)
        return err(Errc::parse, "key-params", "several keys need an MKI of the same length on each");
  }
  for (size_t i = 3; i < tok.size(); ++i) {
    auto st = parse_session_param(tok[i], a);
    if (!st) return st.error();
  }
  return a;
}

SecretString format_crypto_attribute(const CryptoAttribute& a) {
  std::string s;
  s.reserve(512);  // one allocation: no stray copies of the key in freed blocks
  s += "a=crypto:" + std::to_string(a.tag) + " " + std::string(suite_name(a.suite)) + " ";
  for (size_t i = 0; i < a.keys.size(); ++i) {
    const auto& k = a.keys[i];
    if (i) s += ';';
    s += "inline:";
    s += k.key.to_base64().reveal();
    if (k.lifetime) {
      s += '|';
      if (k.lifetime_pow2) {
        unsigned e = 0;
        while ((std::uint64_t(1) << e) < *k.lifetime) ++e;
        s += "2^" + std::to_string(e);
      } else {
        s += std::to_string(*k.lifetime);
      }
    }
    if (k.mki) s += '|' + std::to_string(*k.mki) + ':' + std::to_string(k.mki_len);
  }
  if (a.unencrypted_srtp) s += " UNENCRYPTED_SRTP";
  if (a.unencrypted_srtcp) s += " UNENCRYPTED_SRTCP";
  if (a.unauthenticated_srtp) s += " UNAUTHENTICATED_SRTP";
  if (a.kdr) s += " KDR=" + std::to_string(*a.kdr);
  if (a.wsh) s += " WSH=" + std::to_string(*a.wsh);
  if (!a.fec_order.empty()) s += " FEC_ORDER=" + a.fec_order;
  for (auto& p : a.other) s += " " + p.name + (p.has_value ? "=" + p.value : "");
  SecretString out(std::move(s));
  return out;
}

std::optional<std::string> unusable_reason(const CryptoAttribute& a) {
  if (a.keys.empty()) return "no key";
  if (a.unencrypted_srtp || a.unencrypted_srtcp || a.unauthenticated_srtp)
    return "asks for unencrypted or unauthenticated media";
  if (a.kdr && *a.kdr != 0) return "KDR other than 0 is not supported";
  if (a.fec_key) return "FEC_KEY is not supported";
  if (a.keys.size() > 16) return "more than 16 master keys";
  for (auto& p : a.other)
    if (p.name[0] != '-') return "unknown mandatory session parameter '" + p.name + "'";
  return std::nullopt;
}

const CryptoAttribute* select_offer(const std::vector<CryptoAttribute>& offers) {
  for (auto& o : offers)
    if (!unusable_reason(o)) return &o;
  return nullptr;
}

CryptoAttribute make_offer_line(std::uint32_t tag, const MasterKey& key) {
  CryptoAttribute a;
  a.tag = tag;
  a.suite = key.suite();
  KeyParam kp;
  kp.key = key;
  a.keys.push_back(std::move(kp));
  return a;
}

CryptoAttribute make_answer(const CryptoAttribute& offer, const MasterKey& local) {
  CryptoAttribute a = make_offer_line(offer.tag, local);
  a.wsh = offer.wsh;
  return a;
}

}  // namespace phonesec::srtp

// SPDX-License-Identifier: Apache-2.0
#include "dot1x/eap_fast_tlv.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <cstring>

namespace phonesec::dot1x::fast {

Result<std::vector<Tlv>> parse_tlvs(ByteView b) {
  std::vector<Tlv> out;
  size_t off = 0;
  while (off < b.size()) {
    if (b.size() - off < 4) return make_error(Errc::parse, "EAP-FAST TLV header truncated at offset " + std::to_string(off));
    const uint16_t t = get_be16(&b[off]), len = get_be16(&b[off + 2]);
    if (b.size() - off - 4 < len)
      return make_error(Errc::parse, "EAP-FAST TLV type " + std::to_string(t & 0x3fff) + " at offset " + std::to_string(off) +
                                         ": length " + std::to_string(len) + " runs past the end");
    out.push_back(Tlv{uint16_t(t & 0x3fff), (t & tlv::mandatory) != 0, b.subspan(off + 4, len)});
    off += 4 + len;
  }
  return out;
}

void put_tlv(Bytes& out, uint16_t type, ByteView value, bool mandatory) {
  put_be16(out, uint16_t(type | (mandatory ? tlv::mandatory : 0)));
  put_be16(out, uint16_t(value.size()));
  append(out, value);
}

Bytes result_tlv(uint16_t type, uint16_t status) {
  Bytes v, out;
  put_be16(v, status);
  put_tlv(out, type, v);
  return out;
}

SecretBytes t_prf(ByteView key, std::string_view label, ByteView seed, size_t len) {
  Bytes s(label.begin(), label.end());
  s.push_back(0);
  append(s, seed);
  SecretBytes out(len);
  uint8_t t[20];
  unsigned tlen = 0;
  size_t pos = 0;
  for (uint8_t n = 1; pos < len; ++n) {
    Bytes in;
    if (n > 1) in.insert(in.end(), t, t + 20);
    append(in, s);
    put_be16(in, uint16_t(len));
    in.push_back(n);
    HMAC(EVP_sha1(), key.data(), int(key.size()), in.data(), in.size(), t, &tlen);
    const size_t k = std::min<size_t>(20, len - pos);
    std::memcpy(out.data() + pos, t, k);
    pos += k;
    secure_wipe(in.data(), in.size());
  }
  secure_wipe(t, sizeof t);
  secure_wipe(s.data(), s.size());  // the seed may be an ISK
  return out;
}

Imck next_imck(ByteView simck_prev, ByteView isk32) {
  SecretBytes imck = t_prf(simck_prev, "Inner Methods Compound Keys", isk32, 60);
  return Imck{SecretBytes(imck.view().subspan(0, 40)), SecretBytes(imck.view().subspan(40, 20))};
}

SecretBytes session_msk(ByteView simck) { return t_prf(simck, "Session Key Generating Function", {}, 64); }

namespace {
// Offsets inside the 60-byte TLV: 4 header, 1 reserved, 1 version, 1 received version,
// 1 subtype, 32 nonce, 20 compound MAC.
constexpr size_t kVer = 5, kRecvVer = 6, kSub = 7, kNonce = 8, kMac = 40;
Bytes compound_mac(ByteView tlv60, const SecretBytes& cmk) {
  Bytes z(tlv60.begin(), tlv60.end());
  std::memset(z.data() + kMac, 0, 20);
  Bytes mac(20);
  unsigned n = 0;
  HMAC(EVP_sha1(), cmk.data(), int(cmk.size()), z.data(), z.size(), mac.data(), &n);
  return mac;
}
}  // namespace

Result<Bytes> answer_crypto_binding(ByteView t, const SecretBytes& cmk) {
  if (t.size() != kCryptoBindingLen)
    return make_error(Errc::parse, "Crypto-Binding TLV: " + std::to_string(t.size()) + " bytes, expected 60");
  if (t[kVer] != 1) return make_error(Errc::unsupported, "Crypto-Binding TLV: version " + std::to_string(t[kVer]));
  if (t[kSub] != 0) return make_error(Errc::parse, "Crypto-Binding TLV: subtype " + std::to_string(t[kSub]) + " is not a request");
  if (t[kNonce + 31] & 1) return make_error(Errc::parse, "Crypto-Binding TLV: request nonce with its low bit set");
  Bytes want = compound_mac(t, cmk);
  if (CRYPTO_memcmp(want.data(), t.data() + kMac, 20) != 0)
    return make_error(Errc::auth, "Crypto-Binding TLV: the server's Compound MAC does not verify (tunnel not bound to the inner method)");
  Bytes r(t.begin(), t.end());
  r[kRecvVer] = t[kVer];
  r[kVer] = 1;
  r[kSub] = 1;
  r[kNonce + 31] |= 1;  // nonce + 1 on an even nonce
  Bytes mac = compound_mac(r, cmk);
  std::memcpy(r.data() + kMac, mac.data(), 20);
  return r;
}

Result<Pac> parse_pac(ByteView v) {
  auto tl = parse_tlvs(v);
  if (!tl) return make_error(Errc::parse, "PAC TLV: " + tl.error().message());
  Pac p;
  for (const Tlv& t : *tl) {
    switch (t.type) {
      case pac_attr::key:
        if (t.value.size() != 32) return make_error(Errc::parse, "PAC-Key: " + std::to_string(t.value.size()) + " bytes, expected 32");
        p.key = SecretBytes(t.value);
        break;
      case pac_attr::opaque: p.opaque.assign(t.value.begin(), t.value.end()); break;
      case pac_attr::info: {
        auto info = parse_tlvs(t.value);
        if (!info) return make_error(Errc::parse, "PAC-Info: " + info.error().message());
        for (const Tlv& i : *info) {
          if (i.type == pac_attr::a_id) p.a_id.assign(i.value.begin(), i.value.end());
          else if (i.type == pac_attr::i_id) p.i_id.assign(i.value.begin(), i.value.end());
          else if (i.type == pac_attr::a_id_info) p.a_id_info.assign(i.value.begin(), i.value.end());
          else if (i.type == pac_attr::lifetime && i.value.size() == 4) p.lifetime = get_be32(i.value.data());
        }
        break;
      }
      default: break;
    }
  }
  if (p.key.empty()) return make_error(Errc::parse, "PAC TLV without a PAC-Key");
  if (p.opaque.empty()) return make_error(Errc::parse, "PAC TLV without a PAC-Opaque");
  if (p.a_id.empty()) return make_error(Errc::parse, "PAC TLV without an A-ID in PAC-Info");
  return p;
}

}  // namespace phonesec::dot1x::fast

// SPDX-License-Identifier: Apache-2.0
#include "dot1x/eapol.h"

#include <algorithm>
#include <cstdio>

namespace phonesec::dot1x {

std::string hex(ByteView b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t c : b) {
    s.push_back(d[c >> 4]);
    s.push_back(d[c & 15]);
  }
  return s;
}

std::string mac_to_string(const Mac& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return buf;
}

std::optional<Mac> mac_from_string(std::string_view s) {
  Mac m{};
  if (s.size() != 17) return std::nullopt;
  for (size_t i = 0; i < 6; ++i) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int h = nib(s[i * 3]), l = nib(s[i * 3 + 1]);
    if (h < 0 || l < 0 || (i < 5 && s[i * 3 + 2] != ':')) return std::nullopt;
    m[i] = uint8_t(h << 4 | l);
  }
  return m;
}

std::string_view to_string(EapolType t) {
  switch (t) {
    case EapolType::eap_packet: return "EAP-Packet";
    case EapolType::start: return "EAPOL-Start";
    case EapolType::logoff: return "EAPOL-Logoff";
    case EapolType::key: return "EAPOL-Key";
    case EapolType::encapsulated_asf_alert: return "EAPOL-Encapsulated-ASF-Alert";
    case EapolType::mka: return "EAPOL-MKA";
    case EapolType::announcement_generic: return "EAPOL-Announcement(Generic)";
    case EapolType::announcement_specific: return "EAPOL-Announcement(Specific)";
    case EapolType::announcement_req: return "EAPOL-Announcement-Req";
  }
  return "EAPOL-unknown";
}

Result<EapolFrame> parse_eapol(ByteView f) {
  if (f.size() < kEthHdrLen)
    return make_error(Errc::parse, "EAPOL frame: " + std::to_string(f.size()) + " bytes, shorter than the Ethernet header");
  EapolFrame out;
  std::copy_n(f.begin(), 6, out.dst.begin());
  std::copy_n(f.begin() + 6, 6, out.src.begin());
  size_t off = 12;
  uint16_t et = get_be16(&f[off]);
  if (et == kEthP8021Q) {
    if (f.size() < off + 8) return make_error(Errc::parse, "EAPOL frame: truncated 802.1Q tag at offset 12");
    off += 4;
    et = get_be16(&f[off]);
  }
  off += 2;
  if (et != kEthPPae) return make_error(Errc::parse, "EAPOL frame: ethertype 0x" + hex(f.subspan(off - 2, 2)) + " is not 0x888e");
  if (f.size() < off + kEapolHdrLen)
    return make_error(Errc::parse, "EAPOL frame: header truncated at offset " + std::to_string(off));
  out.version = f[off];
  uint8_t type = f[off + 1];
  uint16_t len = get_be16(&f[off + 2]);
  if (out.version == 0)
    return make_error(Errc::parse, "EAPOL frame: protocol version 0 at offset " + std::to_string(off));
  if (type > uint8_t(EapolType::announcement_req))
    return make_error(Errc::parse, "EAPOL frame: unknown packet type " + std::to_string(type));
  out.type = EapolType(type);
  off += kEapolHdrLen;
  if (size_t(len) > f.size() - off)
    return make_error(Errc::parse, "EAPOL frame: body length " + std::to_string(len) + " exceeds the " +
                                       std::to_string(f.size() - off) + " bytes left at offset " + std::to_string(off));
  out.body = f.subspan(off, len);
  return out;
}

Bytes build_eapol(const Mac& dst, const Mac& src, uint8_t version, EapolType type, ByteView body) {
  Bytes b;
  b.reserve(std::max(kMinFrameLen, kEthHdrLen + kEapolHdrLen + body.size()));
  b.insert(b.end(), dst.begin(), dst.end());
  b.insert(b.end(), src.begin(), src.end());
  put_be16(b, kEthPPae);
  b.push_back(version);
  b.push_back(uint8_t(type));
  put_be16(b, uint16_t(body.size()));
  append(b, body);
  if (b.size() < kMinFrameLen) b.resize(kMinFrameLen, 0);
  return b;
}

std::string eap_type_name(uint8_t t) {
  switch (t) {
    case eap_type::identity: return "Identity";
    case eap_type::notification: return "Notification";
    case eap_type::nak: return "Nak";
    case eap_type::md5: return "MD5-Challenge";
    case eap_type::gtc: return "GTC";
    case eap_type::tls: return "EAP-TLS";
    case eap_type::mschapv2: return "MSCHAPv2";
    case eap_type::fast: return "EAP-FAST";
    case eap_type::expanded: return "Expanded";
    default: return "type " + std::to_string(t);
  }
}

Result<EapPacket> parse_eap(ByteView b) {
  if (b.size() < kEapHdrLen)
    return make_error(Errc::parse, "EAP packet: " + std::to_string(b.size()) + " bytes, shorter than the 4-byte header");
  EapPacket p;
  uint8_t code = b[0];
  p.id = b[1];
  uint16_t len = get_be16(&b[2]);
  if (len < kEapHdrLen) return make_error(Errc::parse, "EAP packet: Length field " + std::to_string(len) + " below 4");
  if (len > b.size())
    return make_error(Errc::parse, "EAP packet: Length field " + std::to_string(len) + " exceeds the " +
                                       std::to_string(b.size()) + " bytes received");
  p.raw = b.subspan(0, len);
  switch (code) {
    case 1:
    case 2:
      if (len < kEapHdrLen + 1)
        return make_error(Errc::parse, std::string("EAP ") + (code == 1 ? "Request" : "Response") + " id " +
                                           std::to_string(p.id) + " without a Type field");
      p.code = EapCode(code);
      p.type = b[4];
      p.data = b.subspan(5, len - 5);
      break;
    case 3:
    case 4:
      if (len != kEapHdrLen)
        return make_error(Errc::parse, std::string("EAP ") + (code == 3 ? "Success" : "Failure") + " with Length " +
                                           std::to_string(len) + " (must be 4)");
      p.code = EapCode(code);
      break;
    default:
      return make_error(Errc::parse, "EAP packet: unknown Code " + std::to_string(code));
  }
  return p;
}

Bytes build_eap(EapCode code, uint8_t id, uint8_t type, ByteView data) {
  Bytes b;
  b.reserve(5 + data.size());
  b.push_back(uint8_t(code));
  b.push_back(id);
  put_be16(b, uint16_t(5 + data.size()));
  b.push_back(type);
  append(b, data);
  return b;
}

Bytes build_eap_success_failure(EapCode code, uint8_t id) { return Bytes{uint8_t(code), id, 0, 4}; }

}  // namespace phonesec::dot1x

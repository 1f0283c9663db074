// SPDX-License-Identifier: Apache-2.0
#include "dot1x/tls_framing.h"

#include <algorithm>

namespace phonesec::dot1x {

void TlsFraming::reset() {
  in_.clear();
  in_total_ = 0;
  in_progress_ = false;
  out_.clear();
  out_pos_ = 0;
}

Result<TlsFraming::Received> TlsFraming::receive(const EapPacket& req) {
  const std::string where = eap_type_name(type_) + " request id " + std::to_string(req.id);
  if (req.data.empty()) return make_error(Errc::parse, where + ": no Flags octet");
  Received r;
  r.flags = req.data[0];
  ByteView payload = req.data.subspan(1);
  size_t announced = 0;
  if (r.flags & tls_flags::length_included) {
    if (payload.size() < 4) return make_error(Errc::parse, where + ": L bit set but TLS Message Length truncated");
    announced = get_be32(payload.data());
    payload = payload.subspan(4);
    if (announced > kMaxTlsMessage)
      return make_error(Errc::parse, where + ": TLS Message Length " + std::to_string(announced) + " above the " +
                                         std::to_string(kMaxTlsMessage) + "-byte limit");
  }
  if (r.flags & tls_flags::start) {
    reset();
    r.kind = Kind::start;
    r.message.assign(payload.begin(), payload.end());
    return r;
  }
  if (sending()) {
    if (!payload.empty() || (r.flags & tls_flags::more_fragments))
      return make_error(Errc::parse, where + ": " + std::to_string(payload.size()) +
                                         " bytes of data while an ACK for our fragment was expected");
    r.kind = Kind::fragment_sent;
    r.response = next_fragment(req.id);
    return r;
  }
  if (!in_progress_) {
    in_.clear();
    in_total_ = announced;
    in_progress_ = true;
  } else if (announced && in_total_ && announced != in_total_) {
    return make_error(Errc::parse, where + ": TLS Message Length changed from " + std::to_string(in_total_) + " to " +
                                       std::to_string(announced) + " between fragments");
  }
  if (in_.size() + payload.size() > (in_total_ ? in_total_ : kMaxTlsMessage)) {
    const size_t lim = in_total_ ? in_total_ : kMaxTlsMessage;
    reset();
    return make_error(Errc::parse, where + ": fragments exceed " + std::to_string(lim) + " bytes");
  }
  in_.insert(in_.end(), payload.begin(), payload.end());
  if (r.flags & tls_flags::more_fragments) {
    r.kind = Kind::ack_sent;
    r.response = respond(req.id, {});
    return r;
  }
  if (in_total_ && in_.size() != in_total_) {
    const size_t got = in_.size(), want = in_total_;
    reset();
    return make_error(Errc::parse, where + ": reassembled " + std::to_string(got) + " bytes, TLS Message Length said " +
                                       std::to_string(want));
  }
  r.kind = Kind::message;
  r.message = std::move(in_);
  in_.clear();
  in_total_ = 0;
  in_progress_ = false;
  return r;
}

Bytes TlsFraming::next_fragment(uint8_t id) {
  const size_t left = out_.size() - out_pos_;
  const size_t n = std::min(left, frag_);
  Bytes d;
  uint8_t flags = version_;
  const bool first = out_pos_ == 0;
  const bool more = n < left;
  if (more) flags |= tls_flags::more_fragments;
  if (first && more) flags |= tls_flags::length_included;
  d.push_back(flags);
  if (first && more) put_be32(d, uint32_t(out_.size()));
  d.insert(d.end(), out_.begin() + long(out_pos_), out_.begin() + long(out_pos_ + n));
  out_pos_ += n;
  if (out_pos_ >= out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  return build_eap(EapCode::response, id, type_, d);
}

Bytes TlsFraming::respond(uint8_t id, ByteView data) {
  if (data.empty()) return build_eap(EapCode::response, id, type_, Bytes{version_});
  out_.assign(data.begin(), data.end());
  out_pos_ = 0;
  return next_fragment(id);
}

}  // namespace phonesec::dot1x

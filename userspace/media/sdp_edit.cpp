// SPDX-License-Identifier: Apache-2.0
#include "media/sdp_edit.h"

namespace phonesec::media {
namespace {

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string rewrite_m(std::string_view line, const MediaEdit& e) {
  // m=<media> <port>[/<n>] <proto> <fmt> …
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  auto sp3 = sp2 == std::string_view::npos ? sp2 : line.find(' ', sp2 + 1);
  if (sp3 == std::string_view::npos) return std::string(line);
  return std::string(line.substr(0, sp1 + 1)) + std::to_string(e.port) + " " + e.proto + std::string(line.substr(sp3));
}

}  // namespace

std::string secure_proto(std::string_view p) {
  if (p == "RTP/AVP") return "RTP/SAVP";
  if (p == "RTP/AVPF") return "RTP/SAVPF";
  return std::string(p);
}

std::string plain_proto(std::string_view p) {
  if (p == "RTP/SAVP") return "RTP/AVP";
  if (p == "RTP/SAVPF") return "RTP/AVPF";
  return std::string(p);
}

SecretString rewrite_sdp(std::string_view body, std::string_view conn, const std::vector<MediaEdit>& edits) {
  std::string out;
  out.reserve(body.size() + 256);
  const std::string c_line =
      std::string("c=IN ") + (conn.find(':') != std::string_view::npos ? "IP6 " : "IP4 ") + std::string(conn);
  int mline = -1;
  auto close_section = [&] {
    if (mline >= 0 && std::size_t(mline) < edits.size() && edits[std::size_t(mline)].touch)
      out += edits[std::size_t(mline)].security_lines.reveal();
  };
  for (std::size_t pos = 0; pos < body.size();) {
    auto nl = body.find('\n', pos);
    std::string_view line = body.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (starts(line, "a=crypto:") || starts(line, "a=3ge2ae:") || starts(line, "a=rtcp:")) continue;
    if (starts(line, "m=")) {
      close_section();
      ++mline;
      if (std::size_t(mline) < edits.size() && edits[std::size_t(mline)].touch)
        out += rewrite_m(line, edits[std::size_t(mline)]);
      else
        out += line;
    } else if (starts(line, "c=") && !conn.empty()) {
      out += c_line;
    } else if (starts(line, "o=") && !conn.empty()) {
      // o=<user> <sess-id> <sess-version> IN IP4 <address>: the origin's address is the relay's
      // too, so the UA's loopback address never leaves the device.
      auto sp = line.rfind(' ');
      auto sp2 = sp == std::string_view::npos ? sp : line.rfind(' ', sp - 1);
      if (sp2 == std::string_view::npos) {
        out += line;
      } else {
        out += line.substr(0, sp2 + 1);
        out += conn.find(':') != std::string_view::npos ? "IP6 " : "IP4 ";
        out += conn;
      }
    } else {
      out += line;
    }
    out += "\r\n";
  }
  close_section();
  SecretString s(std::move(out));
  return s;
}

}  // namespace phonesec::media

// SPDX-License-Identifier: Apache-2.0
#include "sip/message.h"
#include "common/text.h"


#include <cctype>

namespace phonesec::sip {
using text::trim;
namespace {

// RFC 3261 7.3.3 compact forms.
std::string canonical(std::string_view n) {
  static const std::pair<const char*, const char*> compact[] = {
      {"v", "Via"},          {"f", "From"},
      {"t", "To"},           {"i", "Call-ID"},
      {"m", "Contact"},      {"l", "Content-Length"},
      {"c", "Content-Type"}, {"k", "Supported"},
      {"s", "Subject"},      {"e", "Content-Encoding"}};
  for (auto [c, full] : compact)
    if (text::iequals(n, c)) return full;
  return std::string(n);
}

}  // namespace

const std::string* Message::header(std::string_view name) const {
  std::string c = canonical(name);
  for (const auto& [n, v] : headers)
    if (text::iequals(n, c)) return &v;
  return nullptr;
}

std::vector<std::string> Message::all(std::string_view name) const {
  std::string c = canonical(name);
  std::vector<std::string> out;
  for (const auto& [n, v] : headers)
    if (text::iequals(n, c)) out.push_back(v);
  return out;
}

bool Message::to_has_tag() const {
  const std::string* to = header("To");
  if (!to) return false;
  // The tag is a parameter after the URI (after '>' when the URI is in angle brackets).
  std::string_view v = *to;
  if (auto gt = v.rfind('>'); gt != std::string_view::npos) v = v.substr(gt);
  std::string low(v);
  for (auto& ch : low) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return low.find(";tag=") != std::string::npos || low.find("; tag=") != std::string::npos;
}

Result<Message> parse(std::string_view text) {
  Message m;
  auto hdr_end = text.find("\r\n\r\n");
  std::size_t body_at = hdr_end == std::string_view::npos ? text.size() : hdr_end + 4;
  if (hdr_end == std::string_view::npos) {
    hdr_end = text.find("\n\n");
    body_at = hdr_end == std::string_view::npos ? text.size() : hdr_end + 2;
  }
  std::string_view head = text.substr(0, hdr_end == std::string_view::npos ? text.size() : hdr_end);
  m.body = std::string(text.substr(std::min(body_at, text.size())));
  std::vector<std::string> lines;
  for (std::size_t pos = 0; pos <= head.size();) {
    auto nl = head.find('\n', pos);
    std::string_view line =
        head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !lines.empty())
      lines.back() += " " + std::string(trim(line));  // folded continuation line
    else if (!line.empty())
      lines.emplace_back(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (lines.empty()) return make_error(Errc::parse, "SIP message: empty");
  std::string_view start = lines[0];
  if (start.rfind("SIP/2.0 ", 0) == 0) {
    auto code = start.substr(8, 3);
    if (code.size() != 3 || !std::isdigit(static_cast<unsigned char>(code[0])))
      return make_error(Errc::parse, "SIP response: bad status line '" + std::string(start) + "'");
    m.status = std::stoi(std::string(code));
    if (start.size() > 12) m.reason = std::string(trim(start.substr(12)));
  } else {
    auto sp1 = start.find(' ');
    auto sp2 = start.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1 || start.substr(sp2 + 1) != "SIP/2.0")
      return make_error(Errc::parse, "SIP request: bad request line '" + std::string(start) + "'");
    m.is_request = true;
    m.method = std::string(start.substr(0, sp1));
    m.uri = std::string(start.substr(sp1 + 1, sp2 - sp1 - 1));
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto colon = lines[i].find(':');
    if (colon == std::string::npos)
      return make_error(Errc::parse,
                        "SIP header line " + std::to_string(i + 1) + ": no ':' in '" + lines[i] + "'");
    m.headers.emplace_back(canonical(trim(std::string_view(lines[i]).substr(0, colon))),
                           std::string(trim(std::string_view(lines[i]).substr(colon + 1))));
  }
  return m;
}

std::string serialize(const Message& m) {
  std::string r;
  r.reserve(512 + m.body.size());
  if (m.is_request)
    r = m.method + " " + m.uri + " SIP/2.0\r\n";
  else
    r = "SIP/2.0 " + std::to_string(m.status) + " " + (m.reason.empty() ? "OK" : m.reason) + "\r\n";
  for (const auto& [n, v] : m.headers) {
    if (text::iequals(n, "Content-Length")) continue;
    r += n;
    r += ": ";
    r += v;
    r += "\r\n";
  }
  r += "Content-Length: " + std::to_string(m.body.size()) + "\r\n\r\n";
  r += m.body;
  return r;
}

std::string make_response(const Message& req, int status, std::string_view reason, std::string_view to_tag,
                          const std::vector<std::string>& extra) {
  std::string r = "SIP/2.0 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  for (const auto& v : req.all("Via")) r += "Via: " + v + "\r\n";
  if (auto* f = req.header("From")) r += "From: " + *f + "\r\n";
  if (auto* t = req.header("To")) {
    r += "To: " + *t;
    if (!req.to_has_tag() && !to_tag.empty()) r += ";tag=" + std::string(to_tag);
    r += "\r\n";
  }
  if (auto* c = req.header("Call-ID")) r += "Call-ID: " + *c + "\r\n";
  if (auto* c = req.header("CSeq")) r += "CSeq: " + *c + "\r\n";
  for (const auto& e : extra) r += e + "\r\n";
  r += "Content-Length: 0\r\n\r\n";
  return r;
}

}  // namespace phonesec::sip

// SPDX-License-Identifier: Apache-2.0
#include "tls/ldap_proto.h"

#include <cctype>

#include "common/secure.h"
#include "tls/ber.h"

namespace phonesec::tls::ldap {
namespace {

using ber::Reader;
using ber::Writer;

std::string envelope(int id, const Writer& op) {
  Writer body;
  body.integer(id);
  std::string b = body.bytes() + op.bytes();
  Writer out;
  out.raw(ber::kSequence, b);
  secure_wipe(b.data(), b.size());
  return out.bytes();
}

class FilterParser {
 public:
  explicit FilterParser(std::string_view s) : s_(s) {}

  Result<std::string> parse_all() {
    auto f = parse();
    if (!f) return f;
    if (pos_ != s_.size()) return err("unexpected text after the filter");
    return f;
  }

 private:
  Error err(const std::string& why) const {
    return make_error(Errc::invalid_argument,
                      "LDAP filter '" + std::string(s_) + "': " + why + " at offset " + std::to_string(pos_));
  }

  Result<std::string> parse() {
    if (pos_ >= s_.size() || s_[pos_] != '(') return err("expected '('");
    if (++depth_ > 32) return err("more than 32 parenthesised parts");
    ++pos_;
    Writer w;
    if (pos_ < s_.size() && (s_[pos_] == '&' || s_[pos_] == '|')) {
      std::uint8_t tag = ber::context(s_[pos_] == '&' ? 0 : 1, true);
      ++pos_;
      std::string content;
      int n = 0;
      for (; pos_ < s_.size() && s_[pos_] == '('; ++n) {
        auto sub = parse();
        if (!sub) return sub;
        content += *sub;
      }
      if (n == 0) return err("'&' or '|' needs at least one filter");
      w.raw(tag, content);
    } else if (pos_ < s_.size() && s_[pos_] == '!') {
      ++pos_;
      auto sub = parse();
      if (!sub) return sub;
      w.raw(ber::context(2, true), *sub);
    } else {
      auto item = parse_item();
      if (!item) return item;
      if (pos_ >= s_.size() || s_[pos_] != ')') return err("expected ')'");
      ++pos_;
      return *item;
    }
    if (pos_ >= s_.size() || s_[pos_] != ')') return err("expected ')'");
    ++pos_;
    return w.bytes();
  }

  // attr op value, up to (not including) the closing ')'.
  Result<std::string> parse_item() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' ||
                                s_[pos_] == '.' || s_[pos_] == ';'))
      ++pos_;
    std::string attr(s_.substr(start, pos_ - start));
    if (attr.empty()) return err("expected an attribute name");
    if (pos_ >= s_.size()) return err("expected an operator");
    int kind = 3;  // equality
    if (s_.substr(pos_, 2) == ">=")
      kind = 5, pos_ += 2;
    else if (s_.substr(pos_, 2) == "<=")
      kind = 6, pos_ += 2;
    else if (s_.substr(pos_, 2) == "~=")
      kind = 8, pos_ += 2;
    else if (s_[pos_] == '=')
      ++pos_;
    else
      return err("expected =, >=, <= or ~=");
    // Raw value with '*' kept as separators (unescaped ones only).
    std::vector<std::string> parts{""};
    while (pos_ < s_.size() && s_[pos_] != ')') {
      char c = s_[pos_];
      if (c == '(') return err("'(' must be escaped as \\28 in a value");
      if (c == '*') {
        parts.emplace_back();
        ++pos_;
        continue;
      }
      if (c == '\\') {
        if (pos_ + 2 >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_ + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(s_[pos_ + 2])))
          return err("bad escape (\\ must be followed by two hex digits)");
        parts.back() += char(std::stoi(std::string(s_.substr(pos_ + 1, 2)), nullptr, 16));
        pos_ += 3;
        continue;
      }
      parts.back() += c;
      ++pos_;
    }
    Writer w;
    if (parts.size() == 1) {
      Writer ava;
      ava.octets(attr).octets(parts[0]);
      w.nested(ber::context(kind, true), ava);
      return w.bytes();
    }
    if (kind != 3) return err("'*' is only allowed with '='");
    if (parts.size() == 2 && parts[0].empty() && parts[1].empty()) {
      w.raw(ber::context(7, false), attr);  // present
      return w.bytes();
    }
    Writer subs;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].empty()) {
        if (i == 0 || i == parts.size() - 1) continue;
        return err("empty part between two '*'");
      }
      int t = i == 0 ? 0 : (i == parts.size() - 1 ? 2 : 1);
      subs.raw(ber::context(t, false), parts[i]);
    }
    Writer body;
    body.octets(attr).nested(ber::kSequence, subs);
    w.nested(ber::context(4, true), body);
    return w.bytes();
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

Status decode_result(Reader& r, Message& m) {
  auto code = r.integer("resultCode", ber::kEnumerated);
  if (!code) return code.error();
  m.result_code = int(*code);
  if (auto dn = r.take(ber::kOctetString, "matchedDN"); !dn) return dn.error();
  auto diag = r.take(ber::kOctetString, "diagnosticMessage");
  if (!diag) return diag.error();
  m.diagnostic = std::string(*diag);
  return {};
}

}  // namespace

Result<std::string> encode_filter(std::string_view filter) {
  if (filter.empty()) filter = "(objectClass=*)";
  return FilterParser(filter).parse_all();
}

std::string start_tls_request(int id) {
  Writer op;
  op.octets(kStartTlsOid, ber::context(0, false));
  Writer w;
  w.nested(ber::application(23, true), op);
  return envelope(id, w);
}

std::string simple_bind_request(int id, std::string_view dn, const SecretString& password) {
  Writer op;
  op.integer(3).octets(dn).octets(password.reveal(), ber::context(0, false));
  Writer w;
  w.nested(ber::application(0, true), op);
  return envelope(id, w);
}

std::string search_request(int id, std::string_view base, Scope scope, std::string_view filter_ber,
                           const std::vector<std::string>& attrs, int size_limit) {
  Writer a;
  for (const auto& s : attrs) a.octets(s);
  Writer op;
  op.octets(base)
      .integer(int(scope), ber::kEnumerated)
      .integer(0, ber::kEnumerated)
      .integer(size_limit)
      .integer(0)
      .boolean(false);
  std::string body = op.bytes() + std::string(filter_ber);
  Writer attrs_w;
  attrs_w.nested(ber::kSequence, a);
  body += attrs_w.bytes();
  Writer w;
  w.raw(ber::application(3, true), body);
  return envelope(id, w);
}

std::string unbind_request(int id) {
  Writer w;
  w.raw(ber::application(2, false), {});
  return envelope(id, w);
}

Result<Message> decode_message(std::string_view bytes) {
  Reader top(bytes);
  auto msg = top.nested(ber::kSequence, "LDAPMessage");
  if (!msg) return msg.error();
  if (!top.empty()) return make_error(Errc::parse, "LDAP: bytes after the LDAPMessage");
  Message m;
  auto id = msg->integer("messageID");
  if (!id) return id.error();
  m.id = int(*id);
  m.op = msg->peek_tag();
  auto op = msg->nested(m.op, "protocolOp");
  if (!op) return op.error();
  switch (m.op) {
    case kBindResponse:
    case kSearchDone:
      if (Status st = decode_result(*op, m); !st) return st.error();
      break;
    case kExtendedResponse:
      if (Status st = decode_result(*op, m); !st) return st.error();
      if (op->peek_tag() == ber::context(3, true)) (void)op->skip("referral");
      if (op->peek_tag() == ber::context(10, false)) {
        auto name = op->take(ber::context(10, false), "responseName");
        if (!name) return name.error();
        m.response_name = std::string(*name);
      }
      break;
    case kSearchEntry: {
      auto dn = op->take(ber::kOctetString, "objectName");
      if (!dn) return dn.error();
      m.dn = std::string(*dn);
      auto list = op->nested(ber::kSequence, "attributes");
      if (!list) return list.error();
      while (!list->empty()) {
        auto pa = list->nested(ber::kSequence, "PartialAttribute");
        if (!pa) return pa.error();
        auto type = pa->take(ber::kOctetString, "attribute type");
        if (!type) return type.error();
        auto vals = pa->nested(ber::kSet, "attribute values");
        if (!vals) return vals.error();
        auto& out = m.attrs[std::string(*type)];
        while (!vals->empty()) {
          auto v = vals->take(ber::kOctetString, "attribute value");
          if (!v) return v.error();
          out.emplace_back(*v);
        }
      }
      break;
    }
    default:
      break;  // references, intermediate responses: the caller skips them by op
  }
  return m;
}

std::string result_name(int code) {
  switch (code) {
    case 0:
      return "success";
    case 1:
      return "operationsError";
    case 2:
      return "protocolError";
    case 3:
      return "timeLimitExceeded";
    case 4:
      return "sizeLimitExceeded";
    case 7:
      return "authMethodNotSupported";
    case 8:
      return "strongerAuthRequired";
    case 13:
      return "confidentialityRequired";
    case 32:
      return "noSuchObject";
    case 34:
      return "invalidDNSyntax";
    case 48:
      return "inappropriateAuthentication";
    case 49:
      return "invalidCredentials";
    case 50:
      return "insufficientAccessRights";
    case 51:
      return "busy";
    case 52:
      return "unavailable";
    case 53:
      return "unwillingToPerform";
    case 80:
      return "other";
    default:
      return std::to_string(code);
  }
}

}  // namespace phonesec::tls::ldap

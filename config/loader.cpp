// SPDX-License-Identifier: Apache-2.0
// cfg.xml → PhoneConfig. Tolerates what real profiles contain: <flat-profile> alone or inside
// <device>, XML declaration or not, default namespaces and prefixes, `ua` or any other
// attribute, comments, padding, duplicates (last wins), names in any case. Empty typed values
// keep the default. A file that is not well-formed is rejected whole.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <pugixml.hpp>
#include <sstream>
#include <unordered_map>

#include "config/params.h"

namespace phonesec::config {
namespace {

struct Loc {
  int line, column;
};

// Line and column of byte offsets asked in increasing order (the elements in document order):
// each call scans on from the previous one, so a profile of many elements costs one pass, not
// one pass per element. An offset behind the cursor restarts from the top.
class Locator {
 public:
  explicit Locator(std::string_view text) : text_(text) {}
  Loc at(std::ptrdiff_t offset) {
    std::size_t to = offset < 0 ? 0 : std::min(std::size_t(offset), text_.size());
    if (to < pos_) pos_ = 0, loc_ = Loc{1, 1};
    for (; pos_ < to; ++pos_) {
      if (text_[pos_] == '\n') loc_.line++, loc_.column = 1;
      else loc_.column++;
    }
    return loc_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  Loc loc_{1, 1};
};

Loc locate(std::string_view text, std::ptrdiff_t offset) { return Locator(text).at(offset); }

// A profile can be wrong a hundred thousand times over (1 MiB of bad tokens): the first
// kMaxDiagnostics are kept as they are, each message cut to kMaxMessage bytes, and one more
// diagnostic counts the rest, so logs, status and `phonesec policy` stay readable and bounded.
constexpr std::size_t kMaxDiagnostics = 100;
constexpr std::size_t kMaxMessage = 240;

void bound_diagnostics(std::vector<Diagnostic>& d, std::string_view name) {
  for (auto& x : d)
    if (x.message.size() > kMaxMessage) x.message = x.message.substr(0, kMaxMessage) + "… (cut)";
  if (d.size() <= kMaxDiagnostics) return;
  std::size_t errors = 0;
  for (std::size_t i = kMaxDiagnostics; i < d.size(); ++i) errors += d[i].severity == Severity::error;
  std::size_t more = d.size() - kMaxDiagnostics;
  d.resize(kMaxDiagnostics);
  d.shrink_to_fit();
  d.push_back({errors ? Severity::error : Severity::warning, std::string(name), 0, 0, "",
               std::to_string(more) + " more diagnostics not shown (" + std::to_string(errors) + " errors, " +
                   std::to_string(more - errors) + " warnings)"});
}

std::string local_name(const char* n) {
  std::string s(n);
  auto c = s.find(':');
  return lower(c == std::string::npos ? s : s.substr(c + 1));
}

pugi::xml_node find_profile(pugi::xml_node n) {
  for (auto c : n.children()) {
    if (c.type() != pugi::node_element) continue;
    if (local_name(c.name()) == "flat-profile") return c;
    if (auto f = find_profile(c)) return f;
  }
  return {};
}

std::string value_of(pugi::xml_node e) {
  std::string v;
  for (auto c : e.children())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) v += c.value();
  return v;
}

}  // namespace

const Param* find_param(std::string_view raw_name, int* line) {
  static const auto index = [] {
    std::unordered_map<std::string, const Param*> m;
    for (const auto& p : params()) m[lower(p.name)] = &p;
    return m;
  }();
  std::string name = lower(raw_name);
  if (line) *line = 0;
  if (auto it = index.find(name); it != index.end() && !it->second->per_line) return it->second;
  // Per-line: base + digits + optional '_' (Line_Enable_3_, Auth_INVITE_1).
  std::size_t end = name.size();
  if (end && name[end - 1] == '_') --end;
  std::size_t d = end;
  while (d > 0 && std::isdigit(static_cast<unsigned char>(name[d - 1]))) --d;
  if (d == end || d == 0 || end - d > 3) return nullptr;
  auto it = index.find(name.substr(0, d));
  if (it == index.end() || !it->second->per_line) return nullptr;
  int n = std::stoi(name.substr(d, end - d));
  if (n < 1 || n > kMaxLines) return nullptr;
  if (line) *line = n - 1;
  return it->second;
}

std::string Diagnostic::to_string() const {
  std::ostringstream os;
  os << (file.empty() ? "<config>" : file);
  if (line > 0) os << ":" << line << ":" << column;
  os << ": " << (severity == Severity::error ? "error" : "warning") << ": ";
  if (!param.empty()) os << param << ": ";
  os << message;
  return os.str();
}

PhoneConfig factory() {
  PhoneConfig c;
  for (const auto& p : params())
    for (int i = 0; i < p.instances(); ++i) p.set(c, i, p.default_for(i));
  return c;
}

Result<LoadResult> load_string(std::string_view xml, std::string_view name, const PhoneConfig* base) {
  if (xml.size() > kMaxProfileBytes)
    return make_error(Errc::io, std::string(name) + ": more than the " + std::to_string(kMaxProfileBytes) +
                                    " bytes a profile may have");
  pugi::xml_document doc;
  auto r = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
  if (!r) {
    Loc l = locate(xml, r.offset);
    return make_error(Errc::parse, std::string(name) + ":" + std::to_string(l.line) + ":" + std::to_string(l.column) +
                                       ": not well-formed XML: " + r.description());
  }
  auto profile = find_profile(doc);
  if (!profile) return make_error(Errc::parse, std::string(name) + ": no <flat-profile> element");

  LoadResult out;
  out.config = base ? *base : factory();
  Locator where(xml);
  for (auto e : profile.children()) {
    if (e.type() != pugi::node_element) continue;
    int li = 0;
    const Param* pp = find_param(local_name(e.name()), &li);
    if (!pp) {
      out.unknown_elements++;
      continue;
    }
    const Param& p = *pp;
    Loc l = where.at(e.offset_debug() - 1);  // the element's '<'
    std::string raw = value_of(e);
    std::string pname = p.name_for_line(li);
    if (trim(raw).empty() && !p.empty_is_value()) continue;  // an empty typed value keeps the default
    if (p.kind == Kind::FirewallConfig) {  // bad tokens are warnings; the rest applies
      out.config.firewall = parse_firewall_config(raw, out.diagnostics, name, l.line);
      out.applied++;
      continue;
    }
    auto v = canonical(p, raw);
    if (!v) {
      std::string shown = p.kind == Kind::Secret ? std::string(kRedacted) : v.error().context;
      std::string kept = p.get(out.config, li);
      if (p.kind == Kind::Secret && !kept.empty()) kept = std::string(kRedacted);
      out.diagnostics.push_back({Severity::error, std::string(name), l.line, l.column, pname,
                                 shown + "; keeping " + (kept.empty() ? std::string("the default (empty)") : "'" + kept + "'")});
      continue;
    }
    p.set(out.config, li, v.value());
    out.applied++;
  }
  auto& c = out.config;
  if (c.rtp_port_min > c.rtp_port_max) {
    out.diagnostics.push_back({Severity::error, std::string(name), 0, 0, "RTP_Port_Min",
                               std::to_string(c.rtp_port_min) + " is above RTP_Port_Max " + std::to_string(c.rtp_port_max) +
                                   "; using the defaults 16384-16482"});
    c.rtp_port_min = 16384;
    c.rtp_port_max = 16482;
  }
  bound_diagnostics(out.diagnostics, name);
  return out;
}

Result<std::string> read_profile(const std::string& path) {
  // O_NONBLOCK: a FIFO must not block the daemon in open(); then only regular files are read,
  // and no more than the cap (+1 to tell a file that is too large).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return make_error(Errc::io, path + ": cannot open", errno);
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(Errc::io, path + ": not a regular file");
  }
  std::string text;
  text.resize(kMaxProfileBytes + 1);
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return make_error(Errc::io, path + ": read", e);
    }
    if (n == 0) break;
    got += std::size_t(n);
  }
  ::close(fd);
  text.resize(got);
  if (got > kMaxProfileBytes)
    return make_error(Errc::io, path + ": more than the " + std::to_string(kMaxProfileBytes) + " bytes a profile may have");
  return text;
}

Result<LoadResult> load_file(const std::string& path, const PhoneConfig* base) {
  auto text = read_profile(path);
  if (!text) return text.error();
  return load_string(text.value(), path, base);
}

std::string dump(const PhoneConfig& c) {
  std::ostringstream os;
  for (const auto& p : params()) {
    for (int i = 0; i < p.instances(); ++i) {
      std::string v = p.get(c, i);
      if (p.kind == Kind::Secret && !v.empty()) v = std::string(kRedacted);
      os << p.name_for_line(i) << " = " << v << "\n";
    }
  }
  return os.str();
}

std::string to_xml(const PhoneConfig& c, bool include_secrets) {
  return to_xml_keeping(c, [include_secrets](std::string_view) { return include_secrets; });
}

std::string to_xml_keeping(const PhoneConfig& c, const std::function<bool(std::string_view)>& keep_secret) {
  pugi::xml_document doc;
  auto fp = doc.append_child("flat-profile");
  for (const auto& p : params()) {
    for (int i = 0; i < p.instances(); ++i) {
      auto e = fp.append_child(p.name_for_line(i).c_str());

      e.append_attribute("ua") = "na";
      const std::string name = p.name_for_line(i);
      e.text().set(p.kind == Kind::Secret && !keep_secret(name) ? "" : p.get(c, i).c_str());
    }
  }
  std::ostringstream os;
  doc.save(os, "  ");
  return os.str();
}

Result<std::string> merge_profiles(std::string_view prev, std::string_view next, std::string_view next_name) {
  pugi::xml_document a, b;
  auto rb = b.load_buffer(next.data(), next.size(), pugi::parse_default, pugi::encoding_auto);
  if (!rb) {
    Loc l = locate(next, rb.offset);
    return make_error(Errc::parse, std::string(next_name) + ":" + std::to_string(l.line) + ":" + std::to_string(l.column) +
                                       ": not well-formed XML: " + rb.description());
  }
  auto pb = find_profile(b);
  if (!pb) return make_error(Errc::parse, std::string(next_name) + ": no <flat-profile> element");
  pugi::xml_document out;
  auto fp = out.append_child("flat-profile");
  std::unordered_map<std::string, pugi::xml_node> by_name;
  auto key = [](pugi::xml_node e) {
    int li = 0;
    std::string n = local_name(e.name());
    const Param* p = find_param(n, &li);
    return p ? p->name_for_line(li) : n;  // Line_Enable_1 and Line_Enable_1_ are one parameter
  };
  auto take = [&](pugi::xml_node profile) {
    for (auto e : profile.children()) {
      if (e.type() != pugi::node_element) continue;
      std::string k = lower(key(e));
      if (auto it = by_name.find(k); it != by_name.end()) fp.remove_child(it->second);
      auto n = fp.append_copy(e);
      std::string nm = e.name();
      if (auto c = nm.find(':'); c != std::string::npos) nm = nm.substr(c + 1);
      n.set_name(nm.c_str());
      by_name[k] = n;
    }
  };
  if (!prev.empty() && a.load_buffer(prev.data(), prev.size(), pugi::parse_default, pugi::encoding_auto))
    if (auto pa = find_profile(a)) take(pa);
  take(pb);
  std::ostringstream os;
  out.save(os, "  ");
  return os.str();
}

}  // namespace phonesec::config

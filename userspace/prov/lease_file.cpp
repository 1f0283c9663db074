// SPDX-License-Identifier: Apache-2.0
#include "prov/lease_file.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/text.h"

namespace phonesec::prov {
namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = char(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<Bytes> from_hex(std::string_view s) {
  Bytes out;
  std::string clean;
  for (char c : s)
    if (c != ':' && !std::isspace(static_cast<unsigned char>(c))) clean += c;
  if (clean.size() % 2) return std::nullopt;
  for (std::size_t i = 0; i < clean.size(); i += 2) {
    int h = hexval(clean[i]), l = hexval(clean[i + 1]);
    if (h < 0 || l < 0) return std::nullopt;
    out.push_back(std::uint8_t(h << 4 | l));
  }
  return out;
}

std::optional<Bytes> from_ips(std::string_view s) {
  Bytes out;
  std::istringstream in{std::string(s)};
  for (std::string a; in >> a;) {
    std::uint8_t buf[16];
    if (inet_pton(AF_INET, a.c_str(), buf) == 1)
      out.insert(out.end(), buf, buf + 4);
    else if (inet_pton(AF_INET6, a.c_str(), buf) == 1)
      out.insert(out.end(), buf, buf + 16);
    else
      return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

bool ends_with(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

}  // namespace

Result<LeaseFile> parse_lease_file(std::string_view text, std::string_view name) {
  LeaseFile f;
  f.path = std::string(name);
  bool have_family = false;
  int lineno = 0;
  std::istringstream in{std::string(text)};
  for (std::string raw; std::getline(in, raw);) {
    ++lineno;
    auto bad = [&](const std::string& why) {
      return make_error(Errc::parse, std::string(name) + ":" + std::to_string(lineno) + ": " + why);
    };
    std::string_view line = text::trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto sp = line.find_first_of(" \t");
    std::string key(line.substr(0, sp));
    std::string_view val = sp == std::string_view::npos ? std::string_view{} : text::trim(line.substr(sp));
    if (key == "family") {
      if (val != "v4" && val != "v6") return bad("family '" + std::string(val) + "' is not v4 or v6");
      f.reply.v6 = val == "v6";
      have_family = true;
    } else if (key == "iface") {
      f.iface = std::string(val);
    } else if (key == "address") {
      f.address = std::string(val);
      f.reply.your_ip = f.address;
    } else if (key == "mac") {
      f.mac = std::string(val);
    } else if (key == "option") {
      auto s1 = val.find_first_of(" \t");
      if (s1 == std::string_view::npos) return bad("option without a value");
      std::string_view code_s = val.substr(0, s1), rest = text::trim(val.substr(s1));
      int code = 0;
      for (char c : code_s) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || code > 65535) return bad("bad option code '" + std::string(code_s) + "'");
        code = code * 10 + (c - '0');
      }
      if (code_s.empty() || code == 0 || code > 65535) return bad("bad option code '" + std::string(code_s) + "'");
      auto s2 = rest.find_first_of(" \t");
      std::string_view enc = rest.substr(0, s2);
      std::string_view data = s2 == std::string_view::npos ? std::string_view{} : text::trim(rest.substr(s2));
      std::optional<Bytes> b;
      if (enc == "hex")
        b = from_hex(data);
      else if (enc == "text")
        b = Bytes(data.begin(), data.end());
      else if (enc == "ip")
        b = from_ips(data);
      else
        return bad("option " + std::to_string(code) + ": encoding '" + std::string(enc) + "' is not hex, text or ip");
      if (!b) return bad("option " + std::to_string(code) + ": bad " + std::string(enc) + " value");
      if (b->empty()) continue;  // an empty option offers nothing
      f.reply.options[code] = std::move(*b);
    }  // other keys: ignored (forward compatible)
  }
  if (!have_family) return make_error(Errc::parse, std::string(name) + ": no 'family v4|v6' line");
  if (f.iface.empty()) return make_error(Errc::parse, std::string(name) + ": no 'iface' line");
  if (!f.reply.v6 && f.reply.options.count(53) && f.reply.options[53].size() == 1)
    f.reply.message_type = f.reply.options[53][0];
  return f;
}

Result<LeaseFile> read_lease_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io, path + ": cannot open", errno);
  std::stringstream ss;
  ss << in.rdbuf();
  auto f = parse_lease_file(ss.str(), path);
  if (!f) return f;
  std::string fam = f->reply.v6 ? ".v6" : ".v4";
  if (!ends_with(path, fam))
    return make_error(Errc::parse, path + ": family " + fam.substr(1) + " does not match the file name");
  return f;
}

std::string format_lease_file(const LeaseFile& f) {
  static const char* hex = "0123456789abcdef";
  std::string s = "# phonesec-dhcp 1\nfamily " + std::string(f.reply.v6 ? "v6" : "v4") + "\niface " + f.iface + "\n";
  if (!f.address.empty()) s += "address " + f.address + "\n";
  if (!f.mac.empty()) s += "mac " + f.mac + "\n";
  for (const auto& [code, v] : f.reply.options) {
    s += "option " + std::to_string(code) + " hex ";
    for (auto b : v) s += std::string{hex[b >> 4], hex[b & 15]};
    s += "\n";
  }
  return s;
}

std::string lease_dir(const std::string& run_dir) { return run_dir + "/dhcp"; }

LeaseScan scan_lease_dir(const std::string& dir, const std::string& iface) {
  namespace fs = std::filesystem;
  LeaseScan out;
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (!ends_with(n, ".v4") && !ends_with(n, ".v6")) continue;  // temporaries, others
    if (!iface.empty() && n.substr(0, n.size() - 3) != iface) continue;
    names.push_back(n);
  }
  std::sort(names.begin(), names.end());  // "eth0.v4" < "eth0.v6" < "eth1.v4"
  for (const auto& n : names) {
    auto f = read_lease_file(dir + "/" + n);
    if (!f) {
      out.errors.push_back(f.error().message());
      continue;
    }
    out.leases.push_back(std::move(*f));
  }
  return out;
}

std::string ChosenSource::describe() const {
  std::string o;
  for (int x : order) o += (o.empty() ? "" : ",") + std::to_string(x);
  return "DHCP" + std::string(v6 ? "v6" : "") + " option " + std::to_string(option) + " on " + iface +
         " (first usable of " + o + "): " + url;
}

std::optional<ChosenSource> choose_from_leases(const std::vector<LeaseFile>& leases, const std::vector<int>& v4_order,
                                               const std::vector<int>& v6_order) {
  for (const auto& l : leases) {
    auto s = choose_source(l.reply, l.reply.v6 ? v6_order : v4_order);
    if (!s) continue;
    ChosenSource c;
    c.iface = l.iface;
    c.v6 = l.reply.v6;
    c.option = s->option;
    c.url = s->url;
    c.order = l.reply.v6 ? v6_order : v4_order;
    c.address = l.address;
    c.mac = l.mac;
    if (auto w = wpad_url(l.reply)) c.wpad_url = *w;
    if (auto it = l.reply.options.find(15); !l.reply.v6 && it != l.reply.options.end())
      c.domain = std::string(it->second.begin(), it->second.end());
    while (!c.domain.empty() && c.domain.back() == '\0') c.domain.pop_back();
    if (std::any_of(c.domain.begin(), c.domain.end(), [](char ch) { return !std::isgraph(static_cast<unsigned char>(ch)); }))
      c.domain.clear();  // not a domain name: no WPAD DNS hint
    return c;
  }
  return std::nullopt;
}

}  // namespace phonesec::prov

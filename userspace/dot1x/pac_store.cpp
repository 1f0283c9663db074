// SPDX-License-Identifier: Apache-2.0
#include "dot1x/pac_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace phonesec::dot1x {
namespace {
std::optional<Bytes> unhex(const std::string& s) {
  if (s.size() % 2) return std::nullopt;
  Bytes b;
  for (size_t i = 0; i < s.size(); i += 2) {
    auto v = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int h = v(s[i]), l = v(s[i + 1]);
    if (h < 0 || l < 0) return std::nullopt;
    b.push_back(uint8_t(h << 4 | l));
  }
  return b;
}
}  // namespace

Status PacStore::load() {
  pacs_.clear();
  std::ifstream f(path_);
  if (!f) return {};
  std::string line;
  for (int n = 1; std::getline(f, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string aid, key, opaque, iid;
    uint32_t life = 0;
    in >> aid >> key >> opaque >> life >> iid;
    secure_wipe(line.data(), line.size());
    auto a = unhex(aid), k = unhex(key), o = unhex(opaque), i = unhex(iid == "-" ? "" : iid);
    secure_wipe(key.data(), key.size());
    if (!a || a->empty() || !k || k->size() != 32 || !o || o->empty() || !i) {
      if (k) secure_wipe(k->data(), k->size());
      return make_error(Errc::parse, path_ + ":" + std::to_string(n) + ": not a PAC line (A-ID, 32-byte PAC-Key, PAC-Opaque, lifetime, I-ID)");
    }
    fast::Pac p;
    p.a_id = *a;
    p.key = SecretBytes(*k);
    secure_wipe(k->data(), k->size());
    p.opaque = *o;
    p.lifetime = life;
    p.i_id.assign(i->begin(), i->end());
    pacs_[aid] = std::move(p);
  }
  return {};
}

Status PacStore::save() const {
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("PAC file " + tmp);
  std::string body = "# EAP-FAST PACs: A-ID PAC-Key PAC-Opaque lifetime I-ID (secret, keep 0600)\n";
  for (auto& [aid, p] : pacs_) {
    body += aid + " " + hex(p.key.view()) + " " + hex(p.opaque) + " " + std::to_string(p.lifetime) + " " +
            (p.i_id.empty() ? "-" : hex(as_bytes(p.i_id))) + "\n";
  }
  const bool ok = ::write(fd, body.data(), body.size()) == ssize_t(body.size()) && ::fsync(fd) == 0;
  secure_wipe(body.data(), body.size());
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) return sys_error("PAC file " + path_);
  return {};
}

std::optional<fast::Pac> PacStore::find(ByteView a_id, uint64_t now) const {
  auto it = pacs_.find(hex(a_id));
  if (it == pacs_.end()) return std::nullopt;
  if (it->second.lifetime != 0 && it->second.lifetime < now) return std::nullopt;
  return it->second;
}

Status PacStore::put(fast::Pac pac) {
  pacs_[hex(pac.a_id)] = std::move(pac);
  return save();
}

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// EAP-FAST PACs kept across restarts: one file, one line per A-ID
// ("<A-ID hex> <PAC-Key hex> <PAC-Opaque hex> <lifetime> <I-ID hex>"), mode 0600, replaced
// atomically. The PAC-Key is a secret: held in SecretBytes, never logged.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "dot1x/eap_fast_tlv.h"

namespace phonesec::dot1x {

class PacStore {
 public:
  explicit PacStore(std::string path) : path_(std::move(path)) {}
  // Missing file = empty store. Errors name the file and line.
  Status load();
  Status save() const;
  // The PAC for this A-ID unless its PAC-Lifetime (seconds since the epoch) is before `now`:
  // an expired PAC is not offered, the server provisions a new one.
  std::optional<fast::Pac> find(ByteView a_id, uint64_t now) const;
  Status put(fast::Pac pac);  // replaces the PAC of the same A-ID and saves
  size_t size() const { return pacs_.size(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::map<std::string, fast::Pac> pacs_;  // by A-ID hex
};

}  // namespace phonesec::dot1x

// SPDX-License-Identifier: Apache-2.0
// Kept apart from the libbpf code: <pcap/bpf.h> and <linux/bpf.h> both define struct bpf_insn.
#include <pcap/pcap.h>

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace phonesec::fw {

Result<std::vector<std::vector<std::uint8_t>>> read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) return make_error(Errc::parse, path + ": " + err);
  std::unique_ptr<pcap_t, decltype(&pcap_close)> guard(p, pcap_close);
  if (pcap_datalink(p) != DLT_EN10MB)
    return make_error(Errc::parse, path + ": link type " + std::to_string(pcap_datalink(p)) +
                                       " is not Ethernet (DLT_EN10MB)");
  std::vector<std::vector<std::uint8_t>> frames;
  pcap_pkthdr* h;
  const u_char* d;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &d)) == 1) frames.emplace_back(d, d + h->caplen);
  if (rc == PCAP_ERROR) return make_error(Errc::parse, path + ": frame " + std::to_string(frames.size() + 1) + ": " + pcap_geterr(p));
  return frames;
}

}  // namespace phonesec::fw

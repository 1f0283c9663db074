// SPDX-License-Identifier: Apache-2.0
// MapSet: the firewall's maps as file descriptors, from a freshly loaded object or from the
// pins under /sys/fs/bpf/phonesec/maps (so the CLI works while the daemon is down).
// Policy installation is the double-buffer swap: write the inactive slot whole, then flip the
// active index (one 32-bit store the programs read once per packet).
#pragma once

#include <string>
#include <vector>

#include "common/fd.h"
#include "common/result.h"
#include "phonesec_abi.h"

namespace phonesec::fw {

inline constexpr const char* kDefaultPinDir = "/sys/fs/bpf/phonesec";

// Names as in bpf/lib/maps.h; the index is the MapId.
enum class MapId { policy = 0, active, ct_tcp, ct_udp, ct_icmp, tftp, frag, stats, ct_syn, count };
const char* map_name(MapId id);

struct MapSet {
  UniqueFd fds[int(MapId::count)];
  int fd(MapId id) const { return fds[int(id)].get(); }

  static Result<MapSet> open_pinned(const std::string& pin_dir);
};

// Writes `p` (PS_F_VALID set by the compiler) into the inactive slot with the next generation
// number, then makes it active. Returns the new generation.
Result<std::uint32_t> install_policy(const MapSet& m, const ps_policy& p);

// The policy the programs read now (slot named by the active map); Errc::not_found if none.
Result<ps_policy> active_policy(const MapSet& m);

// Counters summed over CPUs, PS_STATS_ENTRIES entries (dir * PS_R_MAX + reason).
Result<std::vector<ps_stat>> read_stats(const MapSet& m);

struct Flow {
  ps_ct_key key;
  ps_ct_val val;
};
// All conntrack entries (TCP, half-open TCP, UDP, ICMP tables).
Result<std::vector<Flow>> read_flows(const MapSet& m);

const char* reason_name(unsigned reason);  // "pass_ct", "drop_udp_port", … or "unknown"
// A flow's state (ps_ct_val.state): "syn_sent", "syn_recv", "established", "closing", "udp",
// "echo", or "unknown" — what `phonesec flows` prints.
const char* ct_state_name(std::uint32_t state);

}  // namespace phonesec::fw

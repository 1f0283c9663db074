// SPDX-License-Identifier: Apache-2.0
#include "fw/mapset.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <memory>

namespace phonesec::fw {

const char* map_name(MapId id) {
  static const char* names[] = {"ps_policy", "ps_active", "ps_ct_tcp", "ps_ct_udp",
                                "ps_ct_icmp", "ps_tftp",   "ps_frag",   "ps_stats", "ps_ct_syn"};
  return names[int(id)];
}

Result<MapSet> MapSet::open_pinned(const std::string& pin_dir) {
  MapSet m;
  for (int i = 0; i < int(MapId::count); ++i) {
    std::string path = pin_dir + "/maps/" + map_name(MapId(i));
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) return make_error(Errc::not_found, "open pinned map " + path, errno);
    m.fds[i].reset(fd);
  }
  return m;
}

Result<ps_policy> active_policy(const MapSet& m) {
  std::uint32_t zero = 0, slot = 0;
  if (bpf_map_lookup_elem(m.fd(MapId::active), &zero, &slot) != 0) return sys_error("read ps_active");
  slot &= 1;
  auto p = std::make_unique<ps_policy>();
  if (bpf_map_lookup_elem(m.fd(MapId::policy), &slot, p.get()) != 0) return sys_error("read ps_policy");
  if (!(p->flags & PS_F_VALID)) return make_error(Errc::not_found, "no policy installed");
  return *p;
}

Result<std::uint32_t> install_policy(const MapSet& m, const ps_policy& p) {
  std::uint32_t zero = 0, slot = 0;
  if (bpf_map_lookup_elem(m.fd(MapId::active), &zero, &slot) != 0) return sys_error("read ps_active");
  slot &= 1;
  std::uint32_t gen = 0;
  {
    auto cur = std::make_unique<ps_policy>();
    if (bpf_map_lookup_elem(m.fd(MapId::policy), &slot, cur.get()) == 0 && (cur->flags & PS_F_VALID))
      gen = cur->generation;
  }
  auto next = std::make_unique<ps_policy>(p);
  next->flags |= PS_F_VALID;
  next->generation = gen + 1;
  std::uint32_t other = slot ^ 1;
  if (bpf_map_update_elem(m.fd(MapId::policy), &other, next.get(), BPF_ANY) != 0)
    return sys_error("write ps_policy slot " + std::to_string(other));
  if (bpf_map_update_elem(m.fd(MapId::active), &zero, &other, BPF_ANY) != 0) return sys_error("flip ps_active");
  return next->generation;
}

Result<std::vector<ps_stat>> read_stats(const MapSet& m) {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return make_error(Errc::system, "libbpf_num_possible_cpus", -ncpu);
  std::vector<ps_stat> out(PS_STATS_ENTRIES), percpu(ncpu);
  for (std::uint32_t i = 0; i < PS_STATS_ENTRIES; ++i) {
    if (bpf_map_lookup_elem(m.fd(MapId::stats), &i, percpu.data()) != 0) return sys_error("read ps_stats");
    for (const auto& s : percpu) {
      out[i].packets += s.packets;
      out[i].bytes += s.bytes;
    }
  }
  return out;
}

Result<std::vector<Flow>> read_flows(const MapSet& m) {
  std::vector<Flow> out;
  for (MapId id : {MapId::ct_tcp, MapId::ct_syn, MapId::ct_udp, MapId::ct_icmp}) {
    ps_ct_key k{}, next{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(m.fd(id), prev, &next) == 0) {
      Flow f{next, {}};
      if (bpf_map_lookup_elem(m.fd(id), &next, &f.val) == 0) out.push_back(f);
      k = next;
      prev = &k;
    }
  }
  return out;
}

const char* reason_name(unsigned r) {
  switch (r) {
    case PS_R_PASS_DISABLED: return "pass_disabled";
    case PS_R_PASS_NON_IP: return "pass_non_ip";
    case PS_R_PASS_OUTBOUND: return "pass_outbound";
    case PS_R_PASS_CT: return "pass_ct";
    case PS_R_PASS_UDP_PORT: return "pass_udp_port";
    case PS_R_PASS_TCP_PORT: return "pass_tcp_port";
    case PS_R_PASS_ECHO_REQ: return "pass_echo_request";
    case PS_R_PASS_ECHO_REPLY: return "pass_echo_reply";
    case PS_R_PASS_ICMP_RELATED: return "pass_icmp_related";
    case PS_R_PASS_ICMP6_NDP: return "pass_icmp6_ndp";
    case PS_R_PASS_TFTP: return "pass_tftp";
    case PS_R_PASS_FRAG: return "pass_frag";
    case PS_R_PASS_IGMP: return "pass_igmp";
    case PS_R_PASS_MCAST_ECHO6: return "pass_mcast_echo6";
    case PS_R_PASS_RST_IN_WINDOW: return "pass_rst_in_window";
    case PS_R_DROP_UDP_PORT: return "drop_udp_port";
    case PS_R_DROP_TCP_PORT: return "drop_tcp_port";
    case PS_R_DROP_NO_PING: return "drop_no_ping";
    case PS_R_DROP_ICMP: return "drop_icmp";
    case PS_R_DROP_UNREACH: return "drop_unreachable";
    case PS_R_DROP_FRAG_ORPHAN: return "drop_frag_orphan";
    case PS_R_DROP_FRAG: return "drop_frag";
    case PS_R_DROP_MALFORMED: return "drop_malformed";
    case PS_R_DROP_EXTHDR: return "drop_exthdr";
    case PS_R_DROP_PROTO: return "drop_proto";
    case PS_R_DROP_MCAST_ECHO6: return "drop_mcast_echo6";
    case PS_R_DROP_NO_POLICY: return "drop_no_policy";
    case PS_R_DROP_RST_WINDOW: return "drop_rst_window";
    case PS_R_DROP_ICMP_SOURCE: return "drop_icmp_source";
  }
  return "unknown";
}

const char* ct_state_name(std::uint32_t state) {
  switch (state) {
    case PS_CT_SYN_SENT: return "syn_sent";
    case PS_CT_SYN_RECV: return "syn_recv";
    case PS_CT_ESTABLISHED: return "established";
    case PS_CT_CLOSING: return "closing";
    case PS_CT_UDP: return "udp";
    case PS_CT_ICMP: return "echo";
  }
  return "unknown";
}

}  // namespace phonesec::fw

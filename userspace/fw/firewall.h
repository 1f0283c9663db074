// SPDX-License-Identifier: Apache-2.0
// Firewall: loads the ingress (XDP) and egress (TC) programs with shared maps, pins them, and
// attaches them to interfaces.
//
// With a pin directory, maps already pinned there are adopted (conntrack and the active policy
// survive a daemon restart) and links are pinned, so the filter keeps enforcing when the
// process dies. Without one (the `verdict` command, tests), everything is private and goes
// away with the object.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "fw/mapset.h"

struct ingress;
struct egress;
struct ingress_l3;
struct egress_l3;

namespace phonesec::fw {

struct FirewallOptions {
  std::string pin_dir;  // empty: private maps, nothing pinned
  std::uint32_t ct_tcp_max = PS_CT_TCP_MAX_DEFAULT;
  std::uint32_t ct_udp_max = PS_CT_UDP_MAX_DEFAULT;
  std::uint32_t ct_icmp_max = PS_CT_ICMP_MAX_DEFAULT;
  std::uint32_t ct_syn_max = PS_CT_SYN_MAX_DEFAULT;  // half-open handshakes (a SYN flood stays there)
  // Tests only: every frame through the general header parser, the fixed-offset fast reader
  // of the common shapes off (bpf/lib/parse.h; fw_fast_parse_equivalence compares the two).
  bool general_parser_only = false;
};

enum class XdpMode { native_or_generic, generic };
// tcx where the kernel has it (6.6+), else a clsact filter; `clsact` forces the filter (the
// path Linux 6.1 takes, testable on newer kernels).
enum class TcMode { tcx_or_clsact, clsact };

struct AttachInfo {
  std::string ifname;
  std::string xdp_mode;   // "native" / "generic"
  std::string tc_mode;    // "tcx" / "clsact"
  std::string variant;    // "ethernet" / "l3" (tun: packets start at the IP header)
  unsigned ifindex = 0;   // the device attached to (a device recreated under the name has
                          // another: fw::LinkLifecycle reports it, attach() again there)
};

class Firewall {
 public:
  static Result<std::unique_ptr<Firewall>> load(const FirewallOptions& opts);
  ~Firewall();
  Firewall(const Firewall&) = delete;
  Firewall& operator=(const Firewall&) = delete;

  const MapSet& maps() const { return maps_; }
  int ingress_fd() const;
  int egress_fd() const;
  // The same programs for L3 devices (tun), on the same maps.
  int ingress_l3_fd() const;
  int egress_l3_fd() const;
  bool adopted() const { return adopted_; }  // maps came from pins
  // The programs' clock (bpf/lib/clock.h): "jiffies, CONFIG_HZ=250" where libbpf found the
  // kernel config and its HZ is one ps_now() lists, else "coarse monotonic (...)".
  std::string clock_source() const;

  // XDP on ingress (native, falling back to generic), TC on egress (tcx, falling back to
  // clsact). Re-attaching an interface already attached (pinned links from an earlier run)
  // swaps the program in place. The variant follows the link type (fw/link_kind.h): an L3
  // device (tun) gets the L3 programs, always in generic XDP (tun runs native XDP only in TAP
  // mode; 6.18 refuses it on TUN devices), their links pinned as <if>_xdp_l3 / <if>_tcx_l3.
  // A pinned link no longer on the interface (a tun recreated under the same name) is
  // replaced, not updated.
  Result<AttachInfo> attach(const std::string& ifname, XdpMode mode = XdpMode::native_or_generic,
                            TcMode tc = TcMode::tcx_or_clsact);
  Status detach(const std::string& ifname);
  // Interfaces with pinned links.
  std::vector<std::string> attached() const;

 private:
  Firewall() = default;
  Status pin_maps();

  FirewallOptions opts_;
  ingress* in_ = nullptr;
  egress* out_ = nullptr;
  ingress_l3* in3_ = nullptr;
  egress_l3* out3_ = nullptr;
  MapSet maps_;
  bool adopted_ = false;
};

// Interfaces with pinned XDP links under pin_dir and the variant on each ("ethernet" / "l3"):
// what `phonesec status` shows, whichever process attached them (phonesecd, phonesec-vpn).
struct PinnedAttachment {
  std::string ifname;
  std::string variant;
};
std::vector<PinnedAttachment> pinned_attachments(const std::string& pin_dir);

// Removes everything phonesec pinned (links first, which detaches them, then maps), and the
// clsact egress filter on each interface that had a pinned XDP link (in this network namespace).
Status unpin_all(const std::string& pin_dir);

// Mounts bpffs on /sys/fs/bpf if it is not mounted (fresh machines, early boot).
Status ensure_bpffs();

}  // namespace phonesec::fw

// SPDX-License-Identifier: Apache-2.0
#include "fw/firewall.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <filesystem>

#include "common/log.h"
#include "fw/clock.h"
#include "egress.skel.h"
#include "egress_l3.skel.h"
#include "fw/link_kind.h"
#include "ingress.skel.h"
#include "ingress_l3.skel.h"

namespace phonesec::fw {
namespace {

constexpr int kBpfTcxEgress = 47;  // enum bpf_attach_type BPF_TCX_EGRESS (Linux 6.6), absent from 6.1 headers
constexpr long kBpfFsMagic = 0xcafe4a11;
namespace fs = std::filesystem;
constexpr __u32 kClsactHandle = 0x7053, kClsactPriority = 1;

// The four skeletons declare the same maps (bpf/lib/maps.h).
template <class Skel>
bpf_map* skel_map(Skel* s, MapId id) {
  switch (id) {
    case MapId::policy: return s->maps.ps_policy;
    case MapId::active: return s->maps.ps_active;
    case MapId::ct_tcp: return s->maps.ps_ct_tcp;
    case MapId::ct_udp: return s->maps.ps_ct_udp;
    case MapId::ct_icmp: return s->maps.ps_ct_icmp;
    case MapId::tftp: return s->maps.ps_tftp;
    case MapId::frag: return s->maps.ps_frag;
    case MapId::stats: return s->maps.ps_stats;
    case MapId::ct_syn: return s->maps.ps_ct_syn;
    default: return nullptr;
  }
}

// Link pin kinds: "xdp"/"tcx" on Ethernet interfaces, "xdp_l3"/"tcx_l3" on L3 ones.
const char* xdp_kind(LinkKind k) { return k == LinkKind::l3 ? "xdp_l3" : "xdp"; }
const char* tcx_kind(LinkKind k) { return k == LinkKind::l3 ? "tcx_l3" : "tcx"; }

// The interface a link pin names ("eth0%100_xdp_l3" -> "eth0.100"), or "" for a tc pin.
std::string pinned_xdp_ifname(std::string n) {
  for (const char* suffix : {"_xdp_l3", "_xdp"}) {
    std::string sfx = suffix;
    if (n.size() > sfx.size() && n.ends_with(sfx)) {
      n = n.substr(0, n.size() - sfx.size());
      for (auto& c : n)
        if (c == '%') c = '.';
      return n;
    }
  }
  return "";
}

// bpffs refuses names with '.', which interface names may hold (eth0.100): '.' is stored as '%'.
std::string link_path(const std::string& dir, const std::string& ifname, const char* kind) {
  std::string n = ifname;
  for (auto& c : n)
    if (c == '.') c = '%';
  return dir + "/links/" + n + "_" + kind;
}

Error bpf_err(const std::string& what, int ret) { return make_error(Errc::bpf, what, ret < 0 ? -ret : errno); }

// A pinned map this build's programs can use: same type, key and value sizes (the verifier
// would accept a map with a smaller key, silently truncating conntrack keys), and for arrays
// the same number of entries (the programs index them). Hash tables may differ in size.
bool compatible(bpf_map* want, int fd, std::string& why) {
  bpf_map_info info{};
  __u32 len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
    why = std::string("cannot read ") + bpf_map__name(want);
    return false;
  }
  const bool array = info.type == BPF_MAP_TYPE_ARRAY || info.type == BPF_MAP_TYPE_PERCPU_ARRAY;
  if (info.type != bpf_map__type(want) || info.key_size != bpf_map__key_size(want) ||
      info.value_size != bpf_map__value_size(want) || (array && info.max_entries != bpf_map__max_entries(want))) {
    why = std::string(bpf_map__name(want)) + " has another layout";
    return false;
  }
  return true;
}

// Removes our clsact egress filter (handle/priority ours only; absent is fine).
void detach_clsact(const std::string& ifname) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return;
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = int(ifindex), .attach_point = BPF_TC_EGRESS);
  LIBBPF_OPTS(bpf_tc_opts, to, .handle = kClsactHandle, .priority = kClsactPriority);
  bpf_tc_detach(&hook, &to);
}

// Removes the map pins only: pinned links stay (the filter keeps enforcing) until attach()
// points them at the new programs.
void unpin_maps(const std::string& pin_dir) {
  for (int i = 0; i < int(MapId::count); ++i) ::unlink((pin_dir + "/maps/" + map_name(MapId(i))).c_str());
}

}  // namespace

Status ensure_bpffs() {
  struct statfs st{};
  if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == kBpfFsMagic) return {};
  ::mkdir("/sys/fs/bpf", 0700);
  if (::mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") != 0) return sys_error("mount bpffs on /sys/fs/bpf");
  return {};
}

Result<std::unique_ptr<Firewall>> Firewall::load(const FirewallOptions& opts) {
  std::unique_ptr<Firewall> fw(new Firewall());
  fw->opts_ = opts;
  const auto kopts = kconfig_open_opts();  // CONFIG_HZ for ps_now() (bpf/lib/clock.h)
  // The ingress object creates the maps: table sizes and read-only options before its load.
  auto open_ingress = [&]() -> Status {
    if (!(fw->in_ = ingress__open_opts(&kopts))) return bpf_err("open ingress object", -errno);
    bpf_map__set_max_entries(fw->in_->maps.ps_ct_tcp, opts.ct_tcp_max);
    bpf_map__set_max_entries(fw->in_->maps.ps_ct_udp, opts.ct_udp_max);
    bpf_map__set_max_entries(fw->in_->maps.ps_ct_icmp, opts.ct_icmp_max);
    bpf_map__set_max_entries(fw->in_->maps.ps_ct_syn, opts.ct_syn_max);
    fw->in_->rodata->ps_general_parser_only = opts.general_parser_only;
    return {};
  };
  if (auto s = open_ingress(); !s) return s.error();
  fw->out_ = egress__open_opts(&kopts);
  if (!fw->out_) return bpf_err("open egress object", -errno);
  fw->out_->rodata->ps_general_parser_only = opts.general_parser_only;

  // Adopt pinned maps from an earlier run: conntrack and policy survive. A pin set that is
  // incomplete or of another layout (an older build) is replaced by fresh maps.
  if (!opts.pin_dir.empty() && fs::exists(opts.pin_dir + "/maps/ps_policy")) {
    auto pinned = MapSet::open_pinned(opts.pin_dir);
    std::string why = pinned.ok() ? "" : pinned.error().message();
    for (int i = 0; i < int(MapId::count) && why.empty(); ++i)
      (void)compatible(skel_map(fw->in_, MapId(i)), pinned->fd(MapId(i)), why);
    if (why.empty()) {
      for (int i = 0; i < int(MapId::count); ++i)
        if (int e = bpf_map__reuse_fd(skel_map(fw->in_, MapId(i)), pinned->fd(MapId(i))); e != 0)
          return bpf_err(std::string("reuse pinned map ") + map_name(MapId(i)), e);
      fw->adopted_ = true;
    } else {
      log::warn("fw", "pinned maps under ", opts.pin_dir, " not reusable (", why, "); starting with fresh state");
    }
  }

  int err = ingress__load(fw->in_);
  if (err && fw->adopted_) {
    // Incompatible pinned maps (an older ABI): start fresh rather than not at all.
    log::warn("fw", "loading with pinned maps failed (", -err, "); replacing them");
    ingress__destroy(fw->in_);
    unpin_maps(opts.pin_dir);  // links stay pinned: attach() updates them
    fw->adopted_ = false;
    if (auto s = open_ingress(); !s) return s.error();
    err = ingress__load(fw->in_);
  }
  if (err) return bpf_err("load ingress program (verifier log above)", err);

  if (!(fw->in3_ = ingress_l3__open_opts(&kopts))) return bpf_err("open ingress_l3 object", -errno);
  if (!(fw->out3_ = egress_l3__open_opts(&kopts))) return bpf_err("open egress_l3 object", -errno);
  fw->in3_->rodata->ps_general_parser_only = opts.general_parser_only;
  fw->out3_->rodata->ps_general_parser_only = opts.general_parser_only;
  for (int i = 0; i < int(MapId::count); ++i) {
    int fd = bpf_map__fd(skel_map(fw->in_, MapId(i)));
    if (bpf_map__reuse_fd(skel_map(fw->out_, MapId(i)), fd) != 0 ||
        bpf_map__reuse_fd(skel_map(fw->in3_, MapId(i)), fd) != 0 ||
        bpf_map__reuse_fd(skel_map(fw->out3_, MapId(i)), fd) != 0)
      return bpf_err(std::string("share map ") + map_name(MapId(i)), -errno);
    fw->maps_.fds[i].reset(dup(fd));
  }
  if ((err = egress__load(fw->out_))) return bpf_err("load egress program (verifier log above)", err);
  if ((err = ingress_l3__load(fw->in3_))) return bpf_err("load ingress_l3 program (verifier log above)", err);
  if ((err = egress_l3__load(fw->out3_))) return bpf_err("load egress_l3 program (verifier log above)", err);

  if (!opts.pin_dir.empty() && !fw->adopted_) {
    if (auto s = fw->pin_maps(); !s) return s.error();
  }
  return fw;
}

std::string Firewall::clock_source() const {
  const unsigned hz = in_ && in_->kconfig ? in_->kconfig->CONFIG_HZ : 0;
#define PS_HZ_CASE(h) case h:
  switch (hz) {
    PS_CLOCK_HZ_LIST(PS_HZ_CASE)  // the HZ values ps_now() scales jiffies for
      return "jiffies, CONFIG_HZ=" + std::to_string(hz);
#undef PS_HZ_CASE
    case 0:
      return "coarse monotonic (no kernel config for libbpf to read CONFIG_HZ from)";
    default:
      return "coarse monotonic (CONFIG_HZ=" + std::to_string(hz) + " not scaled)";
  }
}

Status Firewall::pin_maps() {
  std::error_code ec;
  fs::create_directories(opts_.pin_dir + "/maps", ec);
  fs::create_directories(opts_.pin_dir + "/links", ec);
  if (ec) return make_error(Errc::io, "create " + opts_.pin_dir + ": " + ec.message());
  unpin_maps(opts_.pin_dir);  // stale pins of maps not adopted
  for (int i = 0; i < int(MapId::count); ++i) {
    std::string path = opts_.pin_dir + "/maps/" + map_name(MapId(i));
    if (bpf_obj_pin(maps_.fd(MapId(i)), path.c_str()) != 0) return sys_error("pin " + path);
  }
  return {};
}

Firewall::~Firewall() {
  if (out3_) egress_l3__destroy(out3_);
  if (in3_) ingress_l3__destroy(in3_);
  if (out_) egress__destroy(out_);
  if (in_) ingress__destroy(in_);
}

int Firewall::ingress_fd() const { return bpf_program__fd(in_->progs.ps_ingress); }
int Firewall::egress_fd() const { return bpf_program__fd(out_->progs.ps_egress); }
int Firewall::ingress_l3_fd() const { return bpf_program__fd(in3_->progs.ps_ingress_l3); }
int Firewall::egress_l3_fd() const { return bpf_program__fd(out3_->progs.ps_egress_l3); }

Result<AttachInfo> Firewall::attach(const std::string& ifname, XdpMode mode, TcMode tc) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return make_error(Errc::not_found, "interface " + ifname, errno);
  auto kind = link_kind(ifname);
  if (!kind) return kind.error();
  const LinkKind k = kind.value();
  const int in_fd = k == LinkKind::l3 ? ingress_l3_fd() : ingress_fd();
  const int out_fd = k == LinkKind::l3 ? egress_l3_fd() : egress_fd();
  if (k == LinkKind::l3) mode = XdpMode::generic;  // tun (TUN mode) runs generic XDP only
  AttachInfo info{ifname, "", "", link_kind_name(k), ifindex};
  const bool pin = !opts_.pin_dir.empty();
  if (pin) {
    std::error_code ec;
    fs::create_directories(opts_.pin_dir + "/links", ec);
    // Links of the other variant (the name now belongs to a device of another type) go.
    const LinkKind other = k == LinkKind::l3 ? LinkKind::ethernet : LinkKind::l3;
    for (const char* kd : {xdp_kind(other), tcx_kind(other)}) {
      std::string p = link_path(opts_.pin_dir, ifname, kd);
      if (int fd = bpf_obj_get(p.c_str()); fd >= 0) {
        bpf_link_detach(fd);
        ::close(fd);
        ::unlink(p.c_str());
      }
    }
  }

  // --- XDP (ingress) ---
  std::string xp = pin ? link_path(opts_.pin_dir, ifname, xdp_kind(k)) : "";
  int lfd = pin ? adopt_pinned_link(xp, ifindex) : -1;
  if (lfd >= 0) {
    UniqueFd l(lfd);
    if (bpf_link_update(l.get(), in_fd, nullptr) != 0) return sys_error("update XDP link on " + ifname);
    info.xdp_mode = "adopted";
  } else {
    LIBBPF_OPTS(bpf_link_create_opts, lo);
    int flags = mode == XdpMode::generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
    lo.flags = flags;
    int fd = bpf_link_create(in_fd, int(ifindex), BPF_XDP, &lo);
    info.xdp_mode = mode == XdpMode::generic ? "generic" : "native";
    if (fd < 0 && mode != XdpMode::generic) {
      log::info("fw", "native XDP not available on ", ifname, " (", -fd, "); using generic XDP");
      lo.flags = XDP_FLAGS_SKB_MODE;
      fd = bpf_link_create(in_fd, int(ifindex), BPF_XDP, &lo);
      info.xdp_mode = "generic";
    }
    if (fd < 0) return bpf_err("attach XDP to " + ifname, fd);
    UniqueFd l(fd);
    if (pin && bpf_obj_pin(l.get(), xp.c_str()) != 0) return sys_error("pin " + xp);
    if (!pin) l.release();  // private: the link lives as long as the process (tests, demo)
  }

  // --- TC egress: tcx link, or clsact filter on older kernels ---
  std::string tp = pin ? link_path(opts_.pin_dir, ifname, tcx_kind(k)) : "";
  lfd = pin ? adopt_pinned_link(tp, ifindex) : -1;
  if (lfd >= 0) {
    UniqueFd l(lfd);
    if (bpf_link_update(l.get(), out_fd, nullptr) != 0) return sys_error("update tcx link on " + ifname);
    info.tc_mode = "adopted";
    return info;
  }
  int fd = tc == TcMode::clsact ? -1 : bpf_link_create(out_fd, int(ifindex), bpf_attach_type(kBpfTcxEgress), nullptr);
  if (fd >= 0) {
    UniqueFd l(fd);
    if (pin && bpf_obj_pin(l.get(), tp.c_str()) != 0) return sys_error("pin " + tp);
    if (!pin) l.release();
    info.tc_mode = "tcx";
    return info;
  }
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = int(ifindex), .attach_point = BPF_TC_EGRESS);
  int err = bpf_tc_hook_create(&hook);
  if (err && err != -EEXIST) return bpf_err("create clsact on " + ifname, err);
  LIBBPF_OPTS(bpf_tc_opts, to, .prog_fd = out_fd, .flags = BPF_TC_F_REPLACE, .handle = kClsactHandle,
              .priority = kClsactPriority);
  if ((err = bpf_tc_attach(&hook, &to))) return bpf_err("attach TC egress to " + ifname, err);
  info.tc_mode = "clsact";
  return info;
}

Status Firewall::detach(const std::string& ifname) {
  if (!opts_.pin_dir.empty()) {
    for (const char* kind : {"xdp", "tcx", "xdp_l3", "tcx_l3"}) {
      std::string p = link_path(opts_.pin_dir, ifname, kind);
      int fd = bpf_obj_get(p.c_str());
      if (fd >= 0) {
        bpf_link_detach(fd);
        ::close(fd);
        ::unlink(p.c_str());
      }
    }
  }
  detach_clsact(ifname);
  return {};
}

std::vector<std::string> Firewall::attached() const {
  std::vector<std::string> out;
  if (opts_.pin_dir.empty()) return out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(opts_.pin_dir + "/links", ec)) {
    if (auto n = pinned_xdp_ifname(e.path().filename().string()); !n.empty()) out.push_back(n);
  }
  return out;
}

std::vector<PinnedAttachment> pinned_attachments(const std::string& pin_dir) {
  std::vector<PinnedAttachment> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(pin_dir + "/links", ec)) {
    std::string f = e.path().filename().string();
    if (auto n = pinned_xdp_ifname(f); !n.empty()) out.push_back({n, f.ends_with("_xdp_l3") ? "l3" : "ethernet"});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ifname < b.ifname; });
  return out;
}

Status unpin_all(const std::string& pin_dir) {
  std::error_code ec;
  for (auto& e : fs::directory_iterator(pin_dir + "/links", ec)) {
    // The interface may carry the clsact fallback too.
    if (auto n = pinned_xdp_ifname(e.path().filename().string()); !n.empty()) detach_clsact(n);
    int fd = bpf_obj_get(e.path().c_str());
    if (fd >= 0) {
      bpf_link_detach(fd);
      ::close(fd);
    }
    ::unlink(e.path().c_str());
  }
  for (int i = 0; i < int(MapId::count); ++i) ::unlink((pin_dir + "/maps/" + map_name(MapId(i))).c_str());
  fs::remove(pin_dir + "/links", ec);
  fs::remove(pin_dir + "/maps", ec);
  fs::remove(pin_dir, ec);
  return {};
}

}  // namespace phonesec::fw

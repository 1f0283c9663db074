// SPDX-License-Identifier: Apache-2.0
// bench_fw_progs: the deterministic figures of each BPF program — instructions in the object
// (clang's output), instructions the verifier processed, translated and JIT-compiled sizes
// (the kernel's). They do not move between runs on one kernel and compiler, so perf/compare
// checks them exactly: a change means the code changed, and the baseline is re-recorded on
// purpose (perf/compare --update) with the reason in the commit.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <iostream>

#include "bench_common.h"
#include "egress.skel.h"
#include "egress_l3.skel.h"
#include "fw/firewall.h"
#include "ingress.skel.h"
#include "ingress_l3.skel.h"
#include "perf_lru_ref.skel.h"
#include "ref_progs.h"
#include "xdp_pass.skel.h"

namespace phonesec::perf {
namespace {

struct ProgFigures {
  std::uint64_t obj_insns = 0, verified_insns = 0, xlated_bytes = 0, jited_bytes = 0;
};

ProgFigures kernel_figures(int fd, std::uint64_t obj_insns) {
  bpf_prog_info info{};
  std::uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) throw std::runtime_error("bpf_obj_get_info_by_fd");
  return {obj_insns, info.verified_insns, info.xlated_prog_len, info.jited_prog_len};
}

int run(const Args& a) {
  auto fwr = fw::Firewall::load({});
  if (!fwr) throw std::runtime_error(fwr.error().message());
  auto refs = RefProgs::load();
  if (!refs) throw std::runtime_error(refs.error().message());

  struct Row {
    std::string name;
    ProgFigures f;
  };
  std::vector<Row> rows;
  // Instructions as clang emitted them (before the kernel sees them): depend on the compiler only.
  auto ins = [](auto* s, const char* name) {
    bpf_program* p = bpf_object__find_program_by_name(s->obj, name);
    return p ? std::uint64_t(bpf_program__insn_cnt(p)) : 0;
  };
  {
    ingress* s = ingress__open();
    egress* e = egress__open();
    xdp_pass* x = xdp_pass__open();
    perf_lru_ref* l = perf_lru_ref__open();
    ingress_l3* s3 = ingress_l3__open();
    egress_l3* e3 = egress_l3__open();
    if (!s || !e || !x || !l || !s3 || !e3) throw std::runtime_error("open skeletons");
    rows.push_back({"ingress", kernel_figures(fwr.value()->ingress_fd(), ins(s, "ps_ingress"))});
    rows.push_back({"egress", kernel_figures(fwr.value()->egress_fd(), ins(e, "ps_egress"))});
    rows.push_back({"ingress_l3", kernel_figures(fwr.value()->ingress_l3_fd(), ins(s3, "ps_ingress_l3"))});
    rows.push_back({"egress_l3", kernel_figures(fwr.value()->egress_l3_fd(), ins(e3, "ps_egress_l3"))});
    rows.push_back({"xdp_pass", kernel_figures(refs.value()->pass_fd(), ins(x, "ps_xdp_pass"))});
    rows.push_back({"lru_ref", kernel_figures(refs.value()->lru_fd(), ins(l, "ps_lru_ref"))});
    ingress_l3__destroy(s3);
    egress_l3__destroy(e3);
    ingress__destroy(s);
    egress__destroy(e);
    xdp_pass__destroy(x);
    perf_lru_ref__destroy(l);
  }

  Report rep("fw_progs");
  std::vector<std::vector<std::string>> t;
  for (auto& r : rows) {
    rep.exact("progs." + r.name + ".obj_insns", double(r.f.obj_insns), "insns");
    rep.exact("progs." + r.name + ".verified_insns", double(r.f.verified_insns), "insns");
    rep.exact("progs." + r.name + ".xlated_bytes", double(r.f.xlated_bytes), "bytes");
    rep.exact("progs." + r.name + ".jited_bytes", double(r.f.jited_bytes), "bytes");
    t.push_back({r.name, std::to_string(r.f.obj_insns), std::to_string(r.f.verified_insns),
                 std::to_string(r.f.xlated_bytes), std::to_string(r.f.jited_bytes)});
  }
  rep.table("programs", {"program", "obj_insns", "verified_insns", "xlated_bytes", "jited_bytes"}, t);
  return rep.write(a.out) ? 0 : 1;
}

}  // namespace
}  // namespace phonesec::perf

int main(int argc, char** argv) {
  auto a = phonesec::perf::parse_args(argc, argv, "bench_fw_progs",
                                      "Deterministic program figures: object instructions, verifier-processed "
                                      "instructions, translated and JIT sizes.");
  try {
    return phonesec::perf::run(a);
  } catch (const std::exception& e) {
    std::cerr << "bench_fw_progs: " << e.what() << "\n";
    return 1;
  }
}

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# perf/run.sh BUILD_DIR [--quick] [--only PATTERN] [--no-compare]
# Runs every benchmark binary BUILD_DIR/perf/bench_* (a part adds its own by building one there:
# see perf/CMakeLists.txt, ps_bench), one after the other (they need the CPUs to themselves),
# each writing <bench>.json into perf/results/<UTC time>/ (perf/results/latest points to it);
# then perf/report (summary.txt + gnuplot plots) and perf/compare against perf/baselines/.
# PS_PERF_OUT=DIR writes there instead.
# Exit status: non-zero when a benchmark failed or compare found a regression.
# Root only (BPF, network namespaces). Other load on the machine shows in the figures: run it
# on a quiet machine.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: perf/run.sh BUILD_DIR [--quick] [--only PATTERN] [--no-compare]}
shift
quick="" only="" compare=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=--quick ;;
    --only) only=${2:?--only needs a pattern}; shift ;;
    --no-compare) compare=0 ;;
    *) echo "perf/run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "perf/run.sh: run as root (BPF, network namespaces)" >&2; exit 2; }
benches=$(ls -1 "$build"/perf/bench_* 2>/dev/null | grep -E "${only:-.}" || true)
[ -n "$benches" ] || { echo "perf/run.sh: no benchmark in $build/perf (build first: ./dev build)" >&2; exit 2; }

if [ -n "${PS_PERF_OUT:-}" ]; then  # another folder (the CTest smoke run keeps the tree clean)
  out=$PS_PERF_OUT
  mkdir -p "$out"
else
  out=$here/results/$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$out"
  ln -sfn "$out" "$here/results/latest"
fi
(cd "$here/.." && git rev-parse HEAD 2>/dev/null) > "$out/commit" || true
failed=0
for b in $benches; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  echo "perf: $name" >&2
  start=$(date +%s)
  if ! "$b" --out "$out" $quick 2> >(grep -v '^libbpf: elf: skipping unrecognized data section' > "$out/$name.log"); then
    echo "perf: $name FAILED (see $out/$name.log):" >&2
    tail -5 "$out/$name.log" >&2
    failed=1
  fi
  echo "perf: $name took $(( $(date +%s) - start )) s" >&2
done
wait
python3 "$here/report" "$out" || failed=1
rc=0
if [ "$compare" -eq 1 ]; then
  if [ -n "$quick" ]; then
    echo "perf: --quick figures are not meaningful; compare skipped" >&2
  else
    python3 "$here/compare" ${only:+--present} "$out" | tee "$out/compare.txt"
    rc=${PIPESTATUS[0]}
  fi
fi
echo "perf: results in $out" >&2
[ "$failed" -eq 0 ] || exit 1
exit "$rc"

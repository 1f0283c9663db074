#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# perf/smoke.sh BUILD_DIR: the CTest smoke run (label perf, seconds): every benchmark with
# --quick, then report, into a temporary folder. Fails when a benchmark fails, a JSON result
# or the summary is missing, or a plot was not drawn. Figures are not looked at.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: perf/smoke.sh BUILD_DIR}" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
PS_PERF_OUT=$d "$here/run.sh" "$build" --quick
n=0
for b in "$build"/perf/bench_*; do
  name=$(basename "$b"); name=${name#bench_}
  [ -s "$d/$name.json" ] || { echo "smoke: $name.json missing" >&2; exit 1; }
  n=$((n + 1))
done
[ -s "$d/summary.txt" ] || { echo "smoke: summary.txt missing" >&2; exit 1; }
for p in fw_testrun_ns fw_flood_mpps fw_scale_ns; do
  [ -s "$d/$p.png" ] && [ -s "$d/$p.svg" ] || { echo "smoke: plot $p missing" >&2; exit 1; }
done
echo "smoke: $n benchmarks ran, summary and plots written"

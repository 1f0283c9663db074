#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""perf/compare against synthetic runs and against the committed baselines: an unchanged run
passes, each kind of injected regression fails with a message naming the metric."""
import copy
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("PS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COMPARE = os.path.join(SRC, "perf", "compare")
BASELINES = os.path.join(SRC, "perf", "baselines")

BASE = {
    "bench": "demo", "schema": 1, "env": {"kernel": "6.1.0", "bpf_clang": "clang 14"},
    "metrics": {
        "progs.ingress.verified_insns": {"value": 60823, "unit": "insns", "kind": "exact"},
        "ratio.closed.phonesec_vs_lru_ref": {"value": 2.0, "unit": "x", "kind": "ratio", "better": "lower",
                                             "target_max": 2.5},
        "ratio.flood.phonesec_vs_nftables": {"value": 5.0, "unit": "x", "kind": "ratio", "better": "higher",
                                             "tolerance": 0.1},
        "ns.closed.phonesec": {"value": 100.0, "unit": "ns", "kind": "info"},
    },
}


def load_compare_module():
    loader = importlib.machinery.SourceFileLoader("ps_compare", COMPARE)
    spec = importlib.util.spec_from_loader("ps_compare", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def write(d, name, data):
    with open(os.path.join(d, name + ".json"), "w") as f:
        json.dump(data, f)


def compare(results, baselines, *extra):
    p = subprocess.run([sys.executable, COMPARE, results, "--baselines", baselines, *extra],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


class Synthetic(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.base = os.path.join(self.tmp.name, "base")
        self.run_ = os.path.join(self.tmp.name, "run")
        os.makedirs(self.base)
        os.makedirs(self.run_)
        write(self.base, "demo", BASE)

    def tearDown(self):
        self.tmp.cleanup()

    def run_with(self, mutate, *extra):
        cur = copy.deepcopy(BASE)
        mutate(cur)
        write(self.run_, "demo", cur)
        return compare(self.run_, self.base, *extra)

    def test_unchanged_run_passes(self):
        rc, out = self.run_with(lambda c: None)
        self.assertEqual(rc, 0, out)
        self.assertIn("0 regression", out)

    def test_timing_regression_beyond_tolerance_fails(self):
        rc, out = self.run_with(lambda c: c["metrics"]["ratio.closed.phonesec_vs_lru_ref"].update(value=2.6))
        self.assertEqual(rc, 1, out)
        self.assertIn("REGRESSION demo: ratio.closed.phonesec_vs_lru_ref", out)

    def test_timing_noise_within_tolerance_passes(self):
        rc, out = self.run_with(lambda c: c["metrics"]["ratio.closed.phonesec_vs_lru_ref"].update(value=2.3))
        self.assertEqual(rc, 0, out)

    def test_improvement_passes_and_is_noted(self):
        rc, out = self.run_with(lambda c: c["metrics"]["ratio.closed.phonesec_vs_lru_ref"].update(value=1.2))
        self.assertEqual(rc, 0, out)
        self.assertIn("better than the baseline", out)

    def test_higher_is_better_drop_fails_with_own_tolerance(self):
        # 5.0 → 4.4 is -12 %: inside the default 25 % but outside this metric's 10 %.
        rc, out = self.run_with(lambda c: c["metrics"]["ratio.flood.phonesec_vs_nftables"].update(value=4.4))
        self.assertEqual(rc, 1, out)
        self.assertIn("ratio.flood.phonesec_vs_nftables", out)

    def test_exact_figure_off_by_one_fails(self):
        rc, out = self.run_with(lambda c: c["metrics"]["progs.ingress.verified_insns"].update(value=60824))
        self.assertEqual(rc, 1, out)
        self.assertIn("progs.ingress.verified_insns = 60824, baseline 60823", out)

    def test_exact_mismatch_names_a_changed_kernel(self):
        def m(c):
            c["env"]["kernel"] = "6.18.0"
            c["metrics"]["progs.ingress.verified_insns"]["value"] = 59000
        rc, out = self.run_with(m)
        self.assertEqual(rc, 1, out)
        self.assertIn("kernel '6.1.0'", out)

    def test_info_figures_are_not_gated(self):
        rc, out = self.run_with(lambda c: c["metrics"]["ns.closed.phonesec"].update(value=1000.0))
        self.assertEqual(rc, 0, out)

    def test_missing_metric_fails(self):
        rc, out = self.run_with(lambda c: c["metrics"].pop("progs.ingress.verified_insns"))
        self.assertEqual(rc, 1, out)
        self.assertIn("missing", out)

    def test_missing_bench_fails(self):
        rc, out = compare(self.run_, self.base)
        self.assertEqual(rc, 1, out)
        self.assertIn("demo: no result", out)

    def test_partial_run_checks_only_present_benches_with_present(self):
        write(self.base, "other", BASE)
        write(self.run_, "demo", BASE)
        rc, out = compare(self.run_, self.base)
        self.assertEqual(rc, 1, out)
        self.assertIn("other: no result", out)
        rc, out = compare(self.run_, self.base, "--present")
        self.assertEqual(rc, 0, out)
        self.assertIn("1 of 2 benches checked", out)

    def test_missed_target_fails_only_with_targets(self):
        mut = lambda c: c["metrics"]["ratio.closed.phonesec_vs_lru_ref"].update(value=2.45, target_max=1.5)
        rc, out = self.run_with(mut)
        self.assertEqual(rc, 0, out)
        self.assertIn("MISSED", out)
        rc, out = self.run_with(mut, "--targets")
        self.assertEqual(rc, 1, out)

    def test_update_records_a_baseline_that_then_passes(self):
        cur = copy.deepcopy(BASE)
        cur["tables"] = {"t": {"columns": ["a"], "rows": [[1]]}}
        write(self.run_, "demo", cur)
        newbase = os.path.join(self.tmp.name, "nb")
        rc, out = compare(self.run_, newbase, "--update")
        self.assertEqual(rc, 0, out)
        with open(os.path.join(newbase, "demo.json")) as f:
            self.assertNotIn("tables", json.load(f))
        self.assertEqual(compare(self.run_, newbase)[0], 0)

    def test_unreadable_result_is_a_usage_error(self):
        with open(os.path.join(self.run_, "demo.json"), "w") as f:
            f.write("{not json")
        rc, out = compare(self.run_, self.base)
        self.assertEqual(rc, 2, out)
        self.assertIn("demo.json", out)


class CommittedBaselines(unittest.TestCase):
    """The committed baselines compare clean against themselves, and an injected regression in
    each gated metric of theirs is caught."""

    def setUp(self):
        self.names = sorted(f[:-5] for f in os.listdir(BASELINES) if f.endswith(".json"))
        self.assertTrue(self.names, "no committed baselines in " + BASELINES)

    def test_self_compare_passes_and_each_injected_regression_fails(self):
        data = {}
        with tempfile.TemporaryDirectory() as d:
            for n in self.names:
                with open(os.path.join(BASELINES, n + ".json")) as f:
                    data[n] = json.load(f)
                write(d, n, data[n])
            rc, out = compare(d, BASELINES)
            self.assertEqual(rc, 0, out)
            # One end-to-end injected regression through the command ...
            n = self.names[0]
            mname = next(k for k, m in data[n]["metrics"].items() if m["kind"] in ("exact", "ratio"))
            bad = copy.deepcopy(data[n])
            bad["metrics"][mname]["value"] *= 2
            write(d, n, bad)
            rc, out = compare(d, BASELINES)
            self.assertEqual(rc, 1, out)
            self.assertIn(mname, out)
        # ... and every gated metric of every committed baseline in-process (fast).
        mod = load_compare_module()
        gated = 0
        for n in self.names:
            for mname, m in data[n]["metrics"].items():
                if m["kind"] not in ("exact", "ratio"):
                    continue
                bad = copy.deepcopy(data[n])
                v = bad["metrics"][mname]
                if m["kind"] == "exact":
                    v["value"] += 1
                else:
                    v["value"] *= 2.0 if m.get("better", "lower") == "lower" else 0.5
                fails, _ = mod.check_bench(n, data[n], bad, 0.25, False, False)
                self.assertTrue(any(mname in f for f in fails), f"{n}/{mname} not caught: {fails}")
                gated += 1
        self.assertGreater(gated, 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""numpy/scipy baseline for `pmm bench drift`: the same default drift report on the same generated data.

Generates N reference and N current rows with the distributions of cli/src/commands/bench-drift.ts
(3 numerical, 16 categorical columns with 2-4 levels, the current side shifted; num_1 and cat_0 have 1%
missing), then runs, per column, what Evidently's default data-drift preset does with more than 1000
reference rows: drop missing values, count distinct values to choose the method, `wasserstein`
(scipy.stats.wasserstein_distance / max(std(reference), 0.001)) for numerical columns with more than 5
distinct values, else `jensenshannon` (scipy.spatial.distance.jensenshannon over shared bins: numpy
histograms with Sturges edges for numerical columns, value counts for categorical ones), plus the chart
aggregates pmm's report keeps (shared-bin histogram shares per side). Prints the median seconds over
--runs as the last line: {"rows", "columns", "seconds", "peak_rss_mb"}.

Usage: python3 scripts/bench_drift_scipy.py --rows 1000000 [--runs 5]
"""

import argparse
import json
import resource
import statistics
import time

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

CATEGORICAL = 16


def generate(rows: int, seed: int = 1):
    rng = np.random.default_rng(seed)

    def with_missing(x, share):
        if share > 0:
            x[rng.random(rows) < share] = np.nan
        return x

    ref, cur = {}, {}
    ref["num_0"], cur["num_0"] = rng.normal(0, 1, rows), rng.normal(0.3, 1, rows)
    ref["num_1"] = with_missing(rng.normal(50, 10, rows), 0.01)
    cur["num_1"] = with_missing(rng.normal(50, 13, rows), 0.01)
    ref["num_2"], cur["num_2"] = rng.uniform(0, 100, rows), rng.uniform(10, 110, rows)
    for j in range(CATEGORICAL):
        levels = 2 + j % 3
        base = np.full(levels, 1 / levels)
        shift = 0.05 * (j % 5)
        shifted = np.array([p + shift if k == 0 else p - shift / (levels - 1) for k, p in enumerate(base)])
        missing = 0.01 if j == 0 else 0.0
        for side, probs in ((ref, base), (cur, shifted)):
            codes = rng.choice(levels, size=rows, p=probs).astype(np.int32)
            if missing > 0:
                codes[rng.random(rows) < missing] = -1
            side[f"cat_{j}"] = codes
    return ref, cur


def numerical_column(r, c):
    r = r[~np.isnan(r)]
    c = c[~np.isnan(c)]
    # Evidently counts distinct values (pd.concat(...).nunique()); only "more than 5" matters here,
    # so look at a prefix first and fall back to the full count when the prefix is inconclusive.
    n_values = np.unique(np.concatenate([r[:64], c[:64]])).size
    if n_values <= 5:
        n_values = np.unique(np.concatenate([r, c])).size
    edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
    ref_hist = np.histogram(r, bins=edges)[0] / r.size
    cur_hist = np.histogram(c, bins=edges)[0] / c.size
    if n_values > 5:
        score = wasserstein_distance(r, c) / max(np.std(r), 0.001)
    else:
        score = jensenshannon(ref_hist, cur_hist)
    return score, ref_hist, cur_hist


def categorical_column(r, c, levels):
    r = r[r >= 0]
    c = c[c >= 0]
    ref_counts = np.bincount(r, minlength=levels)
    cur_counts = np.bincount(c, minlength=levels)
    present = (ref_counts + cur_counts) > 0
    ref_share = ref_counts[present] / r.size
    cur_share = cur_counts[present] / c.size
    return jensenshannon(ref_share, cur_share), ref_share, cur_share


def report(ref, cur):
    out = {}
    for name in ref:
        if name.startswith("num_"):
            out[name] = numerical_column(ref[name], cur[name])
        else:
            levels = 2 + int(name.split("_")[1]) % 3
            out[name] = categorical_column(ref[name], cur[name], levels)
    drifted = sum(1 for score, _, _ in out.values() if score >= 0.1)
    return out, drifted


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ref, cur = generate(args.rows)
    seconds = []
    drifted = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        _, drifted = report(ref, cur)
        seconds.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "rows": args.rows,
        "columns": len(ref),
        "seconds": round(statistics.median(seconds), 4),
        "peak_rss_mb": round(peak_mb, 1),
        "drifted_columns": drifted,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

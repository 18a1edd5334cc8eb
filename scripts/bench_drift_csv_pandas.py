#!/usr/bin/env python3
"""pandas + scipy baseline for `pmm bench drift-csv`: read two CSV files and run Evidently's default drift tests.

What Evidently's default data-drift preset does on two data frames with more than 1000 reference rows, with the
id column given in the column mapping (so left out): pandas.read_csv both files; per column, drop missing values,
count distinct values over both sides (pd.concat(...).nunique()); numerical columns with more than 5 distinct
values get scipy.stats.wasserstein_distance / max(std(reference), 0.001); other numerical columns get
scipy.spatial.distance.jensenshannon over shared numpy histograms (Sturges edges); categorical columns get
jensenshannon over value-count shares of the union of their values. Prints one JSON line:
{"rows_reference", "rows_current", "columns", "drifted_columns"}. Wall time and peak RSS are measured outside.

Usage: /usr/bin/python3 scripts/bench_drift_csv_pandas.py reference.csv current.csv [--id customerID]
"""

import argparse
import json

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance


def numerical_column(r, c):
    r = r.dropna().to_numpy(dtype=np.float64)
    c = c.dropna().to_numpy(dtype=np.float64)
    n_values = pd.concat([pd.Series(r), pd.Series(c)]).nunique()
    edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
    ref_hist = np.histogram(r, bins=edges)[0] / r.size
    cur_hist = np.histogram(c, bins=edges)[0] / c.size
    if n_values > 5:
        return wasserstein_distance(r, c) / max(np.std(r), 0.001)
    return jensenshannon(ref_hist, cur_hist)


def categorical_column(r, c):
    r = r.dropna()
    c = c.dropna()
    pd.concat([r, c]).nunique()
    ref_counts = r.value_counts()
    cur_counts = c.value_counts()
    keys = sorted(set(ref_counts.index) | set(cur_counts.index), key=str)
    ref_share = ref_counts.reindex(keys, fill_value=0).to_numpy() / len(r)
    cur_share = cur_counts.reindex(keys, fill_value=0).to_numpy() / len(c)
    return jensenshannon(ref_share, cur_share)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reference")
    parser.add_argument("current")
    parser.add_argument("--id", default="customerID")
    args = parser.parse_args()
    ref = pd.read_csv(args.reference)
    cur = pd.read_csv(args.current)
    drifted = 0
    columns = [c for c in ref.columns if c != args.id]
    for name in columns:
        if pd.api.types.is_numeric_dtype(ref[name]) and pd.api.types.is_numeric_dtype(cur[name]):
            score = numerical_column(ref[name], cur[name])
        else:
            score = categorical_column(ref[name].astype(str), cur[name].astype(str))
        drifted += score >= 0.1
    print(json.dumps({"rows_reference": len(ref), "rows_current": len(cur), "columns": len(columns), "drifted_columns": int(drifted)}))


if __name__ == "__main__":
    main()

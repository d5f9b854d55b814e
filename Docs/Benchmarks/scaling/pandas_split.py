#!/usr/bin/env python3
"""pandas doing the work of `losslab split` (random method, no validation part), step by step.

    python3 Docs/Benchmarks/scaling/pandas_split.py IN.csv TRAIN.csv TEST.csv --test-fraction 0.2 --seed 42

The steps, each timed with `time.perf_counter()` and printed:

1. read: `pandas.read_csv(IN)` (the `userId,movieId,rating,timestamp` columns, types inferred);
2. dedupe: `drop_duplicates(["userId", "movieId"], keep="first")`, as LossLab keeps a repeated
   (user, item) pair's first row;
3. split: per user with `n` interactions, `min(n - 1, round(test_fraction * n))` of them, halves
   rounded up (LossLab's rule, `DataSplit.counts(n:testFraction:validationFraction:)`), drawn at
   random (the rows are shuffled once with numpy's generator and numbered within each user; the first
   ones are held out). The draw is not LossLab's (SplitMix64), so the held-out rows differ, but each
   user holds out the same number;
4. write: `to_csv` of the training rows and of the held-out rows, in file order, without the index.

It prints the rows read, kept and written, and the seconds of each step and in all.
"""

import argparse
import time

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    steps = []
    start = time.perf_counter()

    t = time.perf_counter()
    data = pd.read_csv(args.input)
    steps.append(("read", time.perf_counter() - t))
    rows = len(data)

    t = time.perf_counter()
    data = data.drop_duplicates(["userId", "movieId"], keep="first")
    steps.append(("dedupe", time.perf_counter() - t))

    t = time.perf_counter()
    users = data["userId"].to_numpy()
    n = data.groupby("userId", sort=False)["userId"].transform("size").to_numpy()
    # round(f · n) with halves away from zero, as Swift's rounded(); never every interaction.
    held_out = np.minimum(n - 1, np.floor(args.test_fraction * n + 0.5).astype(np.int64))
    order = np.random.default_rng(args.seed).permutation(len(data))
    position = np.empty(len(data), dtype=np.int64)
    position[order] = pd.Series(users[order]).groupby(users[order], sort=False).cumcount().to_numpy()
    is_test = position < held_out
    steps.append(("split", time.perf_counter() - t))

    t = time.perf_counter()
    data[~is_test].to_csv(args.train, index=False)
    data[is_test].to_csv(args.test, index=False)
    steps.append(("write", time.perf_counter() - t))

    total = time.perf_counter() - start
    print(
        f"pandas {pd.__version__}: {rows} rows read, {len(data)} kept; "
        f"{args.train}: {int((~is_test).sum())} interactions; {args.test}: {int(is_test.sum())}")
    print("  ".join(f"{name} {seconds:.2f} s" for name, seconds in steps) + f"  total {total:.2f} s")


if __name__ == "__main__":
    main()

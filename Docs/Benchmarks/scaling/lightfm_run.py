#!/usr/bin/env python3
"""LightFM on a split written by `losslab split`: load, one timed epoch, timed evaluation.

    python3 Docs/Benchmarks/scaling/lightfm_run.py TRAIN.csv TEST.csv --factors 32 --loss warp \\
        --epochs 1 --threads 2 [--eval-users N]

Needs `pip install lightfm-next==1.19.0 numpy scipy pandas` (`lightfm-next` is a maintained fork of
LightFM with the same `lightfm` module; the original 1.17 does not build on Python 3.11).

Steps, each timed with `time.perf_counter()` and printed:

1. load: `pandas.read_csv` of both files (the first two columns are the user and item ids), ids mapped
   to dense indices over the union of both files, binary float32 COO matrices built (as
   `Tests/Baselines/lightfm_baseline.py`; a repeated pair collapses to 1);
2. train: `LightFM(no_components=factors, loss=loss, learning_rate=0.05, random_state=seed)` and
   `fit(train, epochs=epochs, num_threads=threads)`; interactions/s = train rows × epochs / seconds;
3. evaluation: `lightfm.evaluation.auc_score` and `precision_at_k(k=10)` on the test matrix with
   `train_interactions=train` (training items are not ranked) and the same threads, each timed.
   Each ranks every item for every user with a test item. With `--eval-users N`, only a fixed random
   sample of N users with test items is evaluated (the other rows of the test matrix are dropped); the
   script prints the measured seconds for the sample, the seconds per user, and the extrapolation to
   every test user, labelled as such.

The last line, `RESULT {...}`, is the figures as JSON for `run.py`.
"""

import argparse
import json
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

import lightfm
from lightfm import LightFM
from lightfm.evaluation import auc_score, precision_at_k


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("--factors", type=int, default=32)
    parser.add_argument("--loss", default="warp")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval-users", type=int, help="evaluate a random sample of this many test users")
    args = parser.parse_args()
    result = {"lightfm": lightfm.__version__, "loss": args.loss, "factors": args.factors, "threads": args.threads}

    t = time.perf_counter()
    train = pd.read_csv(args.train, usecols=[0, 1])
    test = pd.read_csv(args.test, usecols=[0, 1])
    user_ids, users = np.unique(np.concatenate((train.iloc[:, 0].to_numpy(), test.iloc[:, 0].to_numpy())),
                                return_inverse=True)
    item_ids, items = np.unique(np.concatenate((train.iloc[:, 1].to_numpy(), test.iloc[:, 1].to_numpy())),
                                return_inverse=True)
    shape = (user_ids.size, item_ids.size)
    n_train = len(train)

    def matrix(rows, cols):
        m = sp.coo_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=shape).tocsr()
        m.data[:] = 1.0  # a repeated pair counts once
        return m.tocoo()

    train_m = matrix(users[:n_train], items[:n_train])
    test_m = matrix(users[n_train:], items[n_train:])
    result["load_seconds"] = time.perf_counter() - t
    result.update(users=shape[0], items=shape[1], train_interactions=int(train_m.nnz),
                  test_interactions=int(test_m.nnz))
    print(f"load: {shape[0]} users, {shape[1]} items, {train_m.nnz} training and {test_m.nnz} test "
          f"interactions, {result['load_seconds']:.2f} s")

    model = LightFM(no_components=args.factors, loss=args.loss, learning_rate=args.learning_rate,
                    random_state=args.seed)
    t = time.perf_counter()
    model.fit(train_m, epochs=args.epochs, num_threads=args.threads)
    seconds = time.perf_counter() - t
    result["train_seconds_per_epoch"] = seconds / args.epochs
    result["interactions_per_second"] = train_m.nnz * args.epochs / seconds
    print(f"train: LightFM {lightfm.__version__} {args.loss}, {args.factors} factors, {args.epochs} epoch(s), "
          f"{args.threads} threads: {seconds:.2f} s, {result['interactions_per_second']:.0f} interactions/s")

    test_csr = test_m.tocsr()
    test_users = np.flatnonzero(np.diff(test_csr.indptr) > 0)
    evaluated = test_users
    if args.eval_users is not None and args.eval_users < test_users.size:
        evaluated = np.sort(np.random.default_rng(args.seed).choice(test_users, size=args.eval_users, replace=False))
        keep = np.zeros(shape[0], dtype=bool)
        keep[evaluated] = True
        test_csr = sp.diags(keep.astype(np.float32)) @ test_csr
        test_csr.eliminate_zeros()
    train_csr = train_m.tocsr()
    t = time.perf_counter()
    auc = auc_score(model, test_csr, train_interactions=train_csr, num_threads=args.threads).mean()
    auc_seconds = time.perf_counter() - t
    t = time.perf_counter()
    precision = precision_at_k(model, test_csr, train_interactions=train_csr, k=args.k,
                               num_threads=args.threads).mean()
    precision_seconds = time.perf_counter() - t
    measured = auc_seconds + precision_seconds
    per_user = measured / evaluated.size
    result.update(auc=float(auc), precision_at_k=float(precision), k=args.k,
                  auc_seconds=auc_seconds, precision_seconds=precision_seconds,
                  evaluated_users=int(evaluated.size), test_users=int(test_users.size),
                  evaluation_seconds_measured=measured, evaluation_seconds_per_user=per_user,
                  evaluation_seconds=per_user * test_users.size,
                  evaluation_extrapolated=bool(evaluated.size < test_users.size))
    sample = "" if evaluated.size == test_users.size else f" (a sample of {evaluated.size} of {test_users.size} users)"
    print(f"evaluation{sample}: auc_score {auc_seconds:.2f} s + precision_at_k {precision_seconds:.2f} s = "
          f"{measured:.2f} s measured, {per_user * 1e3:.2f} ms per user; AUC {auc:.4f}, P@{args.k} {precision:.4f}")
    if evaluated.size < test_users.size:
        print(f"evaluation of all {test_users.size} test users, extrapolated from the sample: "
              f"{result['evaluation_seconds']:.1f} s")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()

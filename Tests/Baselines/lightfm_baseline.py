#!/usr/bin/env python3
"""LightFM baseline for LossLab comparisons.

Purpose
-------
A measurement tool, kept in the repository so that anyone can reproduce the
comparison between LossLab's matrix-factorization models and LightFM on the
*same* train/test split. It trains a pure collaborative-filtering LightFM model
(no user/item features) and reports fit throughput plus AUC, precision@k and
recall@k computed with ``lightfm.evaluation``.

Requirements
------------
``pip install lightfm-next==1.19.0`` (the original ``lightfm`` 1.17 sdist does
not build on Python 3.11; ``lightfm-next`` is a maintained fork with the same
``lightfm`` import name and API; it compiles from source with gcc and links
OpenMP). numpy and scipy are needed as well; nothing else.

Usage
-----
    python3 Tests/Baselines/lightfm_baseline.py \\
        --train DIR/train.csv --test DIR/test.csv \\
        [--factors 32] [--epochs 10] [--threads 2] [--loss warp] \\
        [--learning-rate 0.05] [--k 10] [--seed 42] [--repeats 1] [--json]

Input format
------------
train.csv and test.csv have a header row; the first two columns are the user
id and the item id in their original form (e.g. ``userId,movieId,rating,
timestamp`` from MovieLens). Other columns are ignored. Every row is taken as a
positive interaction: no rating threshold is applied here, so filter before
exporting if you want one. Duplicate (user, item) rows within a file collapse
to a single 1.0. A (user, item) pair present in both files is an error (LightFM
refuses to evaluate such a split, and it would make the metrics optimistic).

What is done
------------
1. Ids are mapped to dense indices over the union of train and test (users and
   items separately), so both matrices have the same shape. Items or users that
   occur only in test keep their random initial embeddings (they are never
   trained) and are still ranked.
2. Binary COO matrices (float32, value 1.0) are built for train and test.
3. ``LightFM(no_components=factors, loss=loss, learning_rate=lr,
   random_state=seed).fit(train, epochs=epochs, num_threads=threads)``.
   Only ``fit`` is timed, with ``time.perf_counter()``;
   interactions/s = train nnz * epochs / fit seconds.
4. ``auc_score``, ``precision_at_k`` and ``recall_at_k`` from
   ``lightfm.evaluation`` with ``train_interactions=train`` (train positives are
   excluded from the ranking) and the same thread count; each returns one
   value per user and we report the mean.

With ``--repeats R`` the whole fit+evaluate is repeated with seeds
seed, seed+1, ..., seed+R-1 and every metric is reported as mean and standard
deviation (sample std, ddof=1; 0 when R == 1). Note that with more than one
thread LightFM's Hogwild-style SGD is not bit-for-bit deterministic even for a
fixed seed.

Output
------
A short human-readable summary by default, or one JSON object with ``--json``.
The JSON keys are: library, version, loss, factors, epochs, threads,
learning_rate, train_interactions, test_interactions, users, items,
fit_seconds, interactions_per_second, auc, precision_at_k, recall_at_k, k,
seeds. The measured keys (fit_seconds, interactions_per_second, auc,
precision_at_k, recall_at_k) are objects ``{"mean", "std", "values"}`` with one
value per seed, in the order of ``seeds``.
"""

import argparse
import json
import sys
import time

from baseline_data import dense_index, read_pairs, summarize, to_matrix

try:
    import lightfm
    from lightfm import LightFM
    from lightfm.evaluation import auc_score, precision_at_k, recall_at_k
except ImportError:  # pragma: no cover - environment problem, not a code path
    sys.exit("lightfm is not installed: pip install lightfm-next==1.19.0")


def run_once(train, test, args, seed):
    model = LightFM(
        no_components=args.factors,
        loss=args.loss,
        learning_rate=args.learning_rate,
        random_state=seed,
    )
    start = time.perf_counter()
    model.fit(train, epochs=args.epochs, num_threads=args.threads)
    fit_seconds = time.perf_counter() - start

    # lightfm.evaluation (checked in site-packages, lightfm-next 1.19.0,
    # lightfm/evaluation.py): auc_score, precision_at_k and recall_at_k return
    # one value per user and, with the default preserve_rows=False, keep only
    # rows where test_interactions.getnnz(axis=1) > 0. So the .mean() below
    # averages over users with at least one test interaction; users without
    # test rows are dropped, not counted as 0 (P/R) or 0.5 (AUC).
    # precision@k divides hits by k; recall@k divides hits by the user's
    # number of test items. With train_interactions given, train positives
    # are excluded from the ranking (and AUC's negative count accounts for them).
    auc = auc_score(model, test, train_interactions=train, num_threads=args.threads).mean()
    prec = precision_at_k(
        model, test, train_interactions=train, k=args.k, num_threads=args.threads
    ).mean()
    rec = recall_at_k(
        model, test, train_interactions=train, k=args.k, num_threads=args.threads
    ).mean()

    return {
        "fit_seconds": fit_seconds,
        "interactions_per_second": train.nnz * args.epochs / fit_seconds,
        "auc": float(auc),
        "precision_at_k": float(prec),
        "recall_at_k": float(rec),
    }


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Train and evaluate a LightFM baseline on a train/test CSV split."
    )
    p.add_argument("--train", required=True, help="train CSV (header; user id, item id first)")
    p.add_argument("--test", required=True, help="test CSV (same layout as --train)")
    p.add_argument("--factors", type=int, default=32, help="no_components (default 32)")
    p.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    p.add_argument("--threads", type=int, default=2, help="num_threads for fit and evaluation (default 2)")
    p.add_argument(
        "--loss",
        default="warp",
        choices=["warp", "bpr", "warp-kos", "logistic"],
        help="LightFM loss (default warp)",
    )
    p.add_argument("--learning-rate", type=float, default=0.05, help="SGD learning rate (default 0.05)")
    p.add_argument("--k", type=int, default=10, help="cut-off for precision@k and recall@k (default 10)")
    p.add_argument("--seed", type=int, default=42, help="first random_state (default 42)")
    p.add_argument("--repeats", type=int, default=1, help="runs with seeds seed..seed+repeats-1 (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    args = p.parse_args(argv)
    for name in ("factors", "epochs", "threads", "k", "repeats"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)

    train_pairs = read_pairs(args.train)
    test_pairs = read_pairs(args.test)
    if not train_pairs:
        sys.exit(f"{args.train}: no interactions")
    if not test_pairs:
        sys.exit(f"{args.test}: no interactions")

    users = dense_index([u for u, _ in train_pairs] + [u for u, _ in test_pairs])
    items = dense_index([i for _, i in train_pairs] + [i for _, i in test_pairs])
    train = to_matrix(train_pairs, users, items)
    test = to_matrix(test_pairs, users, items)

    overlap = train.tocsr().multiply(test.tocsr()).nnz
    if overlap:
        sys.exit(
            f"{overlap} (user, item) pairs occur in both train and test; "
            "LightFM's evaluation rejects such a split"
        )

    seeds = list(range(args.seed, args.seed + args.repeats))
    runs = [run_once(train, test, args, s) for s in seeds]

    result = {
        "library": "lightfm",
        "version": getattr(lightfm, "__version__", "unknown"),
        "loss": args.loss,
        "factors": args.factors,
        "epochs": args.epochs,
        "threads": args.threads,
        "learning_rate": args.learning_rate,
        "train_interactions": int(train.nnz),
        "test_interactions": int(test.nnz),
        "users": len(users),
        "items": len(items),
        "fit_seconds": summarize([r["fit_seconds"] for r in runs]),
        "interactions_per_second": summarize([r["interactions_per_second"] for r in runs]),
        "auc": summarize([r["auc"] for r in runs]),
        "precision_at_k": summarize([r["precision_at_k"] for r in runs]),
        "recall_at_k": summarize([r["recall_at_k"] for r in runs]),
        "k": args.k,
        "seeds": seeds,
    }

    if args.json:
        print(json.dumps(result, indent=2))
        return

    def pm(key, fmt):
        s = result[key]
        return f"{format(s['mean'], fmt)} ± {format(s['std'], fmt)}"

    print(
        f"LightFM {result['version']}  loss={args.loss}  factors={args.factors}  "
        f"epochs={args.epochs}  threads={args.threads}  lr={args.learning_rate}  "
        f"seeds={seeds[0]}..{seeds[-1]} ({len(seeds)} run{'s' if len(seeds) != 1 else ''})"
    )
    print(
        f"data: {result['users']} users, {result['items']} items, "
        f"{result['train_interactions']} train / {result['test_interactions']} test interactions"
    )
    print(f"fit:  {pm('fit_seconds', '.3f')} s   {pm('interactions_per_second', ',.0f')} interactions/s")
    print(f"AUC:  {pm('auc', '.4f')}")
    print(f"P@{args.k}: {pm('precision_at_k', '.4f')}")
    print(f"R@{args.k}: {pm('recall_at_k', '.4f')}")
    if len(seeds) > 1:
        print("(mean ± sample std over seeds)")


if __name__ == "__main__":
    main()

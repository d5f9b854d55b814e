#!/usr/bin/env python3
"""LightFM baseline tuned on a validation split, the way LossLab tunes.

Purpose
-------
A measurement tool, kept in the repository so that LossLab's tuned models can be compared with a LightFM
model that was tuned by *the same protocol* on *the same files*: a grid of learning rates and L2
penalties, several seeds per point, early stopping on a validation split, the point with the best mean
validation score, and test metrics of that point's best-epoch models only. Nothing here looks at the
test split before the choice is made. Every metric is computed in numpy with LossLab's definitions
(Docs/Training.md, "Metrics"), not with ``lightfm.evaluation``, so that NDCG, MAP, MRR and hit rate are
available and ties are ranked exactly as LossLab ranks them.

Requirements
------------
``pip install lightfm-next==1.19.0`` (the maintained fork of LightFM with the ``lightfm`` import name;
see ``lightfm_baseline.py``). numpy and scipy come with it; nothing else is needed.

Usage
-----
    python3 Tests/Baselines/lightfm_tuned.py \\
        --train DIR/train.csv --validation DIR/validation.csv --test DIR/test.csv \\
        [--learning-rates 0.02,0.05,0.1] [--alphas 0,1e-5,1e-4] [--trials N --search-seed S] \\
        [--epochs 100] [--patience 5] [--seeds 1,2,3] [--factors 32] [--loss warp] \\
        [--threads 2] [--k 10] [--select ndcg@10] [--json]
    python3 Tests/Baselines/lightfm_tuned.py --self-test

DIR is the output of ``losslab split`` for a config with ``split.validation_fraction``.

Input format
------------
train.csv, validation.csv and test.csv have a header row; the first two columns are the user id and
the item id in their original form (``userId,movieId,rating,timestamp`` as ``losslab split`` writes
them). Other columns are ignored. Every row is a positive interaction; duplicate (user, item) rows
within a file collapse to one. A (user, item) pair in two of the files is an error.

What is done
------------
1. Ids are mapped to dense indices over the union of the three files (users and items separately), so
   all three matrices have one shape and every item of the catalog is ranked, including items that
   occur only in validation or test (they keep their random initial embeddings).
2. The grid is every (learning rate, alpha) pair, the learning rate varying slowest, as LossLab orders
   a grid's points (config order, first setting slowest). ``--trials N`` trains only N points drawn
   without replacement, in grid order, with the algorithm of LossLab's ``SettingsGrid.points``
   (Floyd's sampling driven by SplitMix64 with ``--search-seed``, Swift's ``Int.random(in:using:)``
   reproduced; not checked against the Swift binary).
3. For every point and seed:
   ``LightFM(no_components=factors, loss=loss, learning_rate=lr, item_alpha=alpha, user_alpha=alpha,
   random_state=seed)`` is trained with ``fit_partial(train, epochs=1, num_threads=threads)`` one
   epoch at a time, at most ``--epochs`` epochs. After every epoch the select metric is computed on the
   validation split: candidates are all items except the user's training items, relevant items the
   user's validation items, over the users with at least one validation item. Training stops after
   ``--patience`` epochs in a row without a score strictly above the best so far (LossLab: it stops when
   ``epoch - best_epoch >= patience``); a ``copy.deepcopy`` of the best epoch's model (the first of equal
   scores) is kept. ``--patience 0`` turns early stopping off: every epoch is trained and the last
   epoch's model is kept and validated once, as LossLab does without ``patience``.
4. A point's score is the mean over seeds of its kept models' validation scores; the chosen point has
   the highest score, the first of equal ones.
5. The chosen point's kept models (one per seed, nothing is retrained) are evaluated on the test split:
   candidates are all items except the user's training *and* validation items, relevant items the
   user's test items, over the users with at least one test item.

Metrics (LossLab's definitions, pessimistic ties). Scores are ``model.predict`` for every item of the
catalog (float32; the user bias LightFM adds does not change a user's ranking); a NaN score ranks as
-inf. For candidates C and relevant items T of a user, each i in T has the 0-based rank
``r_i = #{j in C, j != i: s_j > s_i} + #{j in C, j != i: s_j = s_i}`` (a tied item ranks below all it
ties with, other relevant items included) and ``hit_i = [r_i < k]``. Then AUC = mean over i in T of
``#{j in C minus T: s_j < s_i} / |C minus T|`` (ties count as mis-ordered; 1 when C minus T is empty),
precision@k = sum hit / k, recall@k = sum hit / |T|, hit rate@k = [any hit], MRR = 1 / (1 + min r_i)
without cut-off, MAP@k = (sum over m with r_(m) < k of m / (r_(m) + 1)) / min(|T|, k) with r_(1) <= r_(2)
<= ... the sorted ranks, NDCG@k = sum over hits of 1 / log2(r_i + 2) divided by the sum for p = 0 ...
min(|T|, k) - 1 of 1 / log2(p + 2). Each is averaged over the users. ``--self-test`` checks the metric
function on small hand-computed cases (ties, an excluded item, a NaN score) and exits 1 on a mismatch.

Timing: fit seconds are the sum of the ``fit_partial`` calls of every epoch run (the epochs after the
best one included; validation excluded), measured with ``time.perf_counter()``; interactions/s =
train nnz * epochs run / fit seconds, as LossLab counts them. With more than one thread LightFM's
Hogwild SGD is not bit-for-bit deterministic even for a fixed seed, so the choice can differ between
runs when two points are close.

Measured (2026-12-05, the shared 2-core VM under a load of 2.5 to 7): on a development split of
MovieLens ml-latest-small made like ``losslab split`` with ``test_fraction 0.2, validation_fraction 0.1,
seed 42`` (70,550 / 10,122 / 20,164 interactions; the same sizes, not the same draws), the default grid
(9 points x seeds 1, 2, 3, patience 5, at most 100 epochs) took 6 min: 27 models, 9 to 29 epochs each,
about 1 s per epoch, of which ``predict`` for 610 x 9,724 pairs and the metrics take about 0.8 s.

Output
------
Progress lines on standard error. Then a human-readable summary: every trained point's validation
score (mean ± sample std over seeds) and each seed's selected epoch, the choice, and the chosen point's
test metrics (mean ± sample std over seeds) with each seed's selected epoch, epochs run, fit seconds
and interactions/s. With ``--json``, one JSON object instead, with the keys library, version, loss,
factors, threads, epochs, patience, k, select, seeds, grid, search, data, points, chosen, test, runs,
fit_seconds, interactions_per_second and total_seconds. ``points`` lists every trained point (grid
index, learning_rate, alpha, score, seed_scores, selected_epochs, epochs_run); ``test`` maps auc,
ndcg_at_k, precision_at_k, recall_at_k, map_at_k, mrr and hit_rate_at_k to objects
``{"mean", "std", "values"}`` with one value per seed, in the order of ``seeds``, as do fit_seconds and
interactions_per_second; ``runs`` has one object per seed (seed, selected_epoch, epochs_run,
validation, fit_seconds, interactions_per_second).
"""

import argparse
import copy
import json
import math
import re
import sys
import time

import numpy as np

from baseline_data import dense_index, read_pairs, summarize, to_matrix

METRICS = ["auc", "ndcg", "precision", "recall", "map", "mrr", "hit_rate"]
CUT_OFF = {"ndcg", "precision", "recall", "map", "hit_rate"}
LABELS = {
    "auc": "AUC",
    "ndcg": "NDCG@{k}",
    "precision": "P@{k}",
    "recall": "R@{k}",
    "map": "MAP@{k}",
    "mrr": "MRR",
    "hit_rate": "HR@{k}",
}
JSON_KEYS = {
    "auc": "auc",
    "ndcg": "ndcg_at_k",
    "precision": "precision_at_k",
    "recall": "recall_at_k",
    "map": "map_at_k",
    "mrr": "mrr",
    "hit_rate": "hit_rate_at_k",
}
MASK64 = (1 << 64) - 1


# ----------------------------------------------------------------------------------------------------
# Metrics


def user_metrics(scores, excluded, relevant, k):
    """LossLab's metrics of one user, pessimistic ties.

    scores: the score of every item of the catalog; excluded: indices that are not candidates (the
    user's training items, and validation items when testing); relevant: the held-out indices (must be
    candidates, at least one); k: the cut-off. Returns a dict with every name of METRICS.
    """
    s = no_nan(np.asarray(scores, dtype=np.float32))
    excluded = np.asarray(excluded, dtype=np.int64)
    relevant = np.asarray(relevant, dtype=np.int64)
    if relevant.size == 0:
        raise ValueError("a user without relevant items is not evaluated")
    if np.intersect1d(excluded, relevant).size or np.unique(relevant).size != relevant.size:
        raise ValueError("relevant items must be distinct candidates")
    return metrics_from_sorted(np.sort(s), s[np.unique(excluded)], s[relevant], k)


def no_nan(scores):
    """A NaN score ranks as -inf. The dtype is kept (LightFM's float32): comparisons are exact."""
    scores = np.asarray(scores)
    nan = np.isnan(scores)
    return np.where(nan, -np.inf, scores).astype(scores.dtype, copy=False) if nan.any() else scores


def metrics_from_sorted(sorted_all, excluded_scores, relevant_scores, k):
    """The metrics of one user from the ascending scores of every catalog item, the scores of the
    non-candidates and those of the relevant items (no NaN anywhere). Counting in the sorted catalog and
    subtracting the non-candidates costs O(|T| log n + |T| |E|) per user instead of a pass over n.
    """
    n = sorted_all.size
    rel = relevant_scores
    n_rel = rel.size
    below_all = np.searchsorted(sorted_all, rel, side="left")  # #{catalog j : s_j < s_i}
    below_excluded = (excluded_scores[None, :] < rel[:, None]).sum(axis=1)
    below_candidates = below_all - below_excluded  # #{j in C : s_j < s_i}
    n_candidates = n - excluded_scores.size
    # #{j in C : s_j >= s_i} counts i itself once: r_i = that - 1 = #greater + #tied others.
    ranks = (n_candidates - below_candidates) - 1
    hits = ranks < k

    n_negatives = n_candidates - n_rel
    if n_negatives > 0:
        # #{j in C\T : s_j < s_i}; a tie is a mis-ordered pair.
        below_relevant = (rel[None, :] < rel[:, None]).sum(axis=1)
        auc = float(np.mean((below_candidates - below_relevant) / n_negatives))
    else:
        auc = 1.0

    ideal = min(n_rel, k)
    ordered = np.sort(ranks)
    positions = np.arange(1, n_rel + 1)
    in_top = ordered < k
    ap = float(np.sum(positions[in_top] / (ordered[in_top] + 1.0))) / ideal
    dcg = float(np.sum(1.0 / np.log2(ranks[hits] + 2.0)))
    idcg = float(np.sum(1.0 / np.log2(np.arange(ideal) + 2.0)))
    return {
        "auc": auc,
        "ndcg": dcg / idcg,
        "precision": float(hits.sum()) / k,
        "recall": float(hits.sum()) / n_rel,
        "map": ap,
        "mrr": 1.0 / (1.0 + float(ordered[0])),
        "hit_rate": 1.0 if hits.any() else 0.0,
    }


class Split:
    """The users of one evaluation: each with excluded (non-candidate) and relevant item indices."""

    def __init__(self, excluded_csr, relevant_csr):
        self.users = np.flatnonzero(np.diff(relevant_csr.indptr) > 0).astype(np.int32)
        self.excluded = [excluded_csr.indices[excluded_csr.indptr[u] : excluded_csr.indptr[u + 1]] for u in self.users]
        self.relevant = [relevant_csr.indices[relevant_csr.indptr[u] : relevant_csr.indptr[u + 1]] for u in self.users]
        self.min_candidates = min(
            (relevant_csr.shape[1] - len(e) for e in self.excluded), default=relevant_csr.shape[1]
        )


def evaluate(model, split, n_items, k, threads, chunk=256):
    """Mean of each metric over the split's users, from model.predict of every item."""
    totals = dict.fromkeys(METRICS, 0.0)
    items = np.arange(n_items, dtype=np.int32)
    for start in range(0, split.users.size, chunk):
        block = split.users[start : start + chunk]
        scores = model.predict(
            np.repeat(block, n_items), np.tile(items, block.size), num_threads=threads
        ).reshape(block.size, n_items)
        scores = no_nan(scores)
        ordered = np.sort(scores, axis=1)
        for row, sorted_row, offset in zip(scores, ordered, range(start, start + block.size)):
            m = metrics_from_sorted(sorted_row, row[split.excluded[offset]], row[split.relevant[offset]], k)
            for name in METRICS:
                totals[name] += m[name]
    return {name: total / split.users.size for name, total in totals.items()}


def self_test():
    """Hand-computed cases; returns the number of mismatches (printed)."""
    nan = float("nan")
    idcg2 = 1.0 + 1.0 / math.log2(3.0)  # ideal DCG with two relevant items in the top k
    cases = [
        # Items 0..5; 5 is a training item (excluded) scoring highest; 4 has a NaN score (ranks as -inf).
        # T = {0, 2}: r_0 = 0; item 2 (0.5) ties with non-relevant 1 and has 0 above it -> r_2 = 1 + 1 = 2.
        # k = 2: hit 0 only. P = 1/2, R = 1/2, HR = 1, MRR = 1, MAP = (1/1) / 2, NDCG = 1 / idcg2.
        # AUC over C\T = {1, 3, 4}: item 0 beats 3 of 3, item 2 beats 3 and 4 but ties 1 -> (1 + 2/3) / 2.
        (
            "tie with a non-relevant item, k=2",
            [0.9, 0.5, 0.5, 0.3, nan, 2.0],
            [5],
            [0, 2],
            2,
            {
                "auc": 5.0 / 6.0,
                "ndcg": 1.0 / idcg2,
                "precision": 0.5,
                "recall": 0.5,
                "map": 0.5,
                "mrr": 1.0,
                "hit_rate": 1.0,
            },
        ),
        # Items 0..4; 4 excluded. T = {0, 1}, scores 1, 1, 1, 0: both relevant items tie with each other
        # and with item 2 -> r_0 = r_1 = 2. k = 3: both hit. P = 2/3, R = 1, HR = 1, MRR = 1/3,
        # MAP = (1/3 + 2/3) / 2 = 1/2, NDCG = (2 / log2 4) / idcg2 = 1 / idcg2. AUC: each beats item 3 and
        # ties item 2 -> 1/2.
        (
            "all tied at the top, k=3",
            [1.0, 1.0, 1.0, 0.0, 5.0],
            [4],
            [0, 1],
            3,
            {
                "auc": 0.5,
                "ndcg": 1.0 / idcg2,
                "precision": 2.0 / 3.0,
                "recall": 1.0,
                "map": 0.5,
                "mrr": 1.0 / 3.0,
                "hit_rate": 1.0,
            },
        ),
        # The same with k = 2: ranks 2 are outside the top 2 (pessimistic ties push them out).
        (
            "all tied at the top, k=2",
            [1.0, 1.0, 1.0, 0.0, 5.0],
            [4],
            [0, 1],
            2,
            {
                "auc": 0.5,
                "ndcg": 0.0,
                "precision": 0.0,
                "recall": 0.0,
                "map": 0.0,
                "mrr": 1.0 / 3.0,
                "hit_rate": 0.0,
            },
        ),
        # Every candidate relevant (C\T empty -> AUC 1); k = 1 < |T|: P = 1, R = 1/2, MAP@1 = NDCG@1 = 1.
        (
            "no non-relevant candidate, k=1",
            [0.2, 0.1],
            [],
            [0, 1],
            1,
            {
                "auc": 1.0,
                "ndcg": 1.0,
                "precision": 1.0,
                "recall": 0.5,
                "map": 1.0,
                "mrr": 1.0,
                "hit_rate": 1.0,
            },
        ),
    ]
    # Random cases with many ties (integer scores, a few NaN) against the definitions written literally.
    rng = np.random.default_rng(7)
    for case in range(200):
        n = int(rng.integers(2, 30))
        scores = rng.integers(0, 5, n).astype(np.float32)
        scores[rng.random(n) < 0.1] = np.nan
        order = rng.permutation(n)
        n_excluded = int(rng.integers(0, n - 1))
        n_relevant = int(rng.integers(1, n - n_excluded + 1))
        excluded, relevant = order[:n_excluded], order[n_excluded : n_excluded + n_relevant]
        k = int(rng.integers(1, n + 2))
        cases.append((f"random case {case}", scores, excluded, relevant, k, literal_metrics(scores, excluded, relevant, k)))

    failures = 0
    for name, scores, excluded, relevant, k, expected in cases:
        got = user_metrics(np.asarray(scores, dtype=np.float32), excluded, relevant, k)
        bad = [m for m in METRICS if not math.isclose(got[m], expected[m], rel_tol=1e-12, abs_tol=1e-12)]
        for m in bad:
            print(f"FAIL {name}: {m} = {got[m]!r}, expected {expected[m]!r}")
        if not bad and not name.startswith("random"):
            print(f"ok   {name}: " + ", ".join(f"{m} {got[m]:.6f}" for m in METRICS))
        failures += len(bad)
    print(f"{'ok  ' if failures == 0 else 'done'} 200 random cases with ties and NaN against the literal definitions")
    return failures


def literal_metrics(scores, excluded, relevant, k):
    """Docs/Training.md's formulas written out pair by pair (slow; for the self-test only)."""
    s = [(-math.inf if math.isnan(float(x)) else float(x)) for x in scores]
    excluded, relevant = set(int(i) for i in excluded), [int(i) for i in relevant]
    candidates = [j for j in range(len(s)) if j not in excluded]
    negatives = [j for j in candidates if j not in relevant]
    rank = {i: sum(1 for j in candidates if j != i and (s[j] > s[i] or s[j] == s[i])) for i in relevant}
    hits = sum(1 for i in relevant if rank[i] < k)
    ordered = sorted(rank.values())
    ideal = min(len(relevant), k)
    auc = (
        sum(sum(1 for j in negatives if s[j] < s[i]) / len(negatives) for i in relevant) / len(relevant)
        if negatives
        else 1.0
    )
    return {
        "auc": auc,
        "ndcg": sum(1 / math.log2(r + 2) for r in ordered if r < k) / sum(1 / math.log2(p + 2) for p in range(ideal)),
        "precision": hits / k,
        "recall": hits / len(relevant),
        "map": sum(m / (r + 1) for m, r in enumerate(ordered, start=1) if r < k) / ideal,
        "mrr": 1 / (1 + ordered[0]),
        "hit_rate": 1.0 if hits else 0.0,
    }


# ----------------------------------------------------------------------------------------------------
# Search (the data helpers are in baseline_data.py)


def splitmix64(state):
    """LossLab's SplitMix64 step: (new state, 64 random bits)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def sample_points(count, trials, seed):
    """The grid indices LossLab's SettingsGrid.points trains: all of them when trials is None or not
    below count, else Floyd's sampling of `trials` indices with SplitMix64(seed), in grid order.

    Int.random(in: 0...upper, using:) is Swift's next(upperBound: upper + 1), Lemire's multiply-shift
    with rejection: m = r * bound; if low(m) < bound, redraw while low(m) < (2^64 - bound) % bound.
    """
    if trials is None or trials >= count:
        return list(range(count))
    state = seed & MASK64
    chosen = set()
    for upper in range(count - trials, count):
        bound = upper + 1
        state, r = splitmix64(state)
        m = r * bound
        if (m & MASK64) < bound:
            t = ((1 << 64) - bound) % bound
            while (m & MASK64) < t:
                state, r = splitmix64(state)
                m = r * bound
        pick = m >> 64
        chosen.add(upper if pick in chosen else pick)
    return sorted(chosen)


# ----------------------------------------------------------------------------------------------------
# Training


def train_seed(train, validation_split, n_items, args, lr, alpha, seed, select):
    """Early-stopped training of one point and seed: the kept model and its record."""
    from lightfm import LightFM

    metric, select_k = select
    model = LightFM(
        no_components=args.factors,
        loss=args.loss,
        learning_rate=lr,
        item_alpha=alpha,
        user_alpha=alpha,
        random_state=seed,
    )
    best = None  # (score, epoch, model copy)
    fit_seconds = 0.0
    epochs_run = 0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.fit_partial(train, epochs=1, num_threads=args.threads)
        fit_seconds += time.perf_counter() - start
        epochs_run = epoch
        if args.patience == 0:
            continue
        score = evaluate(model, validation_split, n_items, select_k, args.threads)[metric]
        if best is None or score > best[0]:
            best = (score, epoch, copy.deepcopy(model))
        elif epoch - best[1] >= args.patience:
            break
    if best is None:  # no early stopping: the last epoch, validated once
        score = evaluate(model, validation_split, n_items, select_k, args.threads)[metric]
        best = (score, epochs_run, model)
    return best[2], {
        "seed": seed,
        "selected_epoch": best[1],
        "epochs_run": epochs_run,
        "validation": float(best[0]),
        "fit_seconds": fit_seconds,
        "interactions_per_second": train.nnz * epochs_run / fit_seconds if fit_seconds > 0 else 0.0,
    }


# ----------------------------------------------------------------------------------------------------
# Command line


def float_list(text):
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}")
    if not values:
        raise argparse.ArgumentTypeError("expected at least one number")
    return values


def int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas, got {text!r}")
    if not values:
        raise argparse.ArgumentTypeError("expected at least one integer")
    return values


def parse_select(text):
    """'ndcg@10' -> ('ndcg', 10); 'auc' and 'mrr' take no cut-off (their k is unused)."""
    match = re.fullmatch(r"(auc|mrr)|(ndcg|precision|recall|map|hit_rate)@([1-9][0-9]*)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(
            f"--select must be auc, mrr, or ndcg@K, precision@K, recall@K, map@K, hit_rate@K; got {text!r}"
        )
    if match.group(1):
        return match.group(1), 1
    return match.group(2), int(match.group(3))


def select_name(select):
    metric, k = select
    return f"{metric}@{k}" if metric in CUT_OFF else metric


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Tune LightFM on a validation split (grid, seeds, early stopping) and test the choice."
    )
    p.add_argument("--self-test", action="store_true", help="check the metric function on hand-computed cases")
    p.add_argument("--train", help="train CSV (header; user id, item id first)")
    p.add_argument("--validation", help="validation CSV (same layout)")
    p.add_argument("--test", help="test CSV (same layout)")
    p.add_argument("--learning-rates", type=float_list, default=[0.02, 0.05, 0.1], help="grid (default 0.02,0.05,0.1)")
    p.add_argument(
        "--alphas", type=float_list, default=[0.0, 1e-5, 1e-4], help="item_alpha = user_alpha grid (default 0,1e-5,1e-4)"
    )
    p.add_argument("--trials", type=int, help="train only this many points, drawn without replacement")
    p.add_argument("--search-seed", type=int, default=0, help="seed of the --trials draw (default 0)")
    p.add_argument("--epochs", type=int, default=100, help="most epochs per model (default 100)")
    p.add_argument("--patience", type=int, default=5, help="early-stopping patience; 0 = off (default 5)")
    p.add_argument("--seeds", type=int_list, default=[1, 2, 3], help="random_state of each run (default 1,2,3)")
    p.add_argument("--factors", type=int, default=32, help="no_components (default 32)")
    p.add_argument(
        "--loss", default="warp", choices=["warp", "bpr", "warp-kos", "logistic"], help="LightFM loss (default warp)"
    )
    p.add_argument("--threads", type=int, default=2, help="num_threads for fit and predict (default 2)")
    p.add_argument("--k", type=int, default=10, help="cut-off of the test metrics (default 10)")
    p.add_argument("--select", type=parse_select, default=("ndcg", 10), help="validation metric (default ndcg@10)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    args = p.parse_args(argv)
    if args.self_test:
        return args
    for name in ("train", "validation", "test"):
        if getattr(args, name) is None:
            p.error(f"--{name} is required (or --self-test)")
    for name in ("factors", "epochs", "threads", "k"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    if args.patience < 0:
        p.error("--patience must be at least 0")
    if args.trials is not None and args.trials < 1:
        p.error("--trials must be at least 1")
    if args.search_seed < 0:
        p.error("--search-seed must be at least 0")
    if any(lr <= 0 for lr in args.learning_rates):
        p.error("--learning-rates must be positive")
    if any(a < 0 for a in args.alphas):
        p.error("--alphas must be at least 0")
    if any(s < 0 for s in args.seeds):
        p.error("--seeds must be at least 0")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.self_test:
        failures = self_test()
        print("self-test: " + ("passed" if failures == 0 else f"{failures} mismatches"))
        sys.exit(1 if failures else 0)

    try:
        import lightfm
    except ImportError:  # pragma: no cover - environment problem, not a code path
        sys.exit("lightfm is not installed: pip install lightfm-next==1.19.0")

    began = time.perf_counter()
    files = {"train": args.train, "validation": args.validation, "test": args.test}
    pairs = {name: read_pairs(path) for name, path in files.items()}
    for name, path in files.items():
        if not pairs[name]:
            sys.exit(f"{path}: no interactions")
    users = dense_index([u for part in pairs.values() for u, _ in part])
    items = dense_index([i for part in pairs.values() for _, i in part])
    n_items = len(items)
    coo = {name: to_matrix(part, users, items) for name, part in pairs.items()}
    csr = {name: m.tocsr() for name, m in coo.items()}
    for a, b in (("train", "validation"), ("train", "test"), ("validation", "test")):
        overlap = csr[a].multiply(csr[b]).nnz
        if overlap:
            sys.exit(f"{overlap} (user, item) pairs occur in both {a} and {b}")

    validation_split = Split(csr["train"], csr["validation"])
    test_split = Split((csr["train"] + csr["validation"]).tocsr(), csr["test"])
    select = args.select
    largest_k = max(args.k, select[1] if select[0] in CUT_OFF else 1)
    for name, split in (("validation", validation_split), ("test", test_split)):
        if largest_k > split.min_candidates:
            sys.exit(f"k = {largest_k} but a {name} user has only {split.min_candidates} candidate items")

    grid = [(lr, a) for lr in args.learning_rates for a in args.alphas]
    indices = sample_points(len(grid), args.trials, args.search_seed)
    train = coo["train"]

    points = []
    best = None  # (position in points, score, models, runs)
    for position, index in enumerate(indices):
        lr, alpha = grid[index]
        models, runs = [], []
        for seed in args.seeds:
            model, run = train_seed(train, validation_split, n_items, args, lr, alpha, seed, select)
            models.append(model)
            runs.append(run)
            print(
                f"point {position + 1}/{len(indices)} (lr {lr:g}, alpha {alpha:g}) seed {seed}: "
                f"{select_name(select)} {run['validation']:.4f} at epoch {run['selected_epoch']} "
                f"of {run['epochs_run']}, fit {run['fit_seconds']:.2f} s",
                file=sys.stderr,
                flush=True,
            )
        score = float(np.mean([r["validation"] for r in runs]))
        points.append(
            {
                "index": index,
                "learning_rate": lr,
                "alpha": alpha,
                "score": score,
                "score_std": summarize([r["validation"] for r in runs])["std"],
                "seed_scores": [r["validation"] for r in runs],
                "selected_epochs": [r["selected_epoch"] for r in runs],
                "epochs_run": [r["epochs_run"] for r in runs],
            }
        )
        if best is None or score > best[1]:
            best = (position, score, models, runs)  # only the best point's models are kept

    chosen, _, models, runs = best
    test_values = {name: [] for name in METRICS}
    for model in models:
        m = evaluate(model, test_split, n_items, args.k, args.threads)
        for name in METRICS:
            test_values[name].append(m[name])

    result = {
        "library": "lightfm",
        "version": getattr(lightfm, "__version__", "unknown"),
        "loss": args.loss,
        "factors": args.factors,
        "threads": args.threads,
        "epochs": args.epochs,
        "patience": args.patience,
        "k": args.k,
        "select": select_name(select),
        "seeds": args.seeds,
        "grid": {"learning_rates": args.learning_rates, "alphas": args.alphas, "size": len(grid)},
        "search": {"trials": args.trials, "seed": args.search_seed, "indices": indices},
        "data": {
            "users": len(users),
            "items": n_items,
            "train_interactions": int(csr["train"].nnz),
            "validation_interactions": int(csr["validation"].nnz),
            "test_interactions": int(csr["test"].nnz),
            "validation_users": int(validation_split.users.size),
            "test_users": int(test_split.users.size),
        },
        "points": points,
        "chosen": {
            "position": chosen,
            "index": points[chosen]["index"],
            "learning_rate": points[chosen]["learning_rate"],
            "alpha": points[chosen]["alpha"],
            "score": points[chosen]["score"],
        },
        "test": {JSON_KEYS[name]: summarize(values) for name, values in test_values.items()},
        "runs": runs,
        "fit_seconds": summarize([r["fit_seconds"] for r in runs]),
        "interactions_per_second": summarize([r["interactions_per_second"] for r in runs]),
        "total_seconds": time.perf_counter() - began,
    }

    if args.json:
        print(json.dumps(result, indent=2))
        return

    d = result["data"]
    sel = select_name(select)
    print(
        f"LightFM {result['version']}  loss={args.loss}  factors={args.factors}  threads={args.threads}  "
        f"epochs<={args.epochs}  patience={args.patience}  seeds={','.join(map(str, args.seeds))}"
    )
    print(
        f"data: {d['users']} users, {d['items']} items; {d['train_interactions']} train, "
        f"{d['validation_interactions']} validation, {d['test_interactions']} test interactions; "
        f"{d['validation_users']} validation users, {d['test_users']} test users"
    )
    trained = f"{len(indices)} of {len(grid)} points (--trials {args.trials}, seed {args.search_seed})"
    print(f"grid: learning rate x alpha, {trained if len(indices) < len(grid) else f'{len(grid)} points'}")
    print(f"\nvalidation {sel} (mean ± std over seeds; selected epoch / epochs run per seed):")
    for position, pt in enumerate(points):
        mark = "*" if position == chosen else " "
        epochs = ", ".join(f"{e}/{n}" for e, n in zip(pt["selected_epochs"], pt["epochs_run"]))
        print(
            f" {mark} lr {pt['learning_rate']:<6g} alpha {pt['alpha']:<7g} "
            f"{pt['score']:.4f} ± {pt['score_std']:.4f}   epochs {epochs}"
        )
    c = result["chosen"]
    print(f"chosen: lr {c['learning_rate']:g}, alpha {c['alpha']:g} (validation {sel} {c['score']:.4f})")
    print(f"\ntest ({d['test_users']} users, training and validation items excluded, pessimistic ties):")
    for name in METRICS:
        s = result["test"][JSON_KEYS[name]]
        label = LABELS[name].format(k=args.k)
        print(f"  {label:<8} {s['mean']:.4f} ± {s['std']:.4f}")
    print("\nper seed:")
    for r in runs:
        print(
            f"  seed {r['seed']}: epoch {r['selected_epoch']} of {r['epochs_run']}, validation {r['validation']:.4f}, "
            f"fit {r['fit_seconds']:.3f} s, {r['interactions_per_second']:,.0f} interactions/s"
        )
    print(f"(mean ± sample std over seeds; total {result['total_seconds']:.1f} s)")


if __name__ == "__main__":
    main()

"""The data helpers both LightFM baselines use: a split file's (user, item) pairs, dense ids (numeric ids in
numeric order), the binary interaction matrix, and mean/std summaries. It imports no LightFM, so
``lightfm_tuned.py --self-test`` runs without it."""

import csv
import sys

import numpy as np
import scipy.sparse as sp


def read_pairs(path):
    """Return the (user_id, item_id) string pairs of a CSV file with a header."""
    pairs = []
    # newline="" lets the csv module handle CRLF files (MovieLens ships CRLF).
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            sys.exit(f"{path}: empty file (a header row is required)")
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) < 2:
                sys.exit(f"{path}:{line_no}: expected at least two columns")
            pairs.append((row[0].strip(), row[1].strip()))
    return pairs


def id_sort_key(value):
    """Numeric ids sort numerically, anything else after them as text."""
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def dense_index(values):
    return {v: i for i, v in enumerate(sorted(set(values), key=id_sort_key))}


def to_matrix(pairs, users, items):
    unique = sorted({(users[u], items[i]) for u, i in pairs})
    rows = np.fromiter((u for u, _ in unique), dtype=np.int32, count=len(unique))
    cols = np.fromiter((i for _, i in unique), dtype=np.int32, count=len(unique))
    data = np.ones(len(unique), dtype=np.float32)
    return sp.coo_matrix((data, (rows, cols)), shape=(len(users), len(items)))


def summarize(values):
    arr = np.asarray(values, dtype=np.float64)
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    return {"mean": float(arr.mean()), "std": std, "values": [float(v) for v in arr]}

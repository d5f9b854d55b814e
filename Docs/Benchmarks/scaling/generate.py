#!/usr/bin/env python3
"""Writes a MovieLens-shaped ratings file of a chosen size, for the scaling benchmark.

    python3 Docs/Benchmarks/scaling/generate.py --rows 1000000 --out ../losslab-scaling/ml-1m.csv

The file has MovieLens' header and columns, `userId,movieId,rating,timestamp`, and its shape:

* users: every user has at least 20 interactions (as in MovieLens); the counts above 20 are
  log-normal (heavy-tailed: a few users rate thousands of movies), scaled so that the file has exactly
  `--rows` rows; no user rates more than a third of the catalog;
* items: popularity follows a Zipf-like law `p(rank) ∝ (rank + 10)^-1.0` (a few blockbusters, a long
  tail); each user's items are drawn from it without repeats, and the popularity order is shuffled
  over the movie ids;
* movie ids: `--items` distinct ids drawn from 1 … 3.5 × items and sorted, non-contiguous like
  MovieLens' (ml-25m: 59,047 movies with ids up to 209,171); user ids are 1 … users, in file order;
* ratings: 0.5 … 5.0 in steps of 0.5 with ml-25m's frequencies (4.0 the most common, then 3.0, 5.0);
* timestamps: each user's rows are in increasing time order, from a start between 1996 and 2019;
* repeated pairs: `--repeat-fraction` (default 0.002) of the rows repeat one of the user's earlier
  (user, movie) pairs later in time with another rating, so that de-duplication (keep the first) has
  work to do; `--rows` counts them.

Default users and items grow with the rows like MovieLens' (ml-1m: 6,040 users, 3,706 movies;
ml-25m: 162,541 users, 59,047 movies) and match the issue's 5M measurement:
users = min(162,000, rows / 50), items = min(59,000, rows / 125): 1M rows → 20,000 users and 8,000
items; 5M → 100,000 and 40,000; 25M → 162,000 and 59,000.

The file is written a chunk of users at a time (about `--chunk-rows` rows), so memory stays at a few
hundred MB for any size; the same arguments give the same file, byte for byte. It prints the counts
and the seconds taken.
"""

import argparse
import os
import sys
import time

import numpy as np

# ml-25m's rating frequencies (percent), for 0.5, 1.0, …, 5.0.
RATING_PERCENT = [1.57, 3.12, 1.60, 6.64, 5.04, 19.6, 12.6, 26.6, 8.48, 14.5]
MIN_PER_USER = 20
FIRST_TIME = 820454400  # 1996-01-01
LAST_TIME = 1574327703  # 2019-11-21, ml-25m's last rating


def default_users(rows):
    return max(1, min(162_000, rows // 50))


def default_items(rows):
    return max(1, min(59_000, rows // 125))


def user_counts(rng, rows, users, items):
    """Interactions per user: at least MIN_PER_USER, heavy-tailed, summing to `rows`, each ≤ items/3."""
    cap = max(MIN_PER_USER, items // 3)
    if users * MIN_PER_USER > rows:
        sys.exit(f"error: {users} users need at least {users * MIN_PER_USER} rows (20 each); got {rows}")
    if users * cap < rows:
        sys.exit(f"error: {rows} rows do not fit {users} users of at most {cap} items each; give more users or items")
    extra = rng.lognormal(mean=0.0, sigma=1.3, size=users)
    extra *= (rows - users * MIN_PER_USER) / extra.sum()
    counts = MIN_PER_USER + np.floor(extra).astype(np.int64)
    counts = np.minimum(counts, cap)
    # Hand out the rest (rounding and the cap) one row at a time to the users with room, at random.
    missing = rows - int(counts.sum())
    while missing > 0:
        room = np.flatnonzero(counts < cap)
        chosen = rng.choice(room, size=min(missing, room.size), replace=False)
        counts[chosen] += 1
        missing = rows - int(counts.sum())
    return counts


def draw_items(rng, counts, cdf, items):
    """Each user's distinct items (dense popularity ranks), drawn from the popularity law.

    Returns the items of all users, user after user, `counts[u]` each.
    """
    total = int(counts.sum())
    # Oversample with replacement, keep each user's first `count` distinct items in draw order.
    draws = np.ceil(counts * 1.3).astype(np.int64) + 8
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), draws)
    item = np.searchsorted(cdf, rng.random(owner.size), side="right")
    np.minimum(item, items - 1, out=item)
    _, first = np.unique(owner * items + item, return_index=True)
    first.sort()  # draw order, grouped by user
    kept_owner = owner[first]
    starts = np.searchsorted(kept_owner, np.arange(counts.size))
    rank_in_user = np.arange(first.size) - starts[kept_owner]
    keep = rank_in_user < counts[kept_owner]
    out_owner = kept_owner[keep]
    out_item = item[first[keep]]
    got = np.bincount(out_owner, minlength=counts.size)
    short = np.flatnonzero(got < counts)
    if short.size == 0:
        return out_item
    # Heavy users whose draws repeated too often: their items without replacement from the same law.
    pieces = []
    position = 0
    for user in range(counts.size):
        n = int(got[user])
        if got[user] < counts[user]:
            p = np.diff(np.concatenate(([0.0], cdf)))
            pieces.append(rng.choice(items, size=int(counts[user]), replace=False, p=p / p.sum()))
        else:
            pieces.append(out_item[position:position + n])
        position += n
    result = np.concatenate(pieces)
    assert result.size == total
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="rows in the file (repeats included)")
    parser.add_argument("--users", type=int, help="users (default: min(162000, rows / 50))")
    parser.add_argument("--items", type=int, help="movies (default: min(59000, rows / 125))")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--repeat-fraction", type=float, default=0.002, help="share of repeated pairs")
    parser.add_argument("--chunk-rows", type=int, default=500_000, help="rows per written chunk")
    parser.add_argument("--out", required=True, help="the CSV file to write")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = args.rows
    users = args.users or default_users(rows)
    items = args.items or default_items(rows)
    rng = np.random.default_rng(args.seed)

    repeats = int(round(rows * args.repeat_fraction))
    distinct = rows - repeats
    counts = user_counts(rng, distinct, users, items)
    # The repeats go to users in proportion to their counts.
    repeats_per_user = np.bincount(
        rng.choice(users, size=repeats, p=counts / counts.sum()), minlength=users).astype(np.int64)

    weights = (np.arange(items, dtype=np.float64) + 10.0) ** -1.0
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    movie_ids = np.sort(rng.choice(int(3.5 * items), size=items, replace=False) + 1)
    by_popularity = movie_ids[rng.permutation(items)]  # the id of the item of each popularity rank
    rating_p = np.array(RATING_PERCENT) / sum(RATING_PERCENT)
    rating_text = np.array([f"{0.5 * (r + 1):.1f}" for r in range(10)], dtype=np.dtypes.StringDType())

    tmp = args.out + ".partial"
    written = 0
    with open(tmp, "w", newline="") as out:
        out.write("userId,movieId,rating,timestamp\n")
        first = 0
        while first < users:
            last = first
            chunk_rows = 0
            while last < users and (chunk_rows == 0 or chunk_rows + counts[last] <= args.chunk_rows):
                chunk_rows += counts[last] + repeats_per_user[last]
                last += 1
            c = counts[first:last]
            r = repeats_per_user[first:last]
            item = draw_items(rng, c, cdf, items)
            owner = np.repeat(np.arange(last - first, dtype=np.int64), c)
            starts = np.concatenate(([0], np.cumsum(c)[:-1]))
            # Repeats: a random earlier row of the same user.
            rep_owner = np.repeat(np.arange(last - first, dtype=np.int64), r)
            rep_source = starts[rep_owner] + (rng.random(rep_owner.size) * c[rep_owner]).astype(np.int64)
            all_owner = np.concatenate((owner, rep_owner))
            all_item = np.concatenate((item, item[rep_source]))
            # The order within a user: the originals in draw order, each repeat after its source row.
            key = np.concatenate((np.arange(owner.size) * 2.0, rep_source * 2.0 + 1.0 + rng.random(rep_owner.size)))
            order = np.lexsort((key, all_owner))
            all_owner = all_owner[order]
            all_item = all_item[order]
            n = all_owner.size
            # Increasing timestamps per user: a start, then gaps of a few seconds to weeks.
            user_rows = c + r
            user_start = rng.integers(FIRST_TIME, LAST_TIME - 86400 * 365, size=last - first)
            gaps = np.floor(rng.lognormal(mean=3.0, sigma=2.5, size=n)).astype(np.int64) + 1
            row_start = np.concatenate(([0], np.cumsum(user_rows)[:-1]))
            cum = np.cumsum(gaps)
            base = np.repeat(cum[row_start] - gaps[row_start], user_rows)
            stamp = np.repeat(user_start, user_rows) + (cum - base)
            np.minimum(stamp, LAST_TIME, out=stamp)
            rating = rng.choice(10, size=n, p=rating_p)
            text = np.dtypes.StringDType()
            lines = ((all_owner + first + 1).astype(text) + "," + by_popularity[all_item].astype(text) + ","
                     + rating_text[rating] + "," + stamp.astype(text))
            out.write("\n".join(lines.tolist()))
            out.write("\n")
            written += n
            first = last
    os.replace(tmp, args.out)
    seconds = time.perf_counter() - start
    size = os.path.getsize(args.out)
    print(
        f"{args.out}: {written} rows ({repeats} repeated pairs), {users} users, {items} items, "
        f"{size / 1e6:.1f} MB, {seconds:.1f} s")


if __name__ == "__main__":
    main()

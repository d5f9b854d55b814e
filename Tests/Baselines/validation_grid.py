#!/usr/bin/env python3
"""Choose LossLab's and LightFM's hyper-parameters on a validation split, not on the test set.

Purpose
-------
`Docs/Training.md` compares LossLab with LightFM on MovieLens. Hyper-parameters chosen by looking at
the test metrics flatter whoever was tuned; this script chooses them on a validation split carved out
of the *training* part only, for both tools, with one stated rule, so that the test figures that
follow are an honest comparison. It is a measurement tool (not run by CI): it needs a release build
of `losslab` and `pip install lightfm-next==1.19.0`.

What it does
------------
1. Writes a config that reads the exported training file (`losslab split` of the comparison config)
   and runs `losslab split` on it: a per-user random 20 % hold-out (seed 7) of the training
   interactions becomes the validation set. LossLab trains on exactly the files LightFM gets, because
   both come from that one split.
2. Trains LossLab on the validation split for every point of a grid (`init_scale` x loss x learning
   rate x negatives; 10 epochs, 32 factors, adagrad, 2 threads, seeds 1-3) and LightFM's WARP for
   every learning rate of its grid (seeds 1-3).
3. Prints both tables (mean AUC and P@10 over the seeds) and applies the rule: LightFM keeps the
   learning rate with the best validation AUC; LossLab keeps the setting with the highest validation
   P@10 among those whose validation AUC is at least LightFM's.

Usage
-----
    swift build -c release
    .build/release/losslab split configs/movielens-losses.yaml --output ml-split
    python3 Tests/Baselines/validation_grid.py --losslab .build/release/losslab \\
        --train ml-split/train.csv --work ml-validation

Then train both tools on the real split with the chosen settings (commands printed at the end).
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

INIT_SCALES = [0.01, 0.02, 0.05, 0.1]
LOSSES = ["adaptive_bpr", "adaptive_log_sigmoid_bpr"]
LEARNING_RATES = [0.05, 0.1, 0.2]
NEGATIVES = [3, 4, 6, 10]
LIGHTFM_LEARNING_RATES = [0.02, 0.05, 0.1]
SEEDS = [1, 2, 3]

HEADER = """experiment: {name}
data:
  interactions:
    path: {train}
    user: userId
    item: movieId
    rating: rating
    timestamp: timestamp
split: {{method: random, test_fraction: 0.2, seed: 7}}
model: {{factors: 32, init_scale: {init}}}
training: {{epochs: 10, batch_size: 256, negatives: 4, optimizer: adagrad, learning_rate: 0.1, threads: 2}}
evaluation: {{k: 10, ties: pessimistic}}
seeds: [{seeds}]
losses:
"""


def run(argv):
    """Runs a command, failing loudly with its stderr."""
    process = subprocess.run(argv, capture_output=True, text=True)
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(map(str, argv))}\n{process.stderr}")
    return process.stdout


def config(name, train, init, entries):
    text = HEADER.format(name=name, train=train, init=init, seeds=", ".join(map(str, SEEDS)))
    for loss, lr, negatives in entries:
        text += (f"  - loss: {loss}\n    label: {loss} lr={lr} negatives={negatives}\n"
                 f"    training: {{learning_rate: {lr}, negatives: {negatives}}}\n")
    return text


def losslab_grid(args, work):
    """(init, label) -> (mean AUC, mean P@10) at the last epoch."""
    results = {}
    entries = [(loss, lr, n) for loss in LOSSES for lr in LEARNING_RATES for n in NEGATIVES]
    for init in INIT_SCALES:
        path = work / f"grid-init-{init}.yaml"
        path.write_text(config(f"validation-init-{init}", args.train, init, entries))
        out = work / f"grid-init-{init}.csv"
        run([args.losslab, "train", str(path), "--format", "csv", "--output", str(out)])
        metrics = {}
        with open(out, newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["epoch"]]  # per-epoch rows only
        last = max(int(r["epoch"]) for r in rows)
        for r in rows:
            if int(r["epoch"]) == last and r["metric"] in ("auc", "precision@10"):
                metrics.setdefault(r["loss"], {}).setdefault(r["metric"], []).append(float(r["value"]))
        for label, m in metrics.items():
            results[(init, label)] = (statistics.mean(m["auc"]), statistics.mean(m["precision@10"]))
        print(f"  init_scale {init}: {len(metrics)} settings", file=sys.stderr)
    return results


def lightfm_grid(args, split):
    results = {}
    for lr in LIGHTFM_LEARNING_RATES:
        out = run([sys.executable, str(HERE / "lightfm_baseline.py"), "--train", str(split / "train.csv"),
                   "--test", str(split / "test.csv"), "--loss", "warp", "--learning-rate", str(lr),
                   "--repeats", str(len(SEEDS)), "--seed", str(SEEDS[0]), "--json"])
        report = json.loads(out)
        results[lr] = (report["auc"]["mean"], report["precision_at_k"]["mean"])
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--losslab", required=True, help="a release build of losslab")
    parser.add_argument("--train", required=True, help="the exported train.csv of the comparison split")
    parser.add_argument("--work", default="ml-validation",
                        help="folder for configs, split and results (default: ml-validation in the current folder)")
    args = parser.parse_args()
    args.train = os.path.abspath(args.train)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    split_config = work / "validation-split.yaml"
    split_config.write_text(config("validation-split", args.train, 0.02, [("adaptive_bpr", 0.1, 4)]))
    split = work / "split"
    print(run([args.losslab, "split", str(split_config), "--output", str(split)]).strip(), file=sys.stderr)

    lightfm = lightfm_grid(args, split)
    print("LightFM WARP on the validation split (mean over seeds 1-3)")
    print(f"{'learning rate':>13}  {'AUC':>6}  {'P@10':>6}")
    for lr, (auc, p10) in lightfm.items():
        print(f"{lr:>13}  {auc:.4f}  {p10:.4f}")
    best_lr, (threshold, _) = max(lightfm.items(), key=lambda item: item[1][0])

    losslab = losslab_grid(args, work)
    ranked = sorted(losslab.items(), key=lambda item: -item[1][1])
    print(f"\nLossLab on the validation split, by P@10 (mean over seeds 1-3); "
          f"* = AUC at least LightFM's best ({threshold:.4f})")
    print(f"{'init_scale':>10}  {'setting':<50}  {'AUC':>6}  {'P@10':>6}")
    for (init, label), (auc, p10) in ranked[:25]:
        print(f"{init:>10}  {label:<50}  {auc:.4f}  {p10:.4f}{' *' if auc >= threshold else ''}")
    eligible = [item for item in ranked if item[1][0] >= threshold]
    print(f"\nLightFM: learning rate {best_lr} (best validation AUC {threshold:.4f})")
    if eligible:
        (init, label), (auc, p10) = eligible[0]
        print(f"LossLab: init_scale {init}, {label} (validation AUC {auc:.4f}, P@10 {p10:.4f})")
    else:
        print("LossLab: no setting reaches LightFM's validation AUC")


if __name__ == "__main__":
    main()

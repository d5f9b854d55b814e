#!/usr/bin/env python3
"""The scaling benchmark: LossLab and pandas + LightFM side by side on MovieLens-shaped data.

    swift build -c release
    python3 Docs/Benchmarks/scaling/run.py 1 5 25 --scratch ../losslab-scaling

For each size (millions of rows; decimals such as 0.2 make a quick trial) it

1. generates `ml-<size>m.csv` in the scratch folder with `generate.py` (default users and items;
   kept and reused when it is there already);
2. writes `ml-<size>m/config.yaml`: the file, a random split (test fraction 0.2, seed 42), 32 factors,
   one epoch of each loss (`--losses`, default bpr and warp) on 2 threads, the default evaluation
   (AUC, MAP, MRR, NDCG, precision, recall and hit rate, k = 10);
3. splits: `losslab split` and `pandas_split.py` (the same work in pandas), `--rounds` times each in
   alternating order (losslab first in odd rounds, pandas first in even ones), each under
   `/usr/bin/time -v`; the fastest round's seconds and the largest peak resident memory are reported;
4. with a `losslab` that knows `--cache` (otherwise skipped, and said): `losslab split --cache DIR`
   twice (writing, then reading the cache), and a cached load measured as in 5;
5. `losslab train` under `/usr/bin/time -v` (the config cannot take a pre-made split, so it loads the
   whole file and splits it with the same seed and fraction as `losslab split`: the same split).
   Load+split seconds: from the start to the `note:` line it prints once the data is loaded and split
   (the generated files always have repeated pairs, so there is one). Epoch seconds and interactions/s:
   from the JSON report. Evaluation seconds: from the line before a loss's `cell N/M <loss> seed S: …`
   line (the previous loss's, or the `note:` line for the first) to that line, which `losslab train`
   prints once the loss's model is trained and tested, less its training seconds (so the evaluation and
   the model's set-up; the last loss's is reported). A `losslab` from before those lines printed
   `trained <loss> …` at the end of each epoch instead: then from that line to the next loss's line less
   that loss's training seconds, and for the last loss to the end of the process (earlier ones also hold
   the next model's set-up, reported in the log only);
6. `lightfm_run.py` on the split files of step 3 (`--lightfm-eval-users N` evaluates a random sample
   of N users and extrapolates, labelled as such).

It prints each measurement as it is taken, then a Markdown table of every cost per size, with the
growth from one size to the next (and against linear growth in rows). `--json FILE` also saves the
figures. The scratch folder must be outside the repository.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

CONFIG = """\
# Written by Docs/Benchmarks/scaling/run.py.
experiment: scaling-{tag}
data:
  interactions: {{path: ../{data}, user: userId, item: movieId, rating: rating, timestamp: timestamp}}
split: {{method: random, test_fraction: {test_fraction}, seed: {seed}}}
model: {{factors: {factors}}}
training: {{epochs: 1, threads: {threads}, learning_rate: 0.05, optimizer: adagrad}}
evaluation: {{k: 10}}
seeds: [1]
losses: [{losses}]
"""


def timing(run):
    """The (load, split, written) seconds of a `losslab split --timing` run's `timing:` line, or None."""
    for line in run.text("err"):
        match = re.match(r"timing: loaded in ([0-9.]+) s, split in ([0-9.]+) s, written in ([0-9.]+) s", line)
        if match:
            return tuple(float(group) for group in match.groups())
    return None


class Run:
    """One process under /usr/bin/time -v: wall seconds, peak RSS, and each output line with its time."""

    def __init__(self, command, stdout=None, stop_at=None, timed=True):
        self.command = command
        self.lines = []  # (seconds since start, stream, text)
        start = time.perf_counter()
        full = (["/usr/bin/time", "-v"] if timed else []) + command
        process = subprocess.Popen(
            full, stdout=subprocess.PIPE if stdout is None else stdout, stderr=subprocess.PIPE, text=True)
        self.stopped = False

        def read(stream, name):
            for line in stream:
                self.lines.append((time.perf_counter() - start, name, line.rstrip("\n")))
                if stop_at is not None and name == "err" and stop_at(line):
                    self.stopped = True
                    process.kill()  # our own child, by its pid

        readers = [threading.Thread(target=read, args=(process.stderr, "err"))]
        if stdout is None:
            readers.append(threading.Thread(target=read, args=(process.stdout, "out")))
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        self.returncode = process.wait()
        self.seconds = time.perf_counter() - start
        rss = [int(m.group(1)) for _, _, text in self.lines
               if (m := re.match(r"\s*Maximum resident set size \(kbytes\): (\d+)", text))]
        self.peak_mb = rss[0] * 1024 / 1e6 if rss else None
        if self.returncode != 0 and not self.stopped:
            sys.stderr.write("\n".join(text for _, _, text in self.lines) + "\n")
            sys.exit(f"error: {' '.join(command)} exited with {self.returncode}")

    def first(self, pattern, stream="err"):
        """The time of the first line of `stream` matching `pattern`, or None."""
        for seconds, name, text in self.lines:
            if name == stream and re.match(pattern, text):
                return seconds
        return None

    def text(self, stream):
        return [text for _, name, text in self.lines if name == stream]


SCRATCH = ""


def log(message):
    """Prints a line, with the scratch folder's paths made relative to it."""
    print(message.replace(SCRATCH + os.sep, "") if SCRATCH else message, flush=True)


def measure(size, args, losslab, has_cache):
    tag = f"{size:g}m"
    rows = int(round(size * 1_000_000))
    data = os.path.join(args.scratch, f"ml-{tag}.csv")
    folder = os.path.join(args.scratch, f"ml-{tag}")
    os.makedirs(folder, exist_ok=True)
    if not os.path.exists(data):
        log(f"== generating {rows} rows")
        generated = subprocess.run(
            [sys.executable, os.path.join(HERE, "generate.py"), "--rows", str(rows), "--out", data],
            check=True, capture_output=True, text=True)
        log(generated.stdout.strip())
    result = {"size": size, "rows": rows, "file_mb": os.path.getsize(data) / 1e6}
    config = os.path.join(folder, "config.yaml")
    losses = [loss.strip() for loss in args.losses.split(",") if loss.strip()]
    with open(config, "w") as out:
        out.write(CONFIG.format(tag=tag, data=os.path.basename(data), test_fraction=args.test_fraction,
                                seed=args.seed, factors=args.factors, threads=args.threads,
                                losses=", ".join(losses)))
    split_dir = os.path.join(folder, "losslab-split")
    pandas_dir = os.path.join(folder, "pandas-split")
    os.makedirs(pandas_dir, exist_ok=True)

    log(f"== {tag}: {rows} rows, {result['file_mb']:.1f} MB; split, {args.rounds} round(s) in alternating order")
    splits = {"losslab": [], "pandas": []}

    def losslab_split():
        run = Run([losslab, "split", config, "--output", split_dir, "--timing"])
        splits["losslab"].append(run)
        steps = timing(run)
        if steps:
            result.setdefault("load_seconds_losslab_runs", []).append(steps[0])
        log(f"losslab split: {run.seconds:.2f} s, peak {run.peak_mb:.0f} MB  ({' '.join(run.text('out'))}; "
            f"{' '.join(line for line in run.text('err') if line.startswith('timing:'))})")

    def pandas_split():
        run = Run([sys.executable, os.path.join(HERE, "pandas_split.py"), data,
                   os.path.join(pandas_dir, "train.csv"), os.path.join(pandas_dir, "test.csv"),
                   "--test-fraction", str(args.test_fraction), "--seed", str(args.seed)])
        splits["pandas"].append(run)
        steps = run.text("out")[-1] if run.text("out") else ""
        log(f"pandas split:  {run.seconds:.2f} s, peak {run.peak_mb:.0f} MB  ({steps})")

    for round_index in range(args.rounds):
        for step in ((losslab_split, pandas_split) if round_index % 2 == 0 else (pandas_split, losslab_split)):
            step()
    if result.get("load_seconds_losslab_runs"):
        result["load_seconds_losslab"] = min(result["load_seconds_losslab_runs"])
    for name, runs in splits.items():
        result[f"split_seconds_{name}"] = min(run.seconds for run in runs)
        result[f"split_peak_mb_{name}"] = max(run.peak_mb for run in runs)

    cache = os.path.join(folder, "cache")
    cache_options = ["--cache", cache] if has_cache else []
    if has_cache:
        shutil.rmtree(cache, ignore_errors=True)
        written = Run([losslab, "split", config, "--output", split_dir, "--timing"] + cache_options)
        cached = Run([losslab, "split", config, "--output", split_dir, "--timing"] + cache_options)
        steps = timing(cached)
        if steps:
            result["load_seconds_losslab_cached"] = steps[0]
            log(f"losslab split --cache --timing: the cached load took {steps[0]:.2f} s of {cached.seconds:.2f} s "
                f"(split {steps[1]:.2f} s, written {steps[2]:.2f} s)")
        result["split_seconds_losslab_cache_written"] = written.seconds
        result["split_seconds_losslab_cached"] = cached.seconds
        result["split_peak_mb_losslab_cached"] = cached.peak_mb
        log(f"losslab split --cache: {written.seconds:.2f} s writing the cache, {cached.seconds:.2f} s "
            f"reading it (peak {cached.peak_mb:.0f} MB)")
        load = Run([losslab, "train", config] + cache_options, timed=False,
                   stop_at=lambda line: line.startswith(("note:", "cell ", "trained ")))
        note = load.first(r"note:")
        result["load_split_seconds_losslab_cached"] = note
        log("losslab train --cache: " + (f"loaded and split in {note:.2f} s (then stopped)" if note is not None
                                         else "no note line before training: cached load not measured"))
    else:
        log("losslab has no --cache option: the cached load is not measured")

    log(f"== {tag}: losslab train ({', '.join(losses)}; 1 epoch each, {args.threads} threads)")
    report_path = os.path.join(folder, "report.json")
    with open(report_path, "w") as report_file:
        train = Run([losslab, "train", config, "--format", "json"], stdout=report_file)
    report = json.load(open(report_path))
    result["load_split_seconds_losslab"] = train.first(r"note:")
    result["train_peak_mb_losslab"] = train.peak_mb
    result["train_wall_seconds_losslab"] = train.seconds
    result["users"] = report["data"].get("users")
    result["items"] = report["data"].get("items")
    result["evaluated_users"] = report["data"].get("evaluated_users")
    # The end of the process: the last line of our own reading, before /usr/bin/time's report.
    end = train.first(r"\s*Command being timed") or train.seconds
    marks = []
    # A current losslab prints one line per finished cell (trained and tested), with its wall seconds.
    cells = [(seconds, text) for seconds, name, text in train.lines if name == "err" and text.startswith("cell ")]
    previous = train.first(r"note:")
    for entry in report["results"] if cells else []:
        label = entry["label"]
        run = entry["runs"][0]
        line = next(((seconds, text) for seconds, text in cells
                     if re.match(r"cell \d+/\d+ " + re.escape(label) + r" seed \d+: .*; [0-9.]+ s$", text)), None)
        if line is None:
            log(f"{label}: no 'cell … {label} seed' line to time its evaluation from")
            previous = None
            continue
        if previous is not None:
            # From the previous cell's line (or the data's note) to this one, less the training.
            gap = line[0] - previous - run["training_seconds"]
            note = f"evaluation + set-up {gap:.2f} s"
        else:
            gap = float(re.search(r"; ([0-9.]+) s$", line[1]).group(1)) - run["training_seconds"]
            note = f"evaluation + set-up {gap:.2f} s (from the cell's seconds, 0.1 s steps)"
        previous = line[0]
        result[f"evaluation_gap_{label}"] = gap
        result["evaluation_seconds_losslab"] = gap
        result["evaluation_label_losslab"] = label
        log(f"{label}: epoch {run['training_seconds']:.2f} s, {run['interactions_per_second']:.0f} "
            f"interactions/s; {note}")
    for entry in report["results"]:
        label = entry["label"]
        run = entry["runs"][0]
        mark = train.first(r"trained " + re.escape(label) + r" seed")
        marks.append((label, mark, run["training_seconds"], run["interactions_per_second"]))
        result[f"epoch_seconds_{label}"] = run["training_seconds"]
        result[f"interactions_per_second_{label}"] = run["interactions_per_second"]
        result[f"auc_{label}"] = run["metrics"].get("auc")
        result[f"precision_{label}"] = run["metrics"].get("precision@10")
    for index, (label, mark, seconds, rate) in enumerate(marks if not cells else []):
        if mark is None or (index + 1 < len(marks) and marks[index + 1][1] is None):
            log(f"{label}: epoch {seconds:.2f} s, {rate:.0f} interactions/s; no 'trained {label}' line to time "
                "its evaluation from")
            continue
        if index + 1 < len(marks):
            following = marks[index + 1]
            gap = following[1] - mark - following[2]
            note = f"evaluation + {following[0]} set-up {gap:.2f} s"
        else:
            gap = end - mark
            note = f"evaluation {gap:.2f} s"
            result["evaluation_seconds_losslab"] = gap
            result["evaluation_label_losslab"] = label
        result[f"evaluation_gap_{label}"] = gap
        log(f"{label}: epoch {seconds:.2f} s, {rate:.0f} interactions/s; {note}")
    log(f"losslab train: load+split {fmt(result['load_split_seconds_losslab'])} s, whole run {train.seconds:.2f} s, "
        f"peak {train.peak_mb:.0f} MB")

    log(f"== {tag}: LightFM on the losslab split")
    command = [sys.executable, os.path.join(HERE, "lightfm_run.py"), os.path.join(split_dir, "train.csv"),
               os.path.join(split_dir, "test.csv"), "--factors", str(args.factors), "--loss", "warp",
               "--epochs", "1", "--threads", str(args.threads)]
    if args.lightfm_eval_users:
        command += ["--eval-users", str(args.lightfm_eval_users)]
    lightfm_run = Run(command)
    for text in lightfm_run.text("out"):
        if not text.startswith("RESULT "):
            log(text)
    lightfm = json.loads(next(t for t in lightfm_run.text("out") if t.startswith("RESULT "))[len("RESULT "):])
    result["load_seconds_lightfm"] = lightfm["load_seconds"]
    result["epoch_seconds_lightfm"] = lightfm["train_seconds_per_epoch"]
    result["interactions_per_second_lightfm"] = lightfm["interactions_per_second"]
    result["evaluation_seconds_lightfm"] = lightfm["evaluation_seconds"]
    result["evaluation_extrapolated_lightfm"] = lightfm["evaluation_extrapolated"]
    result["evaluation_users_lightfm"] = lightfm["evaluated_users"]
    result["train_peak_mb_lightfm"] = lightfm_run.peak_mb
    result["auc_lightfm"] = lightfm["auc"]
    result["precision_lightfm"] = lightfm["precision_at_k"]
    log(f"LightFM process: {lightfm_run.seconds:.2f} s, peak {lightfm_run.peak_mb:.0f} MB")
    # Evaluation ranks every item for every evaluated user: its work grows with users × items, not rows.
    pairs = (result["evaluated_users"] or 0) * (result["items"] or 0)
    result["pairs"] = pairs or None
    if pairs:
        for tool in ("losslab", "lightfm"):
            if result.get(f"evaluation_seconds_{tool}") is not None:
                result[f"evaluation_ns_per_pair_{tool}"] = result[f"evaluation_seconds_{tool}"] / pairs * 1e9
    return result


def fmt(value, digits=2):
    if value is None:
        return "n/a"
    if abs(value) >= 1e5:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def table(results, losses):
    """The Markdown table: one line per cost, one column per size, then the growth between sizes."""
    results = sorted(results, key=lambda r: r["rows"])
    lines = []
    # (title, key, is a rate: higher is better and not expected to grow)
    costs = [("file MB", "file_mb", False),
             ("users", "users", False),
             ("items", "items", False),
             ("evaluated users × items", "pairs", False),
             ("LossLab load s, first (parsing; losslab split --timing)", "load_seconds_losslab", False),
             ("LossLab load s, cached (reading the cache; losslab split --timing)", "load_seconds_losslab_cached",
              False),
             ("LossLab load+split s, first (train)", "load_split_seconds_losslab", False),
             ("LossLab load+split s, cached (train --cache)", "load_split_seconds_losslab_cached", False),
             ("LightFM script load s (read_csv, matrices)", "load_seconds_lightfm", False),
             ("split s, losslab split", "split_seconds_losslab", False),
             ("split s, pandas", "split_seconds_pandas", False),
             ("split s, losslab split --cache (writing the cache)", "split_seconds_losslab_cache_written", False),
             ("split s, losslab split --cache (cache read)", "split_seconds_losslab_cached", False),
             ("split peak RSS MB, losslab split", "split_peak_mb_losslab", False),
             ("split peak RSS MB, pandas", "split_peak_mb_pandas", False)]
    for loss in losses:
        costs.append((f"epoch s, LossLab {loss}", f"epoch_seconds_{loss}", False))
    costs.append(("epoch s, LightFM warp", "epoch_seconds_lightfm", False))
    for loss in losses:
        costs.append((f"interactions/s, LossLab {loss}", f"interactions_per_second_{loss}", True))
    costs.append(("interactions/s, LightFM warp", "interactions_per_second_lightfm", True))
    label = results[0].get("evaluation_label_losslab", losses[-1])
    costs += [(f"evaluation s, LossLab (7 metrics, {label} model)", "evaluation_seconds_losslab", False),
              ("evaluation s, LightFM (auc_score + precision_at_k)", "evaluation_seconds_lightfm", False),
              ("evaluation ns per (user, item), LossLab", "evaluation_ns_per_pair_losslab", True),
              ("evaluation ns per (user, item), LightFM", "evaluation_ns_per_pair_lightfm", True),
              ("train peak RSS MB, LossLab (whole losslab train)", "train_peak_mb_losslab", False),
              ("train peak RSS MB, LightFM (whole lightfm_run.py)", "train_peak_mb_lightfm", False)]
    sizes = [f"{r['rows'] / 1e6:g}M rows" for r in results]
    growth = [f"{a['rows'] / 1e6:g}M→{b['rows'] / 1e6:g}M (rows ×{b['rows'] / a['rows']:.2g})"
              for a, b in zip(results, results[1:])]
    lines.append("| cost | " + " | ".join(sizes + growth) + " |")
    lines.append("| --- |" + " ---: |" * (len(sizes) + len(growth)))
    for title, key, is_rate in costs:
        if all(r.get(key) is None for r in results):
            continue
        cells = []
        for r in results:
            cell = fmt(r.get(key))
            if key == "evaluation_seconds_lightfm" and r.get("evaluation_extrapolated_lightfm"):
                cell += f" (extrapolated from {r['evaluation_users_lightfm']} users)"
            cells.append(cell)
        for a, b in zip(results, results[1:]):
            if a.get(key) and b.get(key) is not None:
                ratio = b[key] / a[key]
                rows = b["rows"] / a["rows"]
                cells.append(f"×{ratio:.2f}" if is_rate or key in ("users", "items", "file_mb", "pairs")
                             else f"×{ratio:.2f} ({ratio / rows:.2f} of linear)")
            else:
                cells.append("n/a")
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=float, help="millions of rows, e.g. 1 5 25")
    parser.add_argument("--scratch", required=True, help="a folder outside the repository for data and outputs")
    parser.add_argument("--losslab", default=os.environ.get("LOSSLAB", os.path.join(REPO, ".build/release/losslab")),
                        help="the losslab binary (default: .build/release/losslab of this repository, or $LOSSLAB)")
    parser.add_argument("--losses", default="bpr,warp", help="LossLab losses, comma-separated (default bpr,warp)")
    parser.add_argument("--rounds", type=int, default=2, help="split rounds per tool (default 2)")
    parser.add_argument("--lightfm-eval-users", type=int, help="evaluate LightFM on a sample of this many users")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--factors", type=int, default=32)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42, help="the split seed")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not os.path.isfile(args.losslab) or not os.access(args.losslab, os.X_OK):
        sys.exit(f"error: no losslab binary at {args.losslab}; run `swift build -c release` first")
    if not os.path.exists("/usr/bin/time"):
        sys.exit("error: /usr/bin/time is needed for the peak memory (Debian: apt-get install time)")
    args.scratch = os.path.abspath(args.scratch)
    global SCRATCH
    SCRATCH = args.scratch
    if os.path.commonpath([args.scratch, REPO]) == REPO:
        sys.exit(f"error: the scratch folder {args.scratch} is inside the repository; give one outside it")
    os.makedirs(args.scratch, exist_ok=True)
    help_text = subprocess.run([args.losslab, "train", "--help"], capture_output=True, text=True).stdout
    split_help = subprocess.run([args.losslab, "split", "--help"], capture_output=True, text=True).stdout
    has_cache = "--cache" in help_text and "--cache" in split_help
    losses = [loss.strip() for loss in args.losses.split(",") if loss.strip()]
    results = []
    for size in args.sizes:
        results.append(measure(size, args, args.losslab, has_cache))
        if args.json:
            with open(args.json, "w") as out:
                json.dump(results, out, indent=2)
    print()
    print(table(results, losses))


if __name__ == "__main__":
    main()

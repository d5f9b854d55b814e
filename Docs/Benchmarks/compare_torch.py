#!/usr/bin/env python3
"""Compare LossLab's fused loss kernels with the seed notebook's PyTorch functions.

Purpose
-------
A measurement tool. It times the seed notebook's five ranking losses (``bpr``,
``hinge``, ``adaptive_bpr``, ``adaptive_hinge``, ``warp``; copied verbatim into
``seed_losses.py`` beside this file) in PyTorch eager mode and under
``torch.compile``, runs ``losslab bench`` for the same loss and size (on one or
more of LossLab's instruction-set paths, see ``--isa``), and prints one table per
size with the throughput of each and LossLab's speed-up.

Requirements
------------
Python 3.9+ and PyTorch (CPU is enough; a CUDA build runs on the CPU here).
``torch.compile`` on the CPU needs a C++ compiler (gcc or clang) on PATH; if it
fails, the error is recorded and the run goes on. ``lscpu`` is used for the CPU
model if present.

Usage
-----
    python3 Docs/Benchmarks/compare_torch.py --losslab .build/release/losslab \\
        [--threads 2] [--repeats 7] [--warmup 3] [--sizes default|quick] \\
        [--losses bpr,hinge,adaptive_bpr,adaptive_hinge,warp] [--json OUT.json] \\
        [--isa default|all|baseline,avx2,avx512]

Without ``--losslab`` only the PyTorch side is measured. ``--no-compile`` skips
``torch.compile``; ``--no-memory`` skips the memory measurement.

Instruction-set paths (``--isa``)
---------------------------------
LossLab's kernels run on one of several paths chosen at run time: ``baseline``
(SSE2), ``avx2`` (AVX2 + FMA) and ``avx512`` (AVX-512 F/BW/DQ/VL). The environment
variable ``LOSSLAB_ISA`` forces one; ``losslab`` exits with status 64 and a message
starting ``losslab: error: LOSSLAB_ISA=`` if the name is unknown or the machine
lacks the path. ``--isa`` takes:

* ``default`` (the default): one LossLab column; ``LOSSLAB_ISA`` is removed from
  the child's environment, so ``losslab`` picks its own path (an inherited
  ``LOSSLAB_ISA`` is ignored, with a note). The column is labelled with the path
  the binary reported, e.g. ``LossLab (avx512)``.
* a comma-separated list, e.g. ``avx2,baseline``: one column per path, in that
  order, labelled ``LossLab avx2``, ``LossLab baseline``. Every path must run on
  this machine, or the script stops with an error (status 2).
* ``all``: ``baseline,avx2,avx512``, skipping (with a printed note) every path for
  which ``losslab`` exits 64 with the ``LOSSLAB_ISA=`` message.

Before anything is timed (and before PyTorch is imported), every path is probed
with one tiny ``losslab bench`` run (bpr, B = 1,024, N = 1, one repeat), in JSON
for the path it reports and in text for its ``kernels:`` description. Each
path's run gets ``LOSSLAB_ISA`` in its own environment only (``os.environ`` is
not changed). All paths are timed in the same script run, case by case: for each
case the PyTorch timings come first, then one ``losslab bench`` run per path,
back to back, so that a drift in machine speed over the run affects the paths
alike; the order of the paths rotates from case to case (the first case starts
with the first path, the second case with the second, and so on, wrapping around),
so that no path is always the first one after PyTorch. Every
LossLab result records the path its JSON reports (``isa``); when it differs from
the requested one, the script warns on stderr, marks the throughput with ``!``
and lists the mismatch under the table and in the notes.

Sizes
-----
``default``: ``adaptive_bpr``, ``adaptive_hinge``, ``warp`` at B = 65,536, N = 100;
``bpr``, ``hinge`` at B = 1,048,576, N = 1; and a small size for every loss:
B = 1,024, N = 10 (N = 1 for ``bpr`` and ``hinge``). ``quick`` divides the large
batches by 16 (4,096 x 100 and 65,536 x 1) and keeps the small size.
pairs = B * N; pairs/s = pairs / median seconds.

What is timed (PyTorch)
-----------------------
``torch.set_num_threads(threads)``. Inputs are float32 CPU leaf tensors with
``requires_grad=True``, drawn once per case from ``torch.Generator`` seeded with
``--seed``: positive scores ``randn(B) + 1``; negative scores ``randn(N, B)``
(``randn(B)`` for ``bpr``/``hinge``), the seed's (negatives x batch) layout.
WARP gets ``num_items = --num-items`` (1000). One call is the seed function,
unchanged, followed by ``loss.backward()``, timed with ``time.perf_counter()``.
Before every call ``.grad`` is reset to ``None`` outside the timed region; tensor
creation is never timed. ``--warmup`` calls, then ``--repeats`` timed calls
(garbage collection off during them); median, min and max seconds are reported.

``torch.compile``: the same function wrapped with ``torch.compile`` (default
mode), after ``torch._dynamo.reset()`` so that every case compiles from scratch
with static shapes. The first call (forward + backward) triggers compilation;
its wall time is reported as the compile time and is excluded from the timing,
which then proceeds as above (warm-up, timed calls). ``max-autotune-no-cudagraphs``
is tried as well when the default mode compiled within ``--autotune-budget``
seconds (change with ``--compile-modes``). The table shows the faster mode (marked
``*`` when it is max-autotune); every mode is listed in the detail table and the
JSON. The compiled loss and gradients are checked against eager mode on the same
inputs (the result is reported, not enforced). Unless ``--inductor-cache-dir`` is
given, Inductor gets a fresh, temporary cache directory, so compile times are cold
compiles and do not depend on earlier runs.

Busy machine
------------
Other processes skew these timings badly (two OpenMP threads on two shared cores can
be 100x slower). During every timing the CPU time used by other processes is measured
from /proc/stat (over at least 0.25 s around the timed calls). A timing during which
they used 0.25 CPUs or more is repeated (``--retry-busy``, default 2) after waiting up
to ``--wait-idle`` seconds (default 60) for the machine to be idle; the script also
waits before each case. A timing still busy at the end is flagged BUSY in the report.

Memory (PyTorch)
----------------
One extra, untimed call per variant under ``torch.profiler`` with
``profile_memory=True``; the allocation events of PyTorch's CPU allocator are
summed in order to give the peak of bytes allocated above the level before the
call ("peak") and what is still allocated after it ("retained": the gradients in
``.grad``). This counts tensor storage only (not the Python heap, not malloc
overhead, not Inductor's compiled code); ``tracemalloc`` would not see it at all.
It is comparable with, but not the same quantity as, LossLab's
``peak_memory_bytes`` (shown as LossLab reports it).

LossLab
-------
For each case and path: ``[LOSSLAB_ISA=PATH] LOSSLAB bench --loss LOSS --batch B
--negatives N --threads T --scalar float --repeats R --format json`` (plus any
``--losslab-arg``); what is timed is LossLab's own measurement (its warm-up, then
R timed calls of the fused kernel computing the value and every gradient; median
seconds as it reports them), not the process. Busy runs are repeated like the
PyTorch timings (``--retry-busy``, ``--wait-idle``). The JSON object is read tolerantly:
``results`` may be a list or the object itself may be the result; missing fields
are left empty (``pairs_per_second`` is computed from ``median_seconds`` if
absent); text around the JSON on stdout is ignored. A failing or unparsable run is
recorded with its error and the script continues.

Output
------
Machine and settings (including the CPU flags relevant to the paths, from
/proc/cpuinfo or ``lscpu``, and, per LossLab column, the path requested, the path
reported and its ``kernels:`` description), then per size a table with loss, B,
N, torch eager pairs/s, torch.compile pairs/s, one pairs/s column per LossLab path
(``LossLab avx2``, ...), then per path its speed-up over eager and over
torch.compile (``avx2/eager``, ``avx2/compile``; ``LossLab/eager`` and
``LossLab/compile`` with ``--isa default``), a detail table (seconds, compile
times, errors; one row per path) and a memory table (one LossLab column per path).

``--json OUT.json`` writes everything, including LossLab's raw result objects.
Per case, ``losslab_by_isa`` maps each path (``default`` with ``--isa default``)
to its LossLab entry (with ``isa_requested`` and the reported ``isa``),
``losslab_order`` gives the order they ran in and ``ratios_by_isa`` their
speed-ups; the older single-LossLab keys (``losslab``, ``ratios``, and
``copy_bandwidth_bytes_per_second*`` under the top-level ``losslab``) hold the
first path's results. The top-level ``losslab`` object also has ``isa_option``,
``isas`` (the paths run), ``isas_skipped``, ``probes`` and ``columns``; the
machine's CPU flags are under ``machine.cpu_flags``.
Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

sys.dont_write_bytecode = True  # no __pycache__ beside the script

HERE = os.path.dirname(os.path.abspath(__file__))

ALL_LOSSES = ["bpr", "hinge", "adaptive_bpr", "adaptive_hinge", "warp"]
SINGLE_NEGATIVE = {"bpr", "hinge"}
DEFAULT_COMPILE_MODES = ["default", "max-autotune-no-cudagraphs"]
AUTOTUNE_MODE = "max-autotune-no-cudagraphs"
BUSY_THRESHOLD = 0.25  # CPUs used by other processes during a timing; above it the timing is flagged
ALL_ISAS = ["baseline", "avx2", "avx512"]  # what --isa all runs, in this order
ISA_CPU_FLAGS = {"baseline": ["sse2"], "avx2": ["avx2", "fma"],
                 "avx512": ["avx512f", "avx512bw", "avx512dq", "avx512vl"]}
RELEVANT_CPU_FLAGS = [flag for flags in ISA_CPU_FLAGS.values() for flag in flags]
ISA_UNAVAILABLE_STATUS = 64
ISA_ERROR_PREFIX = "losslab: error: LOSSLAB_ISA="


# --------------------------------------------------------------------------- sizes

def build_cases(sizes: str, losses: Sequence[str]) -> List[Dict[str, Any]]:
    """The (size group, loss, B, N) cases, large group first."""
    divisor = 16 if sizes == "quick" else 1
    cases = []
    for loss in losses:
        if loss in SINGLE_NEGATIVE:
            cases.append({"size": "large", "loss": loss, "batch": 1_048_576 // divisor, "negatives": 1})
        else:
            cases.append({"size": "large", "loss": loss, "batch": 65_536 // divisor, "negatives": 100})
    for loss in losses:
        cases.append({"size": "small", "loss": loss, "batch": 1_024,
                      "negatives": 1 if loss in SINGLE_NEGATIVE else 10})
    for case in cases:
        case["pairs"] = case["batch"] * case["negatives"]
    return cases


# --------------------------------------------------------------------------- machine

def run_text(argv: Sequence[str]) -> Optional[str]:
    try:
        out = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def cpu_flags() -> Optional[Dict[str, Any]]:
    """The CPU flags that matter for LossLab's paths (RELEVANT_CPU_FLAGS), from the first
    ``flags`` line of /proc/cpuinfo, else from ``lscpu``'s ``Flags:``; None if neither has any."""
    flags, source = None, None
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("flags") and ":" in line:
                    flags, source = set(line.split(":", 1)[1].split()), "/proc/cpuinfo"
                    break
    except OSError:
        pass
    if flags is None:
        for line in (run_text(["lscpu"]) or "").splitlines():
            if line.startswith("Flags:"):
                flags, source = set(line.split(":", 1)[1].split()), "lscpu"
                break
    if flags is None:
        return None
    return {"source": source,
            "present": [flag for flag in RELEVANT_CPU_FLAGS if flag in flags],
            "missing": [flag for flag in RELEVANT_CPU_FLAGS if flag not in flags],
            "paths_supported": [isa for isa, needed in ISA_CPU_FLAGS.items()
                                if all(flag in flags for flag in needed)]}


def machine_info(torch_module: Any) -> Dict[str, Any]:
    info: Dict[str, Any] = {
        "cpu_model": None,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch_version": torch_module.__version__,
        "torch_cuda_build": torch_module.version.cuda,
        "c_compiler": None,
        "environment": {k: v for k, v in sorted(os.environ.items())
                        if k.startswith(("OPENBLAS_", "OMP_", "MKL_", "KMP_", "TORCHINDUCTOR_", "LOSSLAB_"))},
        "cpu_flags": cpu_flags(),
    }
    lscpu = run_text(["lscpu"])
    if lscpu:
        fields = {}
        for line in lscpu.splitlines():
            if ":" in line:
                key, value = line.split(":", 1)
                fields[key.strip()] = value.strip()
        info["cpu_model"] = fields.get("Model name")
        for key, name in [("Core(s) per socket", "cores_per_socket"), ("Socket(s)", "sockets"),
                          ("Thread(s) per core", "threads_per_core"), ("CPU(s)", "lscpu_cpus")]:
            if key in fields:
                try:
                    info[name] = int(fields[key])
                except ValueError:
                    info[name] = fields[key]
        if isinstance(info.get("cores_per_socket"), int) and isinstance(info.get("sockets"), int):
            info["physical_cores"] = info["cores_per_socket"] * info["sockets"]
    if not info["cpu_model"]:
        try:
            with open("/proc/cpuinfo") as handle:
                for line in handle:
                    if line.startswith("model name"):
                        info["cpu_model"] = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
    for compiler in ("cc", "gcc", "clang", "c++", "g++"):
        path = shutil.which(compiler)
        if path:
            version = run_text([path, "--version"])
            info["c_compiler"] = f"{path}: {version.splitlines()[0]}" if version else path
            break
    try:
        info["torch_parallel_backend"] = next(
            (line.strip() for line in torch_module.__config__.parallel_info().splitlines()
             if line.strip().startswith("ATen parallel backend")), None)
    except Exception:  # noqa: BLE001 - informational only
        pass
    return info


# --------------------------------------------------------------------------- torch timing

class CpuMonitor:
    """CPU time used by *other* processes while something runs (a busy machine skews timings).

    From /proc/stat: (all CPUs' busy time - this process's and its waited-for children's CPU
    time) / wall time = the average number of CPUs other processes kept busy. Linux only;
    ``None`` elsewhere.
    """

    def __init__(self) -> None:
        self.start_busy = self.start_self = self.start_wall = None

    @staticmethod
    def _busy() -> Optional[Tuple[float, float]]:
        try:
            with open("/proc/stat") as handle:
                fields = handle.readline().split()
        except OSError:
            return None
        if not fields or fields[0] != "cpu" or len(fields) < 8:
            return None
        values = [int(v) for v in fields[1:]]
        tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        busy = values[0] + values[1] + values[2] + values[5] + values[6]  # user nice system irq softirq
        steal = values[7] if len(values) > 7 else 0
        return busy / tick, steal / tick

    @staticmethod
    def _self() -> float:
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system

    def start(self) -> "CpuMonitor":
        self.start_busy = self._busy()
        self.start_self = self._self()
        self.start_wall = time.perf_counter()
        return self

    def stop(self, min_wall: float = 0.25) -> Dict[str, Optional[float]]:
        """/proc/stat counts clock ticks (10 ms), too coarse for short timings: if less than
        ``min_wall`` seconds have passed, sleep (using no CPU) until they have, so that the figure
        describes a window of at least that length around what was timed."""
        wall = time.perf_counter() - self.start_wall
        if wall < min_wall:
            time.sleep(min_wall - wall)
            wall = time.perf_counter() - self.start_wall
        end_busy = self._busy()
        if self.start_busy is None or end_busy is None:
            return {"other_busy_cpus": None, "steal_cpus": None, "wall_seconds": wall}
        others = (end_busy[0] - self.start_busy[0]) - (self._self() - self.start_self)
        return {"other_busy_cpus": max(0.0, others / wall),
                "steal_cpus": (end_busy[1] - self.start_busy[1]) / wall, "wall_seconds": wall}


def machine_load_now(seconds: float = 1.0) -> Dict[str, Optional[float]]:
    return CpuMonitor().start().stop(min_wall=seconds)


def is_busy(load: Optional[Dict[str, Optional[float]]]) -> bool:
    value = (load or {}).get("other_busy_cpus")
    return value is not None and value >= BUSY_THRESHOLD


def wait_for_idle(limit: float, log: Callable[[str], None]) -> Dict[str, Any]:
    """Sample the load each second until other processes use < BUSY_THRESHOLD CPUs, up to limit s."""
    start = time.perf_counter()
    warned = False
    if limit <= 0:
        return {"waited_seconds": 0.0, "other_busy_cpus": None, "idle": None}
    while True:
        busy = machine_load_now(1.0).get("other_busy_cpus")
        waited = time.perf_counter() - start
        if busy is None or busy < BUSY_THRESHOLD:
            return {"waited_seconds": waited, "other_busy_cpus": busy, "idle": True}
        if waited >= limit:
            log(f"    machine still busy ({busy:.1f} other CPUs) after {waited:.0f} s; going on")
            return {"waited_seconds": waited, "other_busy_cpus": busy, "idle": False}
        if not warned:
            log(f"    waiting for the machine to be idle ({busy:.1f} other CPUs busy)...")
            warned = True


def summarize(times: Sequence[float], pairs: int) -> Dict[str, Any]:
    median = statistics.median(times)
    return {
        "repeats": len(times),
        "median_seconds": median,
        "min_seconds": min(times),
        "max_seconds": max(times),
        "seconds": list(times),
        "pairs_per_second": pairs / median if median > 0 else None,
        "pairs_per_second_best": pairs / min(times) if min(times) > 0 else None,
    }


class TorchCase:
    """Inputs and the seed function for one (loss, B, N)."""

    def __init__(self, torch_module: Any, seed_losses: Any, loss: str, batch: int, negatives: int,
                 seed: int, num_items: int):
        self.torch = torch_module
        generator = torch_module.Generator().manual_seed(seed)
        self.positive = (torch_module.randn(batch, generator=generator, dtype=torch_module.float32) + 1.0)
        if loss in SINGLE_NEGATIVE:
            self.negative = torch_module.randn(batch, generator=generator, dtype=torch_module.float32)
        else:
            self.negative = torch_module.randn(negatives, batch, generator=generator,
                                               dtype=torch_module.float32)
        self.positive.requires_grad_(True)
        self.negative.requires_grad_(True)
        self.function = getattr(seed_losses, f"{loss}_loss")
        self.extra_args: Tuple[Any, ...] = (num_items,) if loss == "warp" else ()

    def call(self, function: Callable[..., Any]) -> Tuple[float, Any]:
        """One forward + backward; returns (seconds, loss). Only that is timed."""
        self.positive.grad = None
        self.negative.grad = None
        start = time.perf_counter()
        loss = function(self.positive, self.negative, *self.extra_args)
        loss.backward()
        return time.perf_counter() - start, loss

    def time(self, function: Callable[..., Any], warmup: int,
             repeats: int) -> Tuple[List[float], Any, Dict[str, Optional[float]]]:
        """Warm-up calls, then timed calls; also the background CPU load during the timed calls."""
        for _ in range(warmup):
            self.call(function)
        gc.collect()
        gc_was_enabled = gc.isenabled()
        gc.disable()
        times = []
        loss = None
        monitor = CpuMonitor().start()
        try:
            for _ in range(repeats):
                del loss
                seconds, loss = self.call(function)
                times.append(seconds)
        finally:
            load = monitor.stop()
            if gc_was_enabled:
                gc.enable()
        return times, loss, load

    def snapshot(self, loss: Any) -> Dict[str, Any]:
        return {"loss": loss.detach().double().item(),
                "positive_grad": self.positive.grad.detach().clone(),
                "negative_grad": self.negative.grad.detach().clone()}

    def free_grads(self) -> None:
        self.positive.grad = None
        self.negative.grad = None


def compare_with_eager(reference: Dict[str, Any], other: Dict[str, Any]) -> Dict[str, Any]:
    loss_abs = abs(other["loss"] - reference["loss"])
    loss_rel = loss_abs / max(abs(reference["loss"]), 1e-30)
    grad_abs = 0.0
    for key in ("positive_grad", "negative_grad"):
        difference = (other[key].double() - reference[key].double()).abs()
        grad_abs = max(grad_abs, difference.max().item() if difference.numel() else 0.0)
    grad_scale = max(reference["positive_grad"].abs().max().item(),
                     reference["negative_grad"].abs().max().item(), 1e-30)
    return {
        "loss_eager": reference["loss"],
        "loss": other["loss"],
        "loss_relative_difference": loss_rel,
        "grad_max_abs_difference": grad_abs,
        "grad_max_abs_eager": grad_scale,
        "matches_eager": bool(loss_rel <= 1e-4 and grad_abs <= 1e-4 * grad_scale + 1e-7),
    }


@contextmanager
def stderr_silenced():
    """Kineto prints start/stop lines on fd 2 from C++; hide them during profiling."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def measure_memory(case: TorchCase, function: Callable[..., Any]) -> Dict[str, Any]:
    """Peak bytes allocated by PyTorch's CPU allocator during one call (see module docstring)."""
    torch_module = case.torch
    try:
        from torch.profiler import ProfilerActivity, profile

        case.free_grads()
        gc.collect()
        with stderr_silenced():
            with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
                case.call(function)
        tree = prof.profiler.kineto_results.experimental_event_tree()
        allocation_tag = torch_module._C._profiler._EventType.Allocation
        events: List[Tuple[int, int]] = []
        stack = list(tree)
        while stack:
            node = stack.pop()
            if node.tag == allocation_tag:
                events.append((node.start_time_ns, int(node.extra_fields.alloc_size)))
            stack.extend(node.children)
        events.sort()
        current = peak = 0
        for _, size in events:
            current += size
            peak = max(peak, current)
        case.free_grads()
        if not events:
            return {"error": "the profiler recorded no allocation events"}
        return {"peak_bytes": peak, "retained_bytes": current, "allocation_events": len(events),
                "method": "torch.profiler profile_memory allocation events"}
    except Exception as error:  # noqa: BLE001 - memory is optional
        case.free_grads()
        return {"error": f"{type(error).__name__}: {error}"}


def short_error(error: BaseException, limit: int = 600) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    # Dynamo/Inductor errors carry long tails ("Set TORCH_LOGS=...", user stack); keep the head.
    lines = [line for line in text.splitlines() if line.strip()]
    text = " | ".join(lines[:6])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timed_with_retries(tcase: "TorchCase", function: Callable[..., Any], args: argparse.Namespace,
                       log: Callable[[str], None]) -> Tuple[List[float], Any, Dict[str, Any], int]:
    """Time; if other processes were busy meanwhile, wait for idle and time again (--retry-busy)."""
    attempt = 0
    while True:
        attempt += 1
        times, loss, load = tcase.time(function, args.warmup, args.repeats)
        if not is_busy(load) or attempt > args.retry_busy:
            return times, loss, load, attempt
        log(f"    (other processes used {load['other_busy_cpus']:.1f} CPUs during the timing; timing again)")
        del loss
        tcase.free_grads()
        wait_for_idle(args.wait_idle, log)


def compile_startup(torch_module: Any) -> Dict[str, Any]:
    """Compile a trivial function (forward + backward) once, so that Dynamo/Inductor's one-time
    start-up (imports, compile workers) is not charged to the first loss; returns its time."""
    try:
        import torch._dynamo as dynamo

        dynamo.reset()
        x = torch_module.ones(8, requires_grad=True)
        start = time.perf_counter()
        compiled = torch_module.compile(lambda t: (t * 2.0).sum())
        compiled(x).backward()
        seconds = time.perf_counter() - start
        dynamo.reset()
        return {"seconds": seconds}
    except Exception as error:  # noqa: BLE001 - the per-loss compiles will report it again
        return {"error": short_error(error)}


def run_torch_case(torch_module: Any, seed_losses: Any, case: Dict[str, Any], args: argparse.Namespace,
                   log: Callable[[str], None]) -> None:
    tcase = TorchCase(torch_module, seed_losses, case["loss"], case["batch"], case["negatives"],
                      args.seed, args.num_items)
    pairs = case["pairs"]

    # Eager.
    try:
        times, loss, load, attempts = timed_with_retries(tcase, tcase.function, args, log)
        case["torch_eager"] = summarize(times, pairs)
        case["torch_eager"]["background_load"] = load
        case["torch_eager"]["attempts"] = attempts
        case["torch_eager"]["loss"] = loss.detach().double().item()
        reference = tcase.snapshot(loss)
        del loss
        log(f"    eager   {case['torch_eager']['median_seconds']:.6f} s  "
            f"{fmt_rate(case['torch_eager']['pairs_per_second'])} pairs/s")
        if args.memory:
            case["torch_eager"]["memory"] = measure_memory(tcase, tcase.function)
    except Exception as error:  # noqa: BLE001
        case["torch_eager"] = {"error": short_error(error)}
        reference = None
        log(f"    eager   FAILED {case['torch_eager']['error']}")
    tcase.free_grads()

    # torch.compile.
    case["torch_compile"] = []
    if not args.compile:
        return
    dynamo = None
    default_compile_seconds = None
    for mode in args.compile_modes:
        entry: Dict[str, Any] = {"mode": mode}
        case["torch_compile"].append(entry)
        if mode == AUTOTUNE_MODE and args.autotune_if_fast:
            if default_compile_seconds is None:
                entry["skipped"] = "default mode did not compile"
                log(f"    compile {mode}: skipped ({entry['skipped']})")
                continue
            if default_compile_seconds > args.autotune_budget:
                entry["skipped"] = (f"default mode took {default_compile_seconds:.1f} s to compile "
                                    f"(> --autotune-budget {args.autotune_budget:g} s)")
                log(f"    compile {mode}: skipped ({entry['skipped']})")
                continue
        try:
            import torch._dynamo as dynamo  # noqa: F811
            from torch._dynamo.utils import counters

            dynamo.reset()
            counters.clear()
            compiled = torch_module.compile(tcase.function) if mode == "default" else \
                torch_module.compile(tcase.function, mode=mode)
            tcase.free_grads()
            start = time.perf_counter()
            first_loss = compiled(tcase.positive, tcase.negative, *tcase.extra_args)
            first_loss.backward()
            entry["compile_seconds"] = time.perf_counter() - start
            del first_loss
            entry["graph_breaks"] = int(sum(counters["graph_break"].values()))
            entry["unique_graphs"] = int(counters["stats"].get("unique_graphs", 0))
            if mode == "default":
                default_compile_seconds = entry["compile_seconds"]
            times, loss, load, attempts = timed_with_retries(tcase, compiled, args, log)
            entry.update(summarize(times, pairs))
            entry["background_load"] = load
            entry["attempts"] = attempts
            entry["recompiles_during_timing"] = int(counters["stats"].get("unique_graphs", 0)) \
                - entry["unique_graphs"]
            if reference is not None:
                entry["check"] = compare_with_eager(reference, tcase.snapshot(loss))
            del loss
            log(f"    compile {mode}: compile {entry['compile_seconds']:.1f} s, "
                f"{entry['median_seconds']:.6f} s  {fmt_rate(entry['pairs_per_second'])} pairs/s"
                + ("" if entry.get("check", {}).get("matches_eager", True) else "  (DIFFERS FROM EAGER)"))
            if args.memory:
                entry["memory"] = measure_memory(tcase, compiled)
            del compiled
        except Exception as error:  # noqa: BLE001 - record and go on
            entry["error"] = short_error(error)
            entry["traceback_tail"] = traceback.format_exc().strip().splitlines()[-3:]
            log(f"    compile {mode}: FAILED {entry['error']}")
        finally:
            tcase.free_grads()
    if dynamo is not None:
        dynamo.reset()


# --------------------------------------------------------------------------- LossLab

def parse_json_loosely(text: str) -> Any:
    """The first JSON value in ``text`` (whole text first, then from each '{')."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    index = text.find("{")
    while index != -1:
        try:
            value, _ = decoder.raw_decode(text, index)
            return value
        except ValueError:
            index = text.find("{", index + 1)
    raise ValueError("no JSON object found in the output")


def as_number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


LOSSLAB_FIELDS = ["loss", "batch", "negatives", "threads", "scalar", "partial_credit", "repeats",
                  "median_seconds", "min_seconds", "max_seconds", "pairs_per_second",
                  "bytes_per_second", "bandwidth_fraction", "peak_memory_bytes"]


def pick_result(document: Any, case: Dict[str, Any]) -> Dict[str, Any]:
    if isinstance(document, list):
        candidates = [item for item in document if isinstance(item, dict)]
    elif isinstance(document, dict):
        results = document.get("results")
        if isinstance(results, list):
            candidates = [item for item in results if isinstance(item, dict)]
        elif isinstance(results, dict):
            candidates = [results]
        else:
            candidates = [document]
    else:
        candidates = []
    if not candidates:
        raise ValueError("the JSON has no result objects")

    def normalized(name: Any) -> str:
        return str(name).lower().replace("-", "_")

    def matches(item: Dict[str, Any]) -> bool:
        return (normalized(item.get("loss", case["loss"])) == case["loss"]
                and as_number(item.get("batch", case["batch"])) == case["batch"]
                and as_number(item.get("negatives", case["negatives"])) == case["negatives"])

    exact = [item for item in candidates if matches(item)]
    return (exact or candidates)[0]


def isa_of(key: str) -> Optional[str]:
    """The LOSSLAB_ISA value for a path key ("default": none)."""
    return None if key == "default" else key


def losslab_env(isa: Optional[str]) -> Dict[str, str]:
    """The environment of one losslab run: ours, with LOSSLAB_ISA set to ``isa`` (or removed)."""
    env = dict(os.environ)
    env.pop("LOSSLAB_ISA", None)
    if isa is not None:
        env["LOSSLAB_ISA"] = isa
    return env


def isa_unavailable(status: int, stderr: str) -> bool:
    """losslab's answer to a LOSSLAB_ISA it cannot run: status 64 and the LOSSLAB_ISA message."""
    return status == ISA_UNAVAILABLE_STATUS and any(
        line.strip().startswith(ISA_ERROR_PREFIX) for line in stderr.splitlines())


def probe_isa(losslab: str, key: str, threads: int) -> Dict[str, Any]:
    """One tiny ``losslab bench`` run on the path ``key``, in JSON (the path it reports) and in
    text (its ``kernels:`` line). ``unavailable`` is set when losslab refuses the path."""
    isa = isa_of(key)
    argv = [losslab, "bench", "--loss", "bpr", "--batch", "1024", "--negatives", "1",
            "--threads", str(threads), "--scalar", "float", "--repeats", "1", "--format"]
    probe: Dict[str, Any] = {"requested": isa, "isa": None, "kernels": None, "cpu": None}
    for output_format in ("json", "text"):
        try:
            process = subprocess.run(argv + [output_format], capture_output=True, text=True, timeout=120,
                                     env=losslab_env(isa))
        except (OSError, subprocess.SubprocessError) as error:
            probe["error"] = f"could not run: {error}"
            return probe
        if process.returncode != 0:
            stderr = process.stderr.strip()
            probe["exit_status"] = process.returncode
            probe["error"] = " | ".join(stderr.splitlines()[-3:]) or f"exit status {process.returncode}"
            probe["unavailable"] = isa_unavailable(process.returncode, stderr)
            return probe
        if output_format == "json":
            try:
                document = parse_json_loosely(process.stdout)
            except ValueError as error:
                probe["error"] = f"unreadable JSON: {error}"
                return probe
            if isinstance(document, dict):
                probe["isa"] = document.get("isa")
                probe["cpu"] = document.get("cpu")
        else:
            match = re.search(r"kernels:\s*(.+?)\s*$", process.stdout, re.MULTILINE)
            if match:
                probe["kernels"] = match.group(1)
    return probe


def plan_isas(args: argparse.Namespace, log: Callable[[str], None]) -> Dict[str, Any]:
    """Probe every path of --isa before anything is timed. Returns the top-level ``losslab``
    report object; raises SystemExit(2) if a path named explicitly cannot run here."""
    plan: Dict[str, Any] = {"path": getattr(args, "losslab_shown", args.losslab), "isa_option": args.isa_option, "isas": [],
                            "isas_skipped": {}, "probes": {}}
    if not args.losslab:
        return plan
    inherited = os.environ.get("LOSSLAB_ISA")
    if inherited is not None:
        plan["inherited_losslab_isa_ignored"] = inherited
        log(f"note: LOSSLAB_ISA={inherited} in the environment is ignored; each losslab run gets the "
            "path of its --isa column (none with --isa default)")
    for key in args.isa_keys:
        probe = probe_isa(args.losslab, key, args.threads)
        plan["probes"][key] = probe
        if probe.get("unavailable"):
            if args.isa_skip_unavailable:
                plan["isas_skipped"][key] = probe["error"]
                log(f"note: skipping path {key}: {probe['error']}")
                continue
            log(f"compare_torch: error: --isa {key}: this losslab cannot run it here: {probe['error']}")
            raise SystemExit(2)
        plan["isas"].append(key)
        if probe.get("error"):
            log(f"WARNING: probing path {key} failed ({probe['error']}); its runs will probably fail too")
        elif isa_of(key) is not None and probe.get("isa") != key:
            log(f"WARNING: PATH MISMATCH: with LOSSLAB_ISA={key} losslab reported isa={probe.get('isa')!r}; "
                f"the column 'LossLab {key}' may not be what it says")
        else:
            log(f"path {key}: losslab reports {probe.get('isa')!r}"
                + (f", kernels: {probe['kernels']}" if probe.get("kernels") else ""))
    if not plan["isas"]:
        log("compare_torch: error: none of the --isa paths can run on this machine")
        raise SystemExit(2)
    return plan


def losslab_label(key: str, column: Optional[Dict[str, Any]] = None) -> str:
    """A LossLab column's label: 'LossLab avx2', or 'LossLab (avx512)' for --isa default."""
    if key != "default":
        return f"LossLab {key}"
    reported = (column or {}).get("reported") or []
    return f"LossLab ({'/'.join(reported) if reported else 'path ?'})"


def run_losslab_with_retries(case: Dict[str, Any], args: argparse.Namespace,
                             log: Callable[[str], None], key: str = "default") -> Dict[str, Any]:
    attempt = 0
    while True:
        attempt += 1
        entry = run_losslab(case, args, key)
        entry["attempts"] = attempt
        if entry.get("error") or not is_busy(entry.get("background_load")) or attempt > args.retry_busy:
            if entry.get("isa_mismatch"):
                log(f"    WARNING: PATH MISMATCH: asked LOSSLAB_ISA={key}, losslab reported "
                    f"isa={entry.get('isa')!r}")
            return entry
        log(f"    (other processes used {entry['background_load']['other_busy_cpus']:.1f} CPUs during "
            f"LossLab {key}'s run; running it again)")
        wait_for_idle(args.wait_idle, log)


def run_losslab(case: Dict[str, Any], args: argparse.Namespace, key: str = "default") -> Dict[str, Any]:
    isa = isa_of(key)
    argv = [args.losslab, "bench", "--loss", case["loss"], "--batch", str(case["batch"]),
            "--negatives", str(case["negatives"]), "--threads", str(args.threads),
            "--scalar", "float", "--repeats", str(args.repeats), "--format", "json"]
    argv += args.losslab_arg
    entry: Dict[str, Any] = {"command": argv, "environment": {"LOSSLAB_ISA": isa}, "isa_requested": isa,
                             "isa": None}
    monitor = CpuMonitor().start()
    try:
        process = subprocess.run(argv, capture_output=True, text=True, timeout=args.losslab_timeout,
                                 env=losslab_env(isa))
        entry["background_load"] = monitor.stop()
    except subprocess.TimeoutExpired:
        entry["error"] = f"timed out after {args.losslab_timeout:g} s"
        return entry
    except OSError as error:
        entry["error"] = f"could not run: {error}"
        return entry
    entry["exit_status"] = process.returncode
    if process.stderr.strip():
        entry["stderr_tail"] = process.stderr.strip().splitlines()[-5:]
    if process.returncode != 0:
        tail = " | ".join(process.stderr.strip().splitlines()[-3:]) or process.stdout.strip()[-300:]
        entry["error"] = f"exit status {process.returncode}: {tail}"
        if isa_unavailable(process.returncode, process.stderr):
            entry["isa_unavailable"] = True
        return entry
    try:
        document = parse_json_loosely(process.stdout)
        result = pick_result(document, case)
    except ValueError as error:
        entry["error"] = f"unreadable output: {error}; stdout starts {process.stdout.strip()[:200]!r}"
        return entry
    entry["raw"] = result
    for field in LOSSLAB_FIELDS:
        if field in result:
            entry[field] = result[field]
    median = as_number(result.get("median_seconds"))
    rate = as_number(result.get("pairs_per_second"))
    if rate is None and median:
        rate = case["pairs"] / median
        entry["pairs_per_second_computed"] = True
    entry["pairs_per_second"] = rate
    bandwidth = None
    if isinstance(document, dict):
        bandwidth = as_number(document.get("copy_bandwidth_bytes_per_second"))
    if bandwidth is None:
        bandwidth = as_number(result.get("copy_bandwidth_bytes_per_second"))
    entry["copy_bandwidth_bytes_per_second"] = bandwidth
    if isinstance(document, dict):
        extra = {k: v for k, v in document.items() if k != "results"}
        if extra:
            entry["raw_top_level"] = extra
    reported_isa = document.get("isa") if isinstance(document, dict) else None
    if reported_isa is None:
        reported_isa = result.get("isa")
    entry["isa"] = reported_isa
    if isa is not None and reported_isa != isa:
        entry["isa_mismatch"] = True
        entry.setdefault("warnings", []).append(
            f"PATH MISMATCH: asked LOSSLAB_ISA={isa}, losslab reported isa={reported_isa!r}")
    for key in ("batch", "negatives", "threads"):
        reported = as_number(result.get(key))
        wanted = case[key] if key != "threads" else args.threads
        if reported is not None and reported != wanted:
            entry.setdefault("warnings", []).append(f"{key} reported {reported:g}, asked {wanted}")
    if rate is None:
        entry["error"] = "no pairs_per_second or median_seconds in the result"
    return entry


# --------------------------------------------------------------------------- report

def fmt_rate(value: Optional[float]) -> str:
    if value is None:
        return "—"
    return f"{value:.3g}" if value < 1000 else f"{value:.2e}".replace("e+0", "e").replace("e+", "e")


def fmt_seconds(value: Optional[float]) -> str:
    if value is None:
        return "—"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} µs"


def fmt_bytes(value: Optional[float]) -> str:
    if value is None:
        return "—"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def fmt_ratio(numerator: Optional[float], denominator: Optional[float]) -> str:
    if numerator is None or not denominator:
        return "—"
    return f"{numerator / denominator:.1f}×" if numerator / denominator >= 10 else f"{numerator / denominator:.2f}×"


def best_compile(case: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    timed = [entry for entry in case.get("torch_compile", []) if entry.get("pairs_per_second")]
    return max(timed, key=lambda entry: entry["pairs_per_second"]) if timed else None


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def losslab_entry(case: Dict[str, Any], key: str) -> Dict[str, Any]:
    """A case's LossLab entry for one path (reports from before --isa have only ``losslab``)."""
    by_isa = case.get("losslab_by_isa")
    if isinstance(by_isa, dict):
        return by_isa.get(key) or {}
    return case.get("losslab") or {}


def render(report: Dict[str, Any]) -> str:
    machine = report["machine"]
    settings = report["settings"]
    out: List[str] = []
    cores = machine.get("physical_cores")
    out.append("LossLab vs PyTorch (seed notebook losses), forward + backward, float32, CPU")
    out.append(f"CPU:      {machine.get('cpu_model') or 'unknown'}; "
               f"{machine.get('logical_cpus')} logical CPUs"
               + (f", {cores} cores" if cores else "")
               + (f", {machine.get('usable_cpus')} usable" if machine.get("usable_cpus") else ""))
    out.append(f"PyTorch:  {machine['torch_version']} ({machine.get('torch_parallel_backend') or 'parallel backend ?'}); "
               f"threads {settings['threads']}; C compiler: {machine.get('c_compiler') or 'none found'}")
    flags = machine.get("cpu_flags")
    if flags:
        out.append(f"CPU flags: {' '.join(flags['present']) or 'none'} present"
                   + (f"; MISSING {' '.join(flags['missing'])}" if flags["missing"] else "")
                   + f" (from {flags['source']}; paths the flags allow: {', '.join(flags['paths_supported'])})")
    else:
        out.append("CPU flags: unknown (no flags in /proc/cpuinfo or lscpu)")
    losslab_report = report["losslab"]
    columns: List[Dict[str, Any]] = losslab_report.get("columns") or []
    bandwidths = losslab_report.get("copy_bandwidth_bytes_per_second_all", [])
    if losslab_report.get("path"):
        by_isa = losslab_report.get("copy_bandwidth_by_isa") or {}
        if len(columns) > 1 and any(by_isa.get(c["key"], {}).get("all") for c in columns):
            parts = []
            for column in columns:
                values = by_isa.get(column["key"], {}).get("all") or []
                parts.append(f"{column['key']} {fmt_bytes(statistics.median(values)) + '/s' if values else '—'}")
            out.append(f"LossLab:  {losslab_report['path']}; measured copy bandwidth, median per path: "
                       + ", ".join(parts))
        elif bandwidths:
            bw = statistics.median(bandwidths)
            spread = (f" (median of {len(bandwidths)} runs, {fmt_bytes(min(bandwidths))}/s – "
                      f"{fmt_bytes(max(bandwidths))}/s)" if len(bandwidths) > 1 else "")
            out.append(f"LossLab:  {losslab_report['path']}; measured copy bandwidth "
                       f"{fmt_bytes(bw)}/s{spread}")
        else:
            out.append(f"LossLab:  {losslab_report['path']}; copy bandwidth not reported")
        width = max((len(c["label"]) for c in columns), default=0)
        for column in columns:
            requested = f"LOSSLAB_ISA={column['key']}" if column["requested"] else "LOSSLAB_ISA unset"
            reported = column.get("reported") or []
            if column.get("mismatch_cases"):
                ran = (f"reported {'/'.join(map(str, reported)) or 'no isa'}  <-- PATH MISMATCH in "
                       f"{len(column['mismatch_cases'])} case(s)")
            elif reported:
                ran = f"ran {'/'.join(reported)}"
                if column.get("cases_without_isa"):
                    ran += f" ({column['cases_without_isa']} case(s) reported no path)"
            else:
                ran = "no path reported"
            kernels = column.get("kernels")
            out.append(f"  {column['label'].ljust(width)}  {requested}: {ran}"
                       + (f"; kernels: {kernels}" if kernels else ""))
        for key, message in (losslab_report.get("isas_skipped") or {}).items():
            out.append(f"  (path {key} skipped: {message})")
    else:
        out.append("LossLab:  not run (no --losslab)")
    out.append(f"Timing:   {settings['warmup']} warm-up + {settings['repeats']} timed calls, median; "
               f"sizes '{settings['sizes']}', seed {settings['seed']}, WARP num_items {settings['num_items']}")
    load = report.get("background_load", {})
    start_load = (load.get("at_start") or {}).get("other_busy_cpus")
    worst = load.get("max_other_busy_cpus_during_timing")
    if start_load is not None or worst is not None:
        line = "Load:     other processes used "
        line += f"{start_load:.2f} CPUs at start" if start_load is not None else "? CPUs at start"
        if worst is not None:
            line += f", at most {worst:.2f} during a timing"
        if (worst or 0) >= BUSY_THRESHOLD:
            line += "  <-- WARNING: timings flagged BUSY below are unreliable"
        elif (start_load or 0) >= BUSY_THRESHOLD:
            line += " (busy timings were repeated)"
        out.append(line)

    for size in ("large", "small"):
        cases = [case for case in report["cases"] if case["size"] == size]
        if not cases:
            continue
        out.append("")
        out.append(f"== {size} size: pairs/s (pairs = B·N; higher is better) ==")
        rows = []
        mismatches: List[str] = []
        autotune_won = False
        for case in cases:
            eager = case.get("torch_eager", {}).get("pairs_per_second")
            compiled_entry = best_compile(case)
            compiled = compiled_entry["pairs_per_second"] if compiled_entry else None
            mark = ""
            if compiled_entry and compiled_entry["mode"] != "default":
                mark, autotune_won = "*", True
            rates, ratios = [], []
            for column in columns:
                entry = losslab_entry(case, column["key"])
                losslab = entry.get("pairs_per_second")
                rates.append(fmt_rate(losslab) + ("!" if entry.get("isa_mismatch") else ""))
                ratios += [fmt_ratio(losslab, eager), fmt_ratio(losslab, compiled)]
                if entry.get("isa_mismatch"):
                    mismatches.append(f"! {case['loss']}: {column['label']}: {entry['warnings'][-1]}"
                                      if entry.get("warnings") else f"! {case['loss']}: {column['label']}")
            rows.append([case["loss"], f"{case['batch']:,}", str(case["negatives"]), fmt_rate(eager),
                         fmt_rate(compiled) + mark] + rates + ratios)
        headers = ["loss", "B", "N", "torch eager", "torch.compile"] + [c["label"] for c in columns]
        for column in columns:
            short = "LossLab" if column["key"] == "default" else column["key"]
            headers += [f"{short}/eager", f"{short}/compile"]
        out.append(table(headers, rows, [False] + [True] * (len(headers) - 1)))
        if autotune_won:
            out.append(f"* {AUTOTUNE_MODE} was faster than the default mode; both are below.")
        if any(column["key"] != "default" for column in columns):
            out.append("PATH/eager, PATH/compile: LossLab on that path over torch eager / the faster torch.compile.")
        out.extend(mismatches)

        out.append("")
        out.append(f"-- {size} size: seconds per call, median [min – max] --")
        rows = []
        for case in cases:
            variants: List[Tuple[str, Dict[str, Any]]] = [("torch eager", case.get("torch_eager", {}))]
            variants += [(f"torch.compile {entry['mode']}", entry) for entry in case.get("torch_compile", [])]
            variants += [(column["label"], losslab_entry(case, column["key"])) for column in columns]
            for name, entry in variants:
                if entry.get("error") or entry.get("skipped"):
                    note = ("FAILED: " + entry["error"]) if entry.get("error") else "skipped: " + entry["skipped"]
                    rows.append([case["loss"], name, "—", "—", note])
                    continue
                median = as_number(entry.get("median_seconds"))
                low, high = as_number(entry.get("min_seconds")), as_number(entry.get("max_seconds"))
                notes = []
                if "compile_seconds" in entry:
                    notes.append(f"compile {entry['compile_seconds']:.1f} s")
                    if entry.get("graph_breaks"):
                        notes.append(f"{entry['graph_breaks']} graph break(s)")
                    check = entry.get("check")
                    if check and not check["matches_eager"]:
                        notes.append(f"DIFFERS from eager (loss rel {check['loss_relative_difference']:.1e}, "
                                     f"grad abs {check['grad_max_abs_difference']:.1e})")
                if (entry.get("attempts") or 1) > 1:
                    notes.append(f"timed {entry['attempts']}× (busy machine)")
                background = (entry.get("background_load") or {}).get("other_busy_cpus")
                if background is not None and background >= BUSY_THRESHOLD:
                    notes.append(f"BUSY: other processes used {background:.1f} CPUs")
                if name.startswith("LossLab") and entry.get("bandwidth_fraction") is not None:
                    fraction = as_number(entry.get("bandwidth_fraction"))
                    if fraction is not None:
                        notes.append(f"{fraction:.0%} of copy bandwidth")
                for warning in entry.get("warnings", []):
                    notes.append(warning)
                rows.append([case["loss"], name, fmt_seconds(median),
                             f"[{fmt_seconds(low)} – {fmt_seconds(high)}]", "; ".join(notes)])
        out.append(table(["loss", "variant", "median", "[min – max]", "notes"], rows,
                         [False, False, True, False, False]))

        if settings["memory"] or report["losslab"].get("path"):
            out.append("")
            out.append(f"-- {size} size: memory per call (PyTorch: allocator peak above the pre-call level, "
                       f"retained = .grad) --")
            rows = []
            for case in cases:
                def mem(entry: Optional[Dict[str, Any]]) -> str:
                    memory = (entry or {}).get("memory")
                    if not memory:
                        return "—"
                    if "error" in memory:
                        return "n/a"
                    return f"{fmt_bytes(memory['peak_bytes'])} ({fmt_bytes(memory['retained_bytes'])})"

                default_compile = next((e for e in case.get("torch_compile", []) if e["mode"] == "default"), None)
                inputs = 4 * (case["batch"] + case["pairs"])
                rows.append([case["loss"], fmt_bytes(inputs), mem(case.get("torch_eager")), mem(default_compile)]
                            + [fmt_bytes(as_number(losslab_entry(case, c["key"]).get("peak_memory_bytes")))
                               for c in columns])
            headers = ["loss", "inputs", "eager peak (retained)", "compile peak (retained)"]
            headers += ([f"{columns[0]['label']} peak_memory_bytes"] if len(columns) == 1
                        else [f"{c['label']} peak" for c in columns])
            out.append(table(headers, rows, [False] + [True] * (len(headers) - 1)))
    notes = report.get("notes", [])
    if notes:
        out.append("")
        out.extend(notes)
    return "\n".join(out)


# --------------------------------------------------------------------------- main

def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the seed notebook's PyTorch ranking losses (eager and torch.compile) "
                    "against `losslab bench`.")
    parser.add_argument("--losslab", metavar="PATH", help="the losslab binary (omit to time PyTorch only)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7, help="timed calls (default 7)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls before timing (default 3)")
    parser.add_argument("--sizes", choices=["default", "quick"], default="default")
    parser.add_argument("--losses", default=",".join(ALL_LOSSES),
                        help="comma-separated subset of " + ",".join(ALL_LOSSES))
    parser.add_argument("--json", metavar="OUT.json", help="write the full results as JSON")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input scores (default 0)")
    parser.add_argument("--num-items", type=int, default=1000, help="WARP num_items (default 1000)")
    parser.add_argument("--no-compile", dest="compile", action="store_false", help="skip torch.compile")
    parser.add_argument("--compile-modes", default=None,
                        help="comma-separated torch.compile modes to run unconditionally "
                             f"(default: 'default', then '{AUTOTUNE_MODE}' if the default mode "
                             "compiled within --autotune-budget seconds)")
    parser.add_argument("--autotune-budget", type=float, default=60.0,
                        help="seconds the default-mode compile may take for max-autotune to be tried")
    parser.add_argument("--inductor-cache-dir", metavar="DIR",
                        help="Inductor cache directory (default: a fresh temporary one, deleted at exit)")
    parser.add_argument("--no-memory", dest="memory", action="store_false",
                        help="skip the PyTorch memory measurement")
    parser.add_argument("--wait-idle", type=float, default=60.0, metavar="SECONDS",
                        help="before each case, LossLab run and retry, wait up to SECONDS for other "
                             f"processes to use less than {BUSY_THRESHOLD} CPUs (default 60; 0 = never wait)")
    parser.add_argument("--retry-busy", type=int, default=2, metavar="N",
                        help="time again, up to N times, when other processes were busy during a timing "
                             "(default 2); a timing still busy after that is flagged BUSY")
    parser.add_argument("--losslab-timeout", type=float, default=900.0, help="seconds per losslab run")
    parser.add_argument("--losslab-arg", action="append", default=[], metavar="ARG",
                        help="extra argument appended to every losslab bench command (repeatable)")
    parser.add_argument("--isa", default="default", metavar="LIST",
                        help="LossLab instruction-set paths to time, one column each: 'default' (no LOSSLAB_ISA; "
                             "losslab's own choice; the default), a comma-separated list of "
                             f"{', '.join(ALL_ISAS)} (each must run here), or 'all' (= {','.join(ALL_ISAS)}, "
                             "skipping paths this machine lacks); needs --losslab")
    args = parser.parse_args(argv)
    args.losses = [name.strip() for name in args.losses.split(",") if name.strip()]
    unknown = [name for name in args.losses if name not in ALL_LOSSES]
    if unknown:
        parser.error(f"unknown loss(es) {', '.join(unknown)}; choose from {', '.join(ALL_LOSSES)}")
    if args.threads < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--threads and --repeats must be >= 1, --warmup >= 0")
    if args.compile_modes is None:
        args.compile_modes, args.autotune_if_fast = list(DEFAULT_COMPILE_MODES), True
    else:
        args.compile_modes = [mode.strip() for mode in args.compile_modes.split(",") if mode.strip()]
        args.autotune_if_fast = False
    if args.losslab:
        resolved = shutil.which(args.losslab) if os.sep not in args.losslab else args.losslab
        if not resolved or not os.access(resolved, os.X_OK):
            parser.error(f"--losslab {args.losslab}: not an executable file")
        # Reported as given (a relative path stays relative, so reports carry no machine's folders); run by
        # its absolute path.
        args.losslab_shown = args.losslab
        args.losslab = os.path.abspath(resolved)
    args.isa_option = args.isa
    names = [name.strip().lower() for name in args.isa.split(",") if name.strip()]
    args.isa_skip_unavailable = False
    if not names:
        parser.error("--isa: empty list; give 'default', 'all' or paths such as " + ",".join(ALL_ISAS))
    if names == ["default"]:
        args.isa_keys = ["default"]
    elif names == ["all"]:
        args.isa_keys, args.isa_skip_unavailable = list(ALL_ISAS), True
    else:
        if "default" in names or "all" in names:
            parser.error("--isa: 'default' and 'all' stand alone; do not mix them with path names")
        malformed = [name for name in names if not re.fullmatch(r"[a-z0-9_]+", name)]
        if malformed:
            parser.error(f"--isa: malformed path name(s) {', '.join(malformed)}")
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            parser.error(f"--isa: path(s) listed twice: {', '.join(duplicates)}")
        # Names outside ALL_ISAS are passed on: losslab itself decides (the probe turns its refusal
        # into an error before anything is timed), so that a new path needs no change here.
        args.isa_keys = names
    if args.isa_keys != ["default"] and not args.losslab:
        parser.error("--isa needs --losslab")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # Which LossLab paths run (and that the explicitly named ones can): before anything else.
    try:
        losslab_plan = plan_isas(args, log)
    except SystemExit as stop:
        return int(stop.code or 2)

    # Inductor reads its cache directory from the environment; set it before importing torch.
    temporary_cache = None
    if args.compile:
        if args.inductor_cache_dir:
            os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.abspath(args.inductor_cache_dir)
        elif "TORCHINDUCTOR_CACHE_DIR" not in os.environ:
            temporary_cache = tempfile.mkdtemp(prefix="compare_torch_inductor_")
            os.environ["TORCHINDUCTOR_CACHE_DIR"] = temporary_cache

    try:
        import torch

        sys.path.insert(0, HERE)
        import seed_losses

        torch.set_num_threads(args.threads)
        report: Dict[str, Any] = {
            "schema": "losslab-compare-torch/1",
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": [sys.executable] + sys.argv,
            "machine": machine_info(torch),
            "settings": {
                "threads": args.threads, "torch_num_threads": torch.get_num_threads(),
                "repeats": args.repeats, "warmup": args.warmup, "sizes": args.sizes, "seed": args.seed,
                "num_items": args.num_items, "losses": args.losses, "dtype": "float32", "device": "cpu",
                "compile": args.compile, "compile_modes": args.compile_modes,
                "autotune_only_if_default_compiles_within_seconds":
                    args.autotune_budget if args.autotune_if_fast else None,
                "inductor_cache_dir": os.environ.get("TORCHINDUCTOR_CACHE_DIR") if args.compile else None,
                "inductor_cache_fresh": temporary_cache is not None,
                "memory": args.memory, "isa": args.isa_option,
            },
            "losslab": losslab_plan,
            "cases": build_cases(args.sizes, args.losses),
            "notes": [],
        }
        cases = report["cases"]
        log(f"compare_torch: {len(cases)} cases, torch {torch.__version__}, {args.threads} thread(s)")
        report["background_load"] = {"at_start": machine_load_now(1.0), "idle_waits": []}
        start_busy = report["background_load"]["at_start"].get("other_busy_cpus")
        if start_busy is not None and start_busy >= BUSY_THRESHOLD:
            log(f"WARNING: other processes are using {start_busy:.1f} CPUs; timings will be skewed"
                + ("" if args.wait_idle else " (see --wait-idle)"))
        if args.compile:
            report["torch_compile_startup"] = compile_startup(torch)
            startup = report["torch_compile_startup"]
            log("torch.compile startup (trivial function): "
                + (f"{startup['seconds']:.1f} s" if "seconds" in startup else f"FAILED {startup['error']}"))
        for index, case in enumerate(cases, 1):
            log(f"[{index}/{len(cases)}] {case['loss']} B={case['batch']:,} N={case['negatives']}")
            if args.wait_idle > 0:
                waited = wait_for_idle(args.wait_idle, log)
                report["background_load"]["idle_waits"].append(waited)
            run_torch_case(torch, seed_losses, case, args, log)
            isa_keys = report["losslab"]["isas"]
            if args.losslab:
                # All paths back to back after PyTorch; the first path rotates from case to case.
                shift = (index - 1) % len(isa_keys)
                order = isa_keys[shift:] + isa_keys[:shift]
                case["losslab_order"] = order
                results: Dict[str, Dict[str, Any]] = {}
                for key in order:
                    if args.wait_idle > 0:
                        wait_for_idle(args.wait_idle, log)
                    entry = run_losslab_with_retries(case, args, log, key)
                    results[key] = entry
                    name = f"LossLab {key}" if key != "default" else f"LossLab ({entry.get('isa') or 'path ?'})"
                    if entry.get("error"):
                        log(f"    {name} FAILED {entry['error']}")
                    else:
                        log(f"    {name} {fmt_rate(entry['pairs_per_second'])} pairs/s")
                case["losslab_by_isa"] = {key: results[key] for key in isa_keys}
                case["losslab"] = results[isa_keys[0]]
            eager = case.get("torch_eager", {}).get("pairs_per_second")
            compiled_entry = best_compile(case)

            def speedups(entry: Dict[str, Any]) -> Dict[str, Optional[float]]:
                rate = entry.get("pairs_per_second")
                return {"losslab_over_eager": rate / eager if rate and eager else None,
                        "losslab_over_compile": (rate / compiled_entry["pairs_per_second"]
                                                 if rate and compiled_entry else None)}

            case["ratios"] = dict(speedups(case.get("losslab", {})),
                                  compile_mode_used=compiled_entry["mode"] if compiled_entry else None)
            if args.losslab:
                case["ratios_by_isa"] = {key: speedups(entry) for key, entry in case["losslab_by_isa"].items()}
        loads = []
        for c in cases:
            entries = ([c.get("torch_eager", {})] + list((c.get("losslab_by_isa") or {}).values())
                       + c.get("torch_compile", []))
            loads += [(e.get("background_load") or {}).get("other_busy_cpus") for e in entries]
        loads = [value for value in loads if value is not None]
        report["background_load"]["max_other_busy_cpus_during_timing"] = max(loads) if loads else None
        bandwidths = [c["losslab"]["copy_bandwidth_bytes_per_second"] for c in cases
                      if c.get("losslab", {}).get("copy_bandwidth_bytes_per_second")]
        report["losslab"]["copy_bandwidth_bytes_per_second_all"] = bandwidths
        report["losslab"]["copy_bandwidth_bytes_per_second"] = statistics.median(bandwidths) if bandwidths else None
        report["losslab"]["copy_bandwidth_by_isa"] = {}
        report["losslab"]["columns"] = []
        for key in report["losslab"]["isas"]:
            entries = [c["losslab_by_isa"][key] for c in cases if key in (c.get("losslab_by_isa") or {})]
            values = [e["copy_bandwidth_bytes_per_second"] for e in entries if e.get("copy_bandwidth_bytes_per_second")]
            report["losslab"]["copy_bandwidth_by_isa"][key] = {
                "all": values, "median": statistics.median(values) if values else None}
            probe = report["losslab"]["probes"].get(key, {})
            reported = sorted({str(e["isa"]) for e in entries if e.get("isa") is not None})
            if not reported and probe.get("isa"):
                reported = [str(probe["isa"])]
            column = {
                "key": key, "requested": isa_of(key), "reported": reported,
                "kernels": probe.get("kernels"),
                "cases_without_isa": sum(1 for e in entries if not e.get("error") and e.get("isa") is None),
                "mismatch_cases": [f"{c['loss']} B={c['batch']} N={c['negatives']}" for c in cases
                                   if ((c.get("losslab_by_isa") or {}).get(key) or {}).get("isa_mismatch")],
            }
            column["label"] = losslab_label(key, column)
            report["losslab"]["columns"].append(column)
            if column["mismatch_cases"]:
                report["notes"].append(
                    f"PATH MISMATCH: {column['label']} (LOSSLAB_ISA={key}) reported {'/'.join(reported) or 'no path'} "
                    f"in {len(column['mismatch_cases'])} case(s): {', '.join(column['mismatch_cases'])}.")
        if report["losslab"].get("isas_skipped"):
            report["notes"].append(
                "Skipped paths (--isa all; losslab exits 64 for a path this machine lacks): "
                + "; ".join(f"{key}: {message}" for key, message in report["losslab"]["isas_skipped"].items()))
        if report["losslab"].get("inherited_losslab_isa_ignored") is not None:
            report["notes"].append(
                f"LOSSLAB_ISA={report['losslab']['inherited_losslab_isa_ignored']} was set in the environment "
                "and ignored: each losslab run got its column's path (none with --isa default).")
        if args.memory:
            report["notes"].append(
                "Memory: PyTorch figures are the CPU allocator's peak bytes above the level before one extra "
                "call, from torch.profiler allocation events (tensor storage only); tracemalloc does not see "
                "them. LossLab's peak_memory_bytes is as LossLab reports it.")
        if args.compile:
            startup = report.get("torch_compile_startup", {})
            report["notes"].append(
                "Compile: time of the first forward + backward after torch._dynamo.reset(), "
                + ("in a fresh temporary Inductor cache; " if temporary_cache else "with the Inductor cache at "
                   f"{os.environ.get('TORCHINDUCTOR_CACHE_DIR')} (may be warm); ")
                + "one-time Inductor start-up ("
                + (f"{startup['seconds']:.1f} s" if "seconds" in startup else "failed")
                + ") excluded. A later mode or size may reuse C++ kernels already built in this run "
                  "(identical source), so e.g. max-autotune's compile time is not a cold one.")
        text = render(report)
        print(text, flush=True)
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(report, handle, indent=2, default=str)
                handle.write("\n")
            log(f"wrote {args.json}")
        return 0
    finally:
        if temporary_cache:
            shutil.rmtree(temporary_cache, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Throw seeded, mutated configs at the real `losslab` binary and report what breaks it.

Purpose
-------
Issue 10 asks that a seeded run of at least 20,000 mutated configs through `validate` and `run` gives
no crash, no hang and no exit 0 with a non-finite value. This script is that run. It is a measurement
tool (not run by CI): it needs a release build of `losslab` and Python 3.11 (standard library only).

Seeds
-----
Every `configs/*.yaml`, every `Tests/Fuzz/seeds/*.yaml`, the YAML configs embedded in the Swift tests
under `Tests/` (multi-line and one-line string literals that hold `losses`, `scenarios` or `data`),
and the ```yaml blocks of `README.md` and `Docs/*.md`.

Mutations
---------
Each case is one seed (sometimes two, spliced) with 1-5 mutations, all drawn from a random generator
seeded by `--seed` and the case index, so `--only INDEX` (with the same `--seed`) reproduces any case:
scalar values replaced by interesting values (0, -1, 1e308, 2^63, 1e-320, .nan, .inf, "", long strings,
control characters, unicode, `..`, `/`, `0x10`, `1_000`, `~`, `[]`, `{}`, …) or by numeric neighbours;
keys replaced by other keys seen in the seeds (so most cases still reach the config decoder and many the
runner); random, long and deep loss expressions; huge `batch` / `negatives`; long lists, deep nesting,
anchors and aliases (including exponential alias trees); sections spliced from another seed; line
deletes, duplicates, swaps and indentation changes; byte flips, inserts and deletes.

Each mutated config is written into a per-worker temporary folder that mirrors the repository's layout
(the case sits in its seed's folder; `data/` is a symlink to the repository's), so relative data paths
resolve. Nothing is written into the repository.

Findings
--------
For each case and command (`validate CONFIG`, `run CONFIG --format json` — with `--gradients` when the
config generates no scenario —, `run CONFIG`; optionally `train CONFIG --format json` and
`split CONFIG --output DIR` for training seeds), a finding is:

* crash: killed by a signal, or an exit code >= 128;
* hang: no exit within `--timeout` seconds (the whole process group is killed);
* internal error: exit 70 (an error without a category);
* unexpected exit code: not one of 0, 64, 65, 66, 70, 73;
* non-finite value: exit 0 and `nan` / `inf` / `-inf` in a text table cell, or `null` in a JSON number
  (a loss-table value without an `n/a` note, a gradient, a training metric), or `NaN` / `Infinity` in
  JSON (invalid JSON on exit 0 is its own finding);
* unbounded output: more than 10 MB on stdout + stderr for a config under 100 KB (the child is killed
  past 200 MB);
* failure without a message: a non-zero exit with nothing on standard error;
* control characters in output: a C0 control character (other than tab and newline) or DEL written to
  stdout or stderr (terminal escapes from labels, names, error quotes);
* validate rejects what run accepts: `validate` exits non-zero while `run` exits 0 on the same file.

Each finding's config and command line are saved under `--keep`. The summary gives cases, invocations,
wall time, the exit codes per command, and the findings by class with the shortest reproducer of each.
Exit status 1 when there is any finding.

20,000 cases (60,000 invocations) take about 13 minutes with 2 jobs on 2 cores.

Usage
-----
    swift build -c release --product losslab
    python3 Tests/Fuzz/mutate_configs.py --binary .build/release/losslab --count 20000 --seed 1
    python3 Tests/Fuzz/mutate_configs.py --only 1234             # one case: its config and results
    python3 Tests/Fuzz/mutate_configs.py --minimize 1234         # shrink a failing case (delta debugging)
"""

import argparse
import collections
import concurrent.futures
import json
import os
import random
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

DOCUMENTED_EXIT_CODES = {0, 64, 65, 66, 70, 73}
CAPTURE_BYTES = 1 << 20  # kept of each stream
UNBOUNDED_BYTES = 10 << 20  # stdout + stderr beyond this, for a config under SMALL_CONFIG_BYTES, is a finding
SMALL_CONFIG_BYTES = 100 << 10
KILL_BYTES = 200 << 20  # the child is killed past this much output
SAVED_PER_SIGNATURE = 10  # configs saved under --keep per finding signature (the shortest is saved too)

# ---------------------------------------------------------------------------------------------------
# Seeds


@dataclass
class Seed:
    name: str  # where it comes from, for the report
    folder: str  # the folder (relative to the repository) its relative paths resolve from
    text: str
    training: bool  # has a top-level data: (a training config)


def swift_unescape(body):
    """The value of a Swift string literal's body (escapes only; interpolations become empty)."""
    body = re.sub(r"\\\((?:[^()]|\([^()]*\))*\)", "", body)
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "'": "'", "\\": "\\"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n in simple:
                out.append(simple[n])
                i += 2
                continue
            m = re.match(r"u\{([0-9a-fA-F]{1,8})\}", body[i + 1 :])
            if m:
                try:
                    out.append(chr(int(m.group(1), 16)))
                except ValueError:
                    pass
                i += 1 + m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def swift_strings(source):
    """The string literals of a Swift file: multi-line (indentation of the closing delimiter stripped,
    line continuations joined) and one-line."""
    literals = []
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.search(r'(?<!#)"""\s*$', line) and not line.strip().startswith("//"):
            body = []
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith('"""'):
                body.append(lines[j])
                j += 1
            if j < len(lines):
                indent = len(lines[j]) - len(lines[j].lstrip(" "))
                text = "\n".join(l[indent:] for l in body)
                text = re.sub(r"\\\n", "", text)
                literals.append((i + 1, swift_unescape(text)))
            i = j + 1
            continue
        for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', line):
            if "\\n" in m.group(1):
                literals.append((i + 1, swift_unescape(m.group(1))))
        i += 1
    return literals


def is_training(text):
    return re.search(r"(?m)^data\s*:", text) is not None


def load_seeds():
    seeds = []

    def add(name, folder, text):
        seeds.append(Seed(name, folder, text, is_training(text)))

    for path in sorted((REPO / "configs").glob("*.yaml")):
        add(str(path.relative_to(REPO)), "configs", path.read_text(encoding="utf-8"))
    for path in sorted((HERE / "seeds").glob("*.yaml")):
        add(str(path.relative_to(REPO)), str(path.parent.relative_to(REPO)), path.read_text(encoding="utf-8"))
    for path in sorted((REPO / "Tests").rglob("*.swift")):
        for line, text in swift_strings(path.read_text(encoding="utf-8", errors="replace")):
            if re.search(r"(?m)^\s*(losses|scenarios|data|custom_losses)\s*:", text) and len(text) < 20000:
                add(f"{path.relative_to(REPO)}:{line}", ".", text)
    docs = [REPO / "README.md"] + sorted((REPO / "Docs").glob("*.md"))
    for path in docs:
        if not path.exists():
            continue
        source = path.read_text(encoding="utf-8")
        for m in re.finditer(r"```yaml\n(.*?)```", source, re.S):
            text = m.group(1)
            if re.search(r"(?m)^(losses|scenarios|data|custom_losses)\s*:", text):
                line = source.count("\n", 0, m.start()) + 2
                add(f"{path.relative_to(REPO)}:{line}", "configs", text)
    # Identical texts (the docs repeat examples) count once.
    unique, seen = [], set()
    for seed in seeds:
        if seed.text not in seen:
            seen.add(seed.text)
            unique.append(seed)
    return unique


def tiny_training(text):
    """A training config with a small budget, so that `train` ends in well under a second."""
    text = re.sub(r"(?m)^(\s*epochs\s*:\s*)\d+", r"\g<1>1", text)
    text = re.sub(r"(?m)^(seeds\s*:\s*)(\[[^\]\n]*\]|\d+)", r"\g<1>[1]", text)
    text = re.sub(r"(\bfactors\s*:\s*)\d+", r"\g<1>4", text)
    return text


# ---------------------------------------------------------------------------------------------------
# Tokens: a light scan of YAML text for scalars, keys and values (good enough to mutate, not to parse)

TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"'  # double-quoted
    r"|'(?:[^'\n]|'')*'"  # single-quoted
    r"|[^\s\[\]{},:#\"'](?:[^\n\[\]{},:#]|:(?=\S)|#(?<=\S#))*"  # plain (may hold spaces, a:b, a#b)
)


@dataclass
class Token:
    start: int
    end: int
    text: str
    key: bool  # followed by ':' (a mapping key)


COMMENT = re.compile(r'(?m)(?:^|(?<=\s))#[^\n]*')


def tokens(text):
    out = []
    # Comments (a '#' at the start or after a blank, to the end of the line; a '#' inside a quoted scalar
    # is taken for one too, which only spares that scalar's tail from mutation).
    comments = [(m.start(), m.end()) for m in COMMENT.finditer(text)]
    c = 0
    for m in TOKEN.finditer(text):
        start, end = m.start(), m.end()
        raw = m.group(0)
        while c < len(comments) and comments[c][1] <= start:
            c += 1
        if c < len(comments) and comments[c][0] <= start:
            continue
        while raw.startswith("- ") or raw == "-":
            stripped = raw[1:].lstrip(" ")
            start += len(raw) - len(stripped)
            raw = stripped
        raw_stripped = raw.rstrip(" \t")
        end = start + len(raw_stripped)
        raw = raw_stripped
        if not raw or raw in ("|", ">", "|-", ">-", "---", "..."):
            continue
        rest = text[end : end + 3]
        key = re.match(r"[ \t]*:(\s|$)", rest) is not None or rest == ":"
        out.append(Token(start, end, raw, key))
    return out


def is_number(s):
    return re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s) is not None


# ---------------------------------------------------------------------------------------------------
# Interesting values


def yaml_double_quoted(s):
    """`s` as a YAML double-quoted scalar: control characters escaped as \\xNN, the rest as is."""
    out = ['"']
    for c in s:
        o = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\u%04x" % o)
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


NUMBERS = [
    "0", "-1", "1", "2", "3", "-0", "-0.0", "0.0", "0.5", "1.5", "3.0", "-2.5", "1e308", "-1e308",
    "1.7976931348623157e308", "2e308", "1e400", "-1e400", "1e-320", "5e-324", "-5e-324", "1e-300",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "4294967296", "2147483648", "2147483647", "4503599627370496",
    "9007199254740993", "1e15", "1e16", "1e22", "49999999", "50000000", "50000001", "100000000",
    "1000000000000", "1.0000000000000002", "0.9999999999999999", "710", "-745", "1e2", ".5", "5.", "+7",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", "-.inf", "+.inf", "-.Inf", "0x10", "0o17", "0b101", "1_000",
    "1,000", "1e", "e5", "--1", "+-1", "00", "007", "1.5.5", "∞", "NaN", "nan", "inf", "-inf", "Infinity",
    "1/2", "½", "٣",
]

WORDS = [
    "~", "null", "Null", "NULL", "true", "false", "True", "yes", "no", "on", "off", "[]", "{}", "[[]]",
    "[{}]", "{a: 1}", "[1, [2, [3]]]", "''", '""', '" "', "..", ".", "/", "./", "../", "../..", "/dev/null",
    "//", "\\", "-", "- -", "?", "? a", ": a", "!!str", "!!int 3", "!!float 1", "!!bool x", "!!null",
    "!!binary AAAA", "!foo bar", "&a", "*a", "*undefined", "<<", "|", ">", "|+", "|-5", "%YAML 1.2",
    "---", "...", "@", "`", "2024-01-01", "12:30:00", "0:0", "a: b", "'it''s'", "bpr", "warp", "hinge",
    "adaptive_hinge", "adaptive_bpr", "log_sigmoid_bpr", "adaptive_log_sigmoid_bpr", "normal", "uniform",
    "random", "last", "first", "set", "sgd", "adam", "adagrad", "popularity", "average", "pessimistic",
    "pairwise", "adaptive", "mean", "sum", "seed", "d", "m", "genre", "decade", "userId", "movieId",
]

CONTROL_STRINGS = [
    "a\nb", "\t", "\r", "\r\n", "a\x00b", "\x00", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x07\x08\x7f",
    "\x85", "\u2028\u2029", "\u202eevil", "\u200b", "\ufeff", "e\u0301\u0301\u0301", "🙂", "日本語",
    "naïve", "𝒳", "\U0010ffff", "a\x0cb", "\x0b", "col|pipe", "a,b\"c", "<b>x</b>", "%s%n", "{0}",
    "\\(x)", "$HOME", "`x`", "x" * 300, "\u0000" * 5, "\x1b" * 100,
]


def long_string(rng):
    n = rng.choice([1000, 10000, 70000])
    unit = rng.choice(["a", "é", "🙂", "ab ", "\\", "\x1b[", "-", "0"])
    return (unit * (n // len(unit) + 1))[:n]


def render_string(rng, s):
    """A Python string as a YAML scalar: plain when safe and sometimes, else double- or single-quoted."""
    plain_ok = re.fullmatch(r"[A-Za-z_][\w .+()/-]*", s) is not None and not s.endswith(" ")
    r = rng.random()
    if plain_ok and r < 0.5:
        return s
    if r < 0.8 or "\n" in s or any(ord(c) < 0x20 for c in s):
        return yaml_double_quoted(s)
    return "'" + s.replace("'", "''") + "'"


def random_expression(rng, depth=0):
    """A random loss expression (mostly well-formed, sometimes numerically hostile)."""
    leaves = ["d", "d", "d", "m", "m", "0", "1", "2", "-1", "0.5", "1e308", "1e-320", "710", "1000", "1e-300",
              "3", "0.0"]
    if depth > 5 or rng.random() < 0.3:
        return rng.choice(leaves)
    kind = rng.random()
    sub = lambda: random_expression(rng, depth + 1)  # noqa: E731
    if kind < 0.35:
        return f"{sub()} {rng.choice(['+', '-', '*', '/', '^'])} {sub()}"
    if kind < 0.65:
        f = rng.choice(["exp", "log", "log1p", "sqrt", "abs", "relu", "sigmoid", "softplus"])
        return f"{f}({sub()})"
    if kind < 0.8:
        return f"{rng.choice(['min', 'max'])}({sub()}, {sub()})"
    if kind < 0.9:
        return f"-{sub()}"
    return f"({sub()})"


BAD_EXPRESSIONS = [
    "d d", "d +", "+", "", " ", "f(d)", "max(d)", "exp(d, m)", "((d)", "d)", "1e999 * d", ".5 * d", "5. * d",
    "1e * d", "d^", "d ^ ^ d", "d − m", "d × m", "d**2", "d // 2", "d % 2", "D", "dd", "d_", "exp", "exp()",
    "max(,)", "d,m", "sigmoid(d", "sqrt(-1) * d", "log(0) + d", "d / 0", "0 / 0 + d", "exp(1000 * d)",
    "d ^ 1e308", "(-1) ^ 0.5 * d", "log(-d)", "1e308 * 1e308 * d", "m / (d - d)", "exp(exp(exp(d)))",
    "d ^ -1", "0 ^ -1 + d", "-d ^ 2", "--d", "- - - d", "+d", "d+", "\td", "d\n+ m", "d # comment",
    "max(0, m - d)^2^2^2^2^2^2^2^2^2^2", "softplus(1e308 * d)", "sigmoid(-1e308 * d)", "log1p(-1 + 0 * d)",
]


def long_expression(rng):
    n = rng.choice([100, 1000, 10000, 100000, 1000000])
    kind = rng.randrange(7)
    if kind == 0:
        return "+".join(["d"] * n)
    if kind == 1:
        n = min(n, 200000)
        return "(" * n + "d" + ")" * n
    if kind == 2:
        return "-" * n + "d"
    if kind == 3:
        n = min(n, 100000)
        return "exp(" * n + "d" + ")" * n
    if kind == 4:
        return "^".join(["d"] * n)
    if kind == 5:
        n = min(n, 100000)
        return "max(d, " * n + "m" + ")" * n
    return "d" + " " * n + "+ m"


# ---------------------------------------------------------------------------------------------------
# Mutations: each takes (rng, text, ctx) and returns the new text


@dataclass
class Context:
    seeds: list
    keys: list  # every key seen in the seeds
    values: list  # every scalar value seen in the seeds


def replace_span(text, start, end, new):
    return text[:start] + new + text[end:]


def pick(rng, toks, pred=None):
    choices = [t for t in toks if pred is None or pred(t)]
    return rng.choice(choices) if choices else None


def interesting_value(rng):
    r = rng.random()
    if r < 0.4:
        return rng.choice(NUMBERS)
    if r < 0.65:
        return rng.choice(WORDS)
    if r < 0.85:
        return render_string(rng, rng.choice(CONTROL_STRINGS))
    if r < 0.92:
        return render_string(rng, long_string(rng))
    return yaml_double_quoted(rng.choice(BAD_EXPRESSIONS))


# Finite numbers that most number fields accept: extreme, tiny, subnormal, huge integers.
FINITE_NUMBERS = [
    "0", "-1", "1", "2", "0.5", "-0.0", "3.0", "1e308", "-1e308", "1.7976931348623157e308", "1e-320", "5e-324",
    "1e-300", "1e15", "1e16", "710", "-745", "1000", "9223372036854775807", "-9223372036854775808",
    "4611686018427387904", "9007199254740993", "2147483648", "4294967296", "1.0000000000000002", "1e2", ".5",
]


def m_scalar(rng, text, ctx):
    t = pick(rng, tokens(text), lambda t: not t.key)
    if t is None:
        return text
    if rng.random() < 0.55:
        # Of the same type, so that the config stays valid more often; free text where text is free.
        free = value_tokens_after(text, r"experiment|description|label|name")
        if free and rng.random() < 0.5:
            t = rng.choice(free)
        if is_number(t.text):
            new = rng.choice(FINITE_NUMBERS)
        else:
            s = rng.choice(CONTROL_STRINGS) if rng.random() < 0.85 else long_string(rng)
            new = yaml_double_quoted(s) if rng.random() < 0.8 else "'" + s.replace("'", "''") + "'"
        return replace_span(text, t.start, t.end, new)
    return replace_span(text, t.start, t.end, interesting_value(rng))


def m_number(rng, text, ctx):
    t = pick(rng, tokens(text), lambda t: not t.key and is_number(t.text))
    if t is None:
        return m_scalar(rng, text, ctx)
    x = float(t.text)
    whole = re.fullmatch(r"[-+]?\d+", t.text) is not None
    options = [-x, x + 1, x - 1, x * 1000, x * 2**31, x / 3, x * 1e300, x * 1e-300, 0.0, x + 0.5]
    new = rng.choice(options)
    if whole and abs(new) < 1e30 and new == int(new) and rng.random() < 0.8:
        rendered = str(int(new))
    else:
        rendered = repr(new)
        if rendered in ("inf", "-inf", "nan"):
            rendered = {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}[rendered]
    return replace_span(text, t.start, t.end, rendered)


def m_value_from_seeds(rng, text, ctx):
    t = pick(rng, tokens(text), lambda t: not t.key)
    if t is None or not ctx.values:
        return text
    return replace_span(text, t.start, t.end, rng.choice(ctx.values))


def m_key(rng, text, ctx):
    t = pick(rng, tokens(text), lambda t: t.key)
    if t is None:
        return text
    r = rng.random()
    if r < 0.85:
        new = rng.choice(ctx.keys)
    elif r < 0.9:
        new = t.text.upper() if t.text != t.text.upper() else t.text.lower()
    elif r < 0.95:
        new = t.text[:-1] if len(t.text) > 1 else t.text + t.text
    else:
        new = rng.choice(["<<", "? complex", '"' + t.text + '"', "'" + t.text + "'", "~", "1", "[a]", "{a: b}",
                          "&k " + t.text, "!!str " + t.text, t.text + " "])
    return replace_span(text, t.start, t.end, new)


def value_tokens_after(text, key_pattern):
    """Value tokens right after a key matching key_pattern."""
    out = []
    toks = tokens(text)
    for a, b in zip(toks, toks[1:]):
        if a.key and re.fullmatch(key_pattern, a.text) and not b.key:
            out.append(b)
    return out


def m_expression(rng, text, ctx):
    targets = value_tokens_after(text, r"expression")
    r = rng.random()
    if r < 0.45:
        expr = random_expression(rng)
        if "d" not in expr and rng.random() < 0.7:
            expr = f"({expr}) * d" if rng.random() < 0.5 else f"{expr} + d"
    elif r < 0.75:
        expr = rng.choice(BAD_EXPRESSIONS)
    else:
        expr = long_expression(rng)
    rendered = yaml_double_quoted(expr) if rng.random() < 0.8 else expr
    if targets:
        t = rng.choice(targets)
        return replace_span(text, t.start, t.end, rendered)
    # No custom loss here: add one and use it.
    name = "fz_" + "".join(rng.choice("abcdefghij") for _ in range(4))
    block = f"custom_losses:\n  - name: {name}\n    expression: {rendered}\n    reduction: {rng.choice(['mean', 'sum', 'seed'])}\n"
    if re.search(r"(?m)^custom_losses\s*:", text):
        return text
    text = block + text
    m = re.search(r"(?m)^losses\s*:[ \t]*\n", text)
    if m:
        return text[: m.end()] + f"  - {rng.choice(['', 'adaptive_'])}{name}\n" + text[m.end() :]
    m = re.search(r"(?m)^losses\s*:\s*\[", text)
    if m:
        return text[: m.end()] + f"{name}, " + text[m.end() :]
    return text


def m_huge(rng, text, ctx):
    targets = value_tokens_after(text, r"batch|negatives|num_items|batch_size|factors|epochs|seed|k|threads")
    huge = ["50000000", "49999999", "25000000", "12500000", "100000000", "1000000000", "2147483648",
            "4294967297", "9007199254740993", "4611686018427387904", "9223372036854775807", "1e18", "1e300",
            "-1", "0", "10000000"]
    if not targets:
        return m_scalar(rng, text, ctx)
    for _ in range(rng.choice([1, 1, 2])):
        targets = value_tokens_after(text, r"batch|negatives|num_items|batch_size|factors|epochs|seed|k|threads")
        if not targets:
            break
        t = rng.choice(targets)
        text = replace_span(text, t.start, t.end, rng.choice(huge))
    return text


def m_long_list(rng, text, ctx):
    t = pick(rng, tokens(text), lambda t: not t.key)
    if t is None:
        return text
    n = rng.choice([100, 1000, 10000, 100000])
    item = rng.choice(["1.0", "0", "1", "-1e308", "[1.0]", "bpr", "{name: s}", "d", ".nan", "1e-320"])
    return replace_span(text, t.start, t.end, "[" + ", ".join([item] * n) + "]")


def m_deep(rng, text, ctx):
    t = pick(rng, tokens(text), lambda t: not t.key)
    if t is None:
        return text
    n = rng.choice([150, 198, 199, 200, 201, 1000, 100000])
    kind = rng.randrange(4)
    if kind == 0:
        new = "[" * n + "1" + "]" * n
    elif kind == 1:
        new = "{a: " * n + "1" + "}" * n
    elif kind == 2:
        new = "[" * n  # unterminated
    else:
        n = min(n, 2000)
        indent = text[text.rfind("\n", 0, t.start) + 1 : t.start]
        base = len(indent) - len(indent.lstrip()) + 2
        lines = [" " * (base + 2 * i) + "-" for i in range(n)]
        new = "\n" + "\n".join(lines[:-1]) + "\n" + lines[-1] + " 1"
    return replace_span(text, t.start, t.end, new)


def m_anchor(rng, text, ctx):
    toks = [t for t in tokens(text) if not t.key]
    r = rng.random()
    if r < 0.5 and len(toks) >= 2:
        i = rng.randrange(len(toks) - 1)
        j = rng.randrange(i + 1, len(toks))
        a, b = toks[i], toks[j]
        name = rng.choice(["a", "x", "anchor", "a" * 100])
        text = replace_span(text, b.start, b.end, "*" + name)
        return replace_span(text, a.start, a.start, "&" + name + " ")
    if r < 0.7 and toks:
        t = rng.choice(toks)
        return replace_span(text, t.start, t.end, rng.choice(["*nowhere", "&a *a", "&a [*a]", "*", "&", "& a"]))
    # An exponential alias tree: levels of 10 aliases to the level below.
    levels = rng.choice([3, 5, 6, 7, 9])
    parts = ["&l0 [" + ", ".join([rng.choice(["1.0", "0", "bpr"])] * 10) + "]"]
    for k in range(1, levels):
        parts.append(f"&l{k} [" + ", ".join([f"*l{k - 1}"] * 10) + "]")
    new = "[" + ", ".join(parts) + "]"
    if toks:
        t = rng.choice(toks)
        return replace_span(text, t.start, t.end, new)
    return text + "\nbomb: " + new + "\n"


def sections(text):
    """Top-level sections: (key, start, end) of each block that starts with `key:` at column 0."""
    starts = [(m.group(1), m.start()) for m in re.finditer(r"(?m)^([A-Za-z_][\w-]*)\s*:", text)]
    return [(k, s, starts[i + 1][1] if i + 1 < len(starts) else len(text)) for i, (k, s) in enumerate(starts)]


def m_splice(rng, text, ctx):
    other = rng.choice(ctx.seeds).text
    mine, theirs = sections(text), sections(other)
    r = rng.random()
    if r < 0.5 and mine and theirs:
        key, s, e = rng.choice(mine)
        same = [sec for sec in theirs if sec[0] == key]
        k2, s2, e2 = rng.choice(same) if same and rng.random() < 0.7 else rng.choice(theirs)
        chunk = other[s2:e2]
        if not chunk.endswith("\n"):
            chunk += "\n"
        return text[:s] + chunk + text[e:]
    if r < 0.75 and theirs:
        k2, s2, e2 = rng.choice(theirs)
        chunk = other[s2:e2]
        if not chunk.endswith("\n"):
            chunk += "\n"
        at = rng.choice([0] + [s for _, s, _ in mine] + [len(text)])
        if at == len(text) and not text.endswith("\n"):
            chunk = "\n" + chunk
        return text[:at] + chunk + text[at:]
    a, b = text.split("\n"), other.split("\n")
    return "\n".join(a[: rng.randrange(len(a) + 1)] + b[rng.randrange(len(b) + 1) :])


def m_lines(rng, text, ctx):
    lines = text.split("\n")
    if not lines:
        return text
    i = rng.randrange(len(lines))
    r = rng.random()
    if r < 0.2:
        del lines[i]
    elif r < 0.35:
        lines.insert(i, lines[i])
    elif r < 0.5:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif r < 0.75:
        delta = rng.choice([-4, -2, -1, 1, 2, 4, 8])
        if delta < 0:
            strip = min(-delta, len(lines[i]) - len(lines[i].lstrip(" ")))
            lines[i] = lines[i][strip:]
        else:
            lines[i] = " " * delta + lines[i]
        if rng.random() < 0.1:
            lines[i] = "\t" + lines[i].lstrip(" ")
    elif r < 0.85:
        k = rng.randint(2, 6)
        block = lines[i : i + k]
        lines[i:i] = block * rng.choice([1, 2, 10])
    elif r < 0.95:
        line = lines.pop(i)
        lines.insert(rng.randrange(len(lines) + 1), line)
    else:
        lines.insert(i, rng.choice(["---", "...", "%YAML 1.2", "%TAG ! tag:x,2024:", "# comment", "", " ",
                                    "? a", ": b", "- x", "a: b", "<<: {}", "\t", "\r"]))
    return "\n".join(lines)


INTERESTING_BYTES = [b"\x00", b"\t", b"\r", b"\n", b"\x1b", b"\x7f", b"\x80", b"\xc3", b"\xff", b"\xfe",
                     b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b":", b"-", b"[", b"]", b"{", b"}",
                     b"&", b"*", b"!", b"|", b">", b"%", b"@", b"`", b'"', b"'", b"#", b",", b"?", b" ",
                     b"\n---\n", b"\n...\n", b"\\"]


def m_bytes(rng, data):
    if not data:
        return rng.choice(INTERESTING_BYTES)
    data = bytearray(data)
    i = rng.randrange(len(data))
    r = rng.random()
    if r < 0.25:
        data[i] ^= 1 << rng.randrange(8)
    elif r < 0.4:
        data[i] = rng.randrange(256)
    elif r < 0.7:
        data[i:i] = rng.choice(INTERESTING_BYTES)
    elif r < 0.9:
        del data[i : i + rng.choice([1, 1, 2, 4, 16, 64])]
    else:
        j = min(len(data), i + rng.choice([1, 8, 64]))
        data[i:i] = data[i:j] * rng.choice([2, 100])
    return bytes(data)


TEXT_MUTATIONS = [
    (m_scalar, 24),
    (m_number, 16),
    (m_value_from_seeds, 6),
    (m_key, 8),
    (m_expression, 12),
    (m_huge, 5),
    (m_long_list, 2),
    (m_deep, 2),
    (m_anchor, 4),
    (m_splice, 6),
    (m_lines, 8),
]
BYTE_MUTATION_WEIGHT = 5


def seed_weight(seed):
    """How often a seed is drawn. The repository's configs and the hand-written seeds are whole, valid
    configs that reach the runner; other whole configs (top-level losses and scenarios or data) come next;
    fragments (a test's snippet, often a deliberate error; a docs excerpt) are drawn least. A property of
    the text alone, so that a case index means the same config whatever the binary does."""
    whole = re.search(r"(?m)^losses\s*:", seed.text) and re.search(r"(?m)^(scenarios|data)\s*:", seed.text)
    if seed.name.startswith(("configs/", "Tests/Fuzz/seeds/")):
        return 12
    return 3 if whole else 1


def make_case(seed_value, index, ctx, training_only=False):
    """The case `index`: its seed and its config bytes (deterministic in seed_value and index)."""
    rng = random.Random(f"losslab-fuzz:{seed_value}:{index}")
    pool = [s for s in ctx.seeds if s.training] if training_only else ctx.seeds
    seed = rng.choices(pool, weights=[seed_weight(s) for s in pool])[0]
    text = tiny_training(seed.text) if seed.training else seed.text
    data = None
    funcs, weights = zip(*TEXT_MUTATIONS)
    count = rng.choices([1, 2, 3, 4, 5], weights=[55, 25, 10, 6, 4])[0]
    for _ in range(count):
        if rng.randrange(sum(weights) + BYTE_MUTATION_WEIGHT) < BYTE_MUTATION_WEIGHT:
            data = m_bytes(rng, data if data is not None else text.encode("utf-8", errors="surrogateescape"))
        else:
            if data is not None:
                text = data.decode("utf-8", errors="surrogateescape")
                data = None
            func = rng.choices(funcs, weights=weights)[0]
            text = func(rng, text, ctx)
    if data is None:
        data = text.encode("utf-8", errors="surrogateescape")
    return seed, data


def build_context(seeds):
    keys, values = set(), set()
    for seed in seeds:
        for t in tokens(seed.text):
            if len(t.text) > 200:
                continue
            (keys if t.key else values).add(t.text)
    return Context(seeds, sorted(keys), sorted(values))


# ---------------------------------------------------------------------------------------------------
# Running the binary


@dataclass
class Outcome:
    argv: list
    returncode: int | None  # None: killed by us (timeout or output cap)
    stdout: bytes
    stderr: bytes
    stdout_total: int
    stderr_total: int
    timed_out: bool
    overflowed: bool
    seconds: float


def run_binary(argv, cwd, timeout):
    """Runs argv in its own process group; keeps the first CAPTURE_BYTES of each stream and counts the
    rest; kills the whole group on timeout or past KILL_BYTES of output."""
    began = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    kept = {out_fd: bytearray(), err_fd: bytearray()}
    totals = {fd: 0 for fd in kept}
    timed_out = overflowed = False
    deadline = began + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        sel.register(proc.stderr, selectors.EVENT_READ)
        while sel.get_map() and not (timed_out or overflowed):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in sel.select(remaining):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                totals[key.fd] += len(chunk)
                buf = kept[key.fd]
                if len(buf) < CAPTURE_BYTES:
                    buf += chunk[: CAPTURE_BYTES - len(buf)]
                if sum(totals.values()) > KILL_BYTES:
                    overflowed = True
                    break
    if not (timed_out or overflowed):
        try:
            proc.wait(timeout=max(0.01, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
    if timed_out or overflowed:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    return Outcome(argv, None if (timed_out or overflowed) else proc.returncode, bytes(kept[out_fd]),
                   bytes(kept[err_fd]), totals[out_fd], totals[err_fd], timed_out, overflowed,
                   time.monotonic() - began)


def exit_label(o):
    if o.timed_out:
        return "timeout"
    if o.overflowed:
        return "output>cap"
    if o.returncode < 0:
        try:
            return signal.Signals(-o.returncode).name
        except ValueError:
            return f"signal {-o.returncode}"
    return str(o.returncode)


# ---------------------------------------------------------------------------------------------------
# Judging an outcome

NONFINITE_CELL = re.compile(r"(?<![\w.])(-?inf|nan)(?![\w])")
RULE = re.compile(r"^-+(?:  -+)*$")
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


def text_nonfinite(out):
    """Non-finite cells of the aligned text tables in `out` (every table: a header, a dashed rule, rows
    until a blank line): the cells right of the first column."""
    lines = out.split("\n")
    found = []
    for i, line in enumerate(lines):
        if not RULE.match(line) or i == 0:
            continue
        first_width = len(line.split("  ")[0])
        for row in lines[i + 1 :]:
            if not row.strip():
                break
            cells = row[first_width:]
            for m in NONFINITE_CELL.finditer(cells):
                found.append(m.group(1))
    return found


def json_nonfinite(doc, training):
    """Non-finite numbers in a `run` or `train` JSON document: `null` where a number belongs."""
    found = []

    def walk(v, key):
        if v is None:
            if key not in ("partial_credit",):
                found.append("null gradient" if key in ("gradient", "positive_scores", "negative_scores")
                             else f"null in {key}")
        elif isinstance(v, list):
            for x in v:
                walk(x, key)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, k)

    reports = doc if isinstance(doc, list) else [doc]
    for report in reports:
        if not isinstance(report, dict):
            continue
        if training:
            walk(report, "")
            continue
        for result in report.get("results", []):
            if not isinstance(result, dict):
                continue
            note = result.get("note") or ""
            if result.get("value", 0) is None and not note.startswith("n/a"):
                found.append("null value")
            if "gradients" in result:
                walk(result["gradients"], "gradient")
    return found


def signature_text(s, limit=110):
    """A message with its variable parts (numbers, quoted text, paths) blurred, to group findings."""
    s = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", s)
    s = re.sub(r"\d+", "N", s)
    s = re.sub(r"\S*case-N\.yaml\S*", "CASE", s)
    return s[:limit]


def crash_signature(text):
    """A crash's reason and the first frame in LossLab's own code, from the Swift runtime's backtrace; a
    bad pointer dereference next to the stack pointer is called a stack overflow."""
    reason = re.search(r"\*\*\* (Swift runtime failure: [^*]*|Program crashed: [^*]*|Fatal error[^*]*)\*\*\*", text)
    if reason is None:
        fatal = re.search(r"(Fatal error: .*|Precondition failed.*|Assertion failed.*)", text)
        reason_text = fatal.group(1) if fatal else ""
    else:
        reason_text = reason.group(1).strip()
    address = re.search(r"Bad pointer dereference at (0x[0-9a-f]+)", text)
    rsp = re.search(r"(?m)^rsp (0x[0-9a-f]+)", text)
    overflow = address and rsp and abs(int(address.group(1), 16) - int(rsp.group(1), 16)) < (1 << 16)
    if overflow:
        reason_text = "stack overflow (a bad pointer next to the stack pointer)"
    frame = None
    for m in re.finditer(r"(?m)^\s*\d+ .*?0x[0-9a-f]+ (.+?)(?: \+ \d+)? in (\S+) at (\S+)$", text):
        function, image, where = m.groups()
        if "/Sources/" in where and "<compiler-generated>" not in where:
            frame = f"{function.split('(')[0].replace('specialized ', '')} ({where.split('/Sources/')[1].split(':')[0]})"
            break
    if overflow:
        # The backtrace of a stack overflow starts at whatever frame ran out of stack: name the file.
        frame = frame.split(" (")[1].rstrip(")") if frame else "frames not shown"
    if frame is None:
        top = re.search(r"(?m)^\s*0 .*?0x[0-9a-f]+ (.+?)(?: \+ \d+)? in (\S+)", text)
        frame = f"{top.group(1).split('(')[0]} in {top.group(2)}" if top else "no frame"
    reason_text = re.sub(r"0x[0-9a-fA-F]+", "ADDR", reason_text)
    return f"{reason_text or 'no reason given'} — {frame}"


def stderr_signature(err):
    text = err.decode("utf-8", errors="replace")
    if "crashed" in text or "Fatal error" in text:
        return crash_signature(text)
    for line in text.split("\n"):
        if re.search(r"Fatal error|fatal|Precondition|Assertion|internal error|crash|Illegal|Segmentation", line, re.I):
            return signature_text(line.strip())
    first = text.strip().split("\n")[0] if text.strip() else "(no stderr)"
    return signature_text(first)


def judge(command, o, config_size, training):
    """The findings of one invocation: a list of (class, signature)."""
    findings = []
    if o.timed_out:
        findings.append(("hang (timeout)", f"no exit within {o.seconds:.0f} s"))
        return findings
    total = o.stdout_total + o.stderr_total
    if o.overflowed or (total > UNBOUNDED_BYTES and config_size < SMALL_CONFIG_BYTES):
        stream = "stderr" if o.stderr_total > o.stdout_total else "stdout"
        findings.append(("unbounded output", f"{stream}, exit {exit_label(o)}"))
        if o.overflowed:
            return findings
    rc = o.returncode
    if rc < 0 or rc >= 128:
        findings.append(("crash", f"{exit_label(o)}: {stderr_signature(o.stderr)}"))
        return findings
    if rc == 70:
        findings.append(("internal error (exit 70)", stderr_signature(o.stderr)))
    elif rc not in DOCUMENTED_EXIT_CODES:
        findings.append(("unexpected exit code", f"exit {rc}: {stderr_signature(o.stderr)}"))
    if rc != 0 and not o.stderr.strip():
        findings.append(("failure without a message", f"exit {rc}"))
    if CONTROL.search(o.stdout) or CONTROL.search(o.stderr):
        where = "stdout" if CONTROL.search(o.stdout) else "stderr"
        findings.append(("control characters in output", f"{where}, exit {rc}"))
    if rc == 0 and command != "validate" and not command.startswith("split"):
        out = o.stdout.decode("utf-8", errors="replace")
        if "json" in command:
            if o.stdout_total > CAPTURE_BYTES:
                return findings  # too long to parse what was kept
            try:
                doc = json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            except ValueError as e:
                findings.append(("invalid JSON on exit 0", signature_text(str(e).split(":")[0])))
                return findings
            bad = json_nonfinite(doc, training)
        else:
            bad = text_nonfinite(out)
        if bad:
            kind = "JSON" if "json" in command else "text"
            findings.append(("non-finite value with exit 0", f"{kind}: {sorted(set(bad))[0]}"))
    return findings


# ---------------------------------------------------------------------------------------------------
# Cases


@dataclass
class CaseResult:
    index: int
    seed_name: str
    folder: str
    size: int
    outcomes: dict  # command -> Outcome
    findings: list  # (class, signature, command)
    data: bytes = b""


class Workspaces:
    """One work folder per worker thread, mirroring the repository's layout for relative paths."""

    def __init__(self, root):
        self.root = Path(root)
        self.local = threading.local()
        self.lock = threading.Lock()
        self.count = 0

    def get(self):
        ws = getattr(self.local, "path", None)
        if ws is None:
            with self.lock:
                self.count += 1
                ws = self.root / f"worker-{self.count}"
            ws.mkdir(parents=True)
            (ws / "data").symlink_to(REPO / "data", target_is_directory=True)
            self.local.path = ws
        return ws


def commands_for(seed, data, selected, config_rel):
    """(name, argv tail) of the invocations of one case."""
    out = []
    if "validate" in selected:
        out.append(("validate", ["validate", config_rel]))
    if "run" in selected:
        json_args = ["run", config_rel, "--format", "json"]
        name = "run --format json"
        if b"generate" not in data:
            json_args.append("--gradients")
            name += " --gradients"
        out.append((name, json_args))
        out.append(("run", ["run", config_rel]))
    if seed.training and "train" in selected:
        out.append(("train --format json", ["train", config_rel, "--format", "json"]))
    if seed.training and "split" in selected:
        out.append(("split", ["split", config_rel, "--output", "split-out"]))
    return out


def run_case(index, args, ctx, workspaces, data_override=None):
    seed, data = make_case(args.seed, index, ctx)
    if data_override is not None:
        data = data_override
    ws = workspaces.get()
    folder = ws / seed.folder
    folder.mkdir(parents=True, exist_ok=True)
    name = f"case-{index}.yaml"
    path = folder / name
    path.write_bytes(data)
    config_rel = str(Path(seed.folder) / name) if seed.folder != "." else name
    outcomes, findings = {}, []
    binary = str(args.binary)
    for command, tail in commands_for(seed, data, args.commands, config_rel):
        o = run_binary([binary] + tail, ws, args.timeout)
        outcomes[command] = o
        for cls, sig in judge(command, o, len(data), seed.training):
            findings.append((cls, sig, command))
    v, r = outcomes.get("validate"), outcomes.get("run")
    if v and r and v.returncode not in (0, None) and r.returncode == 0:
        findings.append(("validate rejects what run accepts", f"validate exit {v.returncode}", "validate"))
    path.unlink(missing_ok=True)
    shutil.rmtree(ws / "split-out", ignore_errors=True)
    return CaseResult(index, seed.name, seed.folder, len(data), outcomes, findings, data if findings else b"")


def slug(s):
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()[:60] or "x"


def reproduce_line(args, index):
    commands = "" if args.commands == {"validate", "run"} else f" --commands {','.join(sorted(args.commands))}"
    return (f"python3 Tests/Fuzz/mutate_configs.py --binary {args.binary_arg} --seed {args.seed}{commands} "
            f"--only {index}")


def save_finding(keep, args, result, cls, sig, command, tag=None):
    folder = Path(keep) / slug(cls)
    folder.mkdir(parents=True, exist_ok=True)
    stem = tag or f"case-{result.index}"
    (folder / f"{stem}.yaml").write_bytes(result.data)
    o = result.outcomes.get(command)
    lines = [
        f"class: {cls}",
        f"signature: {sig}",
        f"seed config: {result.seed_name} (place the case in the repository folder '{result.folder}' "
        "for its relative paths)",
        f"command: losslab {' '.join(o.argv[1:]) if o else command}",
        f"exit: {exit_label(o) if o else '?'}; stdout {o.stdout_total if o else 0} bytes, "
        f"stderr {o.stderr_total if o else 0} bytes; {o.seconds:.2f} s" if o else "",
        f"reproduce: {reproduce_line(args, result.index)}",
        "",
        "stderr (first 6000 bytes):",
        (o.stderr[:6000].decode("utf-8", errors="replace") if o else ""),
    ]
    (folder / f"{stem}.txt").write_text("\n".join(lines), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------
# Minimization (delta debugging on lines, then on characters)


def minimize(index, args, ctx, workspaces, wanted_class):
    seed, data = make_case(args.seed, index, ctx)
    result = run_case(index, args, ctx, workspaces)
    findings = [f for f in result.findings if wanted_class is None or wanted_class.lower() in f[0].lower()]
    if not findings:
        print(f"case {index}: no finding{' of class ' + wanted_class if wanted_class else ''} to minimize")
        return 1
    cls, sig, command = findings[0]
    print(f"case {index}: minimizing '{cls}' ({sig}) of `{command}`, {len(data)} bytes")
    tail = dict(commands_for(seed, data, {"validate", "run", "train", "split"}, "CONFIG"))[command]
    budget = [args.minimize_budget]

    def still_fails(candidate):
        if budget[0] <= 0:
            return False
        budget[0] -= 1
        ws = workspaces.get()
        folder = ws / seed.folder
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"min-{index}.yaml"
        path.write_bytes(candidate)
        rel = str(Path(seed.folder) / path.name) if seed.folder != "." else path.name
        argv = [str(args.binary)] + [rel if a == "CONFIG" else a for a in tail]
        o = run_binary(argv, ws, args.timeout)
        shutil.rmtree(ws / "split-out", ignore_errors=True)
        got = judge(command, o, len(candidate), seed.training)
        return any(c == cls for c, _ in got)

    def shrink(parts, joiner):
        """Removes chunks of parts while the finding stays: chunks of half the parts, then a quarter, …,
        down to single parts (each size one pass over the parts)."""
        chunk = max(1, len(parts) // 2)
        while budget[0] > 0:
            i = 0
            while i < len(parts) and budget[0] > 0:
                candidate = parts[:i] + parts[i + chunk :]
                if candidate and still_fails(joiner(candidate)):
                    parts = candidate
                else:
                    i += chunk
            if chunk == 1:
                break
            chunk //= 2
        return parts

    def drop_blocks(current):
        """Removes YAML blocks: a line with every following line indented deeper (a key and its value, a
        list item and its fields), last lines first."""
        lines = current.split(b"\n")
        i = len(lines) - 1
        while i >= 0 and budget[0] > 0:
            indent = len(lines[i]) - len(lines[i].lstrip(b" "))
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip(b" ")) > indent):
                j += 1
            if j - i > 1:
                candidate = lines[:i] + lines[j:]
                if candidate and still_fails(b"\n".join(candidate)):
                    lines = candidate
            i = min(i, len(lines)) - 1
        return b"\n".join(lines)

    current = data
    while budget[0] > 0:
        before = current
        current = drop_blocks(current)
        current = b"\n".join(shrink(current.split(b"\n"), lambda ls: b"\n".join(ls)))
        # Then tokens: words, runs of blanks, single characters.
        pieces = re.findall(rb"\w+|\s+|.", current, re.S)
        current = b"".join(shrink(pieces, lambda ps: b"".join(ps)))
        if current == before:
            break
    keep = Path(args.keep)
    keep.mkdir(parents=True, exist_ok=True)
    out = keep / f"minimized-{index}.yaml"
    out.write_bytes(current)
    print(f"minimized to {len(current)} bytes ({args.minimize_budget - budget[0]} runs): {out}")
    print(f"command: losslab {' '.join(tail).replace('CONFIG', out.name)}  (from the folder '{seed.folder}')")
    print("-----")
    print(current.decode("utf-8", errors="backslashreplace")[:4000])
    print("-----")
    return 0


# ---------------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", help="the losslab binary (default: .build/release/losslab of this repository)")
    p.add_argument("--count", type=int, default=20000, help="cases to run (default: %(default)s)")
    p.add_argument("--start", type=int, default=0, help="the first case index (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="the random seed of the mutations (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel cases (default: CPU count)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per invocation (default: %(default)s)")
    p.add_argument("--keep", help="where failing inputs are saved (default: a fresh temporary folder)")
    p.add_argument("--commands", default="validate,run",
                   help="validate, run, train, split (the last two only for training seeds, with tiny "
                        "budgets; slow) (default: %(default)s)")
    p.add_argument("--only", type=int, metavar="INDEX", help="run one case and show its config and results")
    p.add_argument("--minimize", type=int, metavar="INDEX", help="shrink the config of one failing case")
    p.add_argument("--minimize-class", help="with --minimize: the finding class to keep (a substring)")
    p.add_argument("--minimize-budget", type=int, default=600, help="most runs spent minimizing")
    p.add_argument("--list-seeds", action="store_true", help="print the seeds and exit")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    args = p.parse_args(argv)
    args.binary_arg = args.binary or ".build/release/losslab"
    binary = Path(args.binary) if args.binary else REPO / ".build" / "release" / "losslab"
    args.binary = binary.resolve() if binary.exists() else binary
    args.commands = {c.strip() for c in args.commands.split(",") if c.strip()}
    unknown = args.commands - {"validate", "run", "train", "split"}
    if unknown:
        p.error(f"unknown commands: {', '.join(sorted(unknown))}")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    seeds = load_seeds()
    ctx = build_context(seeds)
    if args.list_seeds:
        for s in seeds:
            print(f"{s.name}  (folder {s.folder}{', training' if s.training else ''}, {len(s.text)} chars)")
        print(f"{len(seeds)} seeds, {len(ctx.keys)} keys, {len(ctx.values)} values")
        return 0
    if not args.binary.exists():
        print(f"mutate_configs: no binary at {args.binary}; build it with "
              "`swift build -c release --product losslab` or pass --binary", file=sys.stderr)
        return 2
    if args.keep is None:
        args.keep = tempfile.mkdtemp(prefix="losslab-fuzz-keep-")
    Path(args.keep).mkdir(parents=True, exist_ok=True)
    work_root = tempfile.mkdtemp(prefix="losslab-fuzz-work-")
    workspaces = Workspaces(work_root)
    try:
        if args.minimize is not None:
            return minimize(args.minimize, args, ctx, workspaces, args.minimize_class)
        if args.only is not None:
            return show_one(args.only, args, ctx, workspaces)
        return campaign(args, seeds, ctx, workspaces)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)


def show_one(index, args, ctx, workspaces):
    result = run_case(index, args, ctx, workspaces)
    seed, data = make_case(args.seed, index, ctx)
    print(f"case {index}: seed {seed.name} (folder {seed.folder}), {len(data)} bytes")
    print("-----")
    text = data.decode("utf-8", errors="backslashreplace")
    print(text if len(text) < 6000 else text[:3000] + f"\n… ({len(text)} characters) …\n" + text[-1000:])
    print("-----")
    for command, o in result.outcomes.items():
        print(f"losslab {' '.join(o.argv[1:])}: exit {exit_label(o)}, {o.seconds:.2f} s, "
              f"stdout {o.stdout_total} bytes, stderr {o.stderr_total} bytes")
        err = o.stderr[:600].decode("utf-8", errors="backslashreplace")
        if err:
            print("  " + err.replace("\n", "\n  "))
    result.data = data
    for cls, sig, command in result.findings:
        print(f"FINDING {cls}: {sig} [{command}]")
        save_finding(args.keep, args, result, cls, sig, command)
    if result.findings:
        print(f"saved under {args.keep}")
    return 1 if result.findings else 0


def campaign(args, seeds, ctx, workspaces):
    print(f"losslab fuzz: {len(seeds)} seeds, cases {args.start}..<{args.start + args.count}, seed {args.seed}, "
          f"{args.jobs} jobs, timeout {args.timeout:g} s, commands {','.join(sorted(args.commands))}")
    print(f"binary: {args.binary}")
    print(f"findings are saved under {args.keep}")
    began = time.monotonic()
    codes = collections.defaultdict(collections.Counter)
    stages = collections.Counter()
    groups = {}  # (class, signature) -> {count, commands, shortest: (size, result, command), saved}
    invocations = 0
    slowest = (0.0, None, None)
    done = 0
    validate_ok_run_failed = 0
    run_failures = collections.defaultdict(list)  # signature -> case indices (validate ok, run failed)
    indices = range(args.start, args.start + args.count)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        pending = set()
        it = iter(indices)

        def submit_next():
            try:
                i = next(it)
            except StopIteration:
                return False
            pending.add(pool.submit(run_case, i, args, ctx, workspaces))
            return True

        for _ in range(args.jobs * 4):
            if not submit_next():
                break
        while pending:
            finished, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in finished:
                pending.discard(fut)
                submit_next()
                result = fut.result()
                done += 1
                for command, o in result.outcomes.items():
                    invocations += 1
                    codes[command][exit_label(o)] += 1
                    if o.seconds > slowest[0]:
                        slowest = (o.seconds, result.index, command)
                    if command == "validate" and o.returncode == 65:
                        stages[classify_65(o.stderr)] += 1
                v, r = result.outcomes.get("validate"), result.outcomes.get("run")
                if v and r and v.returncode == 0 and r.returncode not in (0, None):
                    validate_ok_run_failed += 1
                    run_failures[stderr_signature(r.stderr)].append(result.index)
                for cls, sig, command in result.findings:
                    g = groups.setdefault((cls, sig), {"count": 0, "commands": collections.Counter(),
                                                       "shortest": None, "saved": 0})
                    g["count"] += 1
                    g["commands"][command] += 1
                    if g["saved"] < SAVED_PER_SIGNATURE:
                        save_finding(args.keep, args, result, cls, sig, command)
                        g["saved"] += 1
                    if g["shortest"] is None or result.size < g["shortest"][0]:
                        g["shortest"] = (result.size, result, command)
                if not args.quiet and done % 500 == 0:
                    elapsed = time.monotonic() - began
                    print(f"  {done} cases, {elapsed:.0f} s, {len(groups)} finding signatures", flush=True)
    elapsed = time.monotonic() - began
    for (cls, sig), g in groups.items():
        size, result, command = g["shortest"]
        save_finding(args.keep, args, result, cls, sig, command, tag=f"shortest-{slug(sig)}-{result.index}")

    print()
    print(f"cases run: {done}; invocations: {invocations}; wall time: {elapsed:.1f} s "
          f"({elapsed / max(done, 1) * 1000:.1f} ms per case)")
    print(f"slowest invocation: {slowest[0]:.2f} s (case {slowest[1]}, {slowest[2]})")
    print("exit codes per command:")
    for command in sorted(codes):
        dist = ", ".join(f"{k}: {v}" for k, v in sorted(codes[command].items(), key=lambda kv: -kv[1]))
        print(f"  {command}: {dist}")
    if stages:
        print("validate exit 65, by the first error's kind: "
              + ", ".join(f"{k}: {v}" for k, v in stages.most_common()))
    print(f"validate ok but run failed: {validate_ok_run_failed} cases (a loss that failed on a scenario, or a "
          "training config given to run)")
    for sig, cases in sorted(run_failures.items(), key=lambda kv: -len(kv[1]))[:8]:
        print(f"  {len(cases)}x {sig}  (e.g. case {min(cases)})")
    if not groups:
        print("findings: none")
        return 0
    by_class = collections.defaultdict(list)
    for (cls, sig), g in groups.items():
        by_class[cls].append((sig, g))
    total = sum(g["count"] for g in groups.values())
    print(f"findings: {total} in {len(by_class)} classes (saved under {args.keep})")
    for cls in sorted(by_class, key=lambda c: -sum(g["count"] for _, g in by_class[c])):
        entries = sorted(by_class[cls], key=lambda e: -e[1]["count"])
        print(f"  {cls}: {sum(g['count'] for _, g in entries)} invocations, {len(entries)} signatures")
        for sig, g in entries:
            size, result, command = g["shortest"]
            print(f"    - {sig}  [{g['count']}x; {', '.join(sorted(g['commands']))}]")
            print(f"      shortest: case {result.index} ({size} bytes, seed {result.seed_name}): "
                  f"{reproduce_line(args, result.index)}")
    return 1


def classify_65(stderr):
    """A validate exit 65's first error: from the YAML reader, or from the config decoder (it names a key
    path such as `losses[0].params`), or something else."""
    text = stderr.decode("utf-8", errors="replace")
    m = re.search(r"error: (.*)", text)
    if not m:
        return "other"
    message = m.group(1)
    if re.match(r"(while |did not find|found |mapping values|could not find|control characters|invalid |"
                 r"the file is not UTF-8|block sequence|unexpected end|incomplete|input is not|duplicate key|"
                 r"nesting|too many nodes|more than one document|the document|the file is empty)", message):
        return "yaml"
    if re.match(r"[A-Za-z_]\w*(\[\d+\])?(\.|:)", message) or message.startswith("a config") or "data" in message:
        return "decoder"
    return "other"


if __name__ == "__main__":
    sys.exit(main())

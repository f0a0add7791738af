"""Time `dam validate` on a large generated catalogue.

    python benchmarks/bench_validate.py [--count 10000] [--seed 7] [--bad 0] [--repeats 5]

Generates the catalogue once per (count, seed, bad) under /tmp/dam-bench/ and reuses it on
later runs; then runs `dam --root OUT validate --format json --today 2026-12-04` --repeats times and prints the
median, min and max wall time and the number of diagnostics reported.

`dam validate` exits 0 when the catalogue is clean and 1 when it reported errors; anything
else (a crash, a usage error) fails the benchmark with exit code 2. A clean catalogue that
reports errors, or a catalogue with --bad N that reports none, is flagged but still timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_catalogue  # noqa: E402

# The parse memo `dam validate` keeps between runs (builder.parsememo.MEMO_FILE).
MEMO_FILE = "cache/state/sidecars.pickle"


def catalogue(cache: Path, count: int, seed: int, bad: int, regenerate: bool = False) -> tuple[Path, list]:
    """The generated repository for these parameters, made once and reused."""
    out = cache / f"c{count}-s{seed}-b{bad}"
    marker = out / generate_catalogue.MARKER
    if not regenerate and marker.exists():
        meta = json.loads(marker.read_text(encoding="utf-8"))
        if (meta.get("generator"), meta.get("count"), meta.get("seed"), meta.get("bad")) == (
            generate_catalogue.GENERATOR_VERSION, count, seed, bad,
        ):
            print(f"reusing {out}", file=sys.stderr)
            return out, meta.get("bad_files", [])
    cache.mkdir(parents=True, exist_ok=True)
    # Build next to the final place and swap in, so an interrupted run never leaves a
    # half-written catalogue that a later run would reuse.
    work = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=cache))
    started = time.perf_counter()
    report = generate_catalogue.build(work / "repo", count, seed, bad=bad)
    print(f"generated {count} assets ({bad} bad) in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    if out.exists():
        shutil.rmtree(out)
    os.replace(work / "repo", out)
    shutil.rmtree(work, ignore_errors=True)
    return out, report


def count_diagnostics(stdout: str) -> tuple[int | None, Counter]:
    """Diagnostics in `dam validate --format json` output: a list, an object holding a list
    under 'diagnostics', or one JSON object per line. None when the output is not JSON."""
    text = stdout.strip()
    if not text:
        return 0, Counter()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            return None, Counter()
    if isinstance(data, dict):
        data = data.get("diagnostics", data.get("errors", []))
    if not isinstance(data, list):
        return None, Counter()
    severities = Counter(
        str(item.get("severity", item.get("level", "?"))) for item in data if isinstance(item, dict)
    )
    return len(data), severities


def dam_command() -> list[str]:
    exe = shutil.which("dam")
    return [exe] if exe else [sys.executable, "-m", "builder"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad", type=int, default=0, help="break this many files first")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold", action="store_true",
                        help="delete the parse memo (cache/state) before every run: time a first validation")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dam-bench"), help="where catalogues are kept")
    parser.add_argument("--regenerate", action="store_true", help="ignore a cached catalogue")
    parser.add_argument("--today", default=generate_catalogue.REFERENCE_DATE.isoformat(),
                        help="date to judge expiry on, so results do not drift (default: the generator's "
                        "reference date; '' for the real today)")
    parser.add_argument("--dam", default=None, help="the dam command (default: `dam` on PATH, else python -m builder)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    root, bad_files = catalogue(args.cache, args.count, args.seed, args.bad, args.regenerate)
    # --root is an option of the `dam` group, so it goes before the subcommand
    command = (args.dam.split() if args.dam else dam_command()) + ["--root", str(root), "validate", "--format", "json"]
    if args.today:
        command += ["--today", args.today]
    print("$ " + " ".join(command), file=sys.stderr)

    times: list[float] = []
    counts: list[int | None] = []
    for run in range(args.repeats):
        if args.cold:
            (root / MEMO_FILE).unlink(missing_ok=True)
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if result.returncode not in (0, 1):
            print(f"run {run + 1}: `dam validate` failed with exit code {result.returncode}", file=sys.stderr)
            print(result.stderr[-4000:], file=sys.stderr)
            return 2
        n, severities = count_diagnostics(result.stdout)
        times.append(elapsed)
        counts.append(n)
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(severities.items()))
        print(
            f"run {run + 1}: {elapsed:.3f} s, exit {result.returncode}, "
            f"{'unparsable JSON' if n is None else f'{n} diagnostics'}{f' ({detail})' if detail else ''}",
            file=sys.stderr,
        )
        if result.returncode == 1 and not args.bad:
            print("  note: the clean catalogue was reported as having errors", file=sys.stderr)
        if result.returncode == 0 and args.bad:
            print(f"  note: {args.bad} broken files, but no errors were reported", file=sys.stderr)

    if len(set(counts)) > 1:
        print(f"note: the number of diagnostics changed between runs: {counts}", file=sys.stderr)
    print(
        f"dam validate ({'cold: no parse memo' if args.cold else 'warm'}), {args.count} assets, {args.bad} bad, {args.repeats} runs: "
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s, "
        f"diagnostics {counts[-1] if counts[-1] is not None else 'unknown'}"
        + (f" (from {len(bad_files)} broken files)" if bad_files else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

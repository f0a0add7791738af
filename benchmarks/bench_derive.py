"""No-op `dam derive` over a large catalogue whose renditions are all cached.

Generates (or reuses) a catalogue with benchmarks/generate_catalogue.py, plants a tiny file
at every planned rendition's cache path (so no image work happens), then times `dam derive`
as a subprocess: once cold (no parse memo) and --repeats times warm. Prints medians.

    python benchmarks/bench_derive.py --count 10000 --repeats 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_catalogue import generate  # noqa: E402

from builder.cache import RenditionCache  # noqa: E402
from builder.catalogue import load  # noqa: E402
from builder.parsememo import MEMO_FILE  # noqa: E402
from builder.plan import plan  # noqa: E402

TODAY = "2026-12-04"


def prepare(count: int, seed: int) -> Path:
    root = Path(f"/tmp/dam-bench/derive-c{count}-s{seed}")
    if not (root / "catalogue").is_dir():
        generate(root, count, seed)
    loaded = load(root, today=dt.date.fromisoformat(TODAY), rules=False)
    cache = RenditionCache.at(root)
    for planned in plan(loaded.catalogue, dt.date.fromisoformat(TODAY)).renditions:
        target = cache.path(planned.filename)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"x")
    return root


def timed(root: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(["dam", "--root", str(root), "derive", "--today", TODAY], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "0 rendered," not in done.stderr.splitlines()[-1]:
        raise SystemExit(f"dam derive did work or failed:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    root = prepare(args.count, args.seed)
    cold = []
    for _ in range(max(1, args.repeats // 2)):
        (root / MEMO_FILE).unlink(missing_ok=True)
        cold.append(timed(root))
    warm = [timed(root) for _ in range(args.repeats)]
    print(f"no-op dam derive, {args.count} assets, all renditions cached")
    print(f"  cold (no parse memo): median {statistics.median(cold):.2f} s  (runs: {', '.join(f'{t:.2f}' for t in cold)})")
    print(f"  warm:                 median {statistics.median(warm):.2f} s  (min {min(warm):.2f}, max {max(warm):.2f})")
    shutil.rmtree(root / "cache/renditions/tmp", ignore_errors=True)


if __name__ == "__main__":
    main()

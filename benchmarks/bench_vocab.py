"""Time `dam vocab rename` on a large generated catalogue.

    python benchmarks/bench_vocab.py [--count 10000] [--seed 7] [--repeats 3]

Generates a catalogue in a temporary folder, then renames, back and forth so every run starts
from the same files:
  - a channel used by most sidecars (`web`, in `channels` and `rights.usage`): the worst case,
    nearly every file is parsed and rewritten;
  - a rare tag: most files are skipped by the text check before parsing;
  - a collection: its sidecars are edited and its folders under catalogue/assets and media move.
Prints the median, min and max wall time of each, and the number of files changed. The goal
is under 30 s for 10,000 sidecars.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate_catalogue  # noqa: E402

from builder.catalogue import sidecar_paths  # noqa: E402
from builder.vocab import rename  # noqa: E402


def rarest_tag(root: Path) -> str:
    import yaml  # noqa: PLC0415

    counts: Counter = Counter()
    for relative in sidecar_paths(root)[:2000]:
        data = yaml.load((root / relative).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        counts.update(data.get("tags", []) if isinstance(data, dict) else [])
    return min(counts, key=lambda tag: (counts[tag], tag))


def time_pair(root: Path, field: str, term: str, other: str, repeats: int) -> tuple[list[float], int]:
    times, changed = [], 0
    for _ in range(repeats):
        for old, new in ((term, other), (other, term)):
            started = time.perf_counter()
            change = rename(root, field, old, new)
            times.append(time.perf_counter() - started)
            changed = max(changed, len(change.files))
    return times, changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3, help="back-and-forth pairs per case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dam-bench-vocab.") as tmp:
        root = Path(tmp) / "repo"
        started = time.perf_counter()
        generate_catalogue.generate(root, args.count, args.seed)
        print(f"generated {args.count} sidecars in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        collection = sorted((root / "catalogue/assets").iterdir())[0].name
        cases = [
            ("channel used by most sidecars", "channels", "web", "website"),
            ("rare tag", "tags", rarest_tag(root), "renamed-tag"),
            (f"collection {collection}", "collections", collection, f"{collection}-renamed"),
        ]
        for label, field, term, other in cases:
            times, changed = time_pair(root, field, term, other, args.repeats)
            print(f"{label:32} {changed:6d} files changed  median {statistics.median(times):6.2f} s"
                  f"  min {min(times):6.2f} s  max {max(times):6.2f} s  ({len(times)} runs, {args.count} sidecars)")


if __name__ == "__main__":
    main()

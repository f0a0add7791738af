"""Time `dam build` on a large generated catalogue with cached renditions.

    python benchmarks/bench_build.py [--count 10000] [--seed 7] [--repeats 3] [--profile public]

Generates the catalogue once under /tmp/dam-bench/ (reused on later runs), fakes every planned
rendition in the cache with a tiny file of the right format (a real 16x12 still for images, so
pixel sizes are read as in production; a few bytes for audio and video), so no rendering happens.
Then, --repeats times each:

- full build: `dam build` into an empty output folder;
- rebuild after one sidecar change: the title of one sidecar is edited, then `dam build` again
  into the same output (unchanged pages are hard-linked from the previous site).

Prints the median, min and max of each, the number of pages rendered by a rebuild, and the size
of the largest asset page (the budget is 100 KB without its media).
"""

from __future__ import annotations

import argparse
import re
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import generate_catalogue  # noqa: E402

TODAY = "2026-12-04"
DAM = (
    "import sys; from builder.cli import cli; from builder import cli_site; "
    "[cli.add_command(c) for c in (cli_site.build, cli_site.serve) if c.name not in cli.commands]; "
    "cli(sys.argv[1:], prog_name='dam')"
)


def repository(cache: Path, count: int, seed: int) -> Path:
    out = cache / f"build-c{count}-s{seed}"
    if (out / generate_catalogue.MARKER).exists():
        print(f"reusing {out}", file=sys.stderr)
        return out
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    generate_catalogue.build(out, count, seed)
    print(f"generated {count} assets in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return out


def tiny_files() -> dict[str, bytes]:
    from PIL import Image

    files = {}
    for fmt in ("jpeg", "png", "webp"):
        buffer = io.BytesIO()
        Image.new("RGB", (16, 12), (120, 140, 160)).save(buffer, fmt.upper())
        files[fmt] = buffer.getvalue()
    files.update({"mp4": b"\0\0\0\x08free", "m4a": b"\0\0\0\x08free", "mp3": b"ID3\3\0\0\0\0\0\0"})
    return files


def fake_renditions(root: Path) -> int:
    """Write a tiny file at every planned key the cache lacks; returns how many were written."""
    import datetime as dt

    from builder.cache import RenditionCache
    from builder.catalogue import load
    from builder.plan import plan

    today = dt.date.fromisoformat(TODAY)
    planned = plan(load(root, today=today).catalogue, today)
    cache = RenditionCache.at(root)
    present = cache.present()
    data = tiny_files()
    written = 0
    for item in planned.renditions:
        if item.filename in present:
            continue
        path = cache.path(item.filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[item.spec.format])
        written += 1
    return written


def dam_build(root: Path, out: Path, profile: str) -> tuple[float, int]:
    """Wall time of one `dam build`, and how many pages it rendered (the rest were reused)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", DAM, "--root", str(root), "build", "--profile", profile,
                           "--out", str(out), "--today", TODAY], capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        print(done.stdout, done.stderr, file=sys.stderr)
        raise SystemExit(f"dam build failed with exit status {done.returncode}")
    found = re.search(r"\((\d+) rendered, (\d+) unchanged\)", done.stderr)
    return elapsed, int(found.group(1)) if found else -1


def touch_one_sidecar(root: Path, out: Path, round_number: int) -> Path:
    """Edit the title of one published asset (the middle one of the feed), as an editor's PR would."""
    import json

    feed = json.loads((out / "assets.json").read_text(encoding="utf-8"))["assets"]
    asset_id = feed[len(feed) // 2]["id"]
    sidecar = next((root / "catalogue/assets").rglob(f"{asset_id}.yaml"))
    lines = sidecar.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("title: "):
            lines[i] = f'title: "Benchmark edit {round_number}"\n'
    sidecar.write_text("".join(lines), encoding="utf-8")
    return sidecar


def figures(name: str, times: list[float]) -> str:
    return f"{name}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", default="public")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dam-bench"))
    args = parser.parse_args(argv)

    root = repository(args.cache, args.count, args.seed)
    print(f"faked {fake_renditions(root)} cached rendition(s)", file=sys.stderr)
    out = root / "site"
    full, rebuild, rendered = [], [], []
    for round_number in range(args.repeats):
        shutil.rmtree(out, ignore_errors=True)
        full.append(dam_build(root, out, args.profile)[0])
        print(figures("full build", full), file=sys.stderr)
        touch_one_sidecar(root, out, round_number)
        elapsed, count = dam_build(root, out, args.profile)
        rebuild.append(elapsed)
        rendered.append(count)
        print(figures("rebuild after one sidecar change", rebuild), file=sys.stderr)

    pages = sorted((out / "assets").glob("*/index.html"), key=lambda p: p.stat().st_size)
    sizes = [p.stat().st_size for p in pages]
    print(f"catalogue: {args.count} generated assets, profile {args.profile}, {len(pages)} published asset pages, "
          f"{sum(1 for _ in (out / 'renditions').iterdir())} rendition files")
    print(figures("full build", full))
    print(figures("rebuild after one sidecar change", rebuild) + f"; pages rendered by each rebuild: {rendered}")
    print(f"asset page size: median {statistics.median(sizes) / 1000:.1f} KB, largest {sizes[-1] / 1000:.1f} KB "
          f"({pages[-1].parent.name}); budget 100 KB")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file() and "renditions" not in f.parts)
    print(f"site without renditions: {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

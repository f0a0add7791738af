"""`dam import` of 1,000 generated images: images per second, DVC's share, and the no-op rerun.

The images (640x480 JPEGs, each a different gradient with shapes, so their perceptual hashes
differ) are generated once and cached in /tmp/dam-bench/import-images-<count>/. Each run
starts from a fresh Git + DVC repository, imports them through a CSV sheet with a mapping
(values to clean, embedded metadata to harvest), then imports the same sheet again, which
must change nothing. DVC's time is measured around every `dvc` subprocess the import starts.

    python benchmarks/bench_import.py --count 1000
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw  # noqa: E402

from builder import dvc  # noqa: E402
from builder.importer import import_sheet  # noqa: E402
from builder.ingest import terminal_progress  # noqa: E402

TAXONOMY = """\
owners:
  studio: {name: Studio, handles: [alice]}
collections:
  bench: {title: Benchmark, owners: [studio]}
tags: [beach, city, forest, people]
channels: {web: {label: Web}, social: {label: Social}}
licences: {royalty-free: {label: Royalty free}}
"""
MAPPING = """\
file: File
columns:
  title: Title
  tags: {column: Keywords, synonyms: {seaside: beach}}
  channels: {column: Channels, synonyms: {"Social Media": social}}
  rights.expires: {column: Expires, date_format: "%d/%m/%Y"}
defaults: {owner: studio, rights.licence: royalty-free}
"""


def images(count: int) -> Path:
    folder = Path(f"/tmp/dam-bench/import-images-{count}")
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(42)
    for number in range(count):
        image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(5):
            x, y, r = rng.randrange(640), rng.randrange(480), rng.randrange(20, 140)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
        exif = Image.Exif()
        exif[0x013B] = f"Photographer {number % 17}"
        image.save(folder / f"IMG_{number:05d}.jpg", quality=85, exif=exif)
    done.touch()
    return folder


def sheet(folder: Path, count: int, path: Path) -> None:
    words = ["Beach", "seaside", "CITY", "Forest", "people", "Mountains"]
    channels = ["Social Media", "web", "Web, Social Media"]
    lines = ["File,Title,Keywords,Channels,Expires"]
    for number in range(count):
        lines.append(f"IMG_{number:05d}.jpg,Picture {number},{words[number % 6]}; {words[(number + 1) % 6]},"
                     f"\"{channels[number % 3]}\",{1 + number % 28:02d}/06/2027")
    path.write_text("\n".join(lines) + "\n")


class DvcClock:
    """Seconds spent inside `dvc` subprocesses."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._run = dvc.run

    def __enter__(self) -> "DvcClock":
        def timed(root, *args):
            started = time.perf_counter()
            try:
                return self._run(root, *args)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        dvc.run = timed
        return self

    def __exit__(self, *exc) -> None:
        dvc.run = self._run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the repository (its path is printed)")
    args = parser.parse_args()

    media = images(args.count)
    work = Path(tempfile.mkdtemp(prefix="dam-bench-import-"))
    root = work / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    dvc.ensure_project(root)
    (root / "catalogue" / "assets").mkdir(parents=True)
    (root / "catalogue" / "taxonomy.yaml").write_text(TAXONOMY)
    (root / "media").mkdir()
    sheet(media, args.count, work / "sheet.csv")
    (work / "mapping.yaml").write_text(MAPPING)
    progress = terminal_progress

    with DvcClock() as clock:
        started = time.perf_counter()
        report = import_sheet(root, work / "sheet.csv", media, mapping=work / "mapping.yaml", collection="bench",
                              progress=progress)
        first = time.perf_counter() - started
    imported = len(report.to_import)
    assert imported == args.count, report.summary_counts()

    started = time.perf_counter()
    again = import_sheet(root, work / "sheet.csv", media, mapping=work / "mapping.yaml", collection="bench",
                         progress=progress)
    second = time.perf_counter() - started
    assert not again.to_import and len(again.already) == args.count

    folders = [p for p in (root / "media" / "bench").rglob("*") if p.is_dir()]
    print(f"first import:  {imported} images in {first:.1f} s = {imported / first:.1f} images/s")
    print(f"  dvc:         {clock.seconds:.1f} s ({100 * clock.seconds / first:.0f}%) in {clock.calls} dvc call(s)")
    print(f"  our code:    {first - clock.seconds:.1f} s ({100 * (first - clock.seconds) / first:.0f}%): "
          f"read, md5, probe + pHash, harvest, clean, copy, write sidecars")
    print(f"  shards:      {len(folders)} part folder(s) under media/bench/")
    print(f"second import (no change): {second:.2f} s, {len(again.already)} rows already imported")
    if args.keep:
        print(f"repository: {root}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

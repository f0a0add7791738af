"""Image engine throughput against plain Pillow, on camera-sized JPEGs.

    python benchmarks/bench_images.py [--count 200] [--repeats 3] [--webp-count 30]

Masters: 4000x3000 photo-like JPEGs of 2-3 MB, every fifth with EXIF orientation 6 and every
fifth with 8, cached under --cache (they take about a second each to make). Reported as the
median images/s over the repeats:

  baseline   per output: open, draft(), exif_transpose, LANCZOS resize / ImageOps.fit, save
  engine     builder.derive.images.render_image, one process
  engine x2  the same over a 2-process pool
  webp m=N   the engine writing the default WebP thumb (480) + preview (1600) at method N
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from builder.derive import images  # noqa: E402
from builder.jobs import MasterJob, OutputJob  # noqa: E402
from imagefactory import camera_exif, photo  # noqa: E402

SIZE = (4000, 3000)
# (name, kind, width, height, aspect): a 320 px thumbnail, a 1600 px preview, a 1080 square.
JPEG_OUTPUTS = (("thumb", "resize", 320, 320, None), ("preview", "resize", 1600, 1600, None), ("square", "crop", 1080, None, (1, 1)))
WEBP_OUTPUTS = (("thumb", "resize", 480, 480, None), ("preview", "resize", 1600, 1600, None))


def make_master(args: tuple[int, str]) -> str:
    index, path = args
    if not os.path.exists(path):
        orientation = {1: 6, 3: 8}.get(index % 5)
        exif = camera_exif(orientation, gps=False) if orientation else Image.Exif()
        photo(SIZE, seed=index).save(path + ".part", "JPEG", quality=90, exif=exif)
        os.replace(path + ".part", path)
    return path


def masters(cache: Path, count: int) -> list[str]:
    cache.mkdir(parents=True, exist_ok=True)
    paths = [(i, str(cache / f"master-{i:04d}.jpg")) for i in range(count)]
    missing = [p for p in paths if not os.path.exists(p[1])]
    if missing:
        print(f"making {len(missing)} masters in {cache} ...", flush=True)
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(make_master, missing))
    return [p for _, p in paths]


# --- the contenders -----------------------------------------------------------------------


def baseline(master: str, out: str) -> None:
    """What most code does: every output on its own, straight from the master."""
    for name, kind, width, height, _ in JPEG_OUTPUTS:
        with Image.open(master) as im:
            target = (width, height or width)
            if kind == "resize":
                scale = min(target[0] / max(im.size), 1.0)
                target = (round(im.width * scale), round(im.height * scale))
            im.draft("RGB", target)  # what Image.thumbnail() asks for
            im = ImageOps.exif_transpose(im)
            if kind == "resize":
                scale = min(width / im.width, height / im.height, 1.0)
                result = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
            else:
                result = ImageOps.fit(im, target, Image.Resampling.LANCZOS)
            result.save(os.path.join(out, f"{name}.jpg"), "JPEG", quality=85)


def job_for(master: str, out: str, specs, fmt: str) -> MasterJob:
    outputs = tuple(
        OutputJob(key=name, name=name, kind=kind, format=fmt, path=os.path.join(out, f"{name}.{fmt}"),
                  width=width, height=height, aspect=aspect, quality=85 if fmt == "jpeg" else 80)
        for name, kind, width, height, aspect in specs
    )
    return MasterJob(asset_id=Path(master).stem, master=master, media_kind="image", media_type="image/jpeg",
                     outputs=outputs, credit="(c) Bench 2026")


def engine(master: str, out: str) -> None:
    images.render_image(job_for(master, out, JPEG_OUTPUTS, "jpeg"))


def engine_webp(args: tuple[str, str, int]) -> int:
    master, out, method = args
    job = job_for(master, out, WEBP_OUTPUTS, "webp")
    previous, images.WEBP_METHOD = images.WEBP_METHOD, method  # benchmark-only override
    try:
        images.render_image(job)
    finally:
        images.WEBP_METHOD = previous
    return sum(os.path.getsize(o.path) for o in job.outputs)


def _pool_task(args: tuple[str, str]) -> None:
    engine(*args)


# --- measuring ----------------------------------------------------------------------------


def out_dirs(work: Path, count: int) -> list[str]:
    dirs = [work / f"o{i:04d}" for i in range(count)]
    for d in dirs:
        d.mkdir(exist_ok=True)
    return [str(d) for d in dirs]


def timed(run, paths: list[str], outs: list[str]) -> tuple[float, float]:
    """(images per wall second, images per CPU second of this process). The CPU figure is the
    steadier one on a shared machine; it means nothing for the pool, whose work is elsewhere."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(paths, outs)
    return len(paths) / (time.perf_counter() - wall), len(paths) / max(1e-9, time.process_time() - cpu)


def serial(fn):
    return lambda paths, outs: [fn(p, o) for p, o in zip(paths, outs)]


def report(label: str, runs: list[tuple[float, float]], cpu: bool = True) -> tuple[float, float]:
    wall = statistics.median(r[0] for r in runs)
    per_cpu = statistics.median(r[1] for r in runs)
    extra = f"   {per_cpu:6.2f} images/CPU-s" if cpu else ""
    print(f"{label:<28} {wall:6.2f} images/s{extra}   (wall runs: {', '.join(f'{r[0]:.2f}' for r in runs)})", flush=True)
    return wall, per_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--webp-count", type=int, default=30, help="masters for the slower WebP runs")
    parser.add_argument("--webp-methods", default="0,2,4,6")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "dam-bench-images")
    args = parser.parse_args()

    paths = masters(args.cache, args.count)
    sizes = [os.path.getsize(p) for p in paths]
    print(f"{len(paths)} masters {SIZE[0]}x{SIZE[1]}, {min(sizes) / 1e6:.1f}-{max(sizes) / 1e6:.1f} MB, "
          f"{os.cpu_count()} CPUs, Pillow {Image.__version__}\n", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        outs = out_dirs(Path(tmp), len(paths))
        serial(engine)(paths[:2], outs[:2])  # warm caches and imports before timing anything
        runs: dict[str, list] = {"baseline": [], "engine": [], "pool": []}
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_pool_task, zip(paths[:2], outs[:2])))
            for _ in range(args.repeats):  # interleaved, so background load hits all alike
                runs["baseline"].append(timed(serial(baseline), paths, outs))
                runs["engine"].append(timed(serial(engine), paths, outs))
                runs["pool"].append(timed(lambda ps, os_: list(pool.map(_pool_task, zip(ps, os_))), paths, outs))
        base = report("baseline (plain Pillow)", runs["baseline"])
        ours = report("engine, 1 process", runs["engine"])
        pooled = report("engine, 2 processes", runs["pool"], cpu=False)
        print(f"\nengine / baseline   {ours[0] / base[0]:.2f}x wall, {ours[1] / base[1]:.2f}x CPU")
        print(f"2-proc / 1-proc     {pooled[0] / ours[0]:.2f}x wall\n")

        webp_paths, webp_outs = paths[: args.webp_count], outs[: args.webp_count]
        for method in (int(m) for m in args.webp_methods.split(",")):
            sizes: list[int] = []

            def run(ps, os_, method=method, sizes=sizes):
                sizes[:] = [engine_webp((p, o, method)) for p, o in zip(ps, os_)]

            report(f"webp 480+1600 method={method}", [timed(run, webp_paths, webp_outs) for _ in range(args.repeats)])
            print(f"{'':<28} {statistics.mean(sizes) / 1024:6.1f} KiB per master", flush=True)


if __name__ == "__main__":
    main()

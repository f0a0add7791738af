"""Video engine cost against plain ffmpeg.

    python benchmarks/bench_video.py [--seconds 60] [--repeats 3]

1. proxy: `ffmpeg -i clip -vf scale=-2:720 -c:v libx264 -preset veryfast -crf 28 -c:a aac
   -movflags +faststart out.mp4` vs `render_video` with only the proxy (target <= 1.1x).
2. one master: proxy + three crops + loop in one run vs the sum of one run per output
   (target <= 0.8x).

The clip (testsrc2 1080p30 + a sine, x264) is cached in /tmp. Medians of wall-clock time, with
the CPU time of the ffmpeg children alongside.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from builder.derive.video import render_video
from builder.jobs import MasterJob, OutputJob
from builder.renditions import default_renditions


def make_clip(seconds: int) -> Path:
    clip = Path(tempfile.gettempdir()) / f"dam-bench-1080p30-{seconds}s.mp4"
    if not clip.exists():
        partial = clip.with_suffix(".part.mp4")
        subprocess.run(
            [
                "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-c:v", "libx264", "-preset", "fast", "-crf", "20", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "192k", str(partial),
            ],
            check=True,
        )
        partial.rename(clip)
    return clip


def timed(action) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one call."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def outputs(directory: Path, names: tuple[str, ...]) -> list[OutputJob]:
    specs = {spec.name: spec for spec in default_renditions()["video"]}
    jobs = []
    for name in names:
        spec = specs[name]
        aspect = tuple(int(n) for n in spec.aspect.split(":")) if spec.aspect else None
        jobs.append(
            OutputJob(
                key=name, name=name, kind=spec.kind, format=spec.format,
                path=str(directory / f"{name}.{spec.extension}"), width=spec.width, height=spec.height,
                aspect=aspect, quality=spec.quality, duration=spec.duration,
            )
        )
    return jobs


def job(clip: Path, outs: list[OutputJob]) -> MasterJob:
    return MasterJob(asset_id="bench", master=str(clip), media_kind="video", media_type="video/mp4",
                     outputs=tuple(outs), focus=(0.6, 0.4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the 1080p30 test clip")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    clip = make_clip(args.seconds)
    work = Path(tempfile.mkdtemp(prefix="dam-bench-"))
    print(f"clip: {clip} ({args.seconds} s 1080p30, {os.path.getsize(clip) / 1e6:.1f} MB), "
          f"{os.cpu_count()} CPUs, {args.repeats} repeats, medians")

    plain_out = work / "plain.mp4"
    plain = [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip),
        "-vf", "scale=-2:720", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
        "-c:a", "aac", "-movflags", "+faststart", str(plain_out),
    ]
    proxy_only = outputs(work, ("proxy",))
    moving = ("proxy", "square", "wide", "story", "loop")
    all_in_one = outputs(work, moving)

    samples: dict[str, list] = {"plain": [], "proxy": [], "one-run": [], "separate": []}
    for _ in range(args.repeats):
        samples["plain"].append(timed(lambda: subprocess.run(plain, check=True)))
        samples["proxy"].append(timed(lambda: render_video(job(clip, proxy_only))))
        samples["one-run"].append(timed(lambda: render_video(job(clip, all_in_one))))
        separate = [timed(lambda o=o: render_video(job(clip, [o]))) for o in outputs(work, moving)]
        samples["separate"].append((sum(s[0] for s in separate), sum(s[1] for s in separate)))

    m = {name: median(values) for name, values in samples.items()}
    print(f"{'run':<34}{'wall s':>9}{'cpu s':>9}")
    for label, name in (
        ("plain ffmpeg proxy", "plain"),
        ("render_video proxy", "proxy"),
        ("one run: proxy+3 crops+loop", "one-run"),
        ("separate runs, summed", "separate"),
    ):
        print(f"{label:<34}{m[name][0]:>9.2f}{m[name][1]:>9.2f}")
    proxy_ratio = m["proxy"][0] / m["plain"][0]
    share_ratio = m["one-run"][0] / m["separate"][0]
    print(f"proxy / plain          = {proxy_ratio:.2f}x wall, {m['proxy'][1] / m['plain'][1]:.2f}x cpu "
          f"(target <= 1.1x) {'OK' if proxy_ratio <= 1.1 else 'MISSED'}")
    print(f"one run / separate sum = {share_ratio:.2f}x wall, {m['one-run'][1] / m['separate'][1]:.2f}x cpu "
          f"(target <= 0.8x) {'OK' if share_ratio <= 0.8 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""derive: plan -> files in the rendition cache. Only missing keys are rendered, in parallel.

Each master becomes one small frozen `MasterJob` listing its missing outputs; workers get
nothing else. A master that fails fails its asset: its temporaries are discarded, the other
assets still render, and the caller gets a report to summarise and exit non-zero on.
"""

from __future__ import annotations

import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import click

from builder.cache import RenditionCache
from builder.catalogue import Catalogue
from builder.jobs import EngineLimits, MasterError, MasterJob, OutputJob
from builder.plan import Plan, PlannedRendition
from builder.rules import safe_master_path


@dataclass(frozen=True)
class DeriveReport:
    rendered: int = 0  # outputs written this run
    cached: int = 0  # outputs already in the cache
    failed: dict[str, str] = field(default_factory=dict)  # asset id -> why

    def summary(self) -> str:
        return f"{self.rendered} rendered, {self.cached} cached, {len(self.failed)} asset(s) failed"


@dataclass(frozen=True)
class JobOutcome:
    asset_id: str
    error: str | None


def _engine(kind: str) -> Callable[[MasterJob], None]:
    if kind == "image":
        from builder.derive.images import render_image as engine
    elif kind == "video":
        from builder.derive.video import render_video as engine
    elif kind == "audio":
        from builder.derive.audio import render_audio as engine
    else:
        from builder.derive.documents import render_document as engine
    return engine


def run_job(job: MasterJob) -> JobOutcome:
    """Runs in a worker: render, then make sure every promised file is really there."""
    try:
        _engine(job.media_kind)(job)
        missing = [o.name for o in job.outputs if not Path(o.path).is_file() or Path(o.path).stat().st_size == 0]
        if missing:
            raise MasterError(f"engine produced no file for {', '.join(missing)}")
        return JobOutcome(job.asset_id, None)
    except MasterError as exc:
        return JobOutcome(job.asset_id, str(exc))
    except Exception as exc:  # a bug or an unforeseen master: fail the asset, keep the build
        last = traceback.format_exception_only(exc)[-1].strip()
        return JobOutcome(job.asset_id, f"internal error while rendering: {last}")


def _output_job(planned: PlannedRendition, temporary: Path) -> OutputJob:
    spec = planned.spec
    aspect = tuple(int(part) for part in spec.aspect.split(":")) if spec.aspect else None
    return OutputJob(
        key=planned.key, name=spec.name, kind=spec.kind, format=spec.format, path=str(temporary),
        width=spec.width, height=spec.height, aspect=aspect, quality=spec.quality,
        bitrate_kbps=spec.bitrate_kbps, duration=spec.duration,
    )


def master_jobs(catalogue: Catalogue, missing: Iterable[PlannedRendition], cache: RenditionCache,
                limits: EngineLimits) -> tuple[list[MasterJob], dict[str, str]]:
    """One job per master with missing outputs; assets whose master is not here fail early."""
    by_asset: dict[str, list[PlannedRendition]] = {}
    for planned in missing:
        by_asset.setdefault(planned.asset_id, []).append(planned)
    jobs, failed = [], {}
    assets = {asset.id: asset for asset in catalogue.assets}
    for asset_id, wanted in sorted(by_asset.items()):
        asset = assets[asset_id]
        master, why = safe_master_path(catalogue.root / "media", asset.master)
        if master is None or not master.is_file():
            failed[asset_id] = f"master media/{asset.master} is {why or 'not in the working tree'}; run `dvc pull` to fetch it"
            continue
        outputs = tuple(_output_job(p, cache.temporary(p.filename)) for p in wanted)
        jobs.append(MasterJob(
            asset_id=asset_id, master=str(master), media_kind=asset.kind or "", media_type=asset.media_type or "",
            outputs=outputs, focus=(asset.focus.x, asset.focus.y) if asset.focus else None,
            crops=tuple(sorted((aspect, (b.x, b.y, b.w, b.h)) for aspect, b in asset.crops.items())),
            poster_at=asset.poster_seconds, credit=asset.rights.credit, limits=limits,
        ))
    return jobs, failed


def _settle(job: MasterJob, outcome: JobOutcome, cache: RenditionCache) -> int:
    """Move a finished job's files into the cache, or discard them all if it failed."""
    for output in job.outputs:
        if outcome.error:
            cache.discard(Path(output.path))
        else:
            cache.commit(Path(output.path))
    return 0 if outcome.error else len(job.outputs)


def _progress(total: int) -> Callable[[str, str | None], None]:
    """A bar on a terminal, one plain line per master in CI logs."""
    if sys.stderr.isatty():
        bar = click.progressbar(length=total, label="Rendering", file=sys.stderr)
        bar.__enter__()

        def tick(asset_id: str, error: str | None) -> None:
            bar.update(1)
            if bar.pos >= total:
                bar.__exit__(None, None, None)
        return tick
    done = [0]

    def line(asset_id: str, error: str | None) -> None:
        done[0] += 1
        click.echo(f"[{done[0]}/{total}] {asset_id}: {'FAILED' if error else 'ok'}", err=True)
    return line


def derive(catalogue: Catalogue, plan: Plan, jobs: int | None = None, quiet: bool = False) -> DeriveReport:
    cache = RenditionCache.at(catalogue.root)
    stored = cache.present()
    missing = [p for p in plan.renditions if p.filename not in stored]
    limits = catalogue.settings.limits
    engine_limits = EngineLimits(limits.max_image_pixels, limits.ffmpeg_timeout_s, limits.ffmpeg_memory_mb)
    work, failed = master_jobs(catalogue, missing, cache, engine_limits)
    failed.update(dict(plan.unplannable))
    rendered = 0
    if work:
        tick = (lambda *_: None) if quiet else _progress(len(work))
        workers = min(jobs or os.cpu_count() or 1, len(work))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_job, job): job for job in work}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory, crashed decoder)
                    outcome = JobOutcome(job.asset_id, "the rendering process died; the master may be hostile")
                rendered += _settle(job, outcome, cache)
                if outcome.error:
                    failed[job.asset_id] = outcome.error
                tick(job.asset_id, outcome.error)
    return DeriveReport(rendered=rendered, cached=len(plan.renditions) - len(missing), failed=failed)

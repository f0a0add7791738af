"""Visual review pages for a pull request: old and new renditions of each changed asset, side by side.

The old renditions are planned from the base revision's sidecar (its focus, crops, poster
time, credit) and its master md5. When the master did not change they can be rendered from
the master in the working tree, so a moved focus point shows both crops; when it did, they
come from the rendition cache (which CI pulls from the DVC remote) or are marked missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from builder.cache import RenditionCache
from builder.catalogue import Catalogue
from builder.derive.pool import DeriveReport, derive
from builder.models import Asset
from builder.plan import Plan, PlannedRendition, key_params
from builder.renditions import rendition_key
from builder.review import AssetChange, Review
from builder.site import PUBLISHED_KEY_CHARS, Page

REVIEW_TEMPLATE = "review.html"
STILL_FORMATS = ("jpeg", "webp", "png")


@dataclass(frozen=True)
class Side:
    """One rendition of one side: its published path, or None when it could not be had."""

    path: str | None
    is_video: bool


@dataclass(frozen=True)
class ReviewSite:
    pages: tuple[Page, ...]
    renditions: dict[str, Path]  # published name -> cache file
    derived: DeriveReport


def planned_for(asset: Asset, catalogue: Catalogue) -> tuple[PlannedRendition, ...]:
    """The renditions an asset version needs, keyed exactly as `plan` keys them."""
    if asset.technical is None or asset.kind is None:
        return ()
    return tuple(
        PlannedRendition(asset.id, spec, rendition_key(asset.kind, asset.technical.md5, spec, key_params(asset, spec)))
        for spec in catalogue.settings.renditions.get(asset.kind, ())
    )


def published_name(planned: PlannedRendition) -> str:
    return f"{planned.key[:PUBLISHED_KEY_CHARS]}.{planned.spec.extension}"


def _renderable_before(change: AssetChange) -> bool:
    """Old renditions can be made from today's master only when the master is the same file."""
    before, after = change.before, change.after
    return bool(before and after and before.technical and after.technical
                and before.technical.md5 == after.technical.md5 and before.master == after.master)


def _side(planned: PlannedRendition | None, stored: set[str], wanted: dict[str, Path], cache: RenditionCache) -> Side:
    if planned is None:
        return Side(None, False)
    is_video = planned.spec.format == "mp4"
    if planned.filename not in stored:
        return Side(None, is_video)
    wanted[published_name(planned)] = cache.path(planned.filename)
    return Side(f"renditions/{published_name(planned)}", is_video)


def _change_data(change: AssetChange, old: dict, new: dict, stored: set[str], wanted: dict[str, Path],
                 cache: RenditionCache) -> dict:
    names = list(dict.fromkeys([*new, *old]))
    rows = []
    for name in names:
        before, after = old.get(name), new.get(name)
        spec = (after or before).spec
        rows.append({
            "name": name, "label": spec.label or name,
            "before": _side(before, stored, wanted, cache), "after": _side(after, stored, wanted, cache),
            "changed": (before.key if before else None) != (after.key if after else None),
        })
    return {
        "asset_id": change.asset_id, "title": change.title, "kind": change.kind, "portal": change.portal,
        "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in change.fields],
        "master_replaced": change.master_replaced, "rows": rows,
        "changed_count": sum(1 for row in rows if row["changed"]),
    }


def review_site(catalogue: Catalogue, report: Review, today: dt.date, jobs: int | None = None) -> ReviewSite:
    """Pages `review/` (the list) and `review/<id>/` (side by side) for every changed asset."""
    changes = [c for c in report.changes if c.after is not None or c.before is not None]
    befores = [c.before for c in changes if c.before is not None and _renderable_before(c)]
    afters = [c.after for c in changes if c.after is not None]
    derived = DeriveReport()
    for versions in (befores, afters):  # two runs: both versions of an asset share its id
        wanted_plan = Plan(tuple(p for asset in versions for p in planned_for(asset, catalogue)))
        report_part = derive(dataclasses.replace(catalogue, assets=tuple(versions)), wanted_plan, jobs=jobs, quiet=True)
        derived = DeriveReport(derived.rendered + report_part.rendered, derived.cached + report_part.cached,
                               {**derived.failed, **report_part.failed})
    cache = RenditionCache.at(catalogue.root)
    stored = cache.present()
    wanted: dict[str, Path] = {}
    details = []
    for change in sorted(changes, key=lambda c: c.asset_id):
        old = {p.spec.name: p for p in planned_for(change.before, catalogue)} if change.before else {}
        new = {p.spec.name: p for p in planned_for(change.after, catalogue)} if change.after else {}
        details.append(_change_data(change, old, new, stored, wanted, cache))
    summary = {"base": report.base, "head": report.head, "build_date": today.isoformat(), "changes": details}
    base_url = catalogue.settings.base_url

    def page(path: str, title: str, change: dict | None) -> Page:
        data = {"review": summary, "change": change, "title": title, "description": title,
                "canonical": base_url + path.removesuffix("index.html")}
        return Page(path, REVIEW_TEMPLATE, data)

    pages = [page("review/index.html", "Review of this pull request", None)]
    pages += [page(f"review/{d['asset_id']}/index.html", f"Review: {d['title']}", d) for d in details]
    return ReviewSite(tuple(pages), wanted, derived)

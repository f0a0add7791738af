"""plan: Catalogue -> the renditions each asset needs, each named by its content key. Pure.

The plan never touches a master: keys come from the sidecar's technical md5, so a
metadata-only change can be planned (and served from the cache) without fetching media.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from builder.catalogue import Catalogue
from builder.models import Asset, Status
from builder.renditions import RenditionSpec, rendition_key
from builder.settings import Settings


@dataclass(frozen=True)
class PlannedRendition:
    asset_id: str
    spec: RenditionSpec
    key: str

    @property
    def filename(self) -> str:
        return f"{self.key}.{self.spec.extension}"


@dataclass(frozen=True)
class Plan:
    renditions: tuple[PlannedRendition, ...]
    # Assets that need renditions but cannot be planned, with the reason.
    unplannable: tuple[tuple[str, str], ...] = ()

    def for_asset(self, asset_id: str) -> tuple[PlannedRendition, ...]:
        return tuple(r for r in self.renditions if r.asset_id == asset_id)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.renditions)


def key_params(asset: Asset, spec: RenditionSpec) -> dict:
    """The asset fields a rendition's bytes depend on, and only those."""
    params: dict = {}
    if asset.kind == "image":
        params["credit"] = asset.rights.credit  # written into the output's metadata
    if spec.kind == "crop":
        box = asset.crops.get(spec.aspect or "")
        params["focus"] = [asset.focus.x, asset.focus.y] if asset.focus else None
        params["crop"] = [box.x, box.y, box.w, box.h] if box else None
    if spec.kind in ("poster", "loop"):
        params["poster_at"] = asset.poster_seconds
    return params


def needs_renditions(asset: Asset, settings: Settings, today: dt.date) -> bool:
    """Anything some profile could publish, now or once an embargo lifts."""
    if asset.status in (Status.DRAFT, Status.ARCHIVED) or asset.rights.withdrawn_on:
        return False
    if asset.rights.expires and asset.rights.expires < today:
        return False
    return any(
        asset.status in profile.statuses and asset.visibility in profile.visibilities
        for profile in settings.profiles.values()
    )


def plan(catalogue: Catalogue, today: dt.date, everything: bool = False) -> Plan:
    renditions: list[PlannedRendition] = []
    unplannable: list[tuple[str, str]] = []
    for asset in catalogue.assets:
        if not everything and not needs_renditions(asset, catalogue.settings, today):
            continue
        if asset.technical is None or asset.kind is None:
            unplannable.append((asset.id, "no technical data: run `dam refresh` with the master present"))
            continue
        for spec in catalogue.settings.renditions.get(asset.kind, ()):
            key = rendition_key(asset.kind, asset.technical.md5, spec, key_params(asset, spec))
            renditions.append(PlannedRendition(asset.id, spec, key))
    return Plan(tuple(renditions), tuple(unplannable))

"""The rules that make metadata trustworthy, beyond the shape one model can check.

`asset_problems` looks at one asset with the taxonomy and the file system; it runs in worker
processes. `catalogue_problems` looks across assets (ids, masters, references) in the parent.
Every problem carries the key path it is about; the loader turns that into a line.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from builder.diagnostics import Diagnostic, error, warning
from builder.dvcpointer import PointerError, pointer_path, read_pointer
from builder.modelerrors import suggest
from builder.models import Asset, Status, Taxonomy


@dataclass(frozen=True)
class Vocabularies:
    """The taxonomy as sets, built once: rules ask 'is it in there?' thousands of times."""

    terms: dict[str, frozenset[str]]
    all_handles: frozenset[str]
    collection_handles: dict[str, frozenset[str]]
    collection_owners: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> "Vocabularies":
        names = {vocabulary for _, vocabulary in VOCABULARY_FIELDS}
        return cls(
            terms={name: frozenset(taxonomy.vocabulary(name)) for name in names},
            all_handles=frozenset(taxonomy.handles_of(tuple(taxonomy.owners))),
            collection_handles={c: frozenset(taxonomy.handles_of(col.owners)) for c, col in taxonomy.collections.items()},
            collection_owners={c: col.owners for c, col in taxonomy.collections.items()},
        )


@dataclass(frozen=True)
class RuleContext:
    """What per-asset rules need: small and picklable, so workers can receive it."""

    root: Path
    vocabularies: Vocabularies | None
    today: dt.date
    expiry_warning_days: int = 30

    @property
    def media_root(self) -> Path:
        return self.root / "media"


# (key path, vocabulary name) for each controlled field of a sidecar.
VOCABULARY_FIELDS = (
    (("collection",), "collections"),
    (("campaign",), "campaigns"),
    (("owner",), "owners"),
    (("tags",), "tags"),
    (("channels",), "channels"),
    (("rights", "licence"), "licences"),
    (("rights", "usage"), "channels"),
)


def _values_at(asset: Asset, loc: tuple[str, ...]) -> list[tuple[tuple, str]]:
    value: object = asset
    for part in loc:
        value = getattr(value, part)
    if value is None:
        return []
    if isinstance(value, tuple):
        return [((*loc, index), item) for index, item in enumerate(value)]
    return [(loc, str(value))]


def vocabulary_problems(path: str, asset: Asset, vocabularies: Vocabularies) -> Iterator[Diagnostic]:
    for loc, vocabulary in VOCABULARY_FIELDS:
        terms = vocabularies.terms[vocabulary]
        for item_loc, value in _values_at(asset, loc):
            if value not in terms:
                hint = suggest(value, sorted(terms)) or f"add it to {vocabulary} in taxonomy.yaml first"
                yield error(path, "E301", f"'{value}' is not in the {vocabulary} vocabulary", hint, loc=item_loc)


def approver_problems(path: str, asset: Asset, vocabularies: Vocabularies) -> Iterator[Diagnostic]:
    if not asset.approved_by:
        return
    approver = asset.approved_by.lstrip("@").lower()
    if approver not in vocabularies.all_handles:
        yield error(path, "E302", f"approver '{asset.approved_by}' is not a handle of any owner in taxonomy.yaml", loc=("approved_by",))
        return
    handles = vocabularies.collection_handles.get(asset.collection)
    if handles is not None and approver not in handles:
        owners = ", ".join(vocabularies.collection_owners[asset.collection])
        yield error(path, "E303", f"approver '{asset.approved_by}' is not an owner of collection '{asset.collection}'", f"owners: {owners}", loc=("approved_by",))


def layout_problems(path: str, asset: Asset) -> Iterator[Diagnostic]:
    """catalogue/assets/<collection>/[shard/]<id>.yaml keeps files findable and reviews readable."""
    relative = PurePosixPath(path)
    if relative.stem != asset.id:
        yield error(path, "E209", f"id '{asset.id}' does not match the file name '{relative.name}'", f"rename the file to {asset.id}.yaml or change the id", loc=("id",))
    parts = relative.parts
    folder = parts[2] if len(parts) > 3 and parts[:2] == ("catalogue", "assets") else None
    if folder != asset.collection:
        yield error(path, "E210", f"sidecar is in folder '{folder or 'assets'}' but its collection is '{asset.collection}'", f"move it to catalogue/assets/{asset.collection}/", loc=("collection",))


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    """Resolved folder, cached: thousands of masters share a few folders."""
    return os.path.realpath(folder)


def _escapes(path: Path, base: str) -> bool:
    """True when `path` (or the folder holding it) is a link that leads outside `base`."""
    real_parent = _real_folder(str(path.parent))
    if not (real_parent + os.sep).startswith(base + os.sep):
        return True
    if path.is_symlink():
        real = os.path.realpath(path)
        return not real.startswith(base + os.sep)
    return False


def safe_master_path(media_root: Path, master: str) -> tuple[Path | None, str]:
    """The master's path inside media/, or why it is refused. Links are followed then checked."""
    if master.startswith(("/", "\\")) or (len(master) > 1 and master[1] == ":") or "\\" in master:
        return None, "is absolute or uses backslashes"
    parts = PurePosixPath(master).parts
    if any(part in ("..", ".", "") for part in parts):
        return None, "contains '..' or '.'"
    candidate = media_root.joinpath(*parts)
    try:
        base = _real_folder(str(media_root))
        if _escapes(candidate, base) or _escapes(pointer_path(candidate), base):
            return None, "links to a file outside media/"
    except (OSError, RuntimeError):
        return None, "cannot be resolved (a link loop?)"
    return candidate, ""


def master_problems(path: str, asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    candidate, why = safe_master_path(ctx.media_root, asset.master)
    if candidate is None:
        yield error(path, "E401", f"master '{asset.master}' {why}", "give a path relative to media/, e.g. summer-2026/hero.jpg", loc=("master",))
        return
    pointer_file = pointer_path(candidate)
    has_pointer = pointer_file.is_file()
    if not has_pointer and not candidate.is_file():
        nearby = [p.name.removesuffix(".dvc") for p in candidate.parent.glob("*")] if candidate.parent.is_dir() else []
        hint = suggest(candidate.name, nearby) or "add it with `dam add`, or fetch masters with `dvc pull`"
        yield error(path, "E402", f"master 'media/{asset.master}' not found (no file and no .dvc pointer)", hint, loc=("master",))
        return
    if not has_pointer:
        return
    try:
        pointer = read_pointer(pointer_file)
    except PointerError as exc:
        yield error(path, "E404", f"DVC pointer 'media/{asset.master}.dvc' is not valid: {exc}", "re-run `dvc add` on the master", loc=("master",))
        return
    if asset.technical and asset.technical.md5 != pointer.md5:
        yield error(
            path, "E403", f"technical.md5 {asset.technical.md5} is stale: the master's DVC pointer says {pointer.md5}",
            "the master was replaced; run `dam refresh` to re-read its technical data", loc=("technical", "md5"),
        )


def status_problems(path: str, asset: Asset) -> Iterator[Diagnostic]:
    """Approval is a promise: it needs an approver, a date, an owner, a licence and, for images, alt text."""
    if asset.status is not Status.APPROVED:
        return
    required = [
        (asset.approved_by, ("approved_by",), "who approved it (a Git hosting handle)"),
        (asset.approved_on, ("approved_on",), "the approval date"),
        (asset.owner, ("owner",), "the owner responsible for it"),
        (asset.rights.licence, ("rights", "licence"), "the licence it is used under"),
    ]
    if asset.kind == "image":
        required.append((asset.alt, ("alt",), "alt text describing the image for people who cannot see it"))
    for value, loc, what in required:
        if not value:
            parent = loc[:-1] or ()
            yield error(path, "E601", f"an approved asset needs {'.'.join(loc)}: {what}", loc=parent or ("status",), at_key=bool(parent))


def date_problems(path: str, asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    rights = asset.rights
    if rights.embargo_until and rights.expires and rights.embargo_until > rights.expires:
        yield error(path, "E602", f"embargo ends ({rights.embargo_until}) after the rights expire ({rights.expires})", "the asset could never be published", loc=("rights", "embargo_until"))
    if asset.approved_on and asset.created and asset.approved_on < asset.created:
        yield error(path, "E603", f"approved on {asset.approved_on}, before it was created on {asset.created}", loc=("approved_on",))
    if asset.approved_on and asset.approved_on > ctx.today:
        yield error(path, "E604", f"approval date {asset.approved_on} is in the future", loc=("approved_on",))
    if rights.withdrawn_on and asset.approved_on and rights.withdrawn_on < asset.approved_on and asset.status is Status.APPROVED:
        yield error(path, "E606", f"rights were withdrawn on {rights.withdrawn_on}, before the approval on {asset.approved_on}", loc=("rights", "withdrawn_on"))


def usage_problems(path: str, asset: Asset) -> Iterator[Diagnostic]:
    if not asset.rights.usage:
        return
    for index, channel in enumerate(asset.channels):
        if channel not in asset.rights.usage:
            yield error(path, "E605", f"channel '{channel}' is not allowed by rights.usage ({', '.join(asset.rights.usage)})", "remove the channel or extend the licence", loc=("channels", index))


def rights_warnings(path: str, asset: Asset, ctx: RuleContext) -> Iterator[Diagnostic]:
    if asset.status is not Status.APPROVED:
        return
    rights = asset.rights
    if rights.withdrawn_on:
        yield warning(path, "W603", f"rights withdrawn on {rights.withdrawn_on}: the asset is not published", loc=("rights", "withdrawn_on"))
    elif rights.expires and rights.expires < ctx.today:
        yield warning(path, "W602", f"rights expired on {rights.expires}: the asset is not published", "renew the licence or archive the asset", loc=("rights", "expires"))
    elif rights.expires and (rights.expires - ctx.today).days <= ctx.expiry_warning_days:
        days = (rights.expires - ctx.today).days
        yield warning(path, "W601", f"rights expire in {days} day{'s' if days != 1 else ''} ({rights.expires})", "renew the licence or plan a replacement", loc=("rights", "expires"))
    if asset.technical is None:
        yield warning(path, "W604", "approved asset has no technical block", "run `dam refresh` to read it from the master", loc=("status",))


def asset_problems(path: str, asset: Asset, ctx: RuleContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if ctx.vocabularies is not None:
        found += vocabulary_problems(path, asset, ctx.vocabularies)
        found += approver_problems(path, asset, ctx.vocabularies)
    found += layout_problems(path, asset)
    found += master_problems(path, asset, ctx)
    found += status_problems(path, asset)
    found += date_problems(path, asset, ctx)
    found += usage_problems(path, asset)
    found += rights_warnings(path, asset, ctx)
    return found


def catalogue_problems(sources: list[tuple[str, Asset]]) -> list[Diagnostic]:
    """Problems between assets: shared ids, shared masters, broken `supersedes` links."""
    found: list[Diagnostic] = []
    by_id: dict[str, list[str]] = defaultdict(list)
    by_md5: dict[str, list[tuple[str, Asset]]] = defaultdict(list)
    by_master: dict[str, list[tuple[str, Asset]]] = defaultdict(list)
    for path, asset in sources:
        by_id[asset.id].append(path)
        by_master[asset.master].append((path, asset))
        if asset.technical:
            by_md5[asset.technical.md5].append((path, asset))
    for asset_id, paths in by_id.items():
        for path in paths if len(paths) > 1 else ():
            others = ", ".join(other for other in paths if other != path)
            found.append(error(path, "E501", f"id '{asset_id}' is also used by {others}", "ids must be unique; choose another", loc=("id",)))
    for group in by_md5.values():
        for path, asset in group if len(group) > 1 else ():
            others = ", ".join(f"'{other.id}' ({other_path})" for other_path, other in group if other_path != path)
            found.append(error(path, "E502", f"master has the same content (md5) as {others}", "a duplicate: keep one asset and reuse it", loc=("technical", "md5")))
    for master, group in by_master.items():
        for path, asset in group if len(group) > 1 else ():
            others = ", ".join(f"'{other.id}' ({other_path})" for other_path, other in group if other_path != path)
            found.append(error(path, "E505", f"master '{master}' is also the master of {others}", "each asset has its own master file", loc=("master",)))
    found += _reference_problems(sources, set(by_id))
    return found


def _reference_problems(sources: list[tuple[str, Asset]], ids: set[str]) -> list[Diagnostic]:
    found = []
    successor = {asset.id: asset.supersedes for _, asset in sources if asset.supersedes}
    for path, asset in sources:
        target = asset.supersedes
        if not target:
            continue
        if target == asset.id:
            found.append(error(path, "E504", "an asset cannot supersede itself", loc=("supersedes",)))
        elif target not in ids:
            found.append(error(path, "E503", f"supersedes '{target}', which is not in the catalogue", suggest(target, ids), loc=("supersedes",)))
        elif _in_cycle(asset.id, successor):
            found.append(error(path, "E504", f"supersedes chain through '{target}' loops back to '{asset.id}'", loc=("supersedes",)))
    return found


def _in_cycle(start: str, successor: dict[str, str]) -> bool:
    seen, current = set(), successor.get(start)
    while current and current not in seen:
        if current == start:
            return True
        seen.add(current)
        current = successor.get(current)
    return False

"""`dam add` and `dam refresh`: masters into media/ under DVC, technical data into sidecars.

`add_masters` is all-or-nothing up to DVC: every source is hashed and probed and every
destination, id and checksum is checked before the first byte is copied, so a refused batch
leaves the repository untouched; if `dvc add` itself fails, the copies are taken back (moved
files are moved back). Each new asset gets a commented DRAFT sidecar that loads as a valid
`Asset`.

`refresh` rewrites the `technical` block of sidecars whose master changed (the .dvc pointer's
md5 differs from `technical.md5`) and nothing else: the block is located with ruamel.yaml's
round-trip parser, a new block is emitted by ruamel and spliced in place of the old lines, so
every other byte, comment and key order of the file stays as the editor wrote it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterable, Iterator, Sequence, TypeVar

import click
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from builder import dvc
from builder.atomic import write_atomic
from builder.catalogue import sidecar_paths
from builder.dvcpointer import PointerError, read_pointer
from builder.rules import safe_master_path
from builder.fields import SLUG_PATTERN
from builder.jobs import MasterError
from builder.models import Asset, Technical
from builder.probe import technical_for
from builder.settings import Limits
from builder.yamlio import Parsed, read_yaml

T = TypeVar("T")

TECHNICAL_COMMENT = "written by `dam add` / `dam refresh` from the master; never edit by hand"
MAX_SLUG = 100


class IngestError(Exception):
    """A user error: shown as the message alone, exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AddedAsset:
    id: str
    master: str  # relative to media/
    sidecar: Path
    pointer: Path
    technical: Technical


# --- progress -----------------------------------------------------------------------------

Progress = Callable[[Sequence[T], str], ContextManager[Iterable[T]]]


@contextlib.contextmanager
def terminal_progress(items: Sequence[T], label: str) -> Iterator[Iterable[T]]:
    """A click progress bar when stderr is a terminal; one plain line per item otherwise."""
    if sys.stderr.isatty():
        with click.progressbar(items, label=label, file=sys.stderr,
                               item_show_func=lambda item: _label(item)) as bar:
            yield bar
        return

    def plain() -> Iterator[T]:
        total = len(items)
        for number, item in enumerate(items, 1):
            click.echo(f"{label} [{number}/{total}] {_label(item)}", err=True)
            yield item

    yield plain()


@contextlib.contextmanager
def silent_progress(items: Sequence[T], label: str) -> Iterator[Iterable[T]]:
    yield items


def _label(item: Any) -> str:
    if item is None:
        return ""
    if isinstance(item, Path):
        return item.name
    if isinstance(item, tuple) and item:
        return _label(item[0])
    if isinstance(getattr(item, "source", None), Path):  # an Incoming
        return item.source.name
    if isinstance(item, list):  # a batch of paths for DVC
        return f"{len(item)} files"
    return str(getattr(item, "name", item))


# --- names --------------------------------------------------------------------------------

def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def safe_file_name(name: str) -> str:
    """'Hero Beach (final).JPG' -> 'hero-beach-final.jpg'; never a path, never hidden."""
    stem, dot, ext = Path(name).name.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = slugify(stem)[:MAX_SLUG]
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())[:10]
    if not stem:
        raise IngestError(f"{name}: cannot make a safe file name from it (use letters or digits)")
    return f"{stem}.{ext}" if ext else stem


# --- catalogue scan -----------------------------------------------------------------------

_safe = YAML(typ="safe", pure=True)


@dataclass
class Existing:
    ids: dict[str, Path]
    md5s: dict[str, str]  # md5 -> description of who uses it
    md5_ids: dict[str, str] = field(default_factory=dict)  # md5 -> id of the asset whose sidecar has it


def _scan(root: Path) -> Existing:
    ids: dict[str, Path] = {}
    md5s: dict[str, str] = {}
    md5_ids: dict[str, str] = {}
    for rel in sidecar_paths(root):
        sidecar = root / rel
        ids.setdefault(sidecar.stem, sidecar)
        data = _read_sidecar(sidecar, rel).data
        if not isinstance(data, dict):
            continue  # the validator reports broken sidecars; the file name still holds its id
        if isinstance(data.get("id"), str):
            ids.setdefault(data["id"], sidecar)
        technical = data.get("technical")
        if isinstance(technical, dict) and isinstance(technical.get("md5"), str):
            asset_id = data.get("id") if isinstance(data.get("id"), str) else sidecar.stem
            md5s.setdefault(technical["md5"], f"asset '{asset_id}' ({rel})")
            md5_ids.setdefault(technical["md5"], asset_id)
    media = root / "media"
    for pointer in sorted(media.rglob("*.dvc")) if media.is_dir() else ():
        md5 = pointer_md5(pointer)
        if md5:
            md5s.setdefault(md5, f"master {pointer.relative_to(root).as_posix()[:-4]}")
    return Existing(ids, md5s, md5_ids)


def _read_sidecar(path: Path, display: str) -> Parsed:
    """The catalogue loader's fast, hazard-checked reader (size, encoding, aliases, depth)."""
    return read_yaml(path, display, Limits().max_sidecar_bytes)


def pointer_md5(pointer: Path) -> str | None:
    """The md5 a .dvc pointer records for its single output, or None when unreadable."""
    try:
        return read_pointer(pointer).md5
    except PointerError:
        return None


# --- add ----------------------------------------------------------------------------------

def _collect(files: Sequence[Path | str]) -> list[Path]:
    sources: list[Path] = []
    for given in files:
        path = Path(given)
        if not path.exists():
            raise IngestError(f"{given}: no such file or folder")
        if path.is_dir():
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith("."):
                        sources.append(Path(folder) / name)
        elif path.is_file():
            sources.append(path)
        else:
            raise IngestError(f"{given}: not a regular file or folder")
    if not sources:
        raise IngestError("nothing to add: the folders given contain no files")
    seen: dict[Path, Path] = {}
    unique = []
    for source in sources:
        real = source.resolve()
        if real not in seen:
            seen[real] = source
            unique.append(source)
    return unique


def _naming(path: Path, exc: Exception) -> str:
    """The probe's message names the file; show it with the path the user typed."""
    message = str(exc)
    if message.startswith(path.name):
        return str(path) + message[len(path.name):]
    return f"{path}: {message}"


def _unique_id(stem: str, collection: str, taken: set[str]) -> str:
    base = slugify(stem)[:MAX_SLUG] or "asset"
    candidates = [base]
    prefixed = base if base.startswith(collection + "-") else f"{collection}-{base}"
    candidates.append(prefixed[:MAX_SLUG].strip("-"))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = prefixed[: MAX_SLUG - len(suffix)].strip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _title(stem: str) -> str:
    words = re.sub(r"[-_\s]+", " ", stem).strip()
    return (words[:1].upper() + words[1:])[:300] or "Untitled"


@dataclass(frozen=True)
class Incoming:
    """One master to ingest, and what its draft sidecar says beyond the placeholders.

    `fields` maps sidecar keys (dotted for nested ones: "rights.credit") to clean values;
    `origins` maps some of them to where they came from (shown as a comment on that line);
    `notes` become comment lines at the top of the sidecar (e.g. values an import left out).
    `technical` skips measuring again when the caller already did.
    """

    source: Path
    collection: str
    asset_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    technical: Technical | None = None


def add_masters(
    root: Path,
    files: Sequence[Path | str],
    collection: str,
    move: bool = False,
    progress: Progress = terminal_progress,
    limits: Any = None,
    folder_limit: int | None = None,
) -> list[AddedAsset]:
    """`dam add FILE... --collection C [--move]`. Returns the new assets in input order.

    Free-text metadata embedded in the masters (title, description, alt text, creator,
    credit, source) prefills each draft; see `builder.harvest`.
    """
    root = Path(root).resolve()
    _check_collection(collection)
    sources = _collect(files)
    media_dir = root / "media" / collection
    for source in sources:
        with contextlib.suppress(ValueError):
            source.resolve().relative_to(media_dir.resolve())
            raise IngestError(f"{source}: already inside {media_dir.relative_to(root)}/; "
                              f"use `dam refresh` for masters that are already there")
    incoming = [_with_embedded(Incoming(source, collection)) for source in sources]
    return ingest(root, incoming, move=move, progress=progress, limits=limits, folder_limit=folder_limit)


def _check_collection(collection: str) -> None:
    if not re.fullmatch(SLUG_PATTERN, collection or "") or len(collection) > MAX_SLUG:
        raise IngestError(
            f"collection '{collection}' is not a slug (lower-case letters, digits and single hyphens, "
            f"e.g. summer-2026)"
        )


# Embedded free-text metadata a plain `dam add` draft takes (vocabulary fields need the
# import's mapping and taxonomy, so keywords are left to `dam import`).
_ADD_HARVEST = {"title": "title", "description": "description", "alt": "alt", "creator": "creator",
                "source": "source", "credit": "rights.credit", "copyright": "rights.credit"}


def _with_embedded(item: Incoming) -> Incoming:
    from builder.harvest import harvest

    embedded = harvest(item.source)
    fields, origins = dict(item.fields), dict(item.origins)
    for name, key in _ADD_HARVEST.items():
        value = getattr(embedded, name)
        if value and key not in fields and fitting_text(key, value):
            fields[key] = value
            origins[key] = f"from the master's embedded {embedded.origin[name]}"
    return Incoming(item.source, item.collection, item.asset_id, fields, origins, item.notes, item.technical)


_SHORT_KEYS = {"title", "alt", "creator", "source", "rights.credit"}


def fitting_text(key: str, value: str) -> bool:
    """Whether free text fits the sidecar field (ShortText: 300 characters, Text: 5,000)."""
    return 0 < len(value) <= (300 if key in _SHORT_KEYS else 5000)


# --- folders ------------------------------------------------------------------------------

PART_PREFIX = "part-"


class FolderPlan:
    """Where new masters and sidecars go so that no folder of media/ or catalogue/assets/
    holds more than `limit` entries (Git hosting APIs list at most 1,000 files a folder).

    A collection's masters go to media/<collection>/ and its sidecars to
    catalogue/assets/<collection>/ until either folder is full; then to the first numbered
    part, <collection>/part-001/, part-002/ ..., that has room on both sides, so a master and
    its sidecar always share the same relative folder. Every entry counts: in media/ a master
    takes two (the file and its .dvc pointer) and each folder one more for DVC's .gitignore.
    The collection folder keeps a tenth of its room for part folders. Files are never moved
    once placed, so a path in a sidecar stays valid; the part a file lands in depends only on
    how full the folders are when it arrives.
    """

    def __init__(self, root: Path, limit: int) -> None:
        self.root = root
        self.limit = limit
        self.reserve = max(2, limit // 10)
        self.counts: dict[Path, int] = {}
        self.opened: set[Path] = set()  # folders this plan already puts files in
        self.names: dict[str, dict[str, str]] = {}  # collection -> file name -> where it is

    def _count(self, folder: Path) -> int:
        if folder not in self.counts:
            self.counts[folder] = sum(1 for _ in os.scandir(folder)) if folder.is_dir() else 0
        return self.counts[folder]

    def taken_names(self, collection: str) -> dict[str, str]:
        """File names already used by the collection's masters (any part) -> their media path."""
        if collection not in self.names:
            names: dict[str, str] = {}
            base = self.root / "media" / collection
            folders = [base] + sorted(p for p in base.glob(f"{PART_PREFIX}*") if p.is_dir()) if base.is_dir() else []
            for folder in folders:
                for entry in os.scandir(folder):
                    name = entry.name.removesuffix(".dvc")
                    if not name.startswith("."):
                        names.setdefault(name, (folder / name).relative_to(self.root).as_posix())
            self.names[collection] = names
        return self.names[collection]

    def place(self, collection: str, name: str) -> str:
        """The folder (relative to media/ and to catalogue/assets/) for one new master."""
        parents = (self.root / "media" / collection, self.root / "catalogue" / "assets" / collection)
        number = 0
        while True:
            shard = collection if number == 0 else f"{collection}/{PART_PREFIX}{number:03d}"
            media, sidecars = self.root / "media" / shard, self.root / "catalogue" / "assets" / shard
            new = [number > 0 and not folder.exists() and folder not in self.opened for folder in (media, sidecars)]
            if any(is_new and self._count(parent) + 1 > self.limit for is_new, parent in zip(new, parents)):
                raise IngestError(f"collection '{collection}' is full ({number - 1} parts of at most "
                                  f"{self.limit} files each); split it into more collections")
            room = self.limit - (self.reserve if number == 0 else 0)
            gitignore = media / ".gitignore"
            need = 2 if gitignore.exists() or media in self.opened else 3
            if self._count(media) + need <= room and self._count(sidecars) + 1 <= room:
                for is_new, parent in zip(new, parents):
                    if is_new:
                        self.counts[parent] = self._count(parent) + 1
                self.opened.update((media, sidecars))
                self.counts[media] = self._count(media) + need
                self.counts[sidecars] = self._count(sidecars) + 1
                self.taken_names(collection)[name] = f"media/{shard}/{name}"
                return shard
            number += 1


def folder_limit_of(root: Path) -> int:
    """settings.max_files_per_folder from catalogue/portal.yaml (the default when unreadable)."""
    from builder.settings import Settings

    portal = root / "catalogue" / "portal.yaml"
    if portal.is_file():
        parsed = read_yaml(portal, "catalogue/portal.yaml", Limits().max_sidecar_bytes)
        if isinstance(parsed.data, dict):
            with contextlib.suppress(Exception):
                return Settings.model_validate(parsed.data).max_files_per_folder
    return Settings().max_files_per_folder


def _suffixed(name: str, taken: dict[str, str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    number = 2
    while True:
        candidate = f"{stem[:MAX_SLUG - 6]}-{number}" + (f".{ext}" if ext else "")
        if candidate not in taken:
            return candidate
        number += 1


def ingest(
    root: Path,
    incoming: Sequence[Incoming],
    move: bool = False,
    progress: Progress = terminal_progress,
    limits: Any = None,
    folder_limit: int | None = None,
    rename_on_clash: bool = False,
    origin: str = "dam add",
) -> list[AddedAsset]:
    """The one path from files to tracked masters and draft sidecars (`dam add`, `dam import`).

    All or nothing up to DVC: every item is measured and checked (name, id, content already in
    the catalogue or twice in the batch) before the first copy; problems raise IngestError
    listing them all. A file name already used in the collection is refused, or with
    `rename_on_clash` given a numbered suffix. An empty batch touches nothing.
    """
    root = Path(root).resolve()
    if not incoming:
        return []
    for item in incoming:
        _check_collection(item.collection)
    existing = _scan(root)
    taken = set(existing.ids)
    folders = FolderPlan(root, folder_limit or folder_limit_of(root))
    plan: list[tuple[Incoming, Path, str, Technical]] = []
    batch_names: dict[tuple[str, str], Path] = {}
    batch_md5s: dict[str, Path] = {}
    problems: list[str] = []
    with progress(list(incoming), "Measuring") as bar:
        for item in bar:
            source, collection = item.source, item.collection
            try:
                name = safe_file_name(source.name)
            except IngestError as exc:
                problems.append(exc.message)
                continue
            used = folders.taken_names(collection)
            if (collection, name) in batch_names and not rename_on_clash:
                problems.append(f"{source} and {batch_names[(collection, name)]} would both be stored as "
                                f"media/{collection}/{name}")
                continue
            if name in used and (collection, name) not in batch_names:
                if not rename_on_clash:
                    problems.append(f"{source}: {used[name]} already exists; it is never overwritten "
                                    f"(rename the file, or use `dam refresh` to update that master)")
                    continue
            if name in used:
                name = _suffixed(name, used)
            try:
                technical = item.technical or technical_for(source, limits)
            except MasterError as exc:
                problems.append(_naming(source, exc))
                continue
            if technical.md5 in existing.md5s:
                problems.append(f"{source}: the same file is already in the catalogue as "
                                f"{existing.md5s[technical.md5]} (md5 {technical.md5})")
                continue
            if technical.md5 in batch_md5s:
                problems.append(f"{source} is identical to {batch_md5s[technical.md5]}; add it once")
                continue
            if item.asset_id is not None:
                if item.asset_id in taken:
                    problems.append(f"{source}: the id '{item.asset_id}' is already used")
                    continue
                asset_id = item.asset_id
            else:
                asset_id = _unique_id(Path(name).stem, collection, taken)
            batch_md5s[technical.md5] = source
            batch_names[(collection, name)] = source
            taken.add(asset_id)
            shard = folders.place(collection, name)
            plan.append((item, root / "media" / shard / name, asset_id, technical))
    if problems:
        raise IngestError("nothing was added:\n  " + "\n  ".join(problems))

    if not dvc.is_project(root):
        dvc.ensure_project(root)
    placed: list[tuple[Path, Path]] = []
    created = _make_folders(root, [destination.parent for _, destination, _, _ in plan])
    try:
        with progress(plan, "Moving" if move else "Copying") as bar:
            for item, destination, _, _ in bar:
                _place(item.source, destination, move)
                placed.append((item.source, destination))
        targets = [destination for _, destination, _, _ in plan]
        batches = [targets[start:start + dvc.ADD_BATCH] for start in range(0, len(targets), dvc.ADD_BATCH)]
        with progress(batches, f"Tracking with DVC ({len(targets)} files)") as bar:
            for batch in bar:
                dvc.add(root, batch)
    except (OSError, dvc.DvcError) as exc:
        _undo(root, placed, move)
        _remove_empty(created)
        raise IngestError(f"nothing was added: {exc}") from exc

    added: list[AddedAsset] = []
    with progress(plan, "Writing sidecars") as bar:
        for item, destination, asset_id, technical in bar:
            pointer = Path(f"{destination}.dvc")
            recorded = pointer_md5(pointer)
            if recorded != technical.md5:
                raise IngestError(f"{destination.relative_to(root)} changed while it was being added "
                                  f"(md5 {technical.md5}, DVC recorded {recorded}); run `dam refresh`")
            master = destination.relative_to(root / "media").as_posix()
            sidecar = root / "catalogue" / "assets" / Path(master).parent / f"{asset_id}.yaml"
            text = draft_sidecar(asset_id, master, item.collection, technical, fields=item.fields,
                                 origins=item.origins, notes=item.notes, origin=origin)
            try:
                sidecar.parent.mkdir(parents=True, exist_ok=True)
                _write_new(sidecar, text)
            except OSError as exc:
                raise IngestError(f"media/{master} is now tracked by DVC, but its sidecar "
                                  f"{sidecar.relative_to(root).as_posix()} could not be written ({exc})") from exc
            added.append(AddedAsset(asset_id, master, sidecar, pointer, technical))
    return added


def _make_folders(root: Path, folders: Iterable[Path]) -> list[Path]:
    created = []
    for folder in sorted(set(folders)):
        missing = [p for p in (folder, *folder.parents) if p != root and not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        created += reversed(missing)
    return created


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _place(source: Path, destination: Path, move: bool) -> None:
    """Copy (or move) without ever replacing an existing destination: the destination is first
    created exclusively, so a file that appeared meanwhile is refused, then filled."""
    with open(destination, "xb") as out:
        if not (move and not source.is_symlink()):
            with open(source, "rb") as handle:
                shutil.copyfileobj(handle, out, 1024 * 1024)
    if move and not source.is_symlink():
        try:
            os.replace(source, destination)  # replaces only our own empty placeholder
            return
        except OSError:  # another file system: copy, then remove the source
            with open(source, "rb") as handle, open(destination, "wb") as out:
                shutil.copyfileobj(handle, out, 1024 * 1024)
    shutil.copystat(source, destination)
    if move:
        source.unlink()


def _undo(root: Path, placed: list[tuple[Path, Path]], move: bool) -> None:
    for source, destination in reversed(placed):
        with contextlib.suppress(OSError):
            if move and not source.exists():
                shutil.move(str(destination), str(source))
            else:
                destination.unlink()
        with contextlib.suppress(OSError):
            Path(f"{destination}.dvc").unlink()


# --- sidecar text -------------------------------------------------------------------------

def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def technical_map(technical: Technical) -> CommentedMap:
    return CommentedMap(technical.model_dump(exclude_none=True))


def _flow(items: Iterable[Any] = ()) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def draft_sidecar(
    asset_id: str,
    master: str,
    collection: str,
    technical: Technical,
    fields: dict[str, Any] | None = None,
    origins: dict[str, str] | None = None,
    notes: Sequence[str] = (),
    origin: str = "dam add",
) -> str:
    """A commented DRAFT sidecar. `fields` fill keys (dotted for rights: "rights.credit");
    the rest stay as empty placeholders. `origins` become end-of-line comments on the keys
    they name; `notes` become comment lines at the top."""
    fields = dict(fields or {})
    doc = CommentedMap()
    doc["id"] = asset_id
    doc["title"] = _title(Path(master).stem)
    doc["description"] = None
    doc["alt"] = None
    doc["master"] = master
    doc["collection"] = collection
    doc["campaign"] = None
    doc["tags"] = _flow()
    doc["channels"] = _flow()
    doc["owner"] = None
    doc["creator"] = None
    doc["status"] = "draft"
    doc["visibility"] = "internal"
    doc["approved_by"] = None
    doc["approved_on"] = None
    rights = CommentedMap()
    rights["licence"] = None
    rights["usage"] = _flow()
    rights["territories"] = _flow()
    rights["expires"] = None
    rights["credit"] = None
    doc["rights"] = rights
    for key, value in fields.items():
        target, name = (rights, key.split(".", 1)[1]) if key.startswith("rights.") else (doc, key)
        if name in ("status", "visibility", "technical", "master", "collection", "id", "rights"):
            raise AssertionError(f"draft_sidecar cannot set {key}")
        if isinstance(value, (list, tuple)):
            value = _flow(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        if target is doc and name not in doc:  # keep the draft's key order; extras go before status
            doc.insert(list(doc).index("status"), name, value)
        else:
            target[name] = value
    doc["technical"] = technical_map(technical)

    today = dt.date.today().isoformat()
    doc.yaml_set_start_comment("\n".join([
        f"Draft written by `{origin}` on {today}. Fill it in, set status: in_review, and open a pull request.",
        *notes,
    ]))
    before = doc.yaml_set_comment_before_after_key
    before("title", before="shown on the portal and in search results", indent=0)
    if not fields.get("description"):
        before("description", before="TODO: describe the asset for search", indent=0)
    before("alt", before="required before approval: what the asset shows, for screen readers", indent=0)
    before("campaign", before="campaign, tags, channels and owner come from catalogue/taxonomy.yaml", indent=0)
    before("status", before="draft -> in_review -> approved", indent=0)
    before("approved_by", before="required before approval: the approver's Git handle and the date", indent=0)
    before("rights", before="required before approval: at least the licence", indent=0)
    before("technical", before=TECHNICAL_COMMENT, indent=0)
    for key, note in (origins or {}).items():
        target, name = (rights, key.split(".", 1)[1]) if key.startswith("rights.") else (doc, key)
        if name in target:
            target.yaml_add_eol_comment(note, name)

    text = _dump(doc)
    data = _safe.load(text)
    try:
        Asset.model_validate(data)
    except Exception as exc:  # a bug in the caller or this module, not a user error
        raise AssertionError(f"the draft sidecar for {asset_id} does not validate: {exc}") from exc
    return text


def _dump(doc: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(doc, stream)
    return stream.getvalue()


def _write_new(path: Path, text: str) -> None:
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


# --- refresh ------------------------------------------------------------------------------

def refresh(root: Path, progress: Progress = terminal_progress, limits: Any = None, everything: bool = False) -> list[str]:
    """`dam refresh`: re-measure masters whose .dvc md5 differs from the sidecar's
    technical.md5 (or that have no technical block); with `everything`, every master present
    (after an upgrade adds a measurement, such as the perceptual hash). Returns the refreshed ids.

    Problems (a sidecar that cannot be parsed, a missing pointer or master, a master that does
    not match its pointer) do not stop the others; they are raised together at the end.
    """
    root = Path(root).resolve()
    sidecars = [root / rel for rel in sidecar_paths(root)]
    stale: list[tuple[Path, str, Path, str]] = []
    problems: list[str] = []
    for sidecar in sidecars:
        rel = sidecar.relative_to(root).as_posix()
        parsed = _read_sidecar(sidecar, rel)
        if not parsed.ok or not isinstance(parsed.data, dict):
            problems.append("; ".join(d.text() for d in parsed.diagnostics if d.is_error) or f"{rel}: cannot be read")
            continue
        data = parsed.data
        if not isinstance(data.get("master"), str):
            problems.append(f"{rel}: has no master")
            continue
        master = _master_path(root, data["master"])
        if master is None:
            problems.append(f"{rel}: master '{data['master']}' is not a path inside media/")
            continue
        pointer = Path(f"{master}.dvc")
        recorded = pointer_md5(pointer) if pointer.is_file() else None
        if recorded is None:
            problems.append(f"{rel}: {pointer.relative_to(root).as_posix()} is missing or unreadable "
                            f"(add the master with `dam add` or `dvc add`)")
            continue
        technical = data.get("technical")
        current = technical.get("md5") if isinstance(technical, dict) else None
        if current != recorded or everything:
            stale.append((sidecar, str(data.get("id", sidecar.stem)), master, recorded))

    refreshed: list[str] = []
    with progress(stale, "Refreshing") as bar:
        for sidecar, asset_id, master, recorded in bar:
            rel = sidecar.relative_to(root).as_posix()
            rel_master = master.relative_to(root).as_posix()
            if not master.is_file():
                problems.append(f"{rel}: {rel_master} is not in the working tree (run `dvc pull {rel_master}.dvc`)")
                continue
            try:
                technical = technical_for(master, limits)
            except MasterError as exc:
                problems.append(f"{rel}: {_naming(master.relative_to(root), exc)}")
                continue
            if technical.md5 != recorded:
                problems.append(f"{rel}: {rel_master} does not match its .dvc pointer; run `dvc add {rel_master}` "
                                f"to record the new file, or `dvc checkout {rel_master}.dvc` to restore it")
                continue
            try:
                text = sidecar.read_text(encoding="utf-8")
                write_atomic(sidecar, replace_technical(text, technical))
            except (ValueError, OSError) as exc:
                problems.append(f"{rel}: {exc}")
                continue
            refreshed.append(asset_id)
    if problems:
        done = f"refreshed {len(refreshed)} asset(s); " if refreshed else ""
        raise IngestError(f"{done}{len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return refreshed


def _master_path(root: Path, master: str) -> Path | None:
    return safe_master_path(root / "media", master)[0] if master else None


def replace_technical(text: str, technical: Technical) -> str:
    """The sidecar text with only its top-level `technical` block replaced (or appended).

    ruamel's round-trip parser gives the key's line; the block runs over the following lines
    indented deeper than the key (blank lines inside it included, trailing ones left alone).
    The new block is emitted by ruamel with the block's own indentation.
    """
    try:
        doc = YAML().load(text)
    except YAMLError as exc:
        raise ValueError(f"cannot be parsed ({str(exc).splitlines()[0]})") from exc
    if not isinstance(doc, CommentedMap):
        raise ValueError("is not a mapping of keys to values")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"

    if "technical" not in doc:
        body = _block_lines(technical, 2, newline)
        prefix = text if not text or text.endswith(("\n", "\r")) else text + newline
        return prefix + f"# {TECHNICAL_COMMENT}{newline}technical:{newline}" + body

    line, col = doc.lc.key("technical")
    key_line = lines[line]
    end = line
    indent = None
    for number in range(line + 1, len(lines)):
        current = lines[number]
        if not current.strip():
            continue
        depth = len(current) - len(current.lstrip(" \t"))
        if depth <= col:
            break
        end = number
        if indent is None and not current.lstrip().startswith("#"):
            indent = depth - col
    after_key = key_line[col:].split(":", 1)[1] if ":" in key_line[col:] else ""
    block_style = after_key.strip() == "" or after_key.strip().startswith("#")
    head = key_line if block_style else key_line[:col] + "technical:" + newline
    if not head.endswith(("\n", "\r")):
        head += newline
    body = _block_lines(technical, indent or 2, newline, col)
    new_lines = lines[:line] + [head, body] + lines[end + 1:]
    result = "".join(new_lines)

    # The splice must leave every other key exactly as it was.
    check = _safe.load(result)
    original = _safe.load(text)
    original.pop("technical", None)
    if {k: v for k, v in check.items() if k != "technical"} != original or list(check) != list(doc):
        raise ValueError("the technical block could not be replaced safely; fix the file's layout by hand")
    return result


def _block_lines(technical: Technical, indent: int, newline: str, col: int = 0) -> str:
    yaml = _yaml()
    yaml.indent(mapping=indent, sequence=indent + 2, offset=indent)
    stream = io.StringIO()
    yaml.dump({"technical": technical_map(technical)}, stream)
    body = stream.getvalue().splitlines()[1:]
    return "".join(" " * col + line + newline for line in body)

"""review: two Git revisions of the catalogue -> what a pull request does, for its reviewers.

    diff      `git diff --raw -M` between the fork point and head: which sidecars, pointers,
              taxonomy and portal settings changed, with the blob id of each side
    read      every blob needed, from ONE `git cat-file --batch` process (nothing is checked out)
    parse     both sides of each changed sidecar, the taxonomy and portal.yaml of both sides
    check     head-side sidecars with the rules `dam validate` runs (media checks read the head
              revision's `.dvc` pointers), cross-asset checks against the related head assets
              `git grep` finds, and the review's own rules (R7xx) about becoming public
    compare   pair old and new assets (same path, same id, or same master md5), field by field
    report    a `Review`, rendered as Markdown (sticky PR comment), JSON and annotations

Only what changed is read, so the cost follows the size of the pull request, not of the
catalogue. The head is a commit (HEAD by default), never the working tree: a review is about
what was pushed, and CI's checkout of a pull request is a commit.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import subprocess
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from builder.catalogue import ASSETS_DIR, PORTAL_FILE, TAXONOMY_FILE, ParsedSidecar, locate
from builder.diagnostics import Diagnostic, error, sort_key
from builder.dvcpointer import PointerError, parse_pointer
from builder.modelerrors import diagnostics_from
from builder.models import Asset, Status, Taxonomy, Visibility
from builder.rules import RuleContext, Vocabularies, asset_problems, catalogue_problems
from builder.settings import Limits, Settings
from builder.yamlio import decode, parse_text

MARKER = "<!-- dam-review -->"
NULL_SHA = "0" * 40
# Tags that say a recognisable person is in the picture: an approved public image or video
# carrying one needs a model release reference in rights.consent (rule R703).
CONSENT_TAGS = frozenset({"people", "person", "portrait", "staff", "customers", "children", "model-release-required"})
# GitHub refuses comments over 65,536 characters; keep room for the marker and the footer.
MARKDOWN_BUDGET = 60_000
CROSS_ASSET_CODES = {"E501", "E502", "E503", "E504", "E505"}


class ReviewError(Exception):
    """A revision that does not exist, or a folder that is not a Git repository."""


# ---------------------------------------------------------------------------------------------
# Git plumbing: read revisions without checking anything out
# ---------------------------------------------------------------------------------------------

def git(root: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> bytes:
    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=root, capture_output=True, check=False)
    except OSError as exc:
        raise ReviewError(f"cannot run git: {exc}") from exc
    if done.returncode not in ok_codes:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReviewError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def resolve(root: Path, rev: str) -> str:
    """Full commit id of `rev`; a clear error when it does not exist (e.g. a shallow clone)."""
    if rev.startswith("-"):
        raise ReviewError(f"'{rev}' is not a revision")
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except ReviewError:
        raise ReviewError(f"revision '{rev}' not found (in CI, check out with fetch-depth: 0)") from None


def fork_point(root: Path, base: str, head: str) -> str:
    """Where head left base, so changes made on base since then are not shown as reverted."""
    found = git(root, "merge-base", base, head, ok_codes=(0, 1)).decode().strip()
    return found or base


@dataclass(frozen=True)
class FileChange:
    status: str  # A, M, D, R, T (C is treated as A)
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None


def parse_raw(text: str) -> list[FileChange]:
    """`git diff --raw -z` / `git log --raw -z` records -> FileChanges."""
    fields = text.split("\0")
    changes, index = [], 0
    while index < len(fields) and fields[index].lstrip("\n").startswith(":"):
        _old_mode, _new_mode, old_blob, new_blob, status = fields[index].lstrip("\n")[1:].split(" ")
        kind = status[0]
        if kind in "RC":
            old_path, new_path, index = fields[index + 1], fields[index + 2], index + 3
        else:
            old_path = new_path = fields[index + 1]
            index += 2
        if kind == "C":
            kind, old_path, old_blob = "A", None, NULL_SHA
        changes.append(FileChange(
            kind,
            None if kind == "A" else old_path,
            None if kind == "D" else new_path,
            None if old_blob == NULL_SHA else old_blob,
            None if new_blob == NULL_SHA else new_blob,
        ))
    return changes


def changed_files(root: Path, base: str, head: str) -> list[FileChange]:
    raw = git(root, "diff", "--raw", "-z", "-M", "--no-abbrev", base, head, "--", "catalogue", "media")
    return parse_raw(raw.decode("utf-8", "replace"))


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    blob: str

    @property
    def is_link(self) -> bool:
        return self.mode == "120000"


def tree(root: Path, rev: str, paths: Iterable[str]) -> dict[str, TreeEntry]:
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths).decode("utf-8", "replace")
    entries = {}
    for record in filter(None, out.split("\0")):
        meta, _, path = record.partition("\t")
        mode, kind, blob = meta.split(" ")
        if kind == "blob":
            entries[path] = TreeEntry(mode, blob)
    return entries


def _ere(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\.[]()*+?{}|^$" else c for c in text)


def grep_files(root: Path, rev: str, strings: Iterable[str], under: str) -> set[str]:
    """Paths under `under` at `rev` containing any of the strings (one `git grep`).

    The strings go in as ONE extended regex of alternatives: git matches a list of -F
    patterns one after the other (5 s for 1,500 strings over 10,000 sidecars), an
    alternation in one pass (0.5 s)."""
    strings = sorted({s for s in strings if s and "\n" not in s})
    if not strings:
        return set()
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as handle:
        handle.write("|".join(_ere(s) for s in strings) + "\n")
    try:
        out = git(root, "grep", "-z", "-l", "-E", "-f", handle.name, rev, "--", under, ok_codes=(0, 1))
    finally:
        os.unlink(handle.name)
    prefix = f"{rev}:"
    return {name.removeprefix(prefix) for name in out.decode("utf-8", "replace").split("\0") if name}


class BlobReader:
    """One `git cat-file --batch` process for every blob a review (or history) needs."""

    def __init__(self, root: Path) -> None:
        self._process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._cache: dict[str, bytes] = {}

    def __enter__(self) -> "BlobReader":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()

    def read(self, blobs: Iterable[str | None]) -> dict[str, bytes]:
        """Contents of the blobs, by id. Requests are written by a thread while this one reads,
        so thousands of ids never fill both pipes at once."""
        blobs = [b for b in dict.fromkeys(blobs) if b]
        wanted = [b for b in blobs if b not in self._cache]
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None

        def request() -> None:
            stdin.write("".join(f"{blob}\n" for blob in wanted).encode())
            stdin.flush()

        writer = threading.Thread(target=request, daemon=True)
        writer.start()
        for blob in wanted:
            header = stdout.readline().decode().split()
            if len(header) < 3 or header[1] == "missing":
                self._cache[blob] = b""
                continue
            size = int(header[2])
            self._cache[blob] = stdout.read(size)
            stdout.read(1)  # the newline after each object
        writer.join()
        return {blob: self._cache[blob] for blob in blobs}


# ---------------------------------------------------------------------------------------------
# Parsing blobs with the loader's rules
# ---------------------------------------------------------------------------------------------

def parse_blob(relative: str, raw: bytes, limits: Limits) -> tuple[ParsedSidecar, str | None]:
    """catalogue.parse_sidecar for bytes read from Git: the asset or located diagnostics."""
    if len(raw) > limits.max_sidecar_bytes:
        return ParsedSidecar(relative, None, (error(relative, "E106", f"file is {len(raw) // 1024} KiB, over the {limits.max_sidecar_bytes // 1024} KiB limit", line=1, col=1),)), None
    text, found = decode(raw, relative)
    if text is None:
        return ParsedSidecar(relative, None, tuple(found)), None
    parsed = parse_text(text, relative, limits.max_yaml_depth)
    found += parsed.diagnostics
    asset = None
    if parsed.data is not None and not isinstance(parsed.data, dict):
        found.append(error(relative, "E108", "top level is not a mapping of keys", "write `key: value` lines, e.g. `id: my-asset`", line=1, col=1))
    elif isinstance(parsed.data, dict):
        try:
            asset = Asset.model_validate(parsed.data)
        except ValidationError as exc:
            found += diagnostics_from(relative, exc, Asset)
    return ParsedSidecar(relative, asset, tuple(locate(Path("."), found, {relative: text}))), text


def parse_model(relative: str, raw: bytes | None, model: type[BaseModel]) -> tuple[Any, list[Diagnostic]]:
    if raw is None:
        return None, []
    text, found = decode(raw, relative)
    if text is None:
        return None, found
    parsed = parse_text(text, relative)
    found += parsed.diagnostics
    if not isinstance(parsed.data, dict):
        return None, found
    try:
        return model.model_validate(parsed.data), found
    except ValidationError as exc:
        return None, found + locate(Path("."), diagnostics_from(relative, exc, model), {relative: text})


def is_sidecar(path: str | None) -> bool:
    return bool(path) and path.startswith(ASSETS_DIR + "/") and path.endswith((".yaml", ".yml"))


def is_pointer(path: str | None) -> bool:
    return bool(path) and path.startswith("media/") and path.endswith(".dvc")


def stem(path: str) -> str:
    """File name without its extension; a plain string split (called for every head sidecar)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


# ---------------------------------------------------------------------------------------------
# The report's data
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class AssetChange:
    asset_id: str
    kind: str  # added | removed | renamed | modified | unreadable
    old_path: str | None
    new_path: str | None
    title: str
    fields: tuple[FieldChange, ...] = ()
    renamed_by: str = ""  # "path" (Git saw it), "id" (same id, new path) or "md5" (same master)
    old_id: str | None = None
    master_replaced: bool = False
    technical_before: dict | None = None
    technical_after: dict | None = None
    status_before: str | None = None
    status_after: str | None = None
    published_before: bool = False
    published_after: bool = False
    effect: str = ""  # publish | withdraw | update | none
    portal: str = ""  # the sentence for people: "will be published", ...
    problems: int = 0  # errors on the head side
    # The parsed sides, for `dam build --review` (old and new renditions); not in the JSON.
    before: Asset | None = field(default=None, repr=False, compare=False)
    after: Asset | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


@dataclass(frozen=True)
class Review:
    base: str
    head: str
    base_commit: str
    head_commit: str
    today: dt.date
    changes: tuple[AssetChange, ...]
    diagnostics: tuple[Diagnostic, ...]
    other_files: tuple[str, ...] = ()
    taxonomy_changes: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    def count(self, attribute: str, value: str) -> int:
        return sum(1 for change in self.changes if getattr(change, attribute) == value)


# ---------------------------------------------------------------------------------------------
# Comparing two versions of an asset
# ---------------------------------------------------------------------------------------------

def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix[:-1]: value}


def field_changes(before: Asset | None, after: Asset | None, skip: tuple[str, ...] = ("technical.",)) -> tuple[FieldChange, ...]:
    """Every field whose value differs, old -> new, as dotted names (rights.expires, focus.x)."""
    if before is None or after is None:
        return ()
    old = _flatten(before.model_dump(mode="json", exclude_none=True))
    new = _flatten(after.model_dump(mode="json", exclude_none=True))
    order = list(Asset.model_fields)
    names = sorted(set(old) | set(new), key=lambda n: (order.index(n.split(".")[0]) if n.split(".")[0] in order else 99, n))
    return tuple(FieldChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n) and not n.startswith(skip))


def unpublished_reason(asset: Asset | None, today: dt.date, broken: bool = False) -> str:
    if broken:
        return "validation errors" if asset else "cannot be read"
    if asset is None:
        return "removed"
    rights = asset.rights
    if asset.status is not Status.APPROVED:
        return asset.status.value.replace("_", " ")
    if asset.visibility is not Visibility.PUBLIC:
        return "internal"
    if rights.withdrawn_on:
        return f"rights withdrawn on {rights.withdrawn_on}"
    if rights.expires and rights.expires < today:
        return f"rights expired on {rights.expires}"
    if rights.embargo_until and rights.embargo_until > today:
        return f"embargoed until {rights.embargo_until}"
    return ""


def portal_effect(before: Asset | None, after: Asset | None, today: dt.date, after_broken: bool) -> tuple[bool, bool, str, str]:
    """(published before, after, effect key, sentence) judged with Asset.is_published(today)."""
    was = before is not None and before.is_published(today)
    now = after is not None and not after_broken and after.is_published(today)
    if now and not was:
        return was, now, "publish", "will be published"
    if was and not now:
        return was, now, "withdraw", f"will be withdrawn ({unpublished_reason(after, today, after_broken)})"
    if was and now:
        return was, now, "update", "stays published"
    return was, now, "none", f"stays unpublished ({unpublished_reason(after, today, after_broken)})"


def made_public(before: Asset | None, after: Asset) -> bool:
    """The pull request asks for publication: approved + public now, and not before."""
    wants = after.status is Status.APPROVED and after.visibility is Visibility.PUBLIC
    wanted = before is not None and before.status is Status.APPROVED and before.visibility is Visibility.PUBLIC
    return wants and not wanted


def review_problems(path: str, before: Asset | None, after: Asset, today: dt.date) -> list[Diagnostic]:
    """The review's own rule breaks: publishing what may not be published (R7xx)."""
    found: list[Diagnostic] = []
    newly_public = made_public(before, after)
    rights = after.rights
    if newly_public and rights.withdrawn_on:
        found.append(error(path, "R701", f"made public, but its rights were withdrawn on {rights.withdrawn_on}",
                           "withdrawn assets are never published; archive it instead", loc=("rights", "withdrawn_on")))
    elif newly_public and rights.expires and rights.expires < today:
        found.append(error(path, "R702", f"made public, but its rights expired on {rights.expires}",
                           "renew the licence (rights.expires) or leave it unpublished", loc=("rights", "expires")))
    public = after.status is Status.APPROVED and after.visibility is Visibility.PUBLIC
    people = [(i, tag) for i, tag in enumerate(after.tags) if tag in CONSENT_TAGS]
    touched = newly_public or before is None or before.tags != after.tags or before.rights.consent != rights.consent
    if public and people and not rights.consent and after.kind in ("image", "video", None) and touched:
        index, tag = people[0]
        found.append(error(path, "R703", f"shows people (tag '{tag}') but rights.consent names no model release",
                           "add the release reference(s) to rights.consent", loc=("tags", index)))
    return found


# ---------------------------------------------------------------------------------------------
# The review
# ---------------------------------------------------------------------------------------------

@dataclass
class _Side:
    """One revision's view of the changed files."""

    taxonomy: Taxonomy | None = None
    settings: Settings = field(default_factory=Settings)
    parsed: dict[str, ParsedSidecar] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def _load_side(reader: BlobReader, config: dict[str, TreeEntry], sidecars: dict[str, str]) -> tuple[_Side, list[Diagnostic]]:
    side, found = _Side(), []
    blobs = reader.read([entry.blob for entry in config.values()] + list(sidecars.values()))
    if PORTAL_FILE in config:
        settings, problems = parse_model(PORTAL_FILE, blobs[config[PORTAL_FILE].blob], Settings)
        side.settings = settings or side.settings
        found += problems
    taxonomy, problems = parse_model(TAXONOMY_FILE, blobs[config[TAXONOMY_FILE].blob] if TAXONOMY_FILE in config else None, Taxonomy)
    side.taxonomy = taxonomy
    found += problems
    for path, blob in sidecars.items():
        side.parsed[path], text = parse_blob(path, blobs[blob], side.settings.limits)
        if text is not None:
            side.texts[path] = text
    return side, found


def _materialise_media(folder: Path, head_tree: dict[str, TreeEntry], masters: set[str], reader: BlobReader) -> None:
    """Write the head revision's pointers (and links) for these masters under folder/media,
    so the validator's own media rules run unchanged against the head instead of the disk."""
    wanted: dict[str, TreeEntry] = {}
    for master in masters:
        for candidate in (f"media/{master}", f"media/{master}.dvc"):
            if candidate in head_tree:
                wanted[candidate] = head_tree[candidate]
        if not any(c in head_tree for c in (f"media/{master}", f"media/{master}.dvc")):
            parent = f"media/{PurePosixPath(master).parent.as_posix()}/"
            for path in head_tree:  # names only, so "did you mean" hints still work
                if path.startswith(parent) and "/" not in path[len(parent):]:
                    wanted.setdefault(path, TreeEntry("100644", ""))
    pointers = reader.read(entry.blob for path, entry in wanted.items() if path.endswith(".dvc") or entry.is_link)
    for path, entry in wanted.items():
        target = folder / path
        if ".." in PurePosixPath(path).parts:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.is_link:
            target.symlink_to(pointers.get(entry.blob, b"").decode("utf-8", "replace"))
        else:
            target.write_bytes(pointers.get(entry.blob, b"") if path.endswith(".dvc") else b"")


def _pair(removed: dict[str, Asset | None], added: dict[str, Asset | None]) -> list[tuple[str, str, str]]:
    """Removed and added sidecars that are one asset moved: same id, else same master md5."""
    pairs, used = [], set()
    by_id = {stem(path): path for path in added}
    by_md5 = {a.technical.md5: path for path, a in added.items() if a is not None and a.technical}
    for old_path, old in removed.items():
        new_path = by_id.get(old.id if old else stem(old_path))
        how = "id"
        if (new_path is None or new_path in used) and old is not None and old.technical:
            new_path, how = by_md5.get(old.technical.md5), "md5"
        if new_path and new_path not in used:
            used.add(new_path)
            pairs.append((old_path, new_path, how))
    return pairs


def _same_asset(old_path: str, before: Asset | None, new_path: str, after: Asset | None) -> bool:
    """Git pairs files by similar text; two sidecars are one asset only by id or master md5."""
    if stem(old_path) == stem(new_path) or (before and after and before.id == after.id):
        return True
    return bool(before and after and before.technical and after.technical and before.technical.md5 == after.technical.md5)


def _technical(asset: Asset | None) -> dict | None:
    return asset.technical.model_dump(mode="json", exclude_none=True) if asset and asset.technical else None


def review(root: Path, base: str, head: str = "HEAD", today: dt.date | None = None) -> Review:
    """Compare the catalogue at `head` with where it forked from `base`; never raises for bad YAML."""
    today = today or dt.date.today()
    base_commit, head_commit = resolve(root, base), resolve(root, head)
    fork = fork_point(root, base_commit, head_commit)
    changes = changed_files(root, fork, head_commit)
    config = (TAXONOMY_FILE, PORTAL_FILE)
    head_tree = tree(root, head_commit, ["catalogue", "media"])
    base_config = tree(root, fork, config)
    head_config = {path: head_tree[path] for path in config if path in head_tree}

    sidecar_changes = [c for c in changes if is_sidecar(c.old_path) or is_sidecar(c.new_path)]
    pointer_changes = [c for c in changes if is_pointer(c.old_path) or is_pointer(c.new_path)]
    other = tuple(sorted(c.new_path or c.old_path or "" for c in changes if c not in sidecar_changes and c not in pointer_changes))

    with BlobReader(root) as reader:
        old_side, _ = _load_side(reader, base_config, {c.old_path: c.old_blob for c in sidecar_changes if is_sidecar(c.old_path) and c.old_blob})
        new_side, found = _load_side(reader, head_config, {c.new_path: c.new_blob for c in sidecar_changes if is_sidecar(c.new_path) and c.new_blob})
        diagnostics = list(found)
        head_assets = {p: s.asset for p, s in new_side.parsed.items() if s.asset is not None}

        # Sidecars the PR did not edit but whose master pointer it replaced: E403 shows there.
        changed_masters = {c.new_path.removeprefix("media/").removesuffix(".dvc"): c for c in pointer_changes if c.new_path and c.old_path}
        related_paths = grep_files(root, head_commit, [
            *(a.technical.md5 for a in head_assets.values() if a.technical),
            *(a.master for a in head_assets.values()),
            *changed_masters,
        ], ASSETS_DIR)
        by_stem: dict[str, list[str]] = {}
        for path in head_tree:
            if is_sidecar(path):
                by_stem.setdefault(stem(path), []).append(path)
        head_ids = set(by_stem)
        # same file name elsewhere (a duplicate id), and the assets the changed ones supersede
        wanted_ids = {stem(p) for p in new_side.parsed} | {a.supersedes for a in head_assets.values() if a.supersedes}
        related_paths |= {p for asset_id in wanted_ids for p in by_stem.get(asset_id, ())}
        related_paths -= set(new_side.parsed)
        related_blobs = reader.read(head_tree[p].blob for p in related_paths if p in head_tree)
        related = {}
        for path in sorted(related_paths):
            if path in head_tree:
                parsed, text = parse_blob(path, related_blobs[head_tree[path].blob], new_side.settings.limits)
                if parsed.asset is not None:
                    related[path] = parsed.asset
                    if text is not None:
                        new_side.texts[path] = text
        repointed = {p: a for p, a in related.items() if a.master in changed_masters}
        for path, asset in repointed.items():  # both sides of the sidecar are the head's
            new_side.parsed[path] = ParsedSidecar(path, asset, ())
            head_assets[path] = asset

        # Per-asset rules, exactly as `dam validate` runs them, against the head's media pointers.
        vocabularies = Vocabularies.of(new_side.taxonomy) if new_side.taxonomy else None
        with tempfile.TemporaryDirectory(prefix="dam-review-") as scratch:
            scratch_root = Path(scratch)
            _materialise_media(scratch_root, head_tree, {a.master for a in head_assets.values()}, reader)
            ctx = RuleContext(scratch_root, vocabularies, today, new_side.settings.expiry_warning_days)
            for path, parsed in sorted(new_side.parsed.items()):
                diagnostics += parsed.diagnostics
                if parsed.asset is not None:
                    diagnostics += locate(scratch_root, asset_problems(path, parsed.asset, ctx), new_side.texts)
        pointers = reader.read(blob for c in changed_masters.values() for blob in (c.old_blob, c.new_blob))

    # Across assets: the changed ones against the related head assets found above. A related
    # asset's own `supersedes` is kept only when its target was read too: its references are
    # not under review, and a target that was simply not read is no error.
    read_ids = {a.id for a in (*related.values(), *head_assets.values())}
    context = {p: a if a.supersedes in read_ids else a.model_copy(update={"supersedes": None}) for p, a in related.items()}
    sources = sorted({**context, **head_assets}.items())
    for problem in locate(root, catalogue_problems(sources), new_side.texts):
        if problem.code == "E503" and dict(sources)[problem.path].supersedes in head_ids:
            continue  # the target exists at head; it just was not among the files read
        if problem.path in head_assets or problem.code == "E503":
            diagnostics.append(problem)

    # Pair both sides into asset changes.
    old_by_path: dict[str, Asset | None] = {p: s.asset for p, s in old_side.parsed.items()}
    new_by_path: dict[str, Asset | None] = {p: s.asset for p, s in new_side.parsed.items()}
    pairs: list[tuple[str | None, str | None, str]] = []
    removed: dict[str, Asset | None] = {}
    added: dict[str, Asset | None] = {}
    for change in sidecar_changes:
        old_path, new_path = change.old_path, change.new_path
        if old_path and new_path and (old_path == new_path or _same_asset(old_path, old_by_path.get(old_path), new_path, new_by_path.get(new_path))):
            pairs.append((old_path, new_path, "path" if old_path != new_path else ""))
            continue
        if old_path:  # deleted, or a "rename" Git guessed from similar text between two assets
            removed[old_path] = old_by_path.get(old_path)
        if new_path:
            added[new_path] = new_by_path.get(new_path)
    for path in repointed:
        pairs.append((path, path, ""))
        old_by_path[path] = new_by_path[path]
    paired_old = {o for o, _, _ in pairs}
    paired_new = {n for _, n, _ in pairs}
    moved = _pair(removed, added)
    pairs += moved
    paired_old |= {o for o, _, _ in moved}
    paired_new |= {n for _, n, _ in moved}
    pairs += [(o, None, "") for o in removed if o not in paired_old]
    pairs += [(None, n, "") for n in added if n not in paired_new]

    broken = {d.path for d in diagnostics if d.is_error}
    asset_changes = []
    for old_path, new_path, renamed_by in pairs:
        before = old_by_path.get(old_path) if old_path else None
        after = new_by_path.get(new_path) if new_path else None
        if after is not None:
            diagnostics += locate(root, review_problems(new_path, before, after, today), new_side.texts)
        head_broken = new_path in broken or (new_path is not None and after is None)
        was, now, effect, sentence = portal_effect(before, after, today, head_broken)
        kind = ("unreadable" if new_path and after is None else "renamed" if renamed_by
                else "added" if old_path is None else "removed" if new_path is None else "modified")
        master_replaced = bool(before and after and (before.technical.md5 if before.technical else None) != (after.technical.md5 if after.technical else None))
        tech_before, tech_after = _technical(before), _technical(after)
        if new_path in repointed:
            pointer = changed_masters[after.master]
            master_replaced = True
            tech_before = {"md5 (.dvc pointer)": _pointer_md5(pointers.get(pointer.old_blob or "", b""))}
            tech_after = {"md5 (.dvc pointer)": _pointer_md5(pointers.get(pointer.new_blob or "", b""))}
        asset_id = (after or before).id if (after or before) else stem(new_path or old_path or "")
        asset_changes.append(AssetChange(
            asset_id=asset_id,
            kind=kind,
            old_path=old_path,
            new_path=new_path,
            title=(after or before).title if (after or before) else "",
            fields=field_changes(before, after),
            renamed_by=renamed_by,
            old_id=before.id if before and renamed_by and after and before.id != after.id else None,
            master_replaced=master_replaced,
            technical_before=tech_before if master_replaced else None,
            technical_after=tech_after if master_replaced else None,
            status_before=before.status.value if before else None,
            status_after=after.status.value if after else None,
            published_before=was,
            published_after=now,
            effect=effect,
            portal=sentence,
            problems=sum(1 for d in diagnostics if d.is_error and d.path == new_path),
            before=before,
            after=after,
        ))
    order = {"unreadable": 0, "added": 1, "renamed": 2, "modified": 3, "removed": 4}
    impact = {"publish": 0, "withdraw": 0, "update": 1, "none": 2}
    asset_changes.sort(key=lambda c: (-min(c.problems, 1), impact[c.effect], order[c.kind], c.asset_id, c.path))
    unique = sorted(set(diagnostics), key=sort_key)
    return Review(
        base=base, head=head, base_commit=fork, head_commit=head_commit, today=today,
        changes=tuple(asset_changes), diagnostics=tuple(unique), other_files=other,
        taxonomy_changes=tuple(taxonomy_changes(old_side.taxonomy, new_side.taxonomy)),
    )


def _pointer_md5(raw: bytes) -> str:
    try:
        return parse_pointer(raw.decode("utf-8", "replace")).md5
    except (PointerError, ValueError):
        return "(unreadable)"


def taxonomy_changes(before: Taxonomy | None, after: Taxonomy | None) -> list[str]:
    """One line per vocabulary term added or removed, so a taxonomy edit is reviewed too."""
    if before is None or after is None or before == after:
        return []
    lines = []
    for name in ("owners", "collections", "campaigns", "tags", "channels", "licences"):
        old, new = set(before.vocabulary(name)), set(after.vocabulary(name))
        lines += [f"{name}: added '{term}'" for term in sorted(new - old)]
        lines += [f"{name}: removed '{term}'" for term in sorted(old - new)]
        if name in ("owners", "collections"):
            for term in sorted(old & new):
                if getattr(before, name)[term] != getattr(after, name)[term]:
                    lines.append(f"{name}: changed '{term}'")
    return lines


# ---------------------------------------------------------------------------------------------
# Rendering: JSON for scripts, Markdown for the sticky comment, text for a terminal
# ---------------------------------------------------------------------------------------------

def _diagnostic_record(d: Diagnostic) -> dict:
    return {"path": d.path, "line": d.line, "col": d.col, "code": d.code, "severity": d.severity.value,
            "message": d.message, "hint": d.hint}


def to_data(result: Review) -> dict:
    changes = []
    for change in result.changes:
        record = {name: getattr(change, name) for name in change.__dataclass_fields__ if name not in ("before", "after")}
        record["fields"] = [asdict(f) for f in change.fields]
        changes.append(record)
    return {
        "base": result.base, "head": result.head,
        "base_commit": result.base_commit, "head_commit": result.head_commit,
        "today": result.today.isoformat(),
        "summary": summary_counts(result),
        "changes": changes,
        "errors": [_diagnostic_record(d) for d in result.errors],
        "warnings": [_diagnostic_record(d) for d in result.warnings],
        "taxonomy_changes": list(result.taxonomy_changes),
        "other_files": list(result.other_files),
    }


def to_json(result: Review) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False, default=str)


def summary_counts(result: Review) -> dict[str, int]:
    return {
        "assets": len(result.changes),
        **{kind: result.count("kind", kind) for kind in ("added", "removed", "renamed", "modified", "unreadable")},
        "masters_replaced": sum(1 for c in result.changes if c.master_replaced),
        "will_be_published": result.count("effect", "publish"),
        "will_be_withdrawn": result.count("effect", "withdraw"),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
    }


# Characters that mean something to GitHub Markdown (tables, code, emphasis, links, mentions,
# issue references) become numeric character references: they render as themselves.
_MARKDOWN_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "\\`*_[]|#@~<>"} | {ord("&"): "&amp;", ord('"'): "&quot;"}


def md(value: Any, limit: int = 160) -> str:
    """Catalogue text made inert for a Markdown table cell or an HTML <summary>."""
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value) if value else "(none)"
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(_MARKDOWN_ESCAPES)


def code(value: str) -> str:
    """An id or path in <code>; HTML-escaped, so a backtick or tag inside cannot break out."""
    return f"<code>{html.escape(value, quote=True)}</code>"


_EFFECT_ICONS = {"publish": "🟢", "withdraw": "🔴", "update": "🔵", "none": "⚪"}


def _asset_row(change: AssetChange) -> str:
    status = md(change.status_after or change.status_before)
    if change.status_before and change.status_after and change.status_before != change.status_after:
        status = f"{md(change.status_before)} → {md(change.status_after)}"
    what = change.kind
    if change.kind == "renamed":
        what = f"renamed (same {'master' if change.renamed_by == 'md5' else 'id' if change.renamed_by == 'id' else 'file'})"
    elif change.kind == "modified":
        what = f"{len(change.fields)} field{'s' if len(change.fields) != 1 else ''}"
    if change.master_replaced:
        what += ", master replaced"
    flag = " ❌" if change.problems else ""
    return (f"| {code(change.asset_id)}{flag} | {md(change.title, 60)} | {what} | {status} | "
            f"{_EFFECT_ICONS[change.effect]} {md(change.portal)} |")


def _details(change: AssetChange, problems: list[Diagnostic]) -> str:
    lines = [f"<details><summary>{code(change.asset_id)} {md(change.title, 80)} · {md(change.kind)} · {md(change.portal)}</summary>", ""]
    if change.old_path and change.new_path and change.old_path != change.new_path:
        lines.append(f"Moved from {code(change.old_path)} to {code(change.new_path)}"
                     + (f" (id {code(change.old_id)} → {code(change.asset_id)}: its portal URL changes)" if change.old_id else "") + ".")
        lines.append("")
    else:
        lines += [f"File: {code(change.path)}", ""]
    if change.fields:
        lines += ["| Field | Before | After |", "|---|---|---|"]
        lines += [f"| {code(f.field)} | {md(f.old)} | {md(f.new)} |" for f in change.fields]
        lines.append("")
    if change.master_replaced:
        before, after = change.technical_before or {}, change.technical_after or {}
        lines += ["**Master replaced**", "", "| Technical | Before | After |", "|---|---|---|"]
        for name in dict.fromkeys([*before, *after]):
            if before.get(name) != after.get(name) or name in ("md5", "width", "height"):
                lines.append(f"| {code(name)} | {md(before.get(name))} | {md(after.get(name))} |")
        lines.append("")
    for d in problems:
        lines.append(f"- {'❌' if d.is_error else '⚠️'} line {d.line}: `{d.code}` {md(d.message, 300)}" + (f" ({md(d.hint, 200)})" if d.hint else ""))
    if problems:
        lines.append("")
    lines += ["</details>", ""]
    return "\n".join(lines)


def _diagnostic_row(d: Diagnostic) -> str:
    hint = f" ({md(d.hint, 200)})" if d.hint else ""
    return f"| {code(f'{d.path}:{d.line}')} | `{d.code}` | {md(d.message, 300)}{hint} |"


def to_markdown(result: Review, budget: int = MARKDOWN_BUDGET) -> str:
    """The sticky comment: a summary, rule breaks, the portal impact table, then folded details.
    Sections are cut (with a note) rather than let the comment outgrow GitHub's limit."""
    counts = summary_counts(result)
    out = [MARKER, f"## Catalogue review: {code(result.base_commit[:7])} → {code(result.head_commit[:7])}", ""]
    if not result.changes and not result.diagnostics and not result.taxonomy_changes:
        out += ["No catalogue changes in this pull request.", ""]
        return "\n".join(out)
    parts = [f"{counts[k]} {k}" for k in ("added", "modified", "renamed", "removed", "unreadable") if counts[k]]
    out.append(f"**{counts['assets']} asset{'s' if counts['assets'] != 1 else ''} changed**" + (f": {', '.join(parts)}" if parts else ""))
    out.append(f"· 🟢 {counts['will_be_published']} will be published · 🔴 {counts['will_be_withdrawn']} will be withdrawn"
               f" · {counts['masters_replaced']} master(s) replaced")
    verdict = (f"❌ **{counts['errors']} rule break{'s' if counts['errors'] != 1 else ''}**: fix them before merging"
               if counts["errors"] else "✅ no rule breaks")
    out += [f"· {verdict} · ⚠️ {counts['warnings']} warning{'s' if counts['warnings'] != 1 else ''}",
            f"· publication judged as of {result.today.isoformat()}", ""]
    used = len("\n".join(out))
    note = "\n_… cut to fit a comment: the full report is review.json in the preview artifact._\n"

    def section(title: str, header: list[str], rows: list[str]) -> None:
        nonlocal used
        if not rows:
            return
        block = [title, "", *header]
        size = len("\n".join(block)) + 2
        kept = 0
        for row in rows:
            if used + size + len(row) + len(note) > budget:
                break
            block.append(row)
            size += len(row) + 1
            kept += 1
        if kept < len(rows):
            block += ["", f"_… and {len(rows) - kept} more: see review.json._"]
        block.append("")
        out.extend(block)
        used += size

    table = ["| Where | Code | Problem |", "|---|---|---|"]
    section("### ❌ Rule breaks", table, [_diagnostic_row(d) for d in result.errors])
    section("### ⚠️ Warnings", table, [_diagnostic_row(d) for d in result.warnings])
    section("### Portal impact", ["| Asset | Title | Change | Status | Public portal |", "|---|---|---|---|---|"],
            [_asset_row(c) for c in result.changes])
    if result.taxonomy_changes:
        section("### taxonomy.yaml", [], [f"- {md(line)}" for line in result.taxonomy_changes]
                + ["- unchanged sidecars are checked against the new taxonomy by `dam validate`"])
    by_path: dict[str, list[Diagnostic]] = {}
    for d in result.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    details = [_details(c, by_path.get(c.new_path or "", [])) for c in result.changes
               if c.fields or c.master_replaced or c.renamed_by or by_path.get(c.new_path or "") or c.kind == "added"]
    if details:
        out += ["### Details", ""]
        used += 14
        for index, block in enumerate(details):
            if used + len(block) + len(note) > budget:
                out.append(f"_… details of {len(details) - index} more asset(s) are in review.json._")
                break
            out.append(block)
            used += len(block) + 1
    if result.other_files:
        out.append("<sub>Other changed files: " + ", ".join(code(p) for p in result.other_files[:20])
                   + (f" and {len(result.other_files) - 20} more" if len(result.other_files) > 20 else "") + "</sub>")
    text = "\n".join(out).rstrip() + "\n"
    return text if len(text) <= budget + len(note) else text[:budget] + note


def to_text(result: Review) -> str:
    """For a terminal: one line per asset, then every problem as path:line:col."""
    counts = summary_counts(result)
    lines = [f"review {result.base_commit[:7]}..{result.head_commit[:7]} (as of {result.today}): "
             f"{counts['assets']} asset(s) changed, {counts['will_be_published']} to publish, "
             f"{counts['will_be_withdrawn']} to withdraw, {counts['errors']} error(s), {counts['warnings']} warning(s)"]
    for change in result.changes:
        fields = ", ".join(f"{f.field}: {f.old!r} -> {f.new!r}" for f in change.fields[:6])
        more = f" (+{len(change.fields) - 6} more)" if len(change.fields) > 6 else ""
        master = " [master replaced]" if change.master_replaced else ""
        moved = f" from {change.old_path}" if change.renamed_by else ""
        lines.append(f"  {change.kind:<10} {change.asset_id}{moved}{master}: {change.portal}" + (f"; {fields}{more}" if fields else ""))
    for d in result.diagnostics:
        lines.append(d.text() if d.is_error else d.text().replace(f": {d.code} ", f": {d.code} warning: ", 1))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# History: the field-level story of one sidecar, joined with builder.history's changes
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryEntry:
    commit: str
    date: str
    author: str
    message: str
    pr_number: int | None
    path: str
    kind: str  # added | modified | renamed | removed
    fields: tuple[FieldChange, ...]
    problems: tuple[str, ...] = ()  # why a side could not be read


def sidecar_blobs(root: Path, path: str) -> dict[str, FileChange]:
    """commit -> the sidecar's change in it, following renames, first parent (one `git log`)."""
    out = git(root, "log", "--first-parent", "--diff-merges=first-parent", "-M", "--follow", "--raw",
              "--no-abbrev", "-z", "--format=%x1e%H", "--", path).decode("utf-8", "replace")
    found = {}
    for record in filter(None, out.split("\x1e")):
        commit, _, raw = record.partition("\0")
        changes = parse_raw(raw)
        if changes:
            found[commit.strip()] = changes[0]
    return found


def asset_history(root: Path, path: str, changes: Iterable[Any]) -> list[HistoryEntry]:
    """`changes` are builder.history Changes of `path` (newest first); each gets its field diff."""
    by_commit = sidecar_blobs(root, path)
    entries = []
    with BlobReader(root) as reader:
        blobs = reader.read(b for c in by_commit.values() for b in (c.old_blob, c.new_blob))
        for change in changes:
            diff = by_commit.get(change.commit)
            if diff is None:
                continue
            sides, problems = [], []
            for relative, blob in ((diff.old_path, diff.old_blob), (diff.new_path, diff.new_blob)):
                if not blob:
                    sides.append(None)
                    continue
                parsed, _ = parse_blob(relative or path, blobs.get(blob, b""), Limits())
                sides.append(parsed.asset)
                problems += [d.text() for d in parsed.diagnostics if d.is_error]
            kind = {"A": "added", "D": "removed", "R": "renamed"}.get(diff.status, "modified")
            entries.append(HistoryEntry(change.commit, change.date, change.author, change.message, change.pr_number,
                                        diff.new_path or diff.old_path or path, kind,
                                        field_changes(sides[0], sides[1], skip=()), tuple(problems)))
    return entries

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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from pydantic import BaseModel

from builder.catalogue import ASSETS_DIR, PORTAL_FILE, TAXONOMY_FILE, ParsedSidecar, locate, validated
from builder.diagnostics import Diagnostic, error, sort_key
from builder.dvcpointer import PointerError, parse_pointer
from builder.models import Asset, Status, Taxonomy, Visibility
from builder.rules import RuleContext, Vocabularies, asset_problems, catalogue_problems
from builder.settings import Limits, Settings
from builder.yamlio import parse_bytes
from builder.gitobjects import (
    BlobReader, FileChange, TreeEntry, changed_files, fork_point, git, grep_files, parse_raw,
    resolve, tree,
)


# Tags that say a recognisable person is in the picture: an approved public image or video
# carrying one needs a model release reference in rights.consent (rule R703).
CONSENT_TAGS = frozenset({"people", "person", "portrait", "staff", "customers", "children", "model-release-required"})


# ---------------------------------------------------------------------------------------------
# Parsing blobs with the loader's rules
# ---------------------------------------------------------------------------------------------

def parse_blob(relative: str, raw: bytes, limits: Limits) -> tuple[ParsedSidecar, str | None]:
    """catalogue.parse_sidecar for bytes read from Git: the asset or located diagnostics."""
    parsed = parse_bytes(raw, relative, limits.max_sidecar_bytes, limits.max_yaml_depth)
    asset, found = validated(relative, parsed, Asset)
    return ParsedSidecar(relative, asset, tuple(found)), parsed.text


def parse_model(relative: str, raw: bytes | None, model: type[BaseModel]) -> tuple[Any, list[Diagnostic]]:
    if raw is None:
        return None, []
    limits = Limits()
    return validated(relative, parse_bytes(raw, relative, limits.max_sidecar_bytes, limits.max_yaml_depth), model)


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


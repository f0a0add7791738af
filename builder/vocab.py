"""`dam vocab rename` and `dam vocab merge`: one vocabulary change as one reviewable diff.

A term lives in taxonomy.yaml (a key of a section, or an item of `tags`) and in the sidecars
that use it. Every occurrence is replaced by a splice of exactly its characters (see
`editing`), so the pull request shows only the term changing. Merging dedupes lists
(`tags: [a, b]` merging a and b into c gives `tags: [c]`).

Where each vocabulary appears:
  tags        taxonomy `tags`;        sidecar `tags`
  channels    taxonomy `channels`;    sidecar `channels`, `rights.usage`
  licences    taxonomy `licences`;    sidecar `rights.licence`
  campaigns   taxonomy `campaigns`;   sidecar `campaign`
  owners      taxonomy `owners` and every collection's `owners`; sidecar `owner`
  collections taxonomy `collections`; sidecar `collection`, the `OLD/` prefix of `master`,
              and the folders: catalogue/assets/OLD/ becomes catalogue/assets/NEW/ and
              media/OLD/ (masters, their .dvc pointers and DVC's .gitignore) becomes
              media/NEW/. Files are moved on disk, not staged: `git add -A` records them as
              renames. A merge moves files one by one (refusing name clashes) and merges
              DVC's .gitignore lines.

Sidecars that do not contain the term as text are not parsed at all. Everything is worked out
in memory first; a refusal (unknown term, target taken, a file that cannot be parsed, a name
clash) writes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from builder.atomic import write_atomic
from builder.catalogue import ASSETS_DIR, TAXONOMY_FILE, sidecar_paths
from builder.editing import (
    EditError,
    FileEdit,
    Splice,
    after_line,
    apply,
    child,
    is_str,
    leading_comments_start,
    node_at,
    node_end,
    parse,
    read_text,
    remove_items,
    replace_scalar,
    write_edits,
)
from builder.fields import SLUG_PATTERN
from builder.models import Taxonomy

# vocabulary -> key paths in a sidecar that hold its terms
SIDECAR_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "tags": (("tags",),),
    "channels": (("channels",), ("rights", "usage")),
    "licences": (("rights", "licence"),),
    "collections": (("collection",),),
    "campaigns": (("campaign",),),
    "owners": (("owner",),),
}
VOCABULARIES = tuple(SIDECAR_FIELDS)
MEDIA_DIR = "media"


@dataclass
class VocabChange:
    edits: list[FileEdit] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)  # (from, to), relative to the root
    gitignores: list[FileEdit] = field(default_factory=list)  # DVC's .gitignore files, merged

    @property
    def files(self) -> list[str]:
        return [edit.path for edit in self.edits]


# --- one file -----------------------------------------------------------------------------------

def _retarget_node(text: str, node: Node | None, sources: set[str], target: str, in_flow: bool = False) -> list[Splice]:
    """Splices turning every source term in a scalar or list of scalars into `target`."""
    if node is None:
        return []
    if isinstance(node, ScalarNode):
        return [replace_scalar(node, target, in_flow)] if is_str(node) and node.value in sources else []
    if not isinstance(node, SequenceNode):
        return []
    splices, seen, drop = [], set(), set()
    for number, item in enumerate(node.value):
        if not isinstance(item, ScalarNode):
            continue
        value = item.value if is_str(item) else None
        new = target if value in sources else value
        if new is not None and new in seen and (value in sources or new == target):
            drop.add(number)
            continue
        seen.add(new)
        if value in sources:
            splices.append(replace_scalar(item, target, in_flow=bool(node.flow_style)))
    return splices + remove_items(text, node, drop)


def _master_prefix(node: Node | None, old: str, new: str) -> list[Splice]:
    """`master: OLD/x.jpg` -> `master: NEW/x.jpg`, touching only the folder name."""
    if not is_str(node) or not node.value.startswith(old + "/"):
        return []
    offset = 1 if node.style in ("'", '"') else 0
    start = node.start_mark.index + offset
    return [Splice(start, start + len(old), new)]


def retarget_sidecar(text: str, vocabulary: str, sources: set[str], target: str, display: str) -> str:
    doc = parse(text, display)
    if not isinstance(doc.root, MappingNode):
        return text
    splices = []
    for path in SIDECAR_FIELDS[vocabulary]:
        splices += _retarget_node(text, node_at(doc.root, path), sources, target)
    if vocabulary == "collections":
        for source in sources:
            splices += _master_prefix(node_at(doc.root, ("master",)), source, target)
    return apply(text, splices)


def _remove_entry(text: str, key: ScalarNode, value: Node) -> Splice:
    """A key of a block mapping with its value lines and the comment lines directly above it."""
    return Splice(leading_comments_start(text, key), after_line(text, node_end(text, value)), "")


def retarget_taxonomy(text: str, vocabulary: str, sources: Sequence[str], target: str) -> str:
    doc = parse(text, TAXONOMY_FILE)
    section = child(doc.root, vocabulary)
    if section is None:
        raise EditError(f"{TAXONOMY_FILE} has no {vocabulary} section")
    node = section[1]
    splices: list[Splice] = []
    if isinstance(node, SequenceNode):  # tags
        splices += _retarget_node(text, node, set(sources), target)
    elif isinstance(node, MappingNode):
        if node.flow_style:
            raise EditError(f"{TAXONOMY_FILE}: the {vocabulary} section is written in flow style ({{...}}); "
                            "write it as indented lines first")
        target_exists = child(node, target) is not None
        renamed = False
        for key, value in node.value:
            if not is_str(key) or key.value not in sources:
                continue
            if not target_exists and not renamed:
                splices.append(replace_scalar(key, target))
                renamed = True
            else:
                splices.append(_remove_entry(text, key, value))
    if vocabulary == "owners":
        collections = child(doc.root, "collections")
        if collections and isinstance(collections[1], MappingNode):
            for _, collection in collections[1].value:
                splices += _retarget_node(text, node_at(collection, ("owners",)), set(sources), target)
    result = apply(text, splices)
    Taxonomy.model_validate(parse(result, TAXONOMY_FILE).data)  # a bug if it fails
    return result


# --- the catalogue --------------------------------------------------------------------------

def _terms(root: Path, vocabulary: str) -> tuple[str, ...]:
    text = read_text(root / TAXONOMY_FILE, TAXONOMY_FILE)
    data = parse(text, TAXONOMY_FILE).data
    try:
        return Taxonomy.model_validate(data).vocabulary(vocabulary)
    except Exception as exc:
        raise EditError(f"{TAXONOMY_FILE} is not valid; run `dam validate` and fix it first") from exc


def _check(root: Path, vocabulary: str, sources: Sequence[str], target: str, merging: bool) -> None:
    if vocabulary not in SIDECAR_FIELDS:
        raise EditError(f"unknown vocabulary '{vocabulary}'; one of: {', '.join(VOCABULARIES)}")
    if not re.match(SLUG_PATTERN, target) or len(target) > 100:
        raise EditError(f"'{target}' is not a valid term: use lower-case letters, digits and single hyphens")
    terms = _terms(root, vocabulary)
    missing = [s for s in sources if s not in terms]
    if missing:
        raise EditError(f"{', '.join(repr(m) for m in missing)} not in the {vocabulary} vocabulary of {TAXONOMY_FILE}")
    if not merging and target in terms:
        raise EditError(f"'{target}' is already in the {vocabulary} vocabulary; "
                        f"use `dam vocab merge {vocabulary} {' '.join(sources)} INTO {target}` to fold one into the other")
    if not [s for s in sources if s != target]:
        raise EditError("nothing to do: name at least one term other than the target")


def plan_change(root: Path, vocabulary: str, sources: Sequence[str], target: str, merging: bool) -> VocabChange:
    """Every file edit and folder move the change needs, worked out without writing."""
    _check(root, vocabulary, sources, target, merging)
    sources = [s for s in dict.fromkeys(sources) if s != target]
    source_set = set(sources)
    change = VocabChange()
    taxonomy_text = read_text(root / TAXONOMY_FILE, TAXONOMY_FILE)
    new = retarget_taxonomy(taxonomy_text, vocabulary, sources, target)
    if new != taxonomy_text:
        change.edits.append(FileEdit(TAXONOMY_FILE, taxonomy_text, new))
    problems = []
    for relative in sidecar_paths(root):
        try:
            text = read_text(root / relative, relative)
            if not any(term in text for term in sources):  # most files: no parse at all
                continue
            new = retarget_sidecar(text, vocabulary, source_set, target, relative)
        except (EditError, OSError) as exc:
            problems.append(getattr(exc, "message", f"{relative}: {exc}"))
            continue
        if new != text:
            change.edits.append(FileEdit(relative, text, new))
    if problems:
        raise EditError(f"nothing was written; {len(problems)} file(s) could not be edited:\n  " + "\n  ".join(problems))
    if vocabulary == "collections":
        _plan_folders(root, sources, target, change)
    return change


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()) if folder.is_dir() else []


def _plan_folders(root: Path, sources: Sequence[str], target: str, change: VocabChange) -> None:
    """Moves of catalogue/assets/<source>/ and media/<source>/ into <target>/."""
    clashes = []
    for base in (ASSETS_DIR, MEDIA_DIR):
        destination = root / base / target
        for source in sources:
            folder = root / base / source
            if not folder.is_dir():
                continue
            if not destination.exists() and len(sources) == 1:
                change.moves.append((f"{base}/{source}", f"{base}/{target}"))
                continue
            for path in _files_under(folder):
                inside = path.relative_to(folder)
                goal = destination / inside
                if path.name == ".gitignore":  # DVC lists the masters it tracks here
                    _merge_gitignore(root, path, goal, change)
                    continue
                if goal.exists() or any(to == goal.relative_to(root).as_posix() for _, to in change.moves):
                    clashes.append(goal.relative_to(root).as_posix())
                    continue
                change.moves.append((path.relative_to(root).as_posix(), goal.relative_to(root).as_posix()))
    if clashes:
        raise EditError("nothing was written; these files already exist in the target collection:\n  " + "\n  ".join(clashes))


def _merge_gitignore(root: Path, source: Path, goal: Path, change: VocabChange) -> None:
    relative = goal.relative_to(root).as_posix()
    pending = next((e for e in change.gitignores if e.path == relative), None)
    current = pending.after if pending else (goal.read_text(encoding="utf-8") if goal.exists() else "")
    lines = current.splitlines()
    added = [line for line in source.read_text(encoding="utf-8").splitlines() if line and line not in lines]
    merged = "\n".join(lines + added) + "\n" if lines or added else ""
    if pending:
        change.gitignores.remove(pending)
    change.gitignores.append(FileEdit(relative, current, merged))


def apply_change(root: Path, change: VocabChange) -> None:
    """Write the edited files, then move folders and files (sidecars are edited in place first)."""
    write_edits(root, change.edits)
    for edit in change.gitignores:
        path = root / edit.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            write_atomic(path, edit.after)
        else:
            path.write_text(edit.after, encoding="utf-8")
    moved_from = set()
    for source, destination in change.moves:
        goal = root / destination
        goal.parent.mkdir(parents=True, exist_ok=True)
        os.rename(root / source, goal)
        moved_from.add((root / source).parent)
    for folder in sorted(moved_from, key=lambda p: len(p.parts), reverse=True):
        _remove_if_only_gitignore(folder)


def _remove_if_only_gitignore(folder: Path) -> None:
    """After a merge, drop a source folder left holding only DVC's (already merged) .gitignore."""
    while folder.is_dir() and all(p.name == ".gitignore" for p in folder.rglob("*") if p.is_file()):
        shutil.rmtree(folder)
        folder = folder.parent
        if folder.name in ("assets", MEDIA_DIR):
            break


def rename(root: Path, vocabulary: str, old: str, new: str, dry_run: bool = False) -> VocabChange:
    change = plan_change(root, vocabulary, [old], new, merging=False)
    if vocabulary == "collections":
        for base in (ASSETS_DIR, MEDIA_DIR):
            if (root / base / new).exists():
                raise EditError(f"{base}/{new} already exists; move it away or use `dam vocab merge`")
    if not dry_run:
        apply_change(root, change)
    return change


def merge(root: Path, vocabulary: str, sources: Sequence[str], target: str, dry_run: bool = False) -> VocabChange:
    change = plan_change(root, vocabulary, sources, target, merging=True)
    if not dry_run:
        apply_change(root, change)
    return change


"""load: catalogue/*.yaml -> Catalogue, with every problem as a located Diagnostic.

The loop is MkDocs-like: read settings, read the taxonomy, check every sidecar (in worker
processes when there are many), then check across sidecars. Nothing stops at the first
problem; a broken sidecar is left out of the Catalogue and reported, the rest still load.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, TypeVar

from pydantic import BaseModel, ValidationError

from builder.diagnostics import Diagnostic, error, sort_key, warning
from builder.dupes import near_duplicate_problems
from builder.modelerrors import diagnostics_from
from builder.parsememo import ParseMemo, code_fingerprint, content_key
from builder.models import Asset, Taxonomy
from builder.rules import RuleContext, Vocabularies, asset_problems, catalogue_problems
from builder.settings import Limits, Settings
from builder.yamlio import Locator, Parsed, decode, read_yaml

CATALOGUE_DIR = "catalogue"
ASSETS_DIR = "catalogue/assets"
PORTAL_FILE = "catalogue/portal.yaml"
TAXONOMY_FILE = "catalogue/taxonomy.yaml"
# Below this many sidecars, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 400

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Catalogue:
    root: Path
    settings: Settings
    taxonomy: Taxonomy
    assets: tuple[Asset, ...]
    sources: dict[str, str] = field(default_factory=dict)  # asset id -> sidecar path

    def asset(self, asset_id: str) -> Asset:
        return next(asset for asset in self.assets if asset.id == asset_id)


@dataclass(frozen=True)
class LoadResult:
    catalogue: Catalogue
    diagnostics: tuple[Diagnostic, ...]
    files_checked: int

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)


@dataclass(frozen=True)
class ParsedSidecar:
    """What a sidecar's bytes say on their own: the asset, or why there is none."""

    path: str
    asset: Asset | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class SidecarResult:
    parsed: ParsedSidecar
    rule_diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.parsed.diagnostics + self.rule_diagnostics


def sidecar_paths(root: Path) -> list[str]:
    """Every sidecar below catalogue/assets, as sorted POSIX paths relative to the root."""
    base = root / ASSETS_DIR
    found = [
        Path(folder, name).relative_to(root).as_posix()
        for folder, _, names in os.walk(base, followlinks=False)
        for name in names
        if name.endswith((".yaml", ".yml"))
    ]
    return sorted(found)


def locate(root: Path, diagnostics: Iterable[Diagnostic], texts: dict[str, str] | None = None) -> list[Diagnostic]:
    """Give unlocated diagnostics a line and column, parsing each affected file once."""
    texts = dict(texts or {})
    locators: dict[str, Locator] = {}
    located = []
    for diagnostic in diagnostics:
        if diagnostic.line:
            located.append(diagnostic)
            continue
        if diagnostic.path not in locators:
            text = texts.get(diagnostic.path)
            if text is None:
                try:
                    text, _ = decode((root / diagnostic.path).read_bytes(), diagnostic.path)
                except OSError:
                    text = None
            locators[diagnostic.path] = Locator(text)
        line, col = locators[diagnostic.path].position(diagnostic.loc, diagnostic.at_key)
        located.append(diagnostic.located(line, col))
    return located


def validated(relative: str, parsed: Parsed, model: type[Model]) -> tuple[Model | None, list[Diagnostic]]:
    """The file's data as `model`, or its diagnostics located at the offending keys."""
    found = list(parsed.diagnostics)
    if parsed.data is None:
        return None, found
    try:
        return model.model_validate(parsed.data), found
    except ValidationError as exc:
        return None, locate(Path("."), found + diagnostics_from(relative, exc, model), {relative: parsed.text or ""})


def load_model(root: Path, relative: str, model: type[Model], limits: Limits) -> tuple[Model | None, list[Diagnostic]]:
    return validated(relative, read_yaml(root / relative, relative, limits.max_sidecar_bytes, limits.max_yaml_depth), model)


def parse_sidecar(root: Path, relative: str, limits: Limits) -> ParsedSidecar:
    """Parse and schema-check one sidecar; a pure function of its path and bytes."""
    path = root / relative
    if path.is_symlink() and not path.resolve().is_relative_to((root / CATALOGUE_DIR).resolve()):
        return ParsedSidecar(relative, None, (error(relative, "E108", "sidecar is a link to a file outside catalogue/", line=1, col=1),))
    asset, found = validated(relative, read_yaml(path, relative, limits.max_sidecar_bytes, limits.max_yaml_depth), Asset)
    return ParsedSidecar(relative, asset, tuple(found))


def rule_diagnostics(parsed: ParsedSidecar, ctx: RuleContext | None) -> tuple[Diagnostic, ...]:
    """The checks that depend on more than the file: taxonomy, media/, the date."""
    if ctx is None or parsed.asset is None:
        return ()
    return tuple(locate(ctx.root, asset_problems(parsed.path, parsed.asset, ctx)))


def check_sidecar(root: Path, relative: str, ctx: RuleContext | None, limits: Limits) -> SidecarResult:
    parsed = parse_sidecar(root, relative, limits)
    return SidecarResult(parsed, rule_diagnostics(parsed, ctx))


def _check_chunk(root: Path, chunk: list[str], ctx: RuleContext | None, limits: Limits) -> list[SidecarResult]:
    return [check_sidecar(root, relative, ctx, limits) for relative in chunk]


def check_sidecars(root: Path, paths: list[str], ctx: RuleContext | None, limits: Limits, jobs: int | None) -> list[SidecarResult]:
    workers = jobs or os.cpu_count() or 1
    if workers == 1 or len(paths) < PARALLEL_THRESHOLD:
        return _check_chunk(root, paths, ctx, limits)
    size = max(50, len(paths) // (workers * 4))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_check_chunk, [root] * len(chunks), chunks, [ctx] * len(chunks), [limits] * len(chunks))
        return [result for chunk in results for result in chunk]


def check_all(root: Path, ctx: RuleContext | None, limits: Limits, jobs: int | None) -> tuple[list[SidecarResult], int]:
    """Every sidecar: unchanged ones from the parse memo (rules re-run), the rest in workers."""
    paths = sidecar_paths(root)
    memo = ParseMemo.open(root, code_fingerprint(limits))
    keys, cached, missing = {}, {}, []
    for relative in paths:
        try:
            keys[relative] = content_key(relative, (root / relative).read_bytes())
        except OSError:
            keys[relative] = ""
        hit = memo.get(keys[relative]) if keys[relative] else None
        if isinstance(hit, ParsedSidecar):
            cached[relative] = SidecarResult(hit, rule_diagnostics(hit, ctx))
        else:
            missing.append(relative)
    fresh = {result.parsed.path: result for result in check_sidecars(root, missing, ctx, limits, jobs)}
    for relative, result in fresh.items():
        if keys[relative]:
            memo.put(keys[relative], result.parsed)
    memo.save({key for key in keys.values() if key})
    return [cached.get(relative) or fresh[relative] for relative in paths], len(paths)


def crowded_folders(root: Path, limit: int) -> list[Diagnostic]:
    """Git hosting APIs list at most 1,000 entries a folder; beyond that reviews break."""
    found = []
    for top in (ASSETS_DIR, "media"):
        for folder, subfolders, names in os.walk(root / top):
            count = len(names) + len(subfolders)
            if count > limit:
                relative = Path(folder).relative_to(root).as_posix()
                found.append(warning(relative, "W701", f"folder holds {count} entries, over the {limit} a Git hosting API lists",
                                     "shard it into subfolders (dam import does this)", line=1, col=1))
    return found


def load(root: Path, today: dt.date | None = None, jobs: int | None = None, rules: bool = True) -> LoadResult:
    """Read and check the whole catalogue at `root`; never raises for bad input.

    `rules=False` skips the checks against taxonomy, media/ and other assets: for stages such
    as derive that only need what each sidecar says, after `validate` has run.
    """
    today = today or dt.date.today()
    diagnostics: list[Diagnostic] = []
    settings = Settings()
    if (root / PORTAL_FILE).exists():
        loaded, found = load_model(root, PORTAL_FILE, Settings, Limits())
        settings = loaded or settings
        diagnostics += found
    taxonomy, found = load_model(root, TAXONOMY_FILE, Taxonomy, settings.limits)
    if not (root / TAXONOMY_FILE).exists():
        found = [error(TAXONOMY_FILE, "E108", "taxonomy.yaml is missing", "it lists the owners, collections and vocabularies sidecars use", line=1, col=1)]
    diagnostics += found
    vocabularies = Vocabularies.of(taxonomy) if taxonomy else None
    ctx = RuleContext(root, vocabularies, today, settings.expiry_warning_days) if rules else None
    results, checked = check_all(root, ctx, settings.limits, jobs)
    good = [(result.parsed.path, result.parsed.asset) for result in results if result.parsed.asset is not None]
    diagnostics += [d for result in results for d in result.diagnostics]
    if rules:
        diagnostics += locate(root, catalogue_problems(good) + near_duplicate_problems(good, settings.near_duplicate_distance))
        diagnostics += crowded_folders(root, settings.max_files_per_folder)
    failed = {d.path for d in diagnostics if d.is_error}
    assets = tuple(sorted((asset for path, asset in good if path not in failed), key=lambda a: a.id))
    catalogue = Catalogue(
        root=root,
        settings=settings,
        taxonomy=taxonomy or Taxonomy(owners={}, collections={}),
        assets=assets,
        sources={asset.id: path for path, asset in good if path not in failed},
    )
    return LoadResult(catalogue, tuple(sorted(diagnostics, key=sort_key)), checked)


"""Writing the site: Jinja2 environment, build manifest, links into the cache, sitemap, atomic swap."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape as xml_escape

import jinja2

from builder.catalogue import Catalogue
from builder.models import Asset
from builder.site.common import (
    LUNR_JS, MANIFEST, Page, RENDITIONS, SITE_VERSION, SiteError, file_size, relative,
)
from builder.site.pages import Describer


# --- output ---------------------------------------------------------------------------------------


def environment(templates_dir: Path, base_path: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )

    @jinja2.pass_context
    def rel(context: jinja2.runtime.Context, target: str) -> str:
        if context.get("absolute_links"):  # the 404 page is served at any depth: links from the base path
            return relative("", target) if target.startswith(("http://", "https://", "#")) else base_path + relative("", target)
        return relative(context["page_path"], target)

    env.globals["rel"] = rel
    env.filters["filesize"] = file_size
    return env


def templates_hash(templates_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file() and p.relative_to(templates_dir).parts[0] != "static"):
        digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def data_hash(*parts: Any) -> str:
    """A digest of plain data (dicts, lists, strings, numbers) built in a fixed order.

    repr() is several times faster than json.dumps and just as deterministic for data this
    module builds itself in a fixed order; the digest is only ever compared with the previous
    build's, so a different Python would at worst re-render everything once.
    """
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def read_manifest(out_dir: Path) -> dict:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return manifest if isinstance(manifest, dict) and manifest.get("version") == SITE_VERSION else {}
    except (OSError, ValueError):
        return {}


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def find_lunr(catalogue: Catalogue, templates_dir: Path) -> Path | None:
    for base in (catalogue.root, templates_dir.parent, Path(__file__).resolve().parents[2]):
        if (base / LUNR_JS).is_file():
            return base / LUNR_JS
    return None


SearchFiles = Callable[[Catalogue, tuple[Asset, ...], dict[str, dict[str, str]]], dict[str, bytes]]


def default_search() -> SearchFiles:
    try:
        from builder.index import search_files
    except ModuleNotFoundError as exc:
        if exc.name != "builder.index":
            raise
        raise SiteError("the search stage (builder/index.py) is not installed; the portal cannot be built without its search files") from None
    return search_files


def sitemap(describer: Describer, pages: list[Page]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in pages:
        if page.path == "404.html" or page.path.startswith("review/"):
            continue
        url = describer.absolute(page.path[: -len("index.html")] if page.path.endswith("index.html") else page.path)
        lines.append(f"  <url><loc>{xml_escape(url)}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def adopt_renditions(out_dir: Path, work: Path, wanted: dict[str, Path]) -> list[str]:
    """Give the new site its renditions/ folder; returns the names to delete after the swap.

    Renditions are content-addressed (same name, same bytes), so the previous site's folder is
    moved into the new site instead of hard-linking tens of thousands of files again and
    deleting the old ones. Missing files are linked into it first (an unreferenced extra file
    changes nothing the old site shows); files the new site must not have are deleted only
    after the swap, so until then the old site is complete. Moving the folder is the last step
    before the swap; if it or the swap fails, the folder is moved back.
    """
    target = work / RENDITIONS
    previous = out_dir / RENDITIONS
    if not previous.is_dir() or previous.is_symlink():
        target.mkdir()
        for name, source in wanted.items():
            link_or_copy(source, target / name)
        return []
    present = set(os.listdir(previous))
    for name in sorted(set(wanted) - present):
        link_or_copy(wanted[name], previous / name)
    os.rename(previous, target)
    return sorted(present - set(wanted))


def give_back_renditions(out_dir: Path, work: Path) -> None:
    """After a failure: if the old site's renditions/ had been moved into the new site, return it."""
    moved, home = work / RENDITIONS, out_dir / RENDITIONS
    if out_dir.is_dir() and not home.exists() and moved.is_dir() and (work / MANIFEST).is_file():
        os.rename(moved, home)


def swap_in(work: Path, out_dir: Path) -> None:
    """Rename the finished folder into place; the old site is renamed away first, then deleted.

    Deleting tens of thousands of files takes seconds on a slow disk, and the new site is live
    once renamed in, so the old folder is removed by a detached process; a build finding
    leftovers from an interrupted deletion removes them too.
    """
    old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}"
    had_old = out_dir.exists()
    if had_old:
        os.rename(out_dir, old)
    try:
        os.rename(work, out_dir)
    except OSError:
        if had_old:
            os.rename(old, out_dir)
        raise
    leftovers = sorted(str(p) for p in out_dir.parent.glob(f".{out_dir.name}.old-*") if p.is_dir())
    if leftovers:
        delete_in_background(leftovers)


def delete_in_background(folders: list[str]) -> None:
    code = "import shutil, sys\nfor f in sys.argv[1:]: shutil.rmtree(f, ignore_errors=True)"
    try:
        subprocess.Popen([sys.executable, "-c", code, *folders], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)



"""The recipe of the site build: describe, render what changed, link renditions, write, swap."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from builder.cache import RenditionCache
from builder.catalogue import Catalogue
from builder.history import Change
from builder.plan import Plan
from builder.publish import Selection
from builder.site.common import (
    CODE_HASH, LUNR_JS, MANIFEST, Page, RENDITIONS, SEARCH_TEMPLATE, SITE_VERSION, SiteError,
    SiteReport,
)
from builder.site.media import Rendition, gather_renditions
from builder.site.output import (
    SearchFiles, adopt_renditions, data_hash, default_search, environment, find_lunr,
    give_back_renditions, link_or_copy, read_manifest, sitemap, swap_in, templates_hash, write_bytes,
)
from builder.site.pages import Describer, brand_pages, describe
from builder.site.theme import theme_css


def render_site(catalogue: Catalogue, selection: Selection, plan: Plan, history: dict[str, tuple[Change, ...]],
                out_dir: Path, templates_dir: Path, base_url: str, *, search: SearchFiles | None = None,
                lunr_js: Path | None = None, extra_pages: Sequence[Page] = (),
                extra_renditions: Mapping[str, Path] | None = None) -> SiteReport:
    """Write the whole portal for `selection` to out_dir, atomically; reuse what did not change.

    `extra_pages` and `extra_renditions` (published name -> cached file) add pages that are not
    about the selection, such as a pull request's review pages."""
    out_dir = Path(out_dir).resolve()
    templates_dir = Path(templates_dir)
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    for name in ("base.html", "home.html", "listing.html", "asset.html", "page.html", "404.html"):
        if not (templates_dir / name).is_file():
            raise SiteError(f"template {name} is missing from {templates_dir}")
    search_page = (templates_dir / SEARCH_TEMPLATE).is_file()
    search = search or default_search()
    lunr_js = lunr_js or find_lunr(catalogue, templates_dir)
    if search_page and lunr_js is None:
        raise SiteError(f"lunr.js is missing ({LUNR_JS}); run `npm ci` in the repository to install it")
    previous = read_manifest(out_dir)

    cache = RenditionCache.at(catalogue.root)
    renditions, infos, missing = gather_renditions(selection, plan, cache, previous.get("renditions", {}))
    describer = Describer(catalogue, selection, renditions, history, base_url)
    pages, chrome = describe(catalogue, selection, describer, base_url, brand_pages(catalogue.root), search_page)
    pages = [*pages, *extra_pages]
    shared = data_hash(SITE_VERSION, CODE_HASH, templates_hash(templates_dir), chrome,
                       catalogue.settings.model_dump(mode="json"), catalogue.taxonomy.model_dump(mode="json"))

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    search_job = SearchJob(catalogue, selection, renditions, search, previous, out_dir)
    work = out_dir.parent / f".{out_dir.name}.new-{uuid.uuid4().hex[:8]}"
    try:
        work.mkdir()
        env = environment(templates_dir, urlsplit(base_url).path or "/")
        old_pages: dict[str, str] = previous.get("pages", {})
        hashes: dict[str, str] = {}
        rendered: list[str] = []
        made_dirs: set[Path] = set()
        for page in pages:
            digest = data_hash(shared, page.template, page.data)
            hashes[page.path] = digest
            target = work / page.path
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            if old_pages.get(page.path) == digest and (out_dir / page.path).is_file():
                link_or_copy(out_dir / page.path, target)
                continue
            context = {**chrome, **page.data, "page_path": page.path, "absolute_links": page.path == "404.html",
                       "settings": catalogue.settings, "taxonomy": catalogue.taxonomy}
            target.write_text(env.get_template(page.template).render(context), encoding="utf-8")
            rendered.append(page.path)

        wanted = {r.published_name: cache.path(r.filename) for asset_id in sorted(renditions) for r in renditions[asset_id]}
        wanted.update(extra_renditions or {})

        static = templates_dir / "static"
        for path in sorted(p for p in static.rglob("*") if p.is_file()) if static.is_dir() else []:
            target = work / "static" / path.relative_to(static)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        write_bytes(work / "static" / "theme.css", theme_css(catalogue.settings.brand.primary_colour, catalogue.settings.brand.accent_colour).encode())
        if lunr_js is not None:
            write_bytes(work / "static" / "vendor" / "lunr.min.js", lunr_js.read_bytes())

        feed = {"title": catalogue.settings.title, "base_url": base_url, "profile": selection.profile,
                "build_date": selection.today.isoformat(), "assets": [describer.feed_entry(a) for a in selection.assets]}
        # Compact JSON: json.dumps falls back to its pure-Python encoder whenever `indent` is set,
        # which cost seconds at 10,000 assets.
        write_bytes(work / "assets.json", (json.dumps(feed, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8"))
        write_bytes(work / "sitemap.xml", sitemap(describer, pages))
        robots = "User-agent: *\nDisallow: /\n" if chrome["site"]["badged"] else f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n"
        write_bytes(work / "robots.txt", robots.encode())

        search_entry = search_job.write(work)

        manifest = {"version": SITE_VERSION, "pages": hashes, "renditions": dict(sorted(infos.items())),
                    "search": search_entry}
        write_bytes(work / MANIFEST, (json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n").encode())
        stale = adopt_renditions(out_dir, work, wanted)
        swap_in(work, out_dir)
        for name in stale:  # renditions the new site does not show (an asset left the selection)
            (out_dir / RENDITIONS / name).unlink(missing_ok=True)
    except BaseException:
        search_job.close()
        give_back_renditions(out_dir, work)
        shutil.rmtree(work, ignore_errors=True)
        raise
    return SiteReport(out_dir, len(selection.assets), len(pages), tuple(rendered), len(wanted), tuple(missing), search_job.reused)


# Search files take seconds at 10,000 assets (lunr.py), so they are made in a forked worker while
# the pages are written. The worker inherits its inputs through this module global (set just
# before the fork) rather than pickling the whole catalogue.
_SEARCH_INPUT: tuple | None = None
PARALLEL_SEARCH_FROM = 300  # assets; below this a worker process costs more than it saves


def _run_search() -> dict[str, bytes]:
    assert _SEARCH_INPUT is not None
    search, catalogue, assets, paths = _SEARCH_INPUT
    return search(catalogue, assets, paths)


class SearchJob:
    """The search engineer's files: reused from the last build when none of their inputs changed."""

    def __init__(self, catalogue: Catalogue, selection: Selection, renditions: dict[str, list[Rendition]],
                 search: SearchFiles, previous: dict, out_dir: Path) -> None:
        global _SEARCH_INPUT
        self.out_dir = out_dir
        self.paths = {asset_id: {r.name: r.path for r in found} for asset_id, found in sorted(renditions.items())}
        self.inputs = (search, catalogue, selection.assets, self.paths)
        self.key = data_hash(_source_digest(search), self.paths, [a.model_dump(mode="json") for a in selection.assets],
                             catalogue.settings.model_dump(mode="json"), catalogue.taxonomy.model_dump(mode="json"))
        old = previous.get("search") or {}
        self.reused = old.get("key") == self.key and all((out_dir / p).is_file() for p in old.get("files", []))
        self.old_files: list[str] = old.get("files", []) if self.reused else []
        self.pool = None
        self.future = None
        if not self.reused and len(selection.assets) >= PARALLEL_SEARCH_FROM and "fork" in multiprocessing.get_all_start_methods():
            _SEARCH_INPUT = self.inputs
            try:
                self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
                self.future = self.pool.submit(_run_search)
            finally:
                _SEARCH_INPUT = None

    def write(self, work: Path) -> dict:
        if self.reused:
            for p in self.old_files:
                (work / p).parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(self.out_dir / p, work / p)
            return {"key": self.key, "files": self.old_files}
        if self.future is not None:
            try:
                files = self.future.result()
            finally:
                self.close()
        else:
            search, catalogue, assets, paths = self.inputs
            files = search(catalogue, assets, paths)
        for relative_path, data in sorted(files.items()):
            clean = Path(relative_path)
            if clean.is_absolute() or ".." in clean.parts:
                raise SiteError(f"the search stage asked to write outside the site: {relative_path}")
            write_bytes(work / clean, data)
        return {"key": self.key, "files": sorted(files)}

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _source_digest(search: SearchFiles) -> list[str]:
    """What the search files depend on besides data: the function and its module's source."""
    module = getattr(search, "__module__", "") or ""
    digest = ""
    try:
        source_file = getattr(sys.modules.get(module), "__file__", None)
        digest = hashlib.sha256(Path(source_file).read_bytes()).hexdigest() if source_file else ""
    except OSError:
        digest = ""
    return [module, getattr(search, "__qualname__", ""), digest]


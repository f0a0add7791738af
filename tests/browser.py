"""Shared pieces of the browser tests: Debian's Chromium under Playwright, a local HTTP server,
and the demo portal built for real into a tmp folder.

Test modules import the fixtures they use (`from browser import browser`); pytest registers an
imported fixture in the importing module.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
DEMO_TODAY = "2026-12-04"


def need_chromium() -> None:
    """The one reason a browser test may skip: no Chromium on this machine (CI installs it)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright  # a missing playwright is an error, not a skip

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: the media types a real one sends for the files the portal publishes."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
        ".xml": "application/xml", ".txt": "text/plain", ".svg": "image/svg+xml",
        ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
        ".mp4": "video/mp4", ".webm": "video/webm", ".m4a": "audio/mp4", ".mp3": "audio/mpeg",
        ".pdf": "application/pdf", ".zip": "application/zip",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) from a thread; yields the base URL, ending in '/'."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def card_titles(page, within: str = "#dam-results") -> list[str]:
    return page.locator(f"{within} .card-title").all_text_contents()


def wait_for_search(page) -> None:
    """The search page has its documents and its lunr index (performance marks set by search.js)."""
    page.wait_for_function("performance.getEntriesByName('dam-index-ready').length > 0")


# --- the demo portal, built for real -------------------------------------------------------------


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pointer_md5(pointer: Path) -> str | None:
    from builder.dvcpointer import PointerError, read_pointer

    try:
        return read_pointer(pointer).md5
    except PointerError:
        return None


def copy_demo_repository(root: Path, *, reuse_local: bool = True) -> None:
    """catalogue/, site_templates/, package.json, node_modules (a link) and media/**/*.dvc into `root`,
    then the demo masters, made by `builder.demo.generate_masters`.

    With `reuse_local`, masters already generated in this checkout whose md5 equals their .dvc
    pointer (the very bytes generate_masters writes) are copied instead of painted again, and the
    checkout's content-addressed rendition cache is copied too, so the build derives only what
    it lacks. On a fresh machine (CI) neither exists and everything is made from scratch; set
    DAM_BROWSER_FRESH=1 to force that locally.
    """
    from builder.demo import generate_masters

    shutil.copytree(REPO / "catalogue", root / "catalogue")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copy2(REPO / "package.json", root / "package.json")
    (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    for pointer in sorted((REPO / "media").rglob("*.dvc")):
        target = root / "media" / pointer.relative_to(REPO / "media")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pointer, target)
        master = pointer.with_suffix("")
        if reuse_local and master.is_file() and _pointer_md5(pointer) == _md5(master):
            shutil.copy2(master, target.with_suffix(""))
    generate_masters(root)
    cache = REPO / "cache" / "renditions"
    if reuse_local and cache.is_dir():
        for shard in sorted(p for p in cache.iterdir() if p.is_dir() and len(p.name) == 2):
            (root / "cache" / "renditions" / shard.name).mkdir(parents=True, exist_ok=True)
            for item in shard.iterdir():
                with contextlib.suppress(OSError):  # another build may be pruning the checkout's cache
                    shutil.copy2(item, root / "cache" / "renditions" / shard.name / item.name)


def build_demo_portal(root: Path, edit: Callable[[Path], None] | None = None) -> dict[str, Path]:
    """The demo repository in `root` (after `edit(root)`), built by `dam build` for both profiles on
    the fixed date DEMO_TODAY; returns {"public": site folder, "internal": site folder}."""
    from click.testing import CliRunner

    from builder.cli import cli

    copy_demo_repository(root, reuse_local=os.environ.get("DAM_BROWSER_FRESH") != "1")
    if edit is not None:
        edit(root)
    sites = {"public": root / "site", "internal": root / "site-internal"}
    for profile, out in sites.items():
        result = CliRunner().invoke(cli, ["--root", str(root), "build", "--profile", profile, "--today", DEMO_TODAY,
                                          "--out", str(out), "--jobs", "4"])
        assert result.exit_code == 0, f"dam build --profile {profile} failed:\n{result.output}\n{result.exception!r}"
        assert (out / "index.html").is_file()
    return sites

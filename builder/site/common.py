"""Shared pieces of the site build: its constants, errors, report, page records and text helpers."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup



SITE_VERSION = 1  # bump when the output of this module changes for the same inputs
MANIFEST = "build-manifest.json"
RENDITIONS = "renditions"
PER_PAGE = 48
RECENT = 12
RELATED = 6
PAGES_DIR = "catalogue/pages"
LUNR_JS = "node_modules/lunr/lunr.min.js"
SEARCH_TEMPLATE = "search.html"
STILL_FORMATS = {"jpeg", "png", "webp"}
KIND_LABELS = {"image": "Image", "video": "Video", "audio": "Audio", "document": "Document"}
SCHEMA_TYPES = {"image": "ImageObject", "video": "VideoObject", "audio": "AudioObject", "document": "DigitalDocument"}
# Every module of the site build: a change to any of them re-renders every page once.
CODE_HASH = hashlib.sha256(b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()
HAVE_LANGUAGE_NAMES = importlib.util.find_spec("language_data") is not None



class SiteError(Exception):
    """A build that cannot complete (missing template, search module or lunr.js): the old site stays."""


@dataclass(frozen=True)
class SiteReport:
    out_dir: Path
    assets: int
    pages: int
    rendered: tuple[str, ...]  # page paths rendered this build; the rest were reused
    renditions: int
    missing: tuple[str, ...]  # "asset-id/rendition" planned but not in the cache: not offered
    search_reused: bool

    @property
    def reused(self) -> int:
        return self.pages - len(self.rendered)

    def summary(self) -> str:
        return (f"{self.assets} asset(s), {self.pages} page(s) ({len(self.rendered)} rendered, {self.reused} unchanged), "
                f"{self.renditions} rendition file(s)")


@dataclass(frozen=True)
class Page:
    path: str  # relative to the site root, e.g. assets/x/index.html
    template: str
    data: dict


# --- small helpers ------------------------------------------------------------------------------


def script_json(value: Any) -> Markup:
    """JSON safe inside <script>: no '</script>', no HTML comment or CDATA openers, no line separators."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)


def relative(page_path: str, target: str) -> str:
    """A site-root path ('static/site.css', 'assets/x/') as seen from `page_path`.

    Folder targets get index.html appended: a browser opening the portal from disk does not
    look for index.html by itself.
    """
    if target.startswith(("http://", "https://", "mailto:", "#", "data:")):
        return target
    suffix = ""
    for mark in ("#", "?"):
        if mark in target:
            target, rest = target.split(mark, 1)
            suffix = mark + rest + suffix
    if target == "" or target.endswith("/"):
        target += "index.html"
    return "../" * page_path.count("/") + target + suffix


def file_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


def duration_text(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else f"{whole // 60}:{whole % 60:02d}"


def iso_duration(seconds: float | None) -> str | None:
    return None if seconds is None else f"PT{seconds:.3f}".rstrip("0").rstrip(".") + "S"


@functools.lru_cache(maxsize=4096)
def language_name(tag: str | None) -> str | None:
    if not tag:
        return None
    if tag == "zxx":
        return "No spoken or written language"
    if not HAVE_LANGUAGE_NAMES:  # names need the optional language_data package; the tag is still right
        return tag
    try:
        import langcodes

        return f"{langcodes.Language.get(tag).display_name()} ({tag})"
    except Exception:
        return tag


@functools.lru_cache(maxsize=4096)
def territory_name(code: str) -> str:
    if code.lower() == "worldwide":
        return "Worldwide"
    try:
        import pycountry

        found = pycountry.countries.get(alpha_2=code.upper())
        return getattr(found, "common_name", None) or found.name if found else code
    except Exception:
        return code



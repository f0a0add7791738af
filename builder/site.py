"""render: catalogue + selection + plan + history -> the static portal, swapped in atomically.

The recipe (`render_site`) reads top to bottom: measure the renditions the selection may show,
describe every page as plain data, render the pages whose data or templates changed (the
others are hard-linked from the previous site, named in its build manifest), link the
renditions in from the cache, write the feed, sitemap and search files, then swap the new
folder in for the old one. Nothing of an asset outside the selection is ever looked at after
the first step, so it cannot leak into any file.

Every internal link is relative to the page that holds it (`rel()`), so the portal works from
a folder on disk and under any sub-path; `base_url` only makes the absolute URLs that
canonical links, Open Graph tags, JSON-LD and the sitemap need.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import json
import multiprocessing
import os
import shutil
import struct
import subprocess
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
from markupsafe import Markup

from builder.cache import RenditionCache
from builder.catalogue import Catalogue
from builder.history import Change
from builder.models import Asset
from builder.plan import Plan
from builder.publish import Selection, long_date

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
HAVE_LANGUAGE_NAMES = importlib.util.find_spec("language_data") is not None
CODE_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


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


# --- brand colours that pass WCAG AA ---------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, against: str = "#ffffff", ratio: float = 4.6) -> str:
    """The brand colour, darkened just enough to read against `against` (AA is 4.5:1)."""
    r, g, b = _rgb(colour)
    for _ in range(60):
        candidate = f"#{r:02x}{g:02x}{b:02x}"
        if contrast(candidate, against) >= ratio:
            return candidate
        r, g, b = int(r * 0.93), int(g * 0.93), int(b * 0.93)
    return "#000000"


def theme_css(primary: str, accent: str) -> str:
    return (
        ":root {\n"
        f"  --brand: {readable(primary)};\n"
        f"  --brand-raw: {primary.lower()};\n"
        f"  --accent: {readable(accent)};\n"
        f"  --accent-raw: {accent.lower()};\n"
        "}\n"
    )


# --- renditions: measured once, remembered by file name (content-addressed, so forever) -------


def _mp4_size(path: Path) -> tuple[int, int] | None:
    """Width and height from the first visual track header (tkhd) of an MP4, reading only boxes."""
    try:
        with path.open("rb") as handle:
            data = handle.read(4 * 1024 * 1024)
    except OSError:
        return None

    def boxes(start: int, end: int):
        while start + 8 <= end:
            size, kind = struct.unpack(">I4s", data[start:start + 8])
            header = 8
            if size == 1 and start + 16 <= end:
                size, header = struct.unpack(">Q", data[start + 8:start + 16])[0], 16
            elif size == 0:
                size = end - start
            if size < header:
                return
            yield kind, start + header, min(start + size, end)
            start += size

    for kind, body, end in boxes(0, len(data)):
        if kind != b"moov":
            continue
        for trak_kind, trak, trak_end in boxes(body, end):
            if trak_kind != b"trak":
                continue
            for inner, at, inner_end in boxes(trak, trak_end):
                if inner == b"tkhd" and inner_end - at >= 84:
                    w, h = struct.unpack(">II", data[inner_end - 8:inner_end])
                    if w >> 16 and h >> 16:
                        return w >> 16, h >> 16
    return None


def measure(path: Path, fmt: str) -> dict:
    info: dict = {"bytes": path.stat().st_size, "width": None, "height": None}
    size = None
    if fmt in STILL_FORMATS:
        try:
            from PIL import Image

            with Image.open(path) as image:
                size = image.size
        except Exception:  # an unreadable file is listed without a pixel size, not a failed build
            size = None
    elif fmt == "mp4":
        size = _mp4_size(path)
    if size:
        info["width"], info["height"] = size
    return info


PUBLISHED_KEY_CHARS = 20


@dataclass(frozen=True)
class Rendition:
    asset_id: str
    name: str
    label: str
    kind: str
    format: str
    media_type: str
    filename: str
    bytes: int
    width: int | None
    height: int | None

    @property
    def published_name(self) -> str:
        """80 bits of the content key are plenty to be unique and keep the search store small
        (full 64-hex names were 41% of what search downloads at 10,000 assets)."""
        key, extension = self.filename.rsplit(".", 1)
        return f"{key[:PUBLISHED_KEY_CHARS]}.{extension}"

    @property
    def path(self) -> str:
        return f"renditions/{self.published_name}"

    def as_dict(self) -> dict:
        return {
            "name": self.name, "label": self.label, "kind": self.kind, "format": self.format.upper(),
            "media_type": self.media_type, "path": self.path, "filename": self.filename, "bytes": self.bytes,
            "size": file_size(self.bytes), "width": self.width, "height": self.height,
            "pixels": f"{self.width} × {self.height}" if self.width and self.height else None,
        }


def gather_renditions(selection: Selection, plan: Plan, cache: RenditionCache, known: dict[str, dict]
                      ) -> tuple[dict[str, list[Rendition]], dict[str, dict], list[str]]:
    """asset id -> its cached renditions (plan order); the measurements; what is planned but absent."""
    stored = cache.present()
    chosen = selection.ids
    found: dict[str, list[Rendition]] = {}
    infos: dict[str, dict] = {}
    missing: list[str] = []
    for planned in plan.renditions:
        if planned.asset_id not in chosen:
            continue
        if planned.filename not in stored:
            missing.append(f"{planned.asset_id}/{planned.spec.name}")
            continue
        info = known.get(planned.filename) or measure(cache.path(planned.filename), planned.spec.format)
        infos[planned.filename] = info
        spec = planned.spec
        found.setdefault(planned.asset_id, []).append(Rendition(
            planned.asset_id, spec.name, spec.label or spec.name, spec.kind, spec.format, spec.media_type,
            planned.filename, info["bytes"], info["width"], info["height"],
        ))
    return found, infos, sorted(missing)


# --- related assets: bitsets over the selection, cheap at 10,000 assets -----------------------------


class Related:
    """Ranks by (same campaign, number of shared tags, id): deterministic and a few big-int ops per asset."""

    def __init__(self, assets: tuple[Asset, ...]) -> None:
        self.assets = assets
        self.index = {asset.id: i for i, asset in enumerate(assets)}
        self.all = (1 << len(assets)) - 1
        self.tags: dict[str, int] = {}
        self.campaigns: dict[str, int] = {}
        for i, asset in enumerate(assets):
            for tag in set(asset.tags):
                self.tags[tag] = self.tags.get(tag, 0) | (1 << i)
            if asset.campaign:
                self.campaigns[asset.campaign] = self.campaigns.get(asset.campaign, 0) | (1 << i)

    def of(self, asset: Asset, limit: int = RELATED) -> list[Asset]:
        tags = sorted(set(asset.tags))
        planes = [0] * max(1, len(tags).bit_length())
        for tag in tags:  # add each tag's bitset into a binary counter held in bit planes
            carry = self.tags.get(tag, 0)
            for p in range(len(planes)):
                planes[p], carry = planes[p] ^ carry, planes[p] & carry
                if not carry:
                    break

        def exactly(count: int) -> int:
            mask = self.all
            for p, plane in enumerate(planes):
                mask &= plane if count >> p & 1 else self.all ^ plane
            return mask

        me = 1 << self.index[asset.id]
        campaign = self.campaigns.get(asset.campaign, 0) if asset.campaign else 0
        out: list[int] = []
        for base, lowest in ((campaign, 0), (self.all ^ campaign, 1)):
            for count in range(len(tags), lowest - 1, -1):
                mask = base & exactly(count) & ~me
                while mask and len(out) < limit:
                    low = mask & -mask
                    out.append(low.bit_length() - 1)
                    mask ^= low
                if len(out) >= limit:
                    return [self.assets[i] for i in out]
        return [self.assets[i] for i in out]


# --- page data ------------------------------------------------------------------------------


class Describer:
    """Turns assets into the plain data the templates show (and the manifest hashes)."""

    def __init__(self, catalogue: Catalogue, selection: Selection, renditions: dict[str, list[Rendition]],
                 history: dict[str, tuple[Change, ...]], base_url: str) -> None:
        self.catalogue = catalogue
        self.taxonomy = catalogue.taxonomy
        self.selection = selection
        self.today = selection.today
        self.renditions = renditions
        self.history = history
        self.base_url = base_url
        self.published = {asset.id: asset for asset in selection.assets}
        self.superseded_by: dict[str, str] = {}
        for asset in selection.assets:
            if asset.supersedes and asset.supersedes in self.published:
                self.superseded_by.setdefault(asset.supersedes, asset.id)

    def absolute(self, path: str) -> str:
        return self.base_url + path

    def collection_title(self, slug: str) -> str:
        found = self.taxonomy.collections.get(slug)
        return found.title if found else slug

    def campaign_title(self, slug: str | None) -> str | None:
        if not slug:
            return None
        found = self.taxonomy.campaigns.get(slug)
        return found.title if found else slug

    def channel_label(self, slug: str) -> str:
        found = self.taxonomy.channels.get(slug)
        return found.label if found else slug

    def badges(self, asset_id: str) -> list[dict]:
        return [{"label": b.label, "tone": b.tone} for b in self.selection.badges_of(asset_id)]

    def by_kind(self, asset_id: str, *kinds: str) -> list[Rendition]:
        return [r for r in self.renditions.get(asset_id, []) if r.kind in kinds]

    def thumbnail(self, asset: Asset) -> Rendition | None:
        """The smallest still that shows the asset: a card's picture."""
        stills = [r for r in self.renditions.get(asset.id, []) if r.format in STILL_FORMATS and r.kind != "crop"]
        if not stills:
            return None
        return min(stills, key=lambda r: ((r.width or 10**6) * (r.height or 10**6), r.name))

    def card(self, asset: Asset) -> dict:
        thumb = self.thumbnail(asset)
        return {
            "id": asset.id,
            "title": asset.title,
            "href": f"assets/{asset.id}/",
            "kind": asset.kind or "file",
            "kind_label": KIND_LABELS.get(asset.kind or "", "File"),
            "collection": self.collection_title(asset.collection),
            "alt": asset.alt or "",
            "thumb": None if thumb is None else {"src": thumb.path, "width": thumb.width, "height": thumb.height},
            "badges": self.badges(asset.id),
        }

    def preview(self, asset: Asset) -> dict | None:
        kind = asset.kind
        if kind == "image":
            sized = sorted((r for r in self.by_kind(asset.id, "resize") if r.width), key=lambda r: (r.width, r.format != "webp", r.name))
            widths: dict[int, Rendition] = {}
            for r in sized:
                widths.setdefault(r.width or 0, r)
            if not widths:
                return None
            largest = widths[max(widths)]
            return {
                "type": "image", "src": largest.path, "width": largest.width, "height": largest.height,
                "srcset": [{"src": r.path, "width": w} for w, r in sorted(widths.items())],
            }
        if kind == "video":
            proxy = next(iter(self.by_kind(asset.id, "proxy")), None)
            posters = sorted(self.by_kind(asset.id, "poster"), key=lambda r: (-(r.width or 0), r.name))
            if proxy is None and not posters:
                return None
            poster = posters[0] if posters else None
            return {
                "type": "video", "src": proxy.path if proxy else None, "media_type": proxy.media_type if proxy else None,
                "poster": poster.path if poster else None,
                "width": (proxy and proxy.width) or (poster and poster.width), "height": (proxy and proxy.height) or (poster and poster.height),
            }
        if kind == "audio":
            proxy = next(iter(self.by_kind(asset.id, "proxy")), None)
            wave = next(iter(self.by_kind(asset.id, "waveform")), None)
            if proxy is None and wave is None:
                return None
            return {
                "type": "audio", "src": proxy.path if proxy else None, "media_type": proxy.media_type if proxy else None,
                "waveform": None if wave is None else {"src": wave.path, "width": wave.width, "height": wave.height},
            }
        if kind == "document":
            pages = sorted(self.by_kind(asset.id, "page"), key=lambda r: (-(r.width or 0), r.name))
            if not pages:
                return None
            return {"type": "document", "src": pages[0].path, "width": pages[0].width, "height": pages[0].height}
        return None

    def rights(self, asset: Asset) -> dict:
        rights = asset.rights
        licence = self.taxonomy.licences.get(rights.licence or "") if rights.licence else None
        expires = None
        if rights.expires:
            left = (rights.expires - self.today).days
            when = "today" if left == 0 else (f"in {left} day{'s' if left != 1 else ''}" if left > 0 else f"{-left} days ago")
            expires = {"date": rights.expires.isoformat(), "text": long_date(rights.expires), "when": when}
        return {
            "licence": None if not rights.licence else {
                "id": rights.licence, "label": licence.label if licence else rights.licence,
                "description": licence.description if licence else None, "url": licence.url if licence else None,
            },
            "channels": [{"id": c, "label": self.channel_label(c)} for c in rights.usage],
            "territories": [{"code": t, "name": territory_name(t)} for t in rights.territories],
            "expires": expires,
            "embargo_until": {"date": rights.embargo_until.isoformat(), "text": long_date(rights.embargo_until)} if rights.embargo_until else None,
            "credit": rights.credit,
            "consent": list(rights.consent),
            "restrictions": rights.restrictions,
            "badges": self.badges(asset.id),
        }

    def facts(self, asset: Asset) -> list[dict]:
        """Every human metadata field, in the order a reader asks about them."""
        owner = self.taxonomy.owners.get(asset.owner or "")
        tech = asset.technical
        rows: list[tuple[str, Any]] = [
            ("Type", f"{KIND_LABELS.get(asset.kind or '', 'File')} ({asset.media_type})" if asset.media_type else None),
            ("Collection", {"text": self.collection_title(asset.collection), "href": f"collections/{asset.collection}/"}),
            ("Campaign", {"text": self.campaign_title(asset.campaign), "href": f"campaigns/{asset.campaign}/"} if asset.campaign else None),
            ("Tags", ", ".join(asset.tags) or None),
            ("Intended channels", ", ".join(self.channel_label(c) for c in asset.channels) or None),
            ("Language", language_name(asset.language)),
            ("Creator", asset.creator),
            ("Source", asset.source),
            ("Created", long_date(asset.created) if asset.created else None),
            ("Owner", (owner.name if owner else asset.owner) if asset.owner else None),
            ("Owner contact", owner.email if owner and owner.email else None),
            ("Status", asset.status.value.replace("_", " ")),
            ("Visibility", asset.visibility.value),
            ("Approved by", asset.approved_by),
            ("Approved on", long_date(asset.approved_on) if asset.approved_on else None),
            ("Text alternative", asset.alt),
        ]
        if asset.supersedes:
            older = self.published.get(asset.supersedes)
            rows.append(("Replaces", {"text": older.title, "href": f"assets/{older.id}/"} if older else asset.supersedes))
        if tech:
            rows += [
                ("Master size", f"{tech.width} × {tech.height} px" if tech.width and tech.height else None),
                ("Duration", duration_text(tech.duration)),
                ("Frame rate", f"{tech.fps:g} fps" if tech.fps else None),
                ("Pages", str(tech.pages) if tech.pages else None),
                ("Master file", file_size(tech.bytes)),
                ("Colour", " ".join(str(v) for v in (tech.colour_mode, tech.icc_profile) if v) or None),
                ("Camera", tech.camera),
                ("Captured", tech.captured),
            ]
        out = []
        for label, value in rows:
            if value is None or value == "":
                continue
            out.append({"label": label, "text": value["text"], "href": value["href"]} if isinstance(value, dict)
                       else {"label": label, "text": str(value), "href": None})
        return out

    def changes(self, asset: Asset) -> list[dict]:
        path = self.catalogue.sources.get(asset.id, "")
        return [
            {"commit": c.short, "day": c.day, "date": long_date(dt.date.fromisoformat(c.day)), "author": c.author,
             "message": c.message, "pr": c.pr_number}
            for c in self.history.get(path, ())
        ]

    def json_ld(self, asset: Asset, page_url: str, preview: dict | None) -> Markup:
        rights = asset.rights
        licence = self.taxonomy.licences.get(rights.licence or "") if rights.licence else None
        thumb = self.thumbnail(asset)
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": SCHEMA_TYPES.get(asset.kind or "", "CreativeWork"),
            "name": asset.title, "url": page_url, "identifier": asset.id,
            "acquireLicensePage": page_url,
        }
        optional = {
            "description": asset.description, "caption": asset.alt,
            "license": (licence.url or licence.label) if licence else rights.licence,
            "creditText": rights.credit, "copyrightNotice": rights.credit,
            "creator": {"@type": "Person", "name": asset.creator} if asset.creator else None,
            "dateCreated": asset.created.isoformat() if asset.created else None,
            "datePublished": asset.approved_on.isoformat() if asset.approved_on else None,
            "expires": rights.expires.isoformat() if rights.expires else None,
            "inLanguage": asset.language if asset.language and asset.language != "zxx" else None,
            "keywords": ", ".join(asset.tags) or None,
            "encodingFormat": asset.media_type,
            "thumbnailUrl": self.absolute(thumb.path) if thumb else None,
        }
        if preview and preview.get("src"):
            optional["contentUrl"] = self.absolute(preview["src"])
            optional["width"] = preview.get("width")
            optional["height"] = preview.get("height")
        if asset.kind in ("video", "audio") and asset.technical:
            optional["duration"] = iso_duration(asset.technical.duration)
        if asset.kind == "video" and thumb:
            optional["uploadDate"] = optional["datePublished"]
        data.update({k: v for k, v in optional.items() if v is not None})
        return script_json(data)

    def og_image(self, asset: Asset) -> dict | None:
        """A JPEG or PNG still (chat tools rarely read WebP), the largest that is not a crop."""
        stills = [r for r in self.renditions.get(asset.id, []) if r.format in ("jpeg", "png") and r.kind != "crop"]
        stills = stills or [r for r in self.renditions.get(asset.id, []) if r.format in STILL_FORMATS]
        if not stills:
            return None
        best = max(stills, key=lambda r: ((r.width or 0) * (r.height or 0), r.name))
        return {"url": self.absolute(best.path), "width": best.width, "height": best.height, "type": best.media_type}

    def package(self, asset: Asset, page_url: str, downloads: list[dict], rights: dict) -> Markup:
        """What the "download with rights" button zips next to the chosen file."""
        return script_json({
            "id": asset.id, "title": asset.title, "url": page_url, "build_date": self.today.isoformat(),
            "credit": asset.rights.credit, "creator": asset.creator,
            "licence": rights["licence"], "channels": [c["label"] for c in rights["channels"]],
            "territories": [t["name"] for t in rights["territories"]],
            "expires": asset.rights.expires.isoformat() if asset.rights.expires else None,
            "restrictions": asset.rights.restrictions, "consent": list(asset.rights.consent),
            "renditions": [{"name": d["name"], "label": d["label"], "path": "../../" + d["path"], "filename": d["download_name"]} for d in downloads],
        })

    def asset_page(self, asset: Asset, related: list[Asset]) -> Page:
        path = f"assets/{asset.id}/"
        page_url = self.absolute(path)
        preview = self.preview(asset)
        downloads = []
        for r in self.renditions.get(asset.id, []):
            entry = r.as_dict()
            entry["download_name"] = f"{asset.id}-{r.name}.{r.filename.rsplit('.', 1)[1]}"
            downloads.append(entry)
        rights = self.rights(asset)
        og_image = self.og_image(asset)
        newer = self.superseded_by.get(asset.id)
        data = {
            "title": asset.title,
            "canonical": page_url,
            "description": asset.description or asset.alt or asset.title,
            "asset": {
                "id": asset.id, "title": asset.title, "description": asset.description, "alt": asset.alt or "",
                "kind": asset.kind or "file", "kind_label": KIND_LABELS.get(asset.kind or "", "File"),
                "collection": {"id": asset.collection, "title": self.collection_title(asset.collection)},
                "newer": {"href": f"assets/{newer}/", "title": self.published[newer].title} if newer else None,
            },
            "og": {"type": "video.other" if asset.kind == "video" else "website", "image": og_image,
                   "video": self.absolute(preview["src"]) if preview and preview["type"] == "video" and preview.get("src") else None},
            "preview": preview,
            "facts": self.facts(asset),
            "rights": rights,
            "downloads": downloads,
            "related": [self.card(other) for other in related],
            "history": self.changes(asset),
            "jsonld": self.json_ld(asset, page_url, preview),
            "package": self.package(asset, page_url, downloads, rights),
        }
        return Page(path + "index.html", "asset.html", data)

    def feed_entry(self, asset: Asset) -> dict:
        rights = asset.rights
        return {
            "id": asset.id, "title": asset.title, "description": asset.description, "alt": asset.alt,
            "kind": asset.kind, "media_type": asset.media_type, "collection": asset.collection,
            "campaign": asset.campaign, "tags": list(asset.tags), "language": asset.language,
            "channels": list(asset.channels), "creator": asset.creator, "source": asset.source,
            "created": asset.created.isoformat() if asset.created else None,
            "status": asset.status.value, "visibility": asset.visibility.value,
            "approved_on": asset.approved_on.isoformat() if asset.approved_on else None,
            "page": f"assets/{asset.id}/", "url": self.absolute(f"assets/{asset.id}/"),
            "badges": [b["label"] for b in self.badges(asset.id)],
            "rights": {
                "licence": rights.licence, "usage": list(rights.usage), "territories": list(rights.territories),
                "expires": rights.expires.isoformat() if rights.expires else None,
                "embargo_until": rights.embargo_until.isoformat() if rights.embargo_until else None,
                "credit": rights.credit, "consent": list(rights.consent), "restrictions": rights.restrictions,
            },
            "renditions": [
                {"name": r.name, "label": r.label, "media_type": r.media_type, "path": r.path,
                 "url": self.absolute(r.path), "bytes": r.bytes, "width": r.width, "height": r.height}
                for r in self.renditions.get(asset.id, [])
            ],
        }


def newest_first(assets: list[Asset]) -> list[Asset]:
    return sorted(assets, key=lambda a: (-(a.approved_on or dt.date.min).toordinal(), a.id))


def listing_pages(kind: str, slug: str, title: str, description: str | None, extra: dict, assets: list[Asset],
                  describer: Describer) -> list[Page]:
    """A collection or campaign, PER_PAGE cards a page: /kind/slug/, /kind/slug/page/2/, ..."""
    ordered = newest_first(assets)
    chunks = [ordered[i:i + PER_PAGE] for i in range(0, len(ordered), PER_PAGE)] or [[]]
    base = f"{kind}/{slug}/"
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        path = base if number == 1 else f"{base}page/{number}/"
        pager = {
            "number": number, "count": len(chunks),
            "prev": None if number == 1 else (base if number == 2 else f"{base}page/{number - 1}/"),
            "next": None if number == len(chunks) else f"{base}page/{number + 1}/",
        }
        pages.append(Page(path + "index.html", "listing.html", {
            "title": title if number == 1 else f"{title} (page {number})",
            "canonical": describer.absolute(path), "description": description or title,
            "listing": {"kind": kind, "slug": slug, "title": title, "description": description, "total": len(ordered), **extra},
            "cards": [describer.card(asset) for asset in chunk], "pager": pager,
        }))
    return pages


def brand_pages(root: Path) -> list[dict]:
    """catalogue/pages/*.md -> {slug, title, html}; raw HTML in Markdown is shown as text."""
    folder = root / PAGES_DIR
    if not folder.is_dir():
        return []
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    found = []
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        slug = "".join(c if c.isalnum() else "-" for c in path.stem.lower()).strip("-") or "page"
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem.replace("-", " ").capitalize())
        found.append({"slug": slug, "title": title, "html": Markup(md.render(text))})
    return found


def describe(catalogue: Catalogue, selection: Selection, describer: Describer, base_url: str,
             guides: list[dict], search_page: bool) -> tuple[list[Page], dict]:
    """Every page of the site as (path, template, data), and the chrome every page shares."""
    assets = list(selection.assets)
    taxonomy = catalogue.taxonomy
    by_collection: dict[str, list[Asset]] = {}
    by_campaign: dict[str, list[Asset]] = {}
    for asset in assets:
        by_collection.setdefault(asset.collection, []).append(asset)
        if asset.campaign:
            by_campaign.setdefault(asset.campaign, []).append(asset)
    pages: list[Page] = []
    collections = []
    for slug in sorted(by_collection):
        found = taxonomy.collections.get(slug)
        title = found.title if found else slug
        members = newest_first(by_collection[slug])
        collections.append({"slug": slug, "title": title, "description": found.description if found else None,
                            "count": len(members), "href": f"collections/{slug}/", "dates": None, "cover": describer.card(members[0])["thumb"]})
        pages += listing_pages("collections", slug, title, found.description if found else None, {"dates": None}, members, describer)
    campaigns = []
    for slug in sorted(by_campaign):
        found = taxonomy.campaigns.get(slug)
        title = found.title if found else slug
        members = newest_first(by_campaign[slug])
        dates = " – ".join(long_date(d) for d in (found.starts, found.ends) if d) if found else ""
        campaigns.append({"slug": slug, "title": title, "description": found.description if found else None,
                          "count": len(members), "href": f"campaigns/{slug}/", "dates": dates or None,
                          "cover": describer.card(members[0])["thumb"]})
        pages += listing_pages("campaigns", slug, title, found.description if found else None, {"dates": dates or None}, members, describer)
    related = Related(selection.assets)
    pages += [describer.asset_page(asset, related.of(asset)) for asset in assets]
    pages += [Page(f"pages/{g['slug']}/index.html", "page.html", {
        "title": g["title"], "canonical": describer.absolute(f"pages/{g['slug']}/"), "description": g["title"], "body": g["html"],
    }) for g in guides]
    pages.append(Page("index.html", "home.html", {
        "title": catalogue.settings.title, "canonical": describer.absolute(""),
        "description": catalogue.settings.description or catalogue.settings.title,
        "collections": collections, "campaigns": campaigns,
        "recent": [describer.card(a) for a in newest_first(assets)[:RECENT]], "total": len(assets),
    }))
    pages.append(Page("404.html", "404.html", {"title": "Page not found", "canonical": describer.absolute("404.html"),
                                               "description": "Page not found"}))
    if search_page:
        pages.append(Page("search/index.html", SEARCH_TEMPLATE, {
            "title": "Search", "canonical": describer.absolute("search/"), "description": f"Search {catalogue.settings.title}",
        }))
    settings = catalogue.settings
    profile = settings.profiles[selection.profile]
    chrome = {
        "site": {
            "title": settings.title, "description": settings.description, "language": settings.language,
            "brand": settings.brand.name, "tagline": settings.brand.tagline,
            "profile": selection.profile, "profile_description": profile.description, "badged": profile.badge,
            "build_date": selection.today.isoformat(), "build_date_text": long_date(selection.today),
            "base_url": base_url, "guides": [{"title": g["title"], "href": f"pages/{g['slug']}/"} for g in guides],
            "search": search_page,
        },
    }
    return sorted(pages, key=lambda p: p.path), chrome


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
    for base in (catalogue.root, templates_dir.parent, Path(__file__).resolve().parents[1]):
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
        write_bytes(work / "assets.json", (json.dumps(feed, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
        write_bytes(work / "sitemap.xml", sitemap(describer, pages))
        robots = "User-agent: *\nDisallow: /\n" if chrome["site"]["badged"] else f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n"
        write_bytes(work / "robots.txt", robots.encode())

        search_entry = search_job.write(work)

        manifest = {"version": SITE_VERSION, "pages": hashes, "renditions": dict(sorted(infos.items())),
                    "search": search_entry}
        write_bytes(work / MANIFEST, (json.dumps(manifest, sort_keys=True, indent=0) + "\n").encode())
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

"""Every page of the site as plain data (path, template, context), and related-asset lookups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from markupsafe import Markup

from builder.catalogue import Catalogue
from builder.history import Change
from builder.models import Asset
from builder.publish import Selection, long_date
from builder.site.common import (
    KIND_LABELS, PAGES_DIR, PER_PAGE, Page, RECENT, RELATED, SCHEMA_TYPES, SEARCH_TEMPLATE,
    STILL_FORMATS, duration_text, file_size, iso_duration, language_name, script_json,
    territory_name,
)
from builder.site.media import Rendition


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
        self._cards: dict[str, dict] = {}  # an asset's card appears on many pages; build it once
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
        if asset.id not in self._cards:
            self._cards[asset.id] = self._card(asset)
        return self._cards[asset.id]

    def _card(self, asset: Asset) -> dict:
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



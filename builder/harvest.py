"""Embedded metadata: what photographers and agencies already wrote into the masters.

Read from three places, in this order of precedence (the Metadata Working Group's: XMP is the
modern, Unicode carrier; IPTC-IIM and EXIF are older copies of the same facts):

| field       | XMP                                   | IPTC-IIM              | EXIF                  |
|-------------|---------------------------------------|-----------------------|-----------------------|
| title       | dc:title, photoshop:Headline          | 2:05 Object Name, 2:105 Headline | XPTitle    |
| description | dc:description                        | 2:120 Caption         | ImageDescription, XPSubject |
| alt         | Iptc4xmpCore:AltTextAccessibility     | (none in IIM)         | (none)                |
| keywords    | dc:subject                            | 2:25 Keywords         | XPKeywords            |
| creator     | dc:creator                            | 2:80 By-line          | Artist, XPAuthor      |
| credit      | photoshop:Credit                      | 2:110 Credit          | (none)                |
| copyright   | dc:rights                             | 2:116 Copyright Notice| Copyright             |
| source      | photoshop:Source                      | 2:115 Source          | (none)                |

Every value remembers where it came from ("XMP dc:title"), so the import report and the
draft sidecar can say so. Nothing here decodes pixels.

The XMP packet is parsed with the standard library's expat after two guards: the packet is
capped in size, and any DTD (`<!DOCTYPE`, `<!ENTITY`) is refused outright. XMP never needs one,
and without a DTD there are no entities to expand (billion laughs) or fetch (XXE).
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_XMP_BYTES = 2 * 1024 * 1024
MAX_TEXT = 5000

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
FIELDS = ("title", "description", "alt", "keywords", "creator", "credit", "copyright", "source")

# field -> XMP properties, first found wins
XMP_PROPERTIES = {
    "title": ("dc:title", "photoshop:Headline"),
    "description": ("dc:description",),
    "alt": ("Iptc4xmpCore:AltTextAccessibility",),
    "keywords": ("dc:subject",),
    "creator": ("dc:creator",),
    "credit": ("photoshop:Credit",),
    "copyright": ("dc:rights",),
    "source": ("photoshop:Source",),
}
# field -> IPTC-IIM (record, dataset), first found wins
IPTC_DATASETS = {
    "title": ((2, 5), (2, 105)),
    "description": ((2, 120),),
    "keywords": ((2, 25),),
    "creator": ((2, 80),),
    "credit": ((2, 110),),
    "copyright": ((2, 116),),
    "source": ((2, 115),),
}
IPTC_NAMES = {(2, 5): "Object Name", (2, 105): "Headline", (2, 120): "Caption/Abstract", (2, 25): "Keywords",
              (2, 80): "By-line", (2, 110): "Credit", (2, 116): "Copyright Notice", (2, 115): "Source"}
# field -> EXIF tags (id, name), first found wins
EXIF_TAGS = {
    "title": ((0x9C9B, "XPTitle"),),
    "description": ((0x010E, "ImageDescription"), (0x9C9F, "XPSubject")),
    "keywords": ((0x9C9E, "XPKeywords"),),
    "creator": ((0x013B, "Artist"), (0x9C9D, "XPAuthor")),
    "copyright": ((0x8298, "Copyright"),),
}
_WINDOWS_XP_TAGS = {0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}


@dataclass(frozen=True)
class Embedded:
    """What a master says about itself. Text fields are None when absent; `origin` maps each
    present field to where it was read, e.g. {"title": "XMP dc:title"}."""

    title: str | None = None
    description: str | None = None
    alt: str | None = None
    keywords: tuple[str, ...] = ()
    creator: str | None = None
    credit: str | None = None
    copyright: str | None = None
    source: str | None = None
    origin: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # metadata present but unreadable (reported, never fatal)

    def __bool__(self) -> bool:
        return bool(self.origin)


def harvest(path: Path | str) -> Embedded:
    """The embedded metadata of an image master; an empty Embedded for anything else."""
    from PIL import Image, UnidentifiedImageError

    found: dict[str, Any] = {}
    origin: dict[str, str] = {}
    problems: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(path)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return Embedded()
    with image:
        sources = (
            ("XMP", lambda: _from_xmp(_xmp_packet(image))),
            ("IPTC", lambda: _from_iptc(image)),
            ("EXIF", lambda: _from_exif(image)),
        )
        for label, read in sources:
            try:
                values = read()
            except Exception as exc:  # noqa: BLE001 - hostile metadata must never stop an import
                problems.append(f"{label} metadata could not be read ({type(exc).__name__}: {exc})"[:300])
                continue
            for name, (value, where) in values.items():
                if name not in found and value:
                    found[name] = value
                    origin[name] = f"{label} {where}"
    return Embedded(**found, origin=origin, problems=tuple(problems))


# --- XMP ---------------------------------------------------------------------------------------

def _xmp_packet(image) -> bytes | None:
    info = image.info
    packet = info.get("xmp") or info.get("XML:com.adobe.xmp")
    if packet is None and hasattr(image, "tag_v2"):
        packet = image.tag_v2.get(700)  # TIFF XMP tag
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    if isinstance(packet, tuple):  # some TIFF readers give a tuple of ints
        packet = bytes(packet)
    return packet or None


def parse_xmp(packet: bytes) -> ET.Element:
    """Parse an XMP packet safely: size-capped, no DTD (so no entity expansion or fetching)."""
    if len(packet) > MAX_XMP_BYTES:
        raise ValueError(f"the XMP packet is {len(packet):,} bytes, over the {MAX_XMP_BYTES:,} byte cap")
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", packet, re.IGNORECASE) or \
            re.search(rb"<\x00!\x00", packet):  # a UTF-16 packet hiding a declaration
        raise ValueError("the XMP packet declares a DTD or entities, which XMP never needs; ignored")
    start = packet.find(b"<")
    return ET.fromstring(packet[start:] if start > 0 else packet)


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _from_xmp(packet: bytes | None) -> dict[str, tuple[Any, str]]:
    if not packet:
        return {}
    root = parse_xmp(packet)
    descriptions = list(root.iter(_q("rdf:Description")))
    out: dict[str, tuple[Any, str]] = {}
    for name, properties in XMP_PROPERTIES.items():
        for prop in properties:
            value = _xmp_value(descriptions, prop)
            if name == "keywords":
                value = tuple(v for v in (_clean(item) for item in (value or ())) if v)
            elif isinstance(value, list):
                value = "; ".join(v for v in (_clean(item) for item in value) if v) or None
            else:
                value = _clean(value)
            if value:
                out[name] = (value, prop)
                break
    return out


def _xmp_value(descriptions: list[ET.Element], prop: str) -> str | list[str] | None:
    """A property as text (simple or language alternative) or a list (Bag/Seq)."""
    qualified = _q(prop)
    for description in descriptions:
        attribute = description.get(qualified)  # shorthand: <rdf:Description photoshop:Credit="...">
        if attribute is not None:
            return attribute
        element = description.find(qualified)
        if element is None:
            continue
        container = next(iter(element), None)
        if container is None:
            return element.text
        items = container.findall(_q("rdf:li"))
        if container.tag == _q("rdf:Alt"):
            default = next((li for li in items if li.get(_q("xml:lang")) == "x-default"), None)
            chosen = default if default is not None else (items[0] if items else None)
            return chosen.text if chosen is not None else None
        return [li.text or "" for li in items]
    return None


# --- IPTC-IIM ----------------------------------------------------------------------------------

def _from_iptc(image) -> dict[str, tuple[Any, str]]:
    from PIL import IptcImagePlugin

    info = IptcImagePlugin.getiptcinfo(image)
    if not info:
        return {}
    utf8 = info.get((1, 90)) in (b"\x1b%G", [b"\x1b%G"])
    out: dict[str, tuple[Any, str]] = {}
    for name, datasets in IPTC_DATASETS.items():
        for dataset in datasets:
            raw = info.get(dataset)
            if raw is None:
                continue
            items = raw if isinstance(raw, list) else [raw]
            texts = [t for t in (_clean(_decode(item, utf8)) for item in items) if t]
            if not texts:
                continue
            value = tuple(texts) if name == "keywords" else "; ".join(texts)
            out[name] = (value, f"{dataset[0]}:{dataset[1]:02d} {IPTC_NAMES[dataset]}")
            break
    return out


def _decode(raw: bytes, utf8: bool) -> str:
    if utf8:
        return raw.decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# --- EXIF --------------------------------------------------------------------------------------

def _from_exif(image) -> dict[str, tuple[Any, str]]:
    exif = image.getexif()
    if not exif:
        return {}
    out: dict[str, tuple[Any, str]] = {}
    for name, tags in EXIF_TAGS.items():
        for tag, tag_name in tags:
            raw = exif.get(tag)
            if raw is None:
                continue
            text = _xp_text(raw) if tag in _WINDOWS_XP_TAGS else _exif_text(raw)
            if name == "keywords":
                value: Any = tuple(k for k in (_clean(part) for part in re.split(r"[;,]", text or "")) if k)
            else:
                value = _clean(text)
            if value:
                out[name] = (value, tag_name)
                break
    return out


def _xp_text(raw: Any) -> str | None:
    """Windows' XP* tags: UTF-16LE bytes (Pillow may hand back a tuple of byte values)."""
    if isinstance(raw, tuple):
        raw = bytes(raw)
    if isinstance(raw, bytes):
        return raw.decode("utf-16-le", "replace").rstrip("\x00")
    return raw if isinstance(raw, str) else None


def _exif_text(raw: Any) -> str | None:
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return raw if isinstance(raw, str) else None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text[:MAX_TEXT] or None

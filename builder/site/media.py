"""The renditions a page may show: measured once, remembered by file name (content-addressed)."""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass
from pathlib import Path

from builder.cache import RenditionCache
from builder.plan import Plan
from builder.publish import Selection
from builder.site.common import STILL_FORMATS, file_size


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

    @functools.cached_property
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



"""Rendition specs (declared in portal.yaml) and the cache keys that name their outputs.

A key holds everything that changes an output's bytes and nothing else: the master's md5, the
spec, the asset parameters that spec reads (focus, manual crop, poster time, credit) and the
engine version for that media kind, which is bumped on purpose when an engine's output changes.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from builder.fields import AspectRatio, Slug
from builder.models import MediaKind

RenditionKind = Literal["resize", "crop", "proxy", "poster", "loop", "waveform", "page"]
OutputFormat = Literal["jpeg", "webp", "png", "mp4", "m4a", "mp3"]

# Which kinds each media kind can produce, and which formats each kind can write.
KINDS_BY_MEDIA: dict[str, tuple[str, ...]] = {
    "image": ("resize", "crop"),
    "video": ("proxy", "poster", "crop", "loop"),
    "audio": ("proxy", "waveform"),
    "document": ("page",),
}
STILL_FORMATS = ("jpeg", "webp", "png")
FORMATS_BY_KIND: dict[str, tuple[str, ...]] = {
    "resize": STILL_FORMATS,
    "crop": STILL_FORMATS + ("mp4",),
    "proxy": ("mp4", "m4a", "mp3"),
    "poster": STILL_FORMATS,
    "loop": ("mp4",),
    "waveform": ("png", "webp"),
    "page": STILL_FORMATS,
}
EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "png": "png", "mp4": "mp4", "m4a": "m4a", "mp3": "mp3"}
MEDIA_TYPES = {
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "png": "image/png",
    "mp4": "video/mp4",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
}

# Bump the kind's number whenever its engine's output bytes change for the same inputs.
ENGINE_VERSIONS: dict[str, int] = {"image": 1, "video": 2, "audio": 1, "document": 1}


class RenditionSpec(BaseModel):
    """One output to make from every master of a media kind.

    width/height bound the output (fit inside); for crops, `aspect` fixes the ratio and
    width (or height) its size. `quality` is the JPEG/WebP quality, or the CRF for video.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Slug
    kind: RenditionKind
    format: OutputFormat
    width: int | None = Field(None, gt=0, le=8192)
    height: int | None = Field(None, gt=0, le=8192)
    aspect: AspectRatio | None = None
    quality: int | None = Field(None, ge=0, le=100)
    bitrate_kbps: int | None = Field(None, gt=0, le=1024, description="audio bitrate")
    duration: float | None = Field(None, gt=0, le=60, description="seconds, for loops")
    label: str | None = Field(None, description="what the portal's download list calls it")

    @model_validator(mode="after")
    def _coherent(self) -> "RenditionSpec":
        if self.format not in FORMATS_BY_KIND[self.kind]:
            allowed = ", ".join(FORMATS_BY_KIND[self.kind])
            raise ValueError(f"a {self.kind} rendition cannot be written as {self.format} (use {allowed})")
        if self.kind == "crop" and not self.aspect:
            raise ValueError("a crop rendition needs an aspect such as \"16:9\"")
        if self.kind in ("resize", "crop", "poster", "page", "waveform") and not (self.width or self.height):
            raise ValueError(f"a {self.kind} rendition needs a width or a height")
        return self

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def aspect_ratio(self) -> float | None:
        if not self.aspect:
            return None
        w, h = self.aspect.split(":")
        return int(w) / int(h)

    @functools.cached_property
    def canonical_json(self) -> str:
        """The spec as it enters a key (labels are presentation, not bytes), computed once."""
        return _canonical(self.model_dump(exclude={"label"}, exclude_none=True))


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def rendition_key(media: MediaKind, master_md5: str, spec: RenditionSpec, params: dict) -> str:
    """sha256 over everything that affects the bytes; never a time stamp or a path."""
    blob = "|".join((media, str(ENGINE_VERSIONS[media]), master_md5, spec.canonical_json, _canonical(params)))
    return hashlib.sha256(blob.encode()).hexdigest()


def default_renditions() -> dict[str, tuple[RenditionSpec, ...]]:
    """What a portal gets when portal.yaml declares no renditions of its own."""
    s = RenditionSpec
    return {
        "image": (
            s(name="thumb", kind="resize", format="webp", width=480, height=480, quality=78, label="Thumbnail"),
            s(name="preview", kind="resize", format="webp", width=1600, height=1600, quality=80, label="Web preview"),
            s(name="preview-jpeg", kind="resize", format="jpeg", width=1600, height=1600, quality=85, label="Web preview (JPEG)"),
            s(name="square", kind="crop", format="jpeg", aspect="1:1", width=1080, quality=85, label="Square 1:1"),
            s(name="wide", kind="crop", format="jpeg", aspect="16:9", width=1920, quality=85, label="Wide 16:9"),
            s(name="story", kind="crop", format="jpeg", aspect="9:16", width=1080, quality=85, label="Story 9:16"),
        ),
        "video": (
            s(name="proxy", kind="proxy", format="mp4", height=720, quality=28, label="Video proxy (720p)"),
            s(name="poster", kind="poster", format="jpeg", width=1280, height=1280, quality=85, label="Poster frame"),
            s(name="thumb", kind="poster", format="webp", width=480, height=480, quality=78, label="Thumbnail"),
            s(name="square", kind="crop", format="mp4", aspect="1:1", height=720, quality=28, label="Square 1:1 video"),
            s(name="wide", kind="crop", format="mp4", aspect="16:9", height=720, quality=28, label="Wide 16:9 video"),
            s(name="story", kind="crop", format="mp4", aspect="9:16", height=1280, quality=28, label="Story 9:16 video"),
            s(name="loop", kind="loop", format="mp4", height=360, duration=4, quality=30, label="Muted preview loop"),
        ),
        "audio": (
            s(name="proxy", kind="proxy", format="m4a", bitrate_kbps=128, label="Audio proxy (AAC)"),
            s(name="waveform", kind="waveform", format="png", width=1200, height=240, label="Waveform"),
        ),
        "document": (
            s(name="page", kind="page", format="png", width=1600, height=1600, label="First page"),
            s(name="thumb", kind="page", format="webp", width=480, height=480, quality=78, label="Thumbnail"),
        ),
    }

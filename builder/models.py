"""The sidecar and taxonomy models: the real definition of what an editor may write.

Models are frozen and forbid unknown keys. They check the shape of one file; rules that need
the taxonomy, the file system or other assets live in `rules.py`, so the same model also
exports a JSON Schema editors can use without any of that context.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from builder.fields import (
    AspectRatio,
    Fraction,
    Handle,
    IsoDate,
    LanguageTag,
    Md5,
    ShortText,
    Slug,
    Territory,
    Text,
    Timecode,
    timecode_seconds,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Status(str, Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ARCHIVED = "archived"


class Visibility(str, Enum):
    PUBLIC = "public"
    INTERNAL = "internal"


MediaKind = Literal["image", "video", "audio", "document"]
MEDIA_KINDS: tuple[MediaKind, ...] = ("image", "video", "audio", "document")

DOCUMENT_TYPES = {"application/pdf"}


def media_kind(media_type: str | None) -> MediaKind | None:
    """image/jpeg -> image; application/pdf -> document; unknown -> None."""
    if not media_type:
        return None
    if media_type in DOCUMENT_TYPES:
        return "document"
    major = media_type.split("/", 1)[0]
    return major if major in ("image", "video", "audio") else None  # type: ignore[return-value]


def guess_media_type(path: str) -> str | None:
    return mimetypes.guess_type(path, strict=False)[0]


class Rights(Strict):
    licence: Slug | None = Field(None, description="a licence from taxonomy.yaml")
    usage: tuple[Slug, ...] = Field((), description="channels the licence allows")
    territories: tuple[Territory, ...] = Field((), description="ISO 3166 codes or 'worldwide'")
    expires: IsoDate | None = None
    embargo_until: IsoDate | None = Field(None, description="not published before this date")
    credit: ShortText | None = Field(None, description="credit line to print with the asset")
    consent: tuple[ShortText, ...] = Field((), description="model or property release references")
    withdrawn_on: IsoDate | None = Field(None, description="set when rights or consent are withdrawn")
    restrictions: Text | None = None


class Focus(Strict):
    """Focal point as fractions of the width and height, (0, 0) at the top left."""

    x: Fraction
    y: Fraction


class CropBox(Strict):
    """A manual crop as fractions of the master's width and height."""

    x: Fraction
    y: Fraction
    w: Fraction = Field(gt=0)
    h: Fraction = Field(gt=0)

    @model_validator(mode="after")
    def _inside_the_frame(self) -> "CropBox":
        if self.x + self.w > 1.0 + 1e-9 or self.y + self.h > 1.0 + 1e-9:
            raise ValueError("the crop box extends past the edge of the image (x + w and y + h must be at most 1)")
        return self


class Technical(Strict):
    """Measured from the master by `dam add` / `dam refresh`; never edited by hand."""

    md5: Md5
    bytes: int = Field(ge=0)
    media_type: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$")
    width: int | None = Field(None, gt=0)
    height: int | None = Field(None, gt=0)
    duration: float | None = Field(None, ge=0, description="seconds")
    fps: float | None = Field(None, gt=0)
    video_codec: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = Field(None, gt=0)
    audio_channels: int | None = Field(None, gt=0)
    rotation: int | None = None
    colour_mode: str | None = None
    bit_depth: int | None = Field(None, gt=0)
    icc_profile: str | None = None
    has_alpha: bool | None = None
    captured: str | None = Field(None, description="capture date and time from EXIF, ISO 8601")
    camera: str | None = None
    pages: int | None = Field(None, gt=0)
    page_width_pt: float | None = Field(None, gt=0)
    page_height_pt: float | None = Field(None, gt=0)
    phash: str | None = Field(None, pattern=r"^[0-9a-f]{16}$")


class Asset(Strict):
    id: Slug
    title: ShortText
    description: Text | None = None
    alt: ShortText | None = Field(None, description="text alternative; required for approved images")
    master: str = Field(min_length=1, description="path of the master file, relative to media/")
    collection: Slug
    campaign: Slug | None = None
    tags: tuple[Slug, ...] = ()
    language: LanguageTag | None = None
    channels: tuple[Slug, ...] = ()
    owner: Slug | None = None
    creator: ShortText | None = None
    source: ShortText | None = None
    created: IsoDate | None = Field(None, description="when the asset was made or shot")
    status: Status = Status.DRAFT
    visibility: Visibility = Visibility.INTERNAL
    approved_by: Handle | None = None
    approved_on: IsoDate | None = None
    rights: Rights = Rights()
    focus: Focus | None = None
    crops: dict[AspectRatio, CropBox] = Field(default_factory=dict)
    poster_at: Timecode | None = None
    supersedes: Slug | None = None
    technical: Technical | None = None

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra=lambda schema: schema.setdefault("allOf", []).append(APPROVED_RULE),
    )

    @property
    def media_type(self) -> str | None:
        return self.technical.media_type if self.technical else guess_media_type(self.master)

    @property
    def kind(self) -> MediaKind | None:
        return media_kind(self.media_type)

    @property
    def poster_seconds(self) -> float | None:
        return None if self.poster_at is None else timecode_seconds(self.poster_at)

    def is_published(self, on: dt.date) -> bool:
        """The public portal's rule: approved, public, in its rights window, not withdrawn."""
        rights = self.rights
        return (
            self.status is Status.APPROVED
            and self.visibility is Visibility.PUBLIC
            and rights.withdrawn_on is None
            and (rights.expires is None or rights.expires >= on)
            and (rights.embargo_until is None or rights.embargo_until <= on)
        )


# Status-dependent strictness, mirrored in the JSON Schema so editors see it while typing.
APPROVED_RULE = {
    "if": {"properties": {"status": {"const": "approved"}}, "required": ["status"]},
    "then": {
        "required": ["approved_by", "approved_on", "rights", "owner"],
        "properties": {"rights": {"required": ["licence"]}},
    },
}


class Owner(Strict):
    name: ShortText
    handles: tuple[Handle, ...] = Field(min_length=1, description="Git hosting users or teams")
    email: str | None = None


class Collection(Strict):
    title: ShortText
    description: Text | None = None
    owners: tuple[Slug, ...] = Field(min_length=1)


class Campaign(Strict):
    title: ShortText
    description: Text | None = None
    starts: IsoDate | None = None
    ends: IsoDate | None = None


class Term(Strict):
    label: ShortText
    description: Text | None = None


class Licence(Strict):
    label: ShortText
    description: Text | None = None
    url: str | None = Field(None, pattern=r"^https://[^\s]+$")


class Taxonomy(Strict):
    owners: dict[Slug, Owner]
    collections: dict[Slug, Collection]
    campaigns: dict[Slug, Campaign] = Field(default_factory=dict)
    tags: tuple[Slug, ...] = ()
    channels: dict[Slug, Term] = Field(default_factory=dict)
    licences: dict[Slug, Licence] = Field(default_factory=dict)

    def vocabulary(self, name: str) -> tuple[str, ...]:
        terms = getattr(self, name)
        return tuple(terms)

    def handles_of(self, owner_ids: tuple[str, ...]) -> set[str]:
        return {
            handle.lstrip("@").lower()
            for owner_id in owner_ids
            if owner_id in self.owners
            for handle in self.owners[owner_id].handles
        }

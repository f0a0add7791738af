"""portal.yaml as frozen pydantic models: title, base URL, brand, renditions, profiles, limits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from builder.fields import HexColour, LanguageTag, ShortText, Slug, Text
from builder.models import Status, Visibility
from builder.renditions import KINDS_BY_MEDIA, RenditionSpec, default_renditions


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Brand(Strict):
    name: ShortText = "Brand portal"
    tagline: ShortText | None = None
    logo: str | None = Field(None, description="path relative to catalogue/")
    primary_colour: HexColour = "#1d3557"
    accent_colour: HexColour = "#e63946"


class Profile(Strict):
    """Which assets a build publishes. Rights windows and withdrawal always apply."""

    statuses: tuple[Status, ...] = (Status.APPROVED,)
    visibilities: tuple[Visibility, ...] = (Visibility.PUBLIC,)
    badge: bool = Field(False, description="badge assets that are not public and approved")
    description: ShortText | None = None


def default_profiles() -> dict[str, Profile]:
    return {
        "public": Profile(description="What brand and comms teams see"),
        "internal": Profile(
            statuses=(Status.APPROVED, Status.IN_REVIEW),
            visibilities=(Visibility.PUBLIC, Visibility.INTERNAL),
            badge=True,
            description="Staff preview: internal and in-review assets, badged",
        ),
    }


class Limits(Strict):
    """Guards against hostile input; generous for real catalogues and masters."""

    max_sidecar_bytes: int = Field(256 * 1024, gt=0)
    max_yaml_depth: int = Field(32, gt=2)
    max_image_pixels: int = Field(200_000_000, gt=0)
    ffmpeg_timeout_s: int = Field(900, gt=0)
    ffmpeg_memory_mb: int = Field(4096, gt=0)


class Settings(Strict):
    title: ShortText = "Brand portal"
    description: Text | None = None
    base_url: str = Field("/", description="where the portal is served: https://host/sub/path/ or /")
    language: LanguageTag = "en"
    brand: Brand = Brand()
    renditions: dict[str, tuple[RenditionSpec, ...]] = Field(default_factory=default_renditions)
    profiles: dict[Slug, Profile] = Field(default_factory=default_profiles)
    expiry_warning_days: int = Field(30, ge=0, le=365)
    near_duplicate_distance: int = Field(6, ge=0, le=32, description="perceptual-hash bits within which two images are near-duplicates")
    max_files_per_folder: int = Field(1000, ge=10, description="Git hosting APIs list at most 1,000 files a folder")
    limits: Limits = Limits()

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not (value.startswith(("https://", "http://")) or value.startswith("/")):
            raise ValueError("base_url must be an http(s) URL or a path starting with /")
        return value if value.endswith("/") else value + "/"

    @field_validator("renditions")
    @classmethod
    def _renditions(cls, value: dict[str, tuple[RenditionSpec, ...]]) -> dict:
        for media, specs in value.items():
            if media not in KINDS_BY_MEDIA:
                raise ValueError(f"unknown media kind '{media}' (use {', '.join(KINDS_BY_MEDIA)})")
            names = [spec.name for spec in specs]
            if len(set(names)) != len(names):
                raise ValueError(f"rendition names for {media} must be unique")
            for spec in specs:
                if spec.kind not in KINDS_BY_MEDIA[media]:
                    raise ValueError(f"{media} renditions cannot be of kind '{spec.kind}' (use {', '.join(KINDS_BY_MEDIA[media])})")
        return value

    @model_validator(mode="after")
    def _public_profile(self) -> "Settings":
        if "public" not in self.profiles:
            raise ValueError("profiles must define 'public', the profile published by default")
        return self

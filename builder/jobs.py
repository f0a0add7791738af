"""The records handed to derive engines: small, frozen, picklable, free of catalogue objects.

One `MasterJob` per master, listing every output still missing from the cache, so an engine can
decode the master once and cascade all its outputs from that decode. The same records could be
sent to a distributed worker without changing engine code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class MasterError(Exception):
    """A master that cannot be rendered: corrupt, mislabelled, refused or too large.

    It fails its asset, never the build; the message is shown to the user as is.
    """


@dataclass(frozen=True)
class EngineLimits:
    max_image_pixels: int = 200_000_000
    ffmpeg_timeout_s: int = 900
    ffmpeg_memory_mb: int = 4096


@dataclass(frozen=True)
class OutputJob:
    """One rendition to write. `path` is a temporary file the engine must create; the cache
    renames it into place only after the engine returns, so a failed run leaves nothing."""

    key: str
    name: str
    kind: str  # resize | crop | proxy | poster | loop | waveform | page
    format: str  # jpeg | webp | png | mp4 | m4a | mp3
    path: str
    width: int | None = None
    height: int | None = None
    aspect: tuple[int, int] | None = None
    quality: int | None = None
    bitrate_kbps: int | None = None
    duration: float | None = None


@dataclass(frozen=True)
class MasterJob:
    asset_id: str
    master: str  # absolute path of the master file
    media_kind: str  # image | video | audio | document
    media_type: str  # declared media type, e.g. image/jpeg
    outputs: tuple[OutputJob, ...]
    focus: tuple[float, float] | None = None
    # Manual crop boxes by aspect "W:H" -> (x, y, w, h) as fractions of the master.
    crops: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()
    poster_at: float | None = None
    credit: str | None = None
    limits: EngineLimits = field(default_factory=EngineLimits)

    def crop_box(self, aspect: tuple[int, int]) -> tuple[float, float, float, float] | None:
        wanted = f"{aspect[0]}:{aspect[1]}"
        return next((box for name, box in self.crops if name == wanted), None)

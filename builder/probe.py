"""Technical metadata measured from a master: what `dam add` and `dam refresh` write.

The media type comes from the content (a PDF header, Pillow's format, ffprobe's container),
never from the name alone; a file whose name says one thing and whose content says another is
refused as mislabelled, naming both. Images are read from their headers only (no pixel decode)
behind the decompression-bomb guard, then decoded once at reduced size for the perceptual hash
(`builder.dupes`; a video is hashed on its default poster frame); video and audio come from ffprobe's JSON
(`builder.derive.ffmpeg.probe`); PDFs from pdfium.
"""

from __future__ import annotations

import hashlib
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

from builder.dupes import image_phash, video_phash
from builder.jobs import EngineLimits, MasterError
from builder.models import Technical, guess_media_type

CHUNK = 1024 * 1024


class ProbeError(MasterError):
    """The master cannot be measured: unrecognised, mislabelled, truncated or too large."""


class Unrecognised(ProbeError):
    """No engine recognises the content."""


def md5_of(path: Path) -> tuple[str, int]:
    """md5 hex digest and size in bytes, streamed in 1 MiB chunks (the md5 DVC records)."""
    digest = hashlib.md5()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def engine_limits(limits: Any) -> EngineLimits:
    """Accept EngineLimits, settings.Limits or None."""
    if limits is None:
        return EngineLimits()
    if isinstance(limits, EngineLimits):
        return limits
    return EngineLimits(
        max_image_pixels=limits.max_image_pixels,
        ffmpeg_timeout_s=limits.ffmpeg_timeout_s,
        ffmpeg_memory_mb=limits.ffmpeg_memory_mb,
    )


def technical_for(path: Path, limits: Any = None) -> Technical:
    """Measure one master. Raises ProbeError with a message naming the file."""
    path = Path(path)
    limits = engine_limits(limits)
    if not path.is_file():
        raise ProbeError(f"{path}: not a file")
    md5, size = md5_of(path)
    if size == 0:
        raise ProbeError(f"{path.name}: the file is empty")
    declared = guess_media_type(path.name)
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" in head:
        fields = _pdf(path)
        kinds = {"application/pdf"}
    else:
        image = _image(path, limits)
        if image is not None:
            kinds, fields = image
        else:
            try:
                kinds, fields = _av(path, limits)
            except Unrecognised as exc:
                if declared is None:
                    raise
                detail = "" if exc.detail.startswith("ffprobe:") else f" ({exc.detail})"
                raise Unrecognised(
                    f"{path.name} is mislabelled: its name says {declared} but its content is not a "
                    f"recognised image, video, audio or PDF file{detail}"
                ) from exc
    media_type = fields.pop("media_type")
    if declared is None:
        raise ProbeError(
            f"{path.name}: the file name has no known extension; the content is {media_type} "
            f"(rename it with a matching extension)"
        )
    if declared not in kinds:
        raise ProbeError(
            f"{path.name} is mislabelled: its name says {declared} but its content is {media_type} "
            f"(rename it, or check that it is the file you meant)"
        )
    return Technical(md5=md5, bytes=size, media_type=declared, **fields)


# --- images -------------------------------------------------------------------------------

_MIME_ALIASES = {
    "image/jpeg": {"image/jpeg", "image/pjpeg"},
    "image/mpo": {"image/jpeg"},  # cameras' multi-picture JPEGs
    "image/tiff": {"image/tiff"},
    "image/bmp": {"image/bmp", "image/x-ms-bmp"},
    "image/x-icon": {"image/x-icon", "image/vnd.microsoft.icon"},
}
_BIT_DEPTH = {"1": 1, "I;16": 16, "I;16B": 16, "I;16L": 16, "I;16N": 16, "I": 32, "F": 32}
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
TAG_ORIENTATION, TAG_MAKE, TAG_MODEL = 0x0112, 0x010F, 0x0110
EXIF_IFD, TAG_DATETIME_ORIGINAL, TAG_DATETIME_DIGITIZED, TAG_OFFSET_ORIGINAL = 0x8769, 0x9003, 0x9004, 0x9011


def _image(path: Path, limits: EngineLimits) -> tuple[set[str], dict] | None:
    from PIL import Image, ImageCms, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except UnidentifiedImageError:
            return None
        except Image.DecompressionBombError as exc:
            raise ProbeError(f"{path.name}: refused, the declared image size is too large ({exc})") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ProbeError(f"{path.name}: the image header cannot be read ({exc})") from exc
    with image:
        width, height = image.size
        if width * height > limits.max_image_pixels:
            raise ProbeError(
                f"{path.name}: refused, {width}x{height} is {width * height:,} pixels, over the "
                f"limit of {limits.max_image_pixels:,} (limits.max_image_pixels in portal.yaml)"
            )
        mime = image.get_format_mimetype() or Image.MIME.get(image.format or "", "")
        if not mime:
            return None
        fields: dict[str, Any] = {"media_type": "image/jpeg" if mime == "image/mpo" else mime}
        try:
            exif = image.getexif()
        except Exception:  # a broken EXIF block must not hide the image itself
            exif = Image.Exif()
        if exif.get(TAG_ORIENTATION) in (5, 6, 7, 8):
            width, height = height, width
        fields.update(width=width, height=height, colour_mode=image.mode)
        fields["bit_depth"] = _bit_depth(path, image)
        fields["has_alpha"] = image.mode in _ALPHA_MODES or "transparency" in image.info
        icc = image.info.get("icc_profile")
        if icc:
            try:
                profile = ImageCms.ImageCmsProfile(_io_bytes(icc))
                fields["icc_profile"] = ImageCms.getProfileDescription(profile).strip() or None
            except (OSError, ImageCms.PyCMSError, TypeError, ValueError):
                fields["icc_profile"] = "unreadable ICC profile"
        fields["captured"] = _captured(exif)
        fields["camera"] = _camera(exif)
    fields["phash"] = image_phash(path, limits)
    return _MIME_ALIASES.get(mime, {mime}), fields


def _io_bytes(data: bytes):
    import io

    return io.BytesIO(data)


def _bit_depth(path: Path, image) -> int | None:
    if image.format == "PNG":
        with open(path, "rb") as handle:
            header = handle.read(25)
        if len(header) == 25 and header[12:16] == b"IHDR":
            return header[24]
    if image.format == "TIFF":
        bits = image.tag_v2.get(258) if hasattr(image, "tag_v2") else None
        if isinstance(bits, tuple) and bits:
            return int(bits[0])
        if isinstance(bits, int):
            return bits
    return _BIT_DEPTH.get(image.mode, 8)


def _clean(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def _captured(exif) -> str | None:
    try:
        sub = exif.get_ifd(EXIF_IFD)
    except Exception:
        sub = {}
    raw = _clean(sub.get(TAG_DATETIME_ORIGINAL)) or _clean(sub.get(TAG_DATETIME_DIGITIZED))
    if not raw or len(raw) < 19:
        return None
    date, _, time = raw[:19].partition(" ")
    parts = date.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or set(parts[0]) == {"0"}:
        return None
    iso = f"{parts[0]}-{parts[1]}-{parts[2]}T{time}"
    offset = _clean(sub.get(TAG_OFFSET_ORIGINAL))
    if offset and len(offset) == 6 and offset[0] in "+-":
        iso += offset
    return iso


def _camera(exif) -> str | None:
    make, model = _clean(exif.get(TAG_MAKE)), _clean(exif.get(TAG_MODEL))
    if make and model and model.lower().startswith(make.split()[0].lower()):
        return model
    return " ".join(part for part in (make, model) if part) or None


# --- PDF ----------------------------------------------------------------------------------

def _pdf(path: Path) -> dict:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pdfium raises PdfiumError for damaged or encrypted files
        raise ProbeError(f"{path.name}: the PDF cannot be opened ({exc})") from exc
    try:
        pages = len(document)
        if pages == 0:
            raise ProbeError(f"{path.name}: the PDF has no pages")
        page = document[0]
        width, height = page.get_size()
        page.close()
    finally:
        document.close()
    return {
        "media_type": "application/pdf",
        "pages": pages,
        "page_width_pt": round(float(width), 2),
        "page_height_pt": round(float(height), 2),
    }


# --- video and audio ----------------------------------------------------------------------

_ISO_BMFF = {"video/mp4", "video/quicktime", "audio/mp4", "audio/x-m4a", "audio/m4a", "video/3gpp",
             "video/3gpp2", "audio/3gpp", "video/x-m4v"}
_MATROSKA = {"video/webm", "audio/webm", "video/x-matroska", "audio/x-matroska"}
# ffprobe format_name -> (media types the name may declare, video type, audio-only type)
_CONTAINERS: dict[str, tuple[set[str], str, str]] = {
    "mov,mp4,m4a,3gp,3g2,mj2": (_ISO_BMFF, "video/mp4", "audio/mp4"),
    "matroska,webm": (_MATROSKA, "video/webm", "audio/webm"),
    "mp3": ({"audio/mpeg", "audio/mp3"}, "audio/mpeg", "audio/mpeg"),
    "wav": ({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"}, "audio/wav", "audio/wav"),
    "flac": ({"audio/flac", "audio/x-flac"}, "audio/flac", "audio/flac"),
    "ogg": ({"audio/ogg", "video/ogg", "application/ogg", "audio/opus"}, "video/ogg", "audio/ogg"),
    "aac": ({"audio/aac", "audio/x-aac"}, "audio/aac", "audio/aac"),
    "aiff": ({"audio/aiff", "audio/x-aiff"}, "audio/aiff", "audio/aiff"),
    "avi": ({"video/x-msvideo", "video/avi", "video/msvideo"}, "video/x-msvideo", "video/x-msvideo"),
    "mpegts": ({"video/mp2t"}, "video/mp2t", "video/mp2t"),
    "mpeg": ({"video/mpeg"}, "video/mpeg", "video/mpeg"),
    "mxf": ({"application/mxf"}, "application/mxf", "application/mxf"),
}


def _av(path: Path, limits: EngineLimits) -> tuple[set[str], dict]:
    try:
        from builder.derive.ffmpeg import probe
    except ImportError as exc:  # pragma: no cover - the engine ships with the package
        raise ProbeError(f"{path.name}: video and audio probing is unavailable ({exc})") from exc
    def unknown(detail: str) -> Unrecognised:
        error = Unrecognised(f"{path.name}: the content is not a recognised image, video, audio or PDF file ({detail})")
        error.detail = detail
        return error

    try:
        info = probe(str(path), limits)
    except MasterError as exc:
        raise unknown(f"ffprobe: {exc}") from exc
    fmt = info.get("format") or {}
    container = _CONTAINERS.get(fmt.get("format_name", ""))
    if container is None:
        raise unknown(f"ffprobe reads it as '{fmt.get('format_name', 'nothing')}'")
    allowed, video_type, audio_type = container
    streams = info.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise unknown("no audio or video stream")
    media_type = video_type if video is not None else audio_type
    if media_type == "video/mp4" and (fmt.get("tags") or {}).get("major_brand", "").strip() == "qt":
        media_type = "video/quicktime"
    fields: dict[str, Any] = {"media_type": media_type, "duration": _duration(fmt, video or audio)}
    if video is not None:
        rotation = _rotation(video)
        width, height = video.get("width"), video.get("height")
        if rotation in (90, 270) and width and height:
            width, height = height, width
        fields.update(width=width or None, height=height or None, rotation=rotation,
                      video_codec=video.get("codec_name"), fps=_fps(video),
                      phash=video_phash(path, limits))
    if audio is not None:
        fields.update(audio_codec=audio.get("codec_name"),
                      sample_rate=_positive_int(audio.get("sample_rate")),
                      audio_channels=_positive_int(audio.get("channels")))
    # An audio-only file may carry any audio type of its container family; a video must not
    # hide behind an audio extension (.m4a holding a film is mislabelled).
    if video is not None:
        allowed = {t for t in allowed if not t.startswith("audio/")}
    else:
        allowed = {t for t in allowed if t.startswith("audio/")} or allowed
    return allowed, fields


def _positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _duration(fmt: dict, stream: dict | None) -> float | None:
    for raw in (fmt.get("duration"), (stream or {}).get("duration")):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        if value >= 0:
            return round(value, 3)
    return None


def _fps(stream: dict) -> float | None:
    for key in ("avg_frame_rate", "r_frame_rate"):
        raw = stream.get(key) or ""
        try:
            value = Fraction(raw)
        except (ValueError, ZeroDivisionError):
            continue
        if value > 0:
            return round(float(value), 3)
    return None


def _rotation(stream: dict) -> int:
    """Clockwise degrees a player turns the picture to show it upright: 0, 90, 180 or 270.

    ffprobe's display matrix gives the counter-clockwise angle (-90 for a phone held upright);
    the legacy `rotate` tag gives the clockwise one.
    """
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            try:
                return int(round(-float(side["rotation"]))) % 360
            except (TypeError, ValueError):
                break
    tag = (stream.get("tags") or {}).get("rotate")
    try:
        return int(round(float(tag))) % 360 if tag is not None else 0
    except (TypeError, ValueError):
        return 0

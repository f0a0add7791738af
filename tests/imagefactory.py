"""Small media makers for the image engine's tests and benchmark: real files, made on the spot.

Everything here is deterministic (seeded) so a failing test can be reproduced exactly.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

from PIL import ExifTags, Image

from builder.jobs import EngineLimits, MasterJob, OutputJob

RED, GREEN, BLUE, YELLOW, WHITE, GREY = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 255, 255), (128, 128, 128)
ORIENTATION = 0x0112


# --- jobs -----------------------------------------------------------------------------------


def output(tmp: Path, name: str, kind: str = "resize", fmt: str = "jpeg", **fields) -> OutputJob:
    """An OutputJob writing to tmp/out/<name>.<fmt>; the out dir exists, as the cache ensures."""
    folder = tmp / "out"
    folder.mkdir(exist_ok=True)
    return OutputJob(key=f"key-{name}", name=name, kind=kind, format=fmt, path=str(folder / f"{name}.{fmt}"), **fields)


def master_job(master: Path, outputs, media_type: str = "image/jpeg", **fields) -> MasterJob:
    return MasterJob(
        asset_id="asset",
        master=str(master),
        media_kind="image",
        media_type=media_type,
        outputs=tuple(outputs),
        **fields,
    )


def limits(max_pixels: int) -> EngineLimits:
    return EngineLimits(max_image_pixels=max_pixels)


# --- pictures -------------------------------------------------------------------------------


def halves(size: tuple[int, int], left, right, mode: str = "RGB") -> Image.Image:
    """Left half one colour, right half another."""
    image = Image.new(mode, size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def quadrants(size: tuple[int, int]) -> Image.Image:
    """Red, green / blue, yellow: a crop's colour says where it came from."""
    w, h = size
    image = Image.new("RGB", size)
    for colour, box in ((RED, (0, 0, w // 2, h // 2)), (GREEN, (w // 2, 0, w, h // 2)),
                        (BLUE, (0, h // 2, w // 2, h)), (YELLOW, (w // 2, h // 2, w, h))):
        image.paste(colour, box)
    return image


def busy_side(size: tuple[int, int], busy: str, seed: int = 1) -> Image.Image:
    """Flat grey on one side, a dense random checkerboard on the other."""
    w, h = size
    rng = random.Random(seed)
    image = Image.new("RGB", size, GREY)
    cells = (max(1, w // 2 // 8), max(1, h // 8))
    detail = Image.frombytes("L", cells, rng.randbytes(cells[0] * cells[1])).convert("RGB")
    detail = detail.resize((w // 2, h), Image.Resampling.NEAREST)
    image.paste(detail, (w // 2 if busy == "right" else 0, 0))
    return image


def photo(size: tuple[int, int], seed: int = 0, grain: float = 12.0) -> Image.Image:
    """Photo-like content: smooth colour fields plus grain, so JPEG sizes look like a camera's."""
    rng = random.Random(seed)
    w, h = size
    fields = Image.frombytes("RGB", (16, 12), rng.randbytes(16 * 12 * 3)).resize(size, Image.Resampling.BICUBIC)
    small = (max(1, w // 6), max(1, h // 6))
    detail = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3)).resize(size, Image.Resampling.BILINEAR)
    noise = Image.effect_noise(size, grain).convert("RGB")
    return Image.blend(Image.blend(fields, detail, 0.35), noise, 0.12)


def camera_exif(orientation: int | None = None, gps: bool = True) -> Image.Exif:
    """EXIF as a phone writes it: orientation, make/model, and a GPS position to leak."""
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Model] = "Pocket 9"
    if gps:
        position = exif.get_ifd(ExifTags.IFD.GPSInfo)
        position[ExifTags.GPS.GPSLatitudeRef] = "N"
        position[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
        position[ExifTags.GPS.GPSLongitudeRef] = "W"
        position[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="SecretTool"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def save(image: Image.Image, path: Path, **params) -> Path:
    image.save(path, **params)
    return path


# --- colour profiles -------------------------------------------------------------------------

# Adobe RGB (1998): D50-adapted colorants from Adobe's own profile, gamma 563/256.
ADOBE_RGB_COLORANTS = ((0.60974, 0.31111, 0.01947), (0.20528, 0.62567, 0.06087), (0.14919, 0.06322, 0.74457))
ADOBE_RGB_GAMMA = 563 / 256
D50 = (0.9642, 1.0, 0.8249)


def adobe_rgb_profile() -> bytes:
    """A real matrix/TRC ICC v2 profile for Adobe RGB (1998), built by hand: LittleCMS can only
    create sRGB, Lab and XYZ, and a test must not depend on profiles installed on the host."""
    tags = [
        (b"desc", _desc("Adobe RGB (1998) test profile")),
        (b"cprt", b"text" + bytes(4) + b"No copyright, test data\x00"),
        (b"wtpt", _xyz(D50)),
        (b"rXYZ", _xyz(ADOBE_RGB_COLORANTS[0])),
        (b"gXYZ", _xyz(ADOBE_RGB_COLORANTS[1])),
        (b"bXYZ", _xyz(ADOBE_RGB_COLORANTS[2])),
        (b"rTRC", _gamma(ADOBE_RGB_GAMMA)),
        (b"gTRC", _gamma(ADOBE_RGB_GAMMA)),
        (b"bTRC", _gamma(ADOBE_RGB_GAMMA)),
    ]
    return _icc(b"mntr", b"RGB ", tags)


def _icc(device_class: bytes, space: bytes, tags) -> bytes:
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table, data = [struct.pack(">I", len(tags))], b""
    for signature, body in tags:
        padded = body + bytes(-len(body) % 4)
        table.append(struct.pack(">4sII", signature, offset + len(data), len(body)))
        data += padded
    size = offset + len(data)
    header = (
        struct.pack(">I4sI4s4s4s", size, b"lcms", 0x02100000, device_class, space, b"XYZ ")
        + bytes(12) + b"acsp" + bytes(4 + 4 + 4 + 4 + 8 + 4) + _s15(D50) + bytes(4 + 16 + 28)
    )
    assert len(header) == 128
    return header + b"".join(table) + data


def _s15(values) -> bytes:
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def _xyz(values) -> bytes:
    return b"XYZ " + bytes(4) + _s15(values)


def _gamma(gamma: float) -> bytes:
    return b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256))


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\x00"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(4 + 4 + 2 + 1 + 67)


def adobe_to_srgb(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """The textbook Adobe RGB -> sRGB conversion (D65 matrices), independent of LittleCMS."""
    linear = [(c / 255) ** ADOBE_RGB_GAMMA for c in rgb]
    to_xyz = ((0.5767309, 0.1855540, 0.1881852), (0.2973769, 0.6273491, 0.0752741), (0.0270343, 0.0706872, 0.9911085))
    to_srgb = ((3.2404542, -1.5371385, -0.4985314), (-0.9692660, 1.8760108, 0.0415560), (0.0556434, -0.2040259, 1.0572252))
    xyz = [sum(m * v for m, v in zip(row, linear)) for row in to_xyz]
    out = [min(1.0, max(0.0, sum(m * v for m, v in zip(row, xyz)))) for row in to_srgb]
    encode = [12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055 for v in out]
    return tuple(round(v * 255) for v in encode)


# --- hostile files ---------------------------------------------------------------------------


def png_declaring(path: Path, width: int, height: int) -> Path:
    """A few hundred bytes of PNG whose IHDR claims width x height RGB pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(1024))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def truncated_jpeg(path: Path, keep: float = 0.5) -> Path:
    """A real, detailed JPEG cut short, as an interrupted upload leaves it."""
    save(photo((640, 480), seed=3, grain=40), path, quality=92)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path

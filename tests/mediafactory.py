"""Tiny test media made on the spot (ffmpeg lavfi sources, Pillow), and ways to inspect outputs.

Inspection goes through ffprobe's JSON directly, not through the engine under test.
"""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

from builder.jobs import EngineLimits, MasterJob, OutputJob
from builder.renditions import RenditionSpec


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _encode(graph: str, path: Path, *, seconds: float, audio: bool, pix_fmt: str = "yuv420p") -> Path:
    inputs = ["-f", "lavfi", "-i", graph]
    maps = ["-map", "0:v"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
        maps += ["-map", "1:a"]
    ffmpeg(
        *inputs, *maps, "-t", str(seconds),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", pix_fmt, "-c:a", "aac",
        "file:" + str(path),
    )
    return path


def make_video(path: Path, size=(320, 240), seconds: float = 2, rate: int = 25, audio: bool = True) -> Path:
    """testsrc2 (+ a 440 Hz sine). Odd sizes use testsrc (testsrc2 rounds to even) in 4:4:4."""
    w, h = size
    odd = w % 2 or h % 2
    graph = f"{'testsrc' if odd else 'testsrc2'}=size={w}x{h}:rate={rate}:duration={seconds}"
    return _encode(graph, path, seconds=seconds, audio=audio, pix_fmt="yuv444p" if odd else "yuv420p")


def make_colour_timeline(path: Path, colours=("red", "lime", "blue"), each: float = 1, size=(320, 240)) -> Path:
    """A clip whose whole frame is one colour per `each` seconds: red, then green, then blue."""
    w, h = size
    parts = [f"color=c={c}:size={w}x{h}:rate=25:duration={each}[c{i}]" for i, c in enumerate(colours)]
    joined = "".join(f"[c{i}]" for i in range(len(colours)))
    graph = ";".join(parts) + f";{joined}concat=n={len(colours)}:v=1:a=0"
    return _encode(graph, path, seconds=each * len(colours), audio=False)


def make_halves(path: Path, size=(320, 240), seconds: float = 1, vertical: bool = False, audio=False,
                rotate: int | None = None) -> Path:
    """Left half red, right half blue (or top red, bottom blue when `vertical`)."""
    w, h = size
    if vertical:
        graph = f"color=red:size={w}x{h // 2}:rate=25:d={seconds}[a];color=blue:size={w}x{h // 2}:rate=25:d={seconds}[b];[a][b]vstack"
    else:
        graph = f"color=red:size={w // 2}x{h}:rate=25:d={seconds}[a];color=blue:size={w // 2}x{h}:rate=25:d={seconds}[b];[a][b]hstack"
    if rotate is None:
        return _encode(graph, path, seconds=seconds, audio=audio)
    plain = _encode(graph, path.with_name("plain-" + path.name), seconds=seconds, audio=audio)
    # ffmpeg 5.1 turns the legacy rotate tag into a display matrix when stream-copying into MP4.
    ffmpeg("-i", "file:" + str(plain), "-c", "copy", "-metadata:s:v", f"rotate={rotate}", "file:" + str(path))
    return path


def make_audio(path: Path, seconds: float = 2, channels: int = 1, codec: str = "pcm_s16le") -> Path:
    layout = {1: "mono", 2: "stereo", 6: "5.1"}[channels]
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=44100:duration={seconds}",
        "-af", f"volume=4,aformat=channel_layouts={layout}", "-c:a", codec, "file:" + str(path),
    )
    return path


def make_pdf(path: Path, size=(600, 800)) -> Path:
    """A one-page PDF: white page, a black block in the top-left quarter."""
    page = Image.new("RGB", size, "white")
    ImageDraw.Draw(page).rectangle((0, 0, size[0] // 2, size[1] // 2), fill="black")
    page.save(path, format="PDF", resolution=72)
    return path


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", "file:" + str(path)],
        check=True, capture_output=True,
    ).stdout
    return json.loads(out)


def streams(info: dict, kind: str) -> list[dict]:
    return [s for s in info["streams"] if s["codec_type"] == kind]


def top_level_boxes(path: Path) -> list[str]:
    """The ISO BMFF top-level box types in file order (ftyp, moov, mdat ...)."""
    boxes = []
    with open(path, "rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0] - 8
            boxes.append(kind.decode("latin-1"))
            if size == 0:
                break
            f.seek(size - 8, 1)
    return boxes


def frame_at(path: Path, seconds: float) -> Image.Image:
    """A decoded RGB frame of a video output (ffmpeg -> PNG -> Pillow)."""
    png = path.with_suffix(f".{seconds:.2f}.png")
    ffmpeg("-ss", str(seconds), "-i", "file:" + str(path), "-frames:v", "1", "file:" + str(png))
    with Image.open(png) as im:
        return im.convert("RGB")


def output_job(spec: RenditionSpec, directory: Path, **changes) -> OutputJob:
    """An OutputJob for a rendition spec, writing into `directory`."""
    aspect = tuple(int(n) for n in spec.aspect.split(":")) if spec.aspect else None
    fields = dict(
        key=spec.name, name=spec.name, kind=spec.kind, format=spec.format,
        path=str(directory / f"{spec.name}.{spec.extension}"),
        width=spec.width, height=spec.height, aspect=aspect, quality=spec.quality,
        bitrate_kbps=spec.bitrate_kbps, duration=spec.duration,
    )
    fields.update(changes)
    return OutputJob(**fields)


def master_job(master: Path, kind: str, outputs, limits: EngineLimits | None = None, **fields) -> MasterJob:
    media_type = {"video": "video/mp4", "audio": "audio/wav", "document": "application/pdf"}[kind]
    return MasterJob(
        asset_id="test-asset", master=str(master), media_kind=kind, media_type=media_type,
        outputs=tuple(outputs), limits=limits or EngineLimits(), **fields,
    )

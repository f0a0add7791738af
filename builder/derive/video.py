"""The video engine: proxy, crops and loop from one decode; posters from one frame.

Geometry is computed here, in Python, from the probed *upright* frame (ffmpeg autorotates a
phone video before our filters see it, and its outputs carry no rotation), so the filter graph
holds plain numbers. Sizes never upscale: an output is at most as tall as the source allows.
Every video dimension is even (H.264 4:2:0), so a crop's aspect is exact to within one pixel.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import ffmpeg as ffmpeg_python
from PIL import Image

from builder.derive import ffmpeg
from builder.jobs import MasterError, MasterJob, OutputJob

MOVING_KINDS = ("proxy", "crop", "loop")
STILL_KINDS = ("poster",)
DEFAULT_CRF = 28
DEFAULT_AUDIO_KBPS = 128
DEFAULT_LOOP_SECONDS = 4.0
POSTER_FRACTION = 0.10  # default poster time: 10% into the clip


@dataclass(frozen=True)
class Source:
    """What the engine needs to know about a master, upright."""

    demuxer: str
    video_index: int
    audio_index: int | None
    width: int  # coded pixels of the upright frame
    height: int
    sar: float  # pixel aspect of the upright frame
    duration: float | None
    fps: float | None
    audio_channels: int | None
    sample_rate: int | None

    @property
    def display_width(self) -> float:
        return self.width * self.sar


def render_video(job: MasterJob) -> None:
    """Write every output of `job`; on failure raise MasterError and leave none of them."""
    unknown = [o.kind for o in job.outputs if o.kind not in MOVING_KINDS + STILL_KINDS]
    if unknown:
        raise MasterError(f"the video engine cannot make a {unknown[0]} rendition")
    try:
        source = inspect(job.master, job.limits)
        moving = [o for o in job.outputs if o.kind in MOVING_KINDS]
        stills = [o for o in job.outputs if o.kind in STILL_KINDS]
        if moving:
            ffmpeg.run(moving_args(job, source, moving), job.limits, outputs=[o.path for o in moving])
        if stills:
            frame = poster_frame(job, source)
            for output in stills:
                save_still(frame, output)
    except BaseException:
        ffmpeg.remove(o.path for o in job.outputs)
        raise


def inspect(path: str, limits) -> Source:
    info = ffmpeg.probe(path, limits)
    name = os.path.basename(path)
    video = ffmpeg.first_stream(info, "video")
    if video is None:
        raise MasterError(f"{name}: no video stream")
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if width <= 0 or height <= 0:
        raise MasterError(f"{name}: the video stream has no frame size")
    sar = _ratio(video.get("sample_aspect_ratio")) or 1.0
    if abs(rotation(video)) % 180 == 90:
        width, height, sar = height, width, 1.0 / sar
    audio = ffmpeg.first_stream(info, "audio")
    return Source(
        demuxer=ffmpeg.demuxer(info, path=path),
        video_index=int(video["index"]),
        audio_index=None if audio is None else int(audio["index"]),
        width=width,
        height=height,
        sar=sar,
        duration=ffmpeg.duration(info, video),
        fps=_ratio(video.get("avg_frame_rate")) or _ratio(video.get("r_frame_rate")),
        audio_channels=None if audio is None else int(audio.get("channels") or 0) or None,
        sample_rate=None if audio is None else int(audio.get("sample_rate") or 0) or None,
    )


def rotation(stream: dict) -> int:
    """Display rotation in degrees from the display matrix (or the legacy `rotate` tag)."""
    for side_data in stream.get("side_data_list", ()):
        if "rotation" in side_data:
            return int(round(float(side_data["rotation"])))
    try:
        return int(stream.get("tags", {}).get("rotate", 0))
    except (TypeError, ValueError):
        return 0


# --- geometry -------------------------------------------------------------------------------


def even_floor(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def even_round(value: float) -> int:
    return max(2, int(round(value / 2.0)) * 2)


def scaled_size(source: Source, height: int | None) -> tuple[int, int]:
    """Even (width, height) with square pixels, at most `height` tall, never upscaled."""
    out_h = even_floor(min(height or source.height, source.height))
    return even_round(out_h * source.display_width / source.height), out_h


def crop_region(
    source: Source,
    aspect: tuple[int, int],
    focus: tuple[float, float] | None,
    box: tuple[float, float, float, float] | None,
) -> tuple[int, int, int, int]:
    """(x, y, w, h) in upright source pixels: the largest `aspect` box inside the manual box
    (centred in it) or inside the frame (centred on the focus, else the centre), clamped."""
    W, H = source.width, source.height
    ratio = aspect[0] / aspect[1] / source.sar  # width/height in coded pixels
    if box:
        rx, ry, rw, rh = box[0] * W, box[1] * H, box[2] * W, box[3] * H
        cx, cy = rx + rw / 2, ry + rh / 2
    else:
        rw, rh = W, H
        cx, cy = (focus[0] * W, focus[1] * H) if focus else (W / 2, H / 2)
    if rw / rh > ratio:
        w, h = rh * ratio, rh
    else:
        w, h = rw, rw / ratio
    w = min(W, max(2, int(round(w))))
    h = min(H, max(2, int(round(h))))
    x = min(max(0, int(round(cx - w / 2))), W - w)
    y = min(max(0, int(round(cy - h / 2))), H - h)
    return x, y, w, h


def crop_size(region_h: int, aspect: tuple[int, int], height: int | None) -> tuple[int, int]:
    out_h = even_floor(min(height or region_h, region_h))
    return even_round(out_h * aspect[0] / aspect[1]), out_h


# --- the one-decode run ---------------------------------------------------------------------


def moving_args(job: MasterJob, source: Source, outputs: list[OutputJob]) -> list[str]:
    """One ffmpeg run: the video is decoded once and split into one branch per output."""
    master = ffmpeg_python.input(ffmpeg.file_url(job.master), **ffmpeg.input_options(source.demuxer))
    video = master[str(source.video_index)]
    if len(outputs) > 1:
        split = video.filter_multi_output("split", len(outputs))
        branches = [split.stream(i) for i in range(len(outputs))]
    else:
        branches = [video]
    audio = None if source.audio_index is None else master[str(source.audio_index)]
    nodes = []
    for branch, output in zip(branches, outputs):
        if output.format != "mp4":
            raise MasterError(f"a video {output.kind} cannot be written as {output.format}")
        streams = [_branch(branch, job, source, output)]
        options = _video_options(output)
        if output.kind != "loop" and audio is not None:
            streams.append(audio)
            options.update(_audio_options(source, output))
        nodes.append(ffmpeg_python.output(*streams, ffmpeg.file_url(output.path), **options))
    args = ffmpeg_python.merge_outputs(*nodes).get_args(overwrite_output=True)
    return ["ffmpeg", *ffmpeg.GLOBAL_ARGS, *args]


def _branch(stream, job: MasterJob, source: Source, output: OutputJob):
    if output.kind == "crop":
        aspect = output.aspect or (16, 9)
        x, y, w, h = crop_region(source, aspect, job.focus, job.crop_box(aspect))
        out_w, out_h = crop_size(h, aspect, output.height)
        stream = stream.filter("crop", w, h, x, y)
    else:
        if output.kind == "loop":
            seconds = output.duration or DEFAULT_LOOP_SECONDS
            stream = stream.filter("trim", duration=seconds).filter("setpts", "PTS-STARTPTS")
        out_w, out_h = scaled_size(source, output.height)
        w, h = source.width, source.height
    if (out_w, out_h) != (w, h) or source.sar != 1.0:
        stream = stream.filter("scale", out_w, out_h)
    return stream.filter("setsar", "1").filter("format", "yuv420p")


def _video_options(output: OutputJob) -> dict:
    options = {
        "format": "mp4",
        "c:v": "libx264",
        "preset": "veryfast",
        "crf": DEFAULT_CRF if output.quality is None else output.quality,
        "threads": ffmpeg.ENCODER_THREADS,
        "movflags": "+faststart",
        **ffmpeg.BITEXACT,
    }
    if output.kind == "loop":
        options["an"] = None
    return options


def _audio_options(source: Source, output: OutputJob) -> dict:
    options = {"c:a": "aac", "b:a": f"{output.bitrate_kbps or DEFAULT_AUDIO_KBPS}k"}
    if source.audio_channels and source.audio_channels > 2:
        options["ac"] = 2
    if source.sample_rate and source.sample_rate > 48000:
        options["ar"] = 48000
    return options


# --- posters --------------------------------------------------------------------------------


def poster_time(job: MasterJob, source: Source) -> float:
    """`job.poster_at`, else 10% of the duration; clamped so it lands on a frame of the clip."""
    if source.duration is None:
        return max(0.0, job.poster_at or 0.0)
    wanted = job.poster_at if job.poster_at is not None else source.duration * POSTER_FRACTION
    last = max(0.0, source.duration - 1.0 / (source.fps or 10.0))
    return min(max(0.0, wanted), last)


def poster_frame(job: MasterJob, source: Source) -> Image.Image:
    """The upright frame at the poster time as RGB with square pixels, decoded by ffmpeg."""
    at = poster_time(job, source)
    data = _grab_frame(job, source, at)
    if not data and at > 0:  # a duration that overstates the clip: take the first frame
        data = _grab_frame(job, source, 0.0)
    if not data:
        raise MasterError(f"{os.path.basename(job.master)}: no frame could be decoded for the poster")
    frame = Image.open(io.BytesIO(data))
    frame.load()
    if source.sar != 1.0:
        frame = frame.resize((max(1, round(source.display_width)), source.height), Image.Resampling.LANCZOS)
    return frame.convert("RGB")


def _grab_frame(job: MasterJob, source: Source, at: float) -> bytes:
    options = ffmpeg.input_options(source.demuxer)
    if at > 0:
        options["ss"] = f"{at:.3f}"
    master = ffmpeg_python.input(ffmpeg.file_url(job.master), **options)
    out = master[str(source.video_index)].output(
        "pipe:", format="image2pipe", **{"c:v": "png", "pix_fmt": "rgb24", "frames:v": 1}, **ffmpeg.BITEXACT
    )
    return ffmpeg.run(["ffmpeg", *ffmpeg.GLOBAL_ARGS, *out.get_args()], job.limits, capture_stdout=True)


# --- stills, shared by the audio and document engines ---------------------------------------

STILL_QUALITY = {"jpeg": 85, "webp": 80}


def fit_inside(size: tuple[int, int], width: int | None, height: int | None) -> tuple[int, int]:
    """The largest size with the same aspect inside width x height, never upscaled."""
    w, h = size
    scale = min(1.0, (width or w) / w, (height or h) / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def save_still(image: Image.Image, output: OutputJob) -> None:
    """Fit `image` inside the output's box and write it in the output's format, no metadata."""
    size = fit_inside(image.size, output.width, output.height)
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    quality = output.quality or STILL_QUALITY.get(output.format, 85)
    if output.format == "jpeg":
        image.convert("RGB").save(output.path, format="JPEG", quality=quality, optimize=True)
    elif output.format == "webp":
        mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
        image.convert(mode).save(output.path, format="WEBP", quality=quality, method=4)
    elif output.format == "png":
        image.save(output.path, format="PNG")
    else:
        raise MasterError(f"a still cannot be written as {output.format}")


def _ratio(value: str | None) -> float | None:
    """'16:9' or '30000/1001' -> float; unknown ('0:1', 'N/A', None) -> None."""
    try:
        num, den = (float(part) for part in str(value).replace(":", "/").split("/"))
    except (TypeError, ValueError):
        return None
    return num / den if num > 0 and den > 0 else None


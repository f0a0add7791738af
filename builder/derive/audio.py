"""The audio engine: a listening proxy and a waveform picture from one decode.

The waveform is ffmpeg's `showwavespic` (peak per column, mono mix, drawn in a dark slate on
a transparent background, over a faint centre line so silence still reads as audio), finished
and encoded by Pillow like every other still.
"""

from __future__ import annotations

import os

import ffmpeg as ffmpeg_python
from PIL import Image, ImageDraw

from builder.derive import ffmpeg
from builder.derive.video import save_still
from builder.jobs import MasterError, MasterJob, OutputJob

KINDS = ("proxy", "waveform")
DEFAULT_KBPS = 128
WAVE_COLOUR = "0x334155"  # slate: reads well on white and light greys
CENTRE_LINE = (148, 163, 184, 255)
DEFAULT_WAVE_SIZE = (1200, 240)

PROXY_FORMATS = {
    # format: (muxer, encoder, extra muxer options)
    "m4a": ("ipod", "aac", {"movflags": "+faststart"}),
    "mp3": ("mp3", "libmp3lame", {"id3v2_version": 0, "write_id3v1": 0}),
}


def render_audio(job: MasterJob) -> None:
    """Write every output of `job`; on failure raise MasterError and leave none of them."""
    unknown = [o for o in job.outputs if o.kind not in KINDS]
    if unknown:
        raise MasterError(f"the audio engine cannot make a {unknown[0].kind} rendition")
    waves = [o for o in job.outputs if o.kind == "waveform"]
    pictures = [o.path + ".wave.png" for o in waves]
    try:
        info = ffmpeg.probe(job.master, job.limits)
        stream = ffmpeg.first_stream(info, "audio")
        if stream is None:
            raise MasterError(f"{os.path.basename(job.master)}: no audio stream")
        args = audio_args(job, info, stream, pictures)
        proxies = [o.path for o in job.outputs if o.kind == "proxy"]
        ffmpeg.run(args, job.limits, outputs=proxies + pictures)
        for output, picture in zip(waves, pictures):
            with Image.open(picture) as wave:
                save_still(finish_waveform(wave), output)
    except BaseException:
        ffmpeg.remove(o.path for o in job.outputs)
        raise
    finally:
        ffmpeg.remove(pictures)


def wave_size(output: OutputJob) -> tuple[int, int]:
    width, height = output.width, output.height
    if width and height:
        return width, height
    if width:
        return width, max(16, width // 5)
    if height:
        return height * 5, height
    return DEFAULT_WAVE_SIZE


def audio_args(job: MasterJob, info: dict, stream: dict, pictures: list[str]) -> list[str]:
    """One run: the audio stream feeds every proxy directly and every waveform via the graph."""
    master = ffmpeg_python.input(ffmpeg.file_url(job.master), **ffmpeg.input_options(ffmpeg.demuxer(info, path=job.master)))
    audio = master[str(stream["index"])]
    nodes = [
        ffmpeg_python.output(audio, ffmpeg.file_url(output.path), **proxy_options(output, stream))
        for output in job.outputs
        if output.kind == "proxy"
    ]
    waves = [output for output in job.outputs if output.kind == "waveform"]
    if waves:
        mono = audio.filter("aformat", channel_layouts="mono")
        if len(waves) > 1:
            split = mono.filter_multi_output("asplit", len(waves))
            branches = [split.stream(i) for i in range(len(waves))]
        else:
            branches = [mono]
        for branch, output, picture in zip(branches, waves, pictures):
            width, height = wave_size(output)
            image = branch.filter("showwavespic", s=f"{width}x{height}", colors=WAVE_COLOUR, draw="full", filter="peak")
            options = {"format": "image2pipe", "c:v": "png", "frames:v": 1, **ffmpeg.BITEXACT}
            nodes.append(ffmpeg_python.output(image, ffmpeg.file_url(picture), **options))
    args = ffmpeg_python.merge_outputs(*nodes).get_args(overwrite_output=True)
    return ["ffmpeg", *ffmpeg.GLOBAL_ARGS, *args]


def proxy_options(output: OutputJob, stream: dict) -> dict:
    if output.format not in PROXY_FORMATS:
        raise MasterError(f"an audio proxy cannot be written as {output.format}")
    muxer, encoder, extra = PROXY_FORMATS[output.format]
    options = {
        "format": muxer,
        "c:a": encoder,
        "b:a": f"{output.bitrate_kbps or DEFAULT_KBPS}k",
        **extra,
        **ffmpeg.BITEXACT,
    }
    if int(stream.get("channels") or 0) > 2:
        options["ac"] = 2
    if int(stream.get("sample_rate") or 0) > 48000:
        options["ar"] = 48000
    return options


def finish_waveform(wave: Image.Image) -> Image.Image:
    """The waveform over a faint centre line, on transparency."""
    wave = wave.convert("RGBA")
    canvas = Image.new("RGBA", wave.size, (0, 0, 0, 0))
    middle = wave.height // 2
    ImageDraw.Draw(canvas).line([(0, middle), (wave.width - 1, middle)], fill=CENTRE_LINE, width=1)
    return Image.alpha_composite(canvas, wave)

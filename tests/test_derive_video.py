"""The video engine and the ffmpeg runner, on tiny media made with lavfi sources."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from builder.derive import ffmpeg
from builder.derive.video import render_video
from builder.jobs import EngineLimits, MasterError
from builder.renditions import default_renditions
from mediafactory import (
    ffprobe,
    frame_at,
    make_colour_timeline,
    make_halves,
    make_video,
    master_job,
    output_job,
    streams,
    top_level_boxes,
)

SPECS = {spec.name: spec for spec in default_renditions()["video"]}


def out(name: str, directory: Path, **changes):
    return output_job(SPECS[name], directory, **changes)


def video_size(path: Path) -> tuple[int, int]:
    (video,) = streams(ffprobe(path), "video")
    return video["width"], video["height"]


def close(colour, wanted, tolerance=60) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, wanted))


RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=2)


def test_proxy_is_h264_aac_faststart_at_the_source_size(clip, tmp_path):
    proxy = out("proxy", tmp_path, height=180)
    render_video(master_job(clip, "video", [proxy]))
    info = ffprobe(Path(proxy.path))
    (video,), (audio,) = streams(info, "video"), streams(info, "audio")
    assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == (240, 180)
    assert audio["codec_name"] == "aac"
    assert abs(float(info["format"]["duration"]) - 2.0) < 0.1
    boxes = top_level_boxes(Path(proxy.path))
    assert boxes.index("moov") < boxes.index("mdat")
    assert "side_data_list" not in video
    assert not info["format"].get("tags", {}).get("encoder")  # bitexact: no "Lavf..." string


def test_proxy_never_upscales_and_keeps_even_sizes_from_an_odd_source(tmp_path):
    master = make_video(tmp_path / "odd.mp4", size=(321, 241), seconds=1)
    proxy = out("proxy", tmp_path)  # 720 requested, 241 available
    render_video(master_job(master, "video", [proxy]))
    assert video_size(Path(proxy.path)) == (320, 240)


def test_video_without_audio_makes_a_silent_proxy(tmp_path):
    master = make_video(tmp_path / "silent.mp4", audio=False, seconds=1)
    proxy, square = out("proxy", tmp_path), out("square", tmp_path)
    render_video(master_job(master, "video", [proxy, square]))
    for path in (proxy.path, square.path):
        info = ffprobe(Path(path))
        assert not streams(info, "audio") and len(streams(info, "video")) == 1


def test_rotated_phone_video_comes_out_upright_without_rotation(tmp_path):
    # Stored landscape, top red / bottom blue, with a 90 degree display matrix.
    master = make_halves(tmp_path / "phone.mp4", size=(320, 240), vertical=True, rotate=90, audio=True)
    (stored,) = streams(ffprobe(master), "video")
    assert any("rotation" in side for side in stored.get("side_data_list", ()))
    outputs = [out("proxy", tmp_path), out("story", tmp_path), out("poster", tmp_path)]
    render_video(master_job(master, "video", outputs))
    (video,) = streams(ffprobe(Path(outputs[0].path)), "video")
    assert (video["width"], video["height"]) == (240, 320)
    assert "side_data_list" not in video and "rotate" not in video.get("tags", {})
    # Upright: the stored top (red) is on one side, not at the top any more.
    frame = frame_at(Path(outputs[0].path), 0.5)
    left, right = frame.getpixel((20, 160)), frame.getpixel((220, 160))
    assert {close(left, RED), close(right, RED)} == {True, False}
    assert close(frame.getpixel((120, 10)), RED) == close(frame.getpixel((120, 310)), RED)
    # The 9:16 crop of a 240x320 upright frame keeps the full height.
    assert video_size(Path(outputs[1].path)) == (180, 320)
    poster = Image.open(outputs[2].path)
    assert poster.size == (240, 320)


@pytest.mark.parametrize(
    ("name", "focus", "expected_size"),
    [("square", (0.0, 0.5), (240, 240)), ("wide", None, (320, 180)), ("story", (1.0, 0.5), (136, 240))],
)
def test_crops_have_the_exact_aspect_and_follow_the_focus(tmp_path, name, focus, expected_size):
    master = make_halves(tmp_path / "halves.mp4", size=(320, 240))  # left red, right blue
    crop = out(name, tmp_path)
    render_video(master_job(master, "video", [crop], focus=focus))
    width, height = video_size(Path(crop.path))
    assert (width, height) == expected_size
    aspect = crop.aspect[0] / crop.aspect[1]
    assert abs(width - height * aspect) <= 1  # even rounding: within one pixel
    frame = frame_at(Path(crop.path), 0.2)
    if focus == (0.0, 0.5):
        assert close(frame.getpixel((5, height // 2)), RED) and close(frame.getpixel((width - 5, height // 2)), BLUE)
    elif focus == (1.0, 0.5):
        assert close(frame.getpixel((5, height // 2)), BLUE) and close(frame.getpixel((width - 5, height // 2)), BLUE)


def test_manual_crop_box_wins_over_the_focus(tmp_path):
    master = make_halves(tmp_path / "halves.mp4", size=(320, 240))
    story = out("story", tmp_path)
    job = master_job(master, "video", [story], focus=(1.0, 0.5), crops=(("9:16", (0.0, 0.0, 0.4, 1.0)),))
    render_video(job)
    frame = frame_at(Path(story.path), 0.2)
    assert close(frame.getpixel((frame.width // 2, frame.height // 2)), RED)


def test_loop_is_muted_and_short(tmp_path):
    master = make_video(tmp_path / "long.mp4", seconds=3)
    loop = out("loop", tmp_path, duration=1.0, height=120)
    render_video(master_job(master, "video", [loop]))
    info = ffprobe(Path(loop.path))
    assert not streams(info, "audio")
    assert video_size(Path(loop.path)) == (160, 120)
    assert abs(float(info["format"]["duration"]) - 1.0) <= 0.08


def test_all_outputs_come_from_one_ffmpeg_run(clip, tmp_path, monkeypatch):
    calls = []
    real_run = ffmpeg.run

    def counting_run(args, *a, **k):
        calls.append(args[0])
        return real_run(args, *a, **k)

    monkeypatch.setattr(ffmpeg, "run", counting_run)
    outputs = [output_job(spec, tmp_path) for spec in SPECS.values()]
    render_video(master_job(clip, "video", outputs))
    assert calls == ["ffprobe", "ffmpeg", "ffmpeg"]  # probe, proxy+crops+loop, posters
    assert all(os.path.getsize(o.path) > 0 for o in outputs)


def test_poster_is_taken_at_poster_at(tmp_path):
    master = make_colour_timeline(tmp_path / "rgb.mp4")  # red 0-1 s, green 1-2 s, blue 2-3 s
    poster, thumb = out("poster", tmp_path), out("thumb", tmp_path, format="png", path=str(tmp_path / "t.png"))
    render_video(master_job(master, "video", [poster, thumb], poster_at=1.5))
    assert close(Image.open(poster.path).convert("RGB").getpixel((160, 120)), GREEN)
    assert Image.open(thumb.path).getpixel((10, 10))[:3] == (0, 255, 0) or close(
        Image.open(thumb.path).convert("RGB").getpixel((10, 10)), GREEN, 8
    )
    # Default: 10% of the duration (0.3 s) -> red; past the end -> clamped to the last frame.
    render_video(master_job(master, "video", [poster]))
    assert close(Image.open(poster.path).convert("RGB").getpixel((160, 120)), RED)
    render_video(master_job(master, "video", [poster], poster_at=99.0))
    assert close(Image.open(poster.path).convert("RGB").getpixel((160, 120)), BLUE)


def test_poster_fits_inside_the_box(clip, tmp_path):
    thumb = out("thumb", tmp_path, width=100, height=100)
    render_video(master_job(clip, "video", [thumb]))
    with Image.open(thumb.path) as im:
        assert im.format == "WEBP" and im.size == (100, 75)


def test_output_is_deterministic(clip, tmp_path):
    def render(directory: Path) -> list[bytes]:
        directory.mkdir()
        outputs = [out(name, directory) for name in ("proxy", "square", "loop", "poster")]
        render_video(master_job(clip, "video", outputs))
        return [Path(o.path).read_bytes() for o in outputs]

    assert render(tmp_path / "a") == render(tmp_path / "b")


def test_names_with_a_leading_dash_and_a_colon_work(tmp_path):
    master = make_video(tmp_path / "-rm -rf:clip.mp4", seconds=1)
    proxy = out("proxy", tmp_path, path=str(tmp_path / "-out:proxy.mp4"))
    poster = out("poster", tmp_path, path=str(tmp_path / "-out:poster.jpg"))
    render_video(master_job(master, "video", [proxy, poster]))
    assert streams(ffprobe(Path(proxy.path)), "video")[0]["codec_name"] == "h264"
    assert Image.open(poster.path).format == "JPEG"


HOSTILE = {
    "random bytes": os.urandom(4096),
    "concat script": b"ffconcat version 1.0\nfile '/etc/passwd'\n",
    "hls playlist": b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
    "text file": b"just some text, not a video\n" * 20,
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_masters_are_refused_and_leave_nothing(tmp_path, kind):
    master = tmp_path / "master.mp4"
    master.write_bytes(HOSTILE[kind])
    outputs = [output_job(spec, tmp_path) for spec in SPECS.values()]
    with pytest.raises(MasterError):
        render_video(master_job(master, "video", outputs))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master.mp4"]


def test_an_image_named_mp4_is_refused(tmp_path):
    master = tmp_path / "photo.mp4"
    Image.new("RGB", (64, 64), "red").save(master, format="PNG")
    with pytest.raises(MasterError, match="photo.mp4: not a readable audio or video file in an accepted container"):
        ffmpeg.probe(str(master), EngineLimits())


def test_timeout_kills_ffmpeg_and_raises(tmp_path):
    target = tmp_path / "endless.mp4"
    args = ["ffmpeg", *ffmpeg.GLOBAL_ARGS, "-f", "lavfi", "-i", "testsrc2=size=320x240", "-f", "mp4",
            "file:" + str(target)]
    started = time.monotonic()
    with pytest.raises(MasterError, match="longer than 1 s"):
        ffmpeg.run(args, EngineLimits(ffmpeg_timeout_s=1), outputs=[str(target)])
    assert time.monotonic() - started < 10
    assert not target.exists()


def test_tiny_limits_fail_the_master_cleanly(clip, tmp_path):
    proxy = out("proxy", tmp_path)
    with pytest.raises(MasterError):
        render_video(master_job(clip, "video", [proxy], limits=EngineLimits(ffmpeg_memory_mb=32)))
    with pytest.raises(MasterError):
        render_video(master_job(clip, "video", [proxy], limits=EngineLimits(ffmpeg_timeout_s=0)))
    assert not Path(proxy.path).exists()


def test_ffmpeg_failure_message_is_short_and_clear(tmp_path):
    target = tmp_path / "x.mp4"
    args = ["ffmpeg", *ffmpeg.GLOBAL_ARGS, "-f", "lavfi", "-i", "testsrc2=d=0.1", "-c:v", "no-such-codec",
            "file:" + str(target)]
    with pytest.raises(MasterError) as failure:
        ffmpeg.run(args, EngineLimits(), outputs=[str(target)])
    message = str(failure.value)
    assert message.startswith("ffmpeg failed") and "\n" not in message and len(message) < 400


def test_the_filter_graph_is_built_with_ffmpeg_python_and_decodes_once(clip, tmp_path):
    from builder.derive.video import inspect, moving_args

    job = master_job(clip, "video", [out(n, tmp_path) for n in ("proxy", "square", "wide", "story", "loop")])
    args = moving_args(job, inspect(str(clip), job.limits), list(job.outputs))
    assert args.count("-i") == 1 and "split=5" in args[args.index("-filter_complex") + 1]
    assert args[args.index("-i") + 1].startswith("file:/")
    assert args[args.index("-protocol_whitelist") + 1] == "file"
    assert subprocess.list2cmdline(args)  # a plain argument list, never a shell string

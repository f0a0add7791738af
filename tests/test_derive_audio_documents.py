"""The audio and document engines, on media made on the spot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from builder.derive.audio import render_audio
from builder.derive.documents import render_document
from builder.jobs import EngineLimits, MasterError
from builder.renditions import default_renditions
from mediafactory import ffprobe, make_audio, make_pdf, make_video, master_job, output_job, streams, top_level_boxes

AUDIO = {spec.name: spec for spec in default_renditions()["audio"]}
DOCUMENT = {spec.name: spec for spec in default_renditions()["document"]}


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> Path:
    return make_audio(tmp_path_factory.mktemp("audio") / "song.wav", seconds=2, channels=2)


def test_audio_proxy_is_aac_m4a_at_the_bitrate_with_faststart(song, tmp_path):
    proxy = output_job(AUDIO["proxy"], tmp_path, bitrate_kbps=96)
    render_audio(master_job(song, "audio", [proxy]))
    info = ffprobe(Path(proxy.path))
    (audio,) = streams(info, "audio")
    assert not streams(info, "video")
    assert audio["codec_name"] == "aac" and audio["channels"] == 2
    assert abs(float(info["format"]["duration"]) - 2.0) < 0.1
    assert 70_000 <= int(audio["bit_rate"]) <= 110_000
    assert "M4A" in info["format"]["tags"]["major_brand"]
    boxes = top_level_boxes(Path(proxy.path))
    assert boxes.index("moov") < boxes.index("mdat")


def test_audio_proxy_as_mp3_and_surround_is_downmixed(tmp_path):
    master = make_audio(tmp_path / "surround.flac", seconds=1, channels=6, codec="flac")
    proxy = output_job(AUDIO["proxy"], tmp_path, format="mp3", path=str(tmp_path / "p.mp3"))
    render_audio(master_job(master, "audio", [proxy]))
    info = ffprobe(Path(proxy.path))
    (audio,) = streams(info, "audio")
    assert info["format"]["format_name"] == "mp3" and audio["codec_name"] == "mp3"
    assert audio["channels"] == 2 and int(audio["bit_rate"]) == 128_000
    assert abs(float(info["format"]["duration"]) - 1.0) < 0.1


def test_waveform_has_the_size_and_shows_the_sound(song, tmp_path):
    wave = output_job(AUDIO["waveform"], tmp_path)
    webp = output_job(AUDIO["waveform"], tmp_path, format="webp", width=300, height=60, path=str(tmp_path / "w.webp"))
    render_audio(master_job(song, "audio", [wave, webp]))
    with Image.open(wave.path) as im:
        assert im.format == "PNG" and im.size == (1200, 240)
        alpha = im.convert("RGBA").getchannel("A")
        column = [alpha.getpixel((600, y)) for y in range(240)]
        drawn = sum(1 for a in column if a > 128)
        assert 40 < drawn < 240  # a real envelope, not blank and not a solid block
        assert alpha.getpixel((600, 0)) == 0  # transparent background above the peak
        r, g, b, _ = im.convert("RGBA").getpixel((600, 120))
        assert max(r, g, b) < 120  # dark ink: visible on a light background
    with Image.open(webp.path) as im:
        assert im.format == "WEBP" and im.size == (300, 60)


def test_audio_is_deterministic(song, tmp_path):
    def render(directory: Path) -> list[bytes]:
        directory.mkdir()
        outputs = [output_job(spec, directory) for spec in AUDIO.values()]
        render_audio(master_job(song, "audio", outputs))
        return [Path(o.path).read_bytes() for o in outputs]

    assert render(tmp_path / "a") == render(tmp_path / "b")


def test_audio_from_a_video_container_ignores_the_picture(tmp_path):
    master = make_video(tmp_path / "talk.mp4", seconds=1)
    proxy = output_job(AUDIO["proxy"], tmp_path)
    render_audio(master_job(master, "audio", [proxy]))
    info = ffprobe(Path(proxy.path))
    assert [s["codec_type"] for s in info["streams"]] == ["audio"]


@pytest.mark.parametrize("content", [os.urandom(2048), b"#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n"])
def test_hostile_audio_is_refused_and_leaves_nothing(tmp_path, content):
    master = tmp_path / "master.mp3"
    master.write_bytes(content)
    outputs = [output_job(spec, tmp_path) for spec in AUDIO.values()]
    with pytest.raises(MasterError):
        render_audio(master_job(master, "audio", outputs))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master.mp3"]


def test_a_silent_video_is_not_an_audio_master(tmp_path):
    master = make_video(tmp_path / "mute.mp4", seconds=1, audio=False)
    with pytest.raises(MasterError, match="no audio stream"):
        render_audio(master_job(master, "audio", [output_job(AUDIO["proxy"], tmp_path)]))


# --- documents ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    return make_pdf(tmp_path_factory.mktemp("pdf") / "brochure.pdf", size=(600, 800))


def test_first_page_has_the_size_and_the_content(pdf, tmp_path):
    page = output_job(DOCUMENT["page"], tmp_path)
    thumb = output_job(DOCUMENT["thumb"], tmp_path)
    render_document(master_job(pdf, "document", [page, thumb]))
    with Image.open(page.path) as im:
        assert im.format == "PNG" and im.size == (1200, 1600)  # 600x800 pt fitted into 1600x1600
        im = im.convert("RGB")
        assert im.getpixel((100, 100)) == (0, 0, 0)  # the black block, top left
        assert im.getpixel((1100, 1500)) == (255, 255, 255)  # white page, bottom right
    with Image.open(thumb.path) as im:
        assert im.format == "WEBP" and im.size == (360, 480)


def test_document_render_is_deterministic(pdf, tmp_path):
    a = output_job(DOCUMENT["page"], tmp_path, path=str(tmp_path / "a.png"))
    b = output_job(DOCUMENT["page"], tmp_path, path=str(tmp_path / "b.png"))
    render_document(master_job(pdf, "document", [a]))
    render_document(master_job(pdf, "document", [b]))
    assert Path(a.path).read_bytes() == Path(b.path).read_bytes()


def test_the_pixel_limit_caps_the_render(pdf, tmp_path):
    page = output_job(DOCUMENT["page"], tmp_path)
    render_document(master_job(pdf, "document", [page], limits=EngineLimits(max_image_pixels=120_000)))
    with Image.open(page.path) as im:
        assert im.width * im.height <= 120_000 and abs(im.width / im.height - 0.75) < 0.01


@pytest.mark.parametrize(
    "content",
    [b"not a pdf at all\n" * 10, b"%PDF-1.7\n" + os.urandom(2000), b""],
    ids=["text", "truncated", "empty"],
)
def test_a_non_pdf_is_refused_and_leaves_nothing(tmp_path, content):
    master = tmp_path / "brochure.pdf"
    master.write_bytes(content)
    with pytest.raises(MasterError, match="brochure.pdf"):
        render_document(master_job(master, "document", [output_job(DOCUMENT["page"], tmp_path)]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brochure.pdf"]

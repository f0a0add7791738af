"""builder.probe on tiny generated media: Pillow images, ffmpeg lavfi sources, Pillow PDFs."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from builder.jobs import EngineLimits, MasterError
from builder.probe import ProbeError, technical_for

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def make_video(path: Path, size: str = "64x32", sound: bool = True) -> Path:
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration=1"]
    if sound:
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1"]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    codecs += ["-c:a", "aac", "-shortest"] if sound else []
    ffmpeg(*inputs, *codecs, str(path))
    return path


def make_rotated_video(path: Path, source: Path) -> Path:
    # ffmpeg 5 writes the legacy rotate tag as a display matrix in the MP4 header.
    ffmpeg("-i", str(source), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(path))
    return path


def make_audio(path: Path) -> Path:
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:sample_rate=22050:duration=1", "-ac", "2", str(path))
    return path


def make_oriented_jpeg(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait
    exif[0x010F] = "Acme"
    exif[0x0110] = "Acme X100"
    exif.get_ifd(0x8769)[0x9003] = "2026:05:02 14:03:11"
    Image.new("RGB", (40, 20), "navy").save(path, exif=exif, icc_profile=SRGB.tobytes())
    return path


def test_jpeg_orientation_exif_and_icc(tmp_path):
    path = make_oriented_jpeg(tmp_path / "portrait.jpg")
    tech = technical_for(path, EngineLimits())
    assert (tech.width, tech.height) == (20, 40)  # upright, after EXIF orientation 6
    assert tech.media_type == "image/jpeg"
    assert tech.md5 == hashlib.md5(path.read_bytes()).hexdigest()
    assert tech.bytes == path.stat().st_size
    assert tech.colour_mode == "RGB" and tech.bit_depth == 8 and tech.has_alpha is False
    assert tech.icc_profile == ImageCms.getProfileDescription(SRGB).strip() == "sRGB built-in"
    assert tech.captured == "2026-05-02T14:03:11"
    assert tech.camera == "Acme X100"  # the make is not repeated when the model starts with it
    assert tech.duration is None and tech.pages is None


def test_rgba_png_has_alpha_and_16_bit_depth(tmp_path):
    Image.new("RGBA", (10, 6), (255, 0, 0, 128)).save(tmp_path / "logo.png")
    tech = technical_for(tmp_path / "logo.png")
    assert tech.has_alpha is True and tech.colour_mode == "RGBA"
    assert (tech.width, tech.height) == (10, 6)
    assert tech.captured is None and tech.camera is None and tech.icc_profile is None
    Image.new("I;16", (4, 4), 1000).save(tmp_path / "deep.png")
    assert technical_for(tmp_path / "deep.png").bit_depth == 16


def test_video_with_sound(tmp_path):
    tech = technical_for(make_video(tmp_path / "clip.mp4"))
    assert tech.media_type == "video/mp4"
    assert (tech.width, tech.height) == (64, 32)
    assert tech.rotation == 0
    assert tech.video_codec == "h264" and tech.audio_codec == "aac"
    assert tech.fps == 25.0
    assert tech.duration == pytest.approx(1.0, abs=0.1)
    assert tech.sample_rate == 44100 and tech.audio_channels == 1


def test_rotated_video_reports_upright_dimensions(tmp_path):
    source = make_video(tmp_path / "landscape.mp4", sound=False)
    tech = technical_for(make_rotated_video(tmp_path / "phone.mp4", source))
    assert tech.rotation in (90, 270)
    assert (tech.width, tech.height) == (32, 64)
    assert tech.audio_codec is None and tech.sample_rate is None


def test_audio(tmp_path):
    tech = technical_for(make_audio(tmp_path / "jingle.wav"))
    assert tech.media_type == "audio/x-wav"
    assert tech.sample_rate == 22050 and tech.audio_channels == 2
    assert tech.duration == pytest.approx(1.0, abs=0.05)
    assert tech.audio_codec == "pcm_s16le"
    assert tech.width is None and tech.video_codec is None


def test_pdf_pages_and_size(tmp_path):
    pages = [Image.new("RGB", (200, 100), "white"), Image.new("RGB", (50, 50), "black")]
    pages[0].save(tmp_path / "brochure.pdf", save_all=True, append_images=pages[1:], resolution=72)
    tech = technical_for(tmp_path / "brochure.pdf")
    assert tech.media_type == "application/pdf"
    assert tech.pages == 2
    assert (tech.page_width_pt, tech.page_height_pt) == (200.0, 100.0)


def test_text_named_jpg_is_mislabelled(tmp_path):
    (tmp_path / "photo.jpg").write_text("this is not a photo\n" * 20)
    with pytest.raises(ProbeError, match=r"photo\.jpg is mislabelled: its name says image/jpeg"):
        technical_for(tmp_path / "photo.jpg")


def test_png_named_jpg_is_mislabelled(tmp_path):
    Image.new("RGB", (4, 4)).save(tmp_path / "photo.jpg", format="PNG")
    with pytest.raises(ProbeError, match="its name says image/jpeg but its content is image/png"):
        technical_for(tmp_path / "photo.jpg")


def test_video_named_as_audio_is_mislabelled(tmp_path):
    make_video(tmp_path / "clip.mp4")
    (tmp_path / "clip.mp4").rename(tmp_path / "song.m4a")
    with pytest.raises(ProbeError, match="mislabelled"):
        technical_for(tmp_path / "song.m4a")


def test_decompression_bomb_guard(tmp_path):
    Image.new("L", (100, 100)).save(tmp_path / "big.png")
    with pytest.raises(MasterError, match="over the limit"):
        technical_for(tmp_path / "big.png", EngineLimits(max_image_pixels=5000))


def test_empty_and_truncated_files(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(ProbeError, match="empty"):
        technical_for(tmp_path / "empty.jpg")
    make_video(tmp_path / "clip.mp4")
    data = (tmp_path / "clip.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 3])
    with pytest.raises(ProbeError):
        technical_for(tmp_path / "cut.mp4")

"""The image engine on real files: pixels, geometry and metadata, not just that files appear."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageStat

from builder.derive.images import render_image
from builder.jobs import MasterError
from imagefactory import (
    BLUE,
    GREY,
    RED,
    WHITE,
    XMP,
    YELLOW,
    adobe_rgb_profile,
    adobe_to_srgb,
    busy_side,
    camera_exif,
    halves,
    limits,
    master_job,
    output,
    photo,
    png_declaring,
    quadrants,
    save,
    truncated_jpeg,
)

CREDIT = "(c) Acme Studio 2026"


def close(actual, expected, tolerance=6) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def opened(path: str) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def render(master: Path, outputs, **fields) -> list[Image.Image]:
    render_image(master_job(master, outputs, **fields))
    return [opened(o.path) for o in outputs]


# --- orientation and colour --------------------------------------------------------------


def test_orientation_6_comes_out_upright(tmp_path):
    # Stored 400x200, red on the left; orientation 6 means "rotate 90 degrees clockwise to view",
    # so the viewer sees a 200x400 portrait with red on top.
    master = save(halves((400, 200), RED, BLUE), tmp_path / "rotated.jpg", quality=95, exif=camera_exif(6))
    (image,) = render(master, [output(tmp_path, "preview", width=1600, height=1600)])
    assert image.size == (200, 400)
    assert close(image.getpixel((100, 50)), RED)
    assert close(image.getpixel((100, 350)), BLUE)
    assert ExifTags.Base.Orientation not in image.getexif()


def test_orientation_8_crop_uses_upright_focus(tmp_path):
    # Orientation 8 rotates the stored image 90 degrees anticlockwise: stored right half
    # (yellow) ends up on top. Focus near the top must give a yellow square.
    master = save(halves((400, 200), RED, YELLOW), tmp_path / "rot8.jpg", quality=95, exif=camera_exif(8))
    crop = output(tmp_path, "square", kind="crop", aspect=(1, 1), width=100)
    (image,) = render(master, [crop], focus=(0.5, 0.1))
    assert image.size == (100, 100)
    assert close(image.getpixel((50, 50)), YELLOW)


def test_cmyk_jpeg_becomes_srgb(tmp_path):
    # Pillow writes CMYK JPEGs Adobe-style (inverted), so this also covers the inversion.
    master = save(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), tmp_path / "cmyk.jpg", quality=95)
    assert b"Adobe" in master.read_bytes()
    images = render(master, [output(tmp_path, "p", width=32), output(tmp_path, "w", fmt="webp", width=32)])
    for image in images:
        assert image.mode == "RGB"
        assert close(image.getpixel((16, 16)), RED, 8)
        assert_srgb_tagged(image)


def test_adobe_rgb_master_is_converted_to_srgb(tmp_path):
    colour = (200, 100, 50)
    master = save(Image.new("RGB", (64, 64), colour), tmp_path / "adobe.jpg", quality=98, icc_profile=adobe_rgb_profile())
    (image,) = render(master, [output(tmp_path, "p", fmt="png", width=32)])
    expected = adobe_to_srgb(colour)  # about (227, 100, 42): far from the raw numbers
    assert not close(expected, colour, 10)
    assert close(image.getpixel((16, 16))[:3], expected, 3)
    assert_srgb_tagged(image)


def assert_srgb_tagged(image: Image.Image) -> None:
    profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
    assert "sRGB" in profile.profile.profile_description


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path):
    master = tmp_path / "grey16.png"
    Image.new("I;16", (64, 32), 32768).save(master)
    assert Image.open(master).mode.startswith("I")
    (image,) = render(master, [output(tmp_path, "p", fmt="png", width=32)], media_type="image/png")
    assert image.mode == "RGB"
    assert close(image.getpixel((10, 10)), GREY, 1)


def test_palette_with_transparency_keeps_alpha_in_png_and_goes_white_in_jpeg(tmp_path):
    palette = Image.new("P", (64, 32), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.paste(1, (32, 0, 64, 32))
    master = save(palette, tmp_path / "palette.png", transparency=0)
    png, jpeg = render(
        master, [output(tmp_path, "a", fmt="png", width=64), output(tmp_path, "b", fmt="jpeg", width=64)],
        media_type="image/png",
    )
    assert png.mode == "RGBA"
    assert png.getpixel((5, 5))[3] == 0
    assert png.getpixel((50, 5)) == (255, 0, 0, 255)
    assert close(jpeg.getpixel((5, 5)), WHITE, 3)
    assert close(jpeg.getpixel((50, 5)), RED, 8)


def test_rgba_keeps_alpha_in_png_and_webp_and_flattens_on_white_in_jpeg(tmp_path):
    rgba = halves((80, 40), (0, 0, 255, 0), (0, 0, 255, 255), mode="RGBA")
    master = save(rgba, tmp_path / "logo.png")
    png, webp, jpeg = render(
        master,
        [output(tmp_path, "a", fmt="png", width=80), output(tmp_path, "b", fmt="webp", width=80, quality=90),
         output(tmp_path, "c", fmt="jpeg", width=80)],
        media_type="image/png",
    )
    assert png.mode == "RGBA" and png.getpixel((5, 5))[3] == 0 and png.getpixel((70, 5)) == (0, 0, 255, 255)
    assert webp.mode == "RGBA" and webp.getpixel((5, 5))[3] == 0 and webp.getpixel((70, 5))[3] == 255
    assert jpeg.mode == "RGB" and close(jpeg.getpixel((5, 5)), WHITE, 3) and close(jpeg.getpixel((70, 5)), BLUE, 8)


@pytest.mark.parametrize(
    ("mode", "colour", "expected"),
    [("1", 1, WHITE), ("L", 128, GREY), ("LA", (128, 255), GREY), ("I", 32768, GREY), ("CMYK", (0, 0, 0, 0), WHITE)],
)
def test_odd_modes_become_rgb(tmp_path, mode, colour, expected):
    master = save(Image.new(mode, (40, 40), colour), tmp_path / "odd.tiff")
    (image,) = render(master, [output(tmp_path, "p", fmt="png", width=20)], media_type="image/tiff")
    assert image.mode in ("RGB", "RGBA")
    assert close(image.getpixel((10, 10))[:3], expected, 1)


# --- geometry -----------------------------------------------------------------------------


def test_resize_fits_inside_and_never_upscales(tmp_path):
    master = save(photo((800, 600)), tmp_path / "m.jpg", quality=90)
    big, small, tall = render(
        master,
        [output(tmp_path, "big", width=1600, height=1600), output(tmp_path, "small", width=200, height=200),
         output(tmp_path, "tall", height=300)],
    )
    assert big.size == (800, 600)
    assert small.size == (200, 150)
    assert tall.size == (400, 300)


@pytest.mark.parametrize("aspect", [(1, 1), (16, 9), (9, 16), (4, 5)])
@pytest.mark.parametrize("focus", [(0.8, 0.5), (0.1, 0.9), (0.97, 0.03)])
def test_crop_has_exact_ratio_and_contains_the_focus(tmp_path, aspect, focus):
    w, h = 1000, 600
    picture = Image.new("RGB", (w, h), WHITE)
    fx, fy = round(focus[0] * w), round(focus[1] * h)
    picture.paste(BLUE, (fx - 8, fy - 8, fx + 8, fy + 8))
    master = save(picture, tmp_path / "focus.png")
    crop = output(tmp_path, "c", kind="crop", fmt="png", aspect=aspect, width=360)
    (image,) = render(master, [crop], focus=focus, media_type="image/png")
    assert image.width * aspect[1] == image.height * aspect[0]
    # Find the blue marker and check it maps back onto the focus point.
    blue = [(x, y) for x in range(image.width) for y in range(0, image.height, 2) if close(image.getpixel((x, y)), BLUE, 40)]
    assert blue, "the focus point fell outside the crop"


def test_crop_focus_lands_where_expected(tmp_path):
    picture = Image.new("RGB", (1000, 500), WHITE)
    picture.paste(BLUE, (792, 242, 808, 258))
    master = save(picture, tmp_path / "f.png")
    crop = output(tmp_path, "c", kind="crop", fmt="png", aspect=(1, 1), width=250)
    (image,) = render(master, [crop], focus=(0.8, 0.5), media_type="image/png")
    # Window x 500..1000 (clamped at the right edge), y 0..500; marker at (800, 250) -> (150, 125).
    assert image.size == (250, 250)
    assert close(image.getpixel((150, 125)), BLUE, 10)


def test_crop_is_never_upscaled_but_keeps_its_ratio(tmp_path):
    master = save(photo((500, 300)), tmp_path / "small.jpg", quality=90)
    wide, story = render(
        master,
        [output(tmp_path, "wide", kind="crop", aspect=(16, 9), width=1920),
         output(tmp_path, "story", kind="crop", aspect=(9, 16), width=1080)],
    )
    assert wide.size == (496, 279)  # 31 x (16, 9): the largest exact 16:9 inside 500x300
    assert story.size == (162, 288)  # 18 x (9, 16) inside a 168.75 x 300 window
    for image, (a, b) in ((wide, (16, 9)), (story, (9, 16))):
        assert image.width * b == image.height * a


def test_manual_crop_box_is_honoured(tmp_path):
    master = save(quadrants((800, 400)), tmp_path / "q.png")
    crop = output(tmp_path, "c", kind="crop", fmt="png", aspect=(1, 1), width=100)
    # Top-left quarter (400x200 px), trimmed to 200x200 around its centre: all red.
    (image,) = render(master, [crop], crops=(("1:1", (0.0, 0.0, 0.5, 0.5)),), focus=(0.9, 0.9), media_type="image/png")
    assert image.size == (100, 100)
    # The resampling filter may pick up a pixel of the neighbouring quadrant at the very edge.
    low, high = zip(*ImageStat.Stat(image.crop((3, 3, 97, 97))).extrema)
    assert close(low, RED, 2) and close(high, RED, 2)


@pytest.mark.parametrize("busy", ["left", "right"])
def test_content_aware_default_picks_the_busy_side(tmp_path, busy):
    master = save(busy_side((800, 400), busy), tmp_path / "busy.png")
    crop = output(tmp_path, "c", kind="crop", fmt="png", aspect=(1, 1), width=200)
    (image,) = render(master, [crop], media_type="image/png")
    flat = Image.new("RGB", (1, 1), GREY).getpixel((0, 0))
    flat_share = sum(image.getpixel((x, y)) == flat for x in range(0, 200, 4) for y in range(0, 200, 4)) / 2500
    assert flat_share < 0.1, "the crop sits on the flat side"


def test_content_aware_default_centres_a_featureless_image(tmp_path):
    # Red and green of equal luminance: no edges anywhere, so the window is centred (x 200..600)
    # and shows both halves.
    master = save(halves((800, 400), (255, 0, 0), (0, 130, 0)), tmp_path / "flat.png")
    (image,) = render(master, [output(tmp_path, "c", kind="crop", fmt="png", aspect=(1, 1), width=100)], media_type="image/png")
    assert close(image.getpixel((5, 50)), (255, 0, 0), 2) and close(image.getpixel((95, 50)), (0, 130, 0), 2)


# --- metadata and determinism ------------------------------------------------------------


def test_camera_metadata_is_stripped_and_credit_kept(tmp_path):
    master = save(photo((600, 400)), tmp_path / "gps.jpg", quality=90, exif=camera_exif(1), xmp=XMP)
    assert b"SecretTool" in master.read_bytes() and ExifTags.IFD.GPSInfo in Image.open(master).getexif()
    outputs = [output(tmp_path, "j", width=300), output(tmp_path, "w", fmt="webp", width=300),
               output(tmp_path, "p", fmt="png", width=100), output(tmp_path, "c", kind="crop", aspect=(1, 1), width=100)]
    images = render(master, outputs, credit=CREDIT)
    for out, image in zip(outputs, images):
        raw = Path(out.path).read_bytes()
        exif = image.getexif()
        assert ExifTags.IFD.GPSInfo not in exif and not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Make not in exif and b"PhoneCo" not in raw
        assert b"SecretTool" not in raw and "xmp" not in image.info
        if out.format in ("jpeg", "webp"):
            assert exif[ExifTags.Base.Artist] == CREDIT and exif[ExifTags.Base.Copyright] == CREDIT
            assert set(exif) == {ExifTags.Base.Artist, ExifTags.Base.Copyright}
        else:
            assert image.text["Copyright"] == CREDIT


def test_non_ascii_credit_survives(tmp_path):
    master = save(photo((200, 100)), tmp_path / "m.jpg")
    jpeg, png = render(master, [output(tmp_path, "j"), output(tmp_path, "p", fmt="png")], credit="© Zoë Studio")
    assert jpeg.getexif()[ExifTags.Base.Copyright] == "(c) Zoe Studio"
    assert png.text["Copyright"] == "© Zoë Studio"


def test_rendering_twice_gives_identical_bytes(tmp_path):
    master = save(photo((900, 700), seed=5), tmp_path / "m.jpg", quality=90, exif=camera_exif(6))

    def run(folder: Path) -> list[bytes]:
        folder.mkdir()
        outputs = [output(folder, "a", width=400), output(folder, "b", fmt="webp", width=300),
                   output(folder, "c", fmt="png", width=120), output(folder, "d", kind="crop", aspect=(16, 9), width=320)]
        render_image(master_job(master, outputs, credit=CREDIT))
        return [Path(o.path).read_bytes() for o in outputs]

    assert run(tmp_path / "one") == run(tmp_path / "two")


def test_preview_cascade_matches_a_direct_render(tmp_path):
    """The thumbnail derived from the preview must look like one made straight from the master."""
    master = save(photo((2000, 1500), seed=2), tmp_path / "m.jpg", quality=92)
    cascaded = render(master, [output(tmp_path, "big", fmt="png", width=1600), output(tmp_path, "t", fmt="png", width=320)])[1]
    direct_dir = tmp_path / "direct"
    direct_dir.mkdir()
    (direct,) = render(master, [output(direct_dir, "t", fmt="png", width=320)])
    assert cascaded.size == direct.size
    difference = ImageStat.Stat(ImageChops.difference(cascaded, direct))
    assert max(difference.mean) < 2.0 and max(difference.rms) < 4.0


# --- hostile masters ------------------------------------------------------------------------


def assert_refused(job, *words: str) -> None:
    with pytest.raises(MasterError) as caught:
        render_image(job)
    message = str(caught.value)
    assert message.startswith(Path(job.master).name + ":")
    for word in words:
        assert word in message
    for out in job.outputs:
        assert not Path(out.path).exists()
    assert Image.MAX_IMAGE_PIXELS != job.limits.max_image_pixels or job.limits.max_image_pixels == 200_000_000


@pytest.mark.parametrize("size", [(200, 100), (300, 100)])  # over the limit (warning) and over 2x (error)
def test_more_pixels_than_the_limit_is_refused(tmp_path, size):
    master = save(photo(size), tmp_path / "big.jpg")
    job = master_job(master, [output(tmp_path, "p")], limits=limits(10_000))
    assert_refused(job, "too many pixels")


def test_png_declaring_50000_squared_is_refused_before_decoding(tmp_path):
    master = png_declaring(tmp_path / "bomb.png", 50_000, 50_000)
    assert_refused(master_job(master, [output(tmp_path, "p", fmt="png")], media_type="image/png"), "too many pixels")


def test_truncated_jpeg_is_refused(tmp_path):
    master = truncated_jpeg(tmp_path / "cut.jpg")
    assert_refused(master_job(master, [output(tmp_path, "p", width=300)]), "truncated", "JPEG")


def test_text_named_jpg_is_refused(tmp_path):
    master = tmp_path / "hero.jpg"
    master.write_text("this is not a picture\n")
    assert_refused(master_job(master, [output(tmp_path, "p")]), "not a valid JPEG image", "cannot identify image file")


def test_mislabelled_png_is_named_for_what_it_is(tmp_path):
    master = save(photo((50, 50)), tmp_path / "hero.jpg", format="PNG")
    assert_refused(master_job(master, [output(tmp_path, "p")]), "declared as image/jpeg", "PNG")


def test_failure_after_a_write_removes_what_was_written(tmp_path):
    master = save(photo((400, 300)), tmp_path / "m.jpg")
    job = master_job(master, [output(tmp_path, "first", width=400), output(tmp_path, "second", fmt="mp4", width=100)])
    with pytest.raises(MasterError):
        render_image(job)
    assert not any((tmp_path / "out").iterdir())


def test_pixel_limit_is_restored(tmp_path):
    before = Image.MAX_IMAGE_PIXELS
    master = save(photo((100, 100)), tmp_path / "m.jpg")
    render_image(master_job(master, [output(tmp_path, "p")], limits=limits(123_456)))
    assert Image.MAX_IMAGE_PIXELS == before

"""Perceptual hashes and near-duplicate clusters."""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

import click
from click.testing import CliRunner
from conftest import good_sidecar
from PIL import Image, ImageDraw

from builder.catalogue import load
from builder.cli_import import dupes as dupes_command
from builder.dupes import clusters, close_pairs, distance, image_phash, near_duplicate_problems, phash
from builder.models import Asset, Technical
from builder.probe import technical_for


def scene(seed: int, size=(640, 480)) -> Image.Image:
    """A picture with structure (a sky gradient and a few shapes), different for each seed."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(30, 160)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x - r, y - r, x + r, y + r), fill=colour)
    return image


def test_phash_is_the_standard_dct_hash():
    import pytest

    numpy = pytest.importorskip("numpy")
    fftpack = pytest.importorskip("scipy.fftpack")
    for seed in range(5):
        image = scene(seed)
        grey = numpy.asarray(image.convert("L").resize((32, 32), Image.Resampling.LANCZOS), dtype=float)
        low = fftpack.dct(fftpack.dct(grey, axis=0), axis=1)[:8, :8]
        bits = "".join("1" if v else "0" for v in (low > numpy.median(low)).flatten())
        assert phash(image) == f"{int(bits, 2):016x}"


def test_resized_and_reencoded_copy_is_near_a_different_picture_is_not(tmp_path):
    original = scene(1)
    original.save(tmp_path / "original.jpg", quality=92)
    original.resize((320, 240), Image.Resampling.BICUBIC).save(tmp_path / "small.jpg", quality=60)
    original.save(tmp_path / "copy.png")
    scene(2).save(tmp_path / "other.jpg", quality=92)
    hashes = {name: image_phash(tmp_path / name) for name in ("original.jpg", "small.jpg", "copy.png", "other.jpg")}
    assert all(len(h) == 16 for h in hashes.values())
    assert distance(hashes["original.jpg"], hashes["small.jpg"]) <= 4
    assert distance(hashes["original.jpg"], hashes["copy.png"]) <= 4
    assert distance(hashes["original.jpg"], hashes["other.jpg"]) > 12


def test_orientation_and_transparency(tmp_path):
    upright = scene(3, (480, 640))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned; a viewer rotates it 90 degrees clockwise
    upright.rotate(90, expand=True).save(tmp_path / "turned.jpg", exif=exif, quality=95)
    upright.save(tmp_path / "upright.jpg", quality=95)
    assert distance(image_phash(tmp_path / "turned.jpg"), image_phash(tmp_path / "upright.jpg")) <= 4
    logo = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((20, 20, 80, 80), fill=(200, 0, 0, 255))
    logo.save(tmp_path / "logo.png")
    assert image_phash(tmp_path / "logo.png") == phash(Image.alpha_composite(
        Image.new("RGBA", (100, 100), "white"), logo))
    (tmp_path / "broken.jpg").write_bytes((tmp_path / "upright.jpg").read_bytes()[:300])
    assert image_phash(tmp_path / "broken.jpg") is None


def test_probe_writes_phash_for_images_and_video_posters(tmp_path):
    scene(4).save(tmp_path / "still.jpg")
    assert technical_for(tmp_path / "still.jpg").phash == image_phash(tmp_path / "still.jpg")
    scene(5).save(tmp_path / "frame.png")
    for name, size in (("clip.mp4", "320:240"), ("small.mp4", "160:120")):  # the same film, re-encoded smaller
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-loop", "1", "-i", str(tmp_path / "frame.png"),
                        "-t", "2", "-r", "10", "-vf", f"scale={size}", "-c:v", "libx264", "-preset", "ultrafast",
                        "-pix_fmt", "yuv420p", str(tmp_path / name)], check=True)
    clip, small = technical_for(tmp_path / "clip.mp4"), technical_for(tmp_path / "small.mp4")
    assert clip.phash and small.phash
    assert distance(clip.phash, small.phash) <= 6
    assert distance(clip.phash, image_phash(tmp_path / "still.jpg")) > 12


def asset(asset_id: str, phash_hex: str | None, md5: str | None = None, supersedes: str | None = None) -> Asset:
    return Asset(id=asset_id, title=asset_id, master=f"c/{asset_id}.jpg", collection="c", supersedes=supersedes,
                 technical=Technical(md5=md5 or f"{abs(hash(asset_id)):032x}"[-32:], bytes=1,
                                     media_type="image/jpeg", phash=phash_hex))


def test_close_pairs_agree_with_brute_force():
    rng = random.Random(7)
    hashes = [rng.getrandbits(64) for _ in range(400)]
    for base in range(0, 60, 3):  # plant near pairs at known distances
        flipped = hashes[base]
        for bit in rng.sample(range(64), base % 9):
            flipped ^= 1 << bit
        hashes.append(flipped)
    for limit in (0, 3, 6, 10, 14):
        brute = sorted((i, j, (a ^ b).bit_count()) for i, a in enumerate(hashes) for j, b in enumerate(hashes)
                       if i < j and (a ^ b).bit_count() <= limit)
        assert close_pairs(hashes, limit) == brute, limit


def test_close_pairs_is_fast_at_ten_thousand():
    rng = random.Random(1)
    hashes = [rng.getrandbits(64) for _ in range(10_000)]
    started = time.perf_counter()
    close_pairs(hashes, 6)
    assert time.perf_counter() - started < 5.0


def test_near_duplicate_warnings_name_both_assets():
    sources = [
        ("catalogue/assets/c/a.yaml", asset("a", "ffff0000ffff0000")),
        ("catalogue/assets/c/b.yaml", asset("b", "ffff0000ffff0007")),  # 3 bits from a
        ("catalogue/assets/c/far.yaml", asset("far", "0000ffff0000ffff")),
        ("catalogue/assets/c/v2.yaml", asset("v2", "ffff0000ffff0001", supersedes="a")),  # meant to look alike
        ("catalogue/assets/c/none.yaml", asset("none", None)),
    ]
    found = near_duplicate_problems(sources, 6)
    by_path = {d.path: d for d in found}
    assert set(by_path) == {"catalogue/assets/c/a.yaml", "catalogue/assets/c/b.yaml", "catalogue/assets/c/v2.yaml"}
    assert all(d.code == "W506" and not d.is_error and d.loc == ("technical", "phash") for d in found)
    assert "'b' (catalogue/assets/c/b.yaml, 3 bits apart)" in by_path["catalogue/assets/c/a.yaml"].message
    assert "'v2'" not in by_path["catalogue/assets/c/a.yaml"].message
    assert "'a' (catalogue/assets/c/a.yaml, 3 bits apart)" in by_path["catalogue/assets/c/b.yaml"].message
    assert near_duplicate_problems(sources, 1) == []


def test_clusters_are_connected_components():
    sources = [(f"p/{i}.yaml", asset(i, h)) for i, h in (
        ("a", "0000000000000000"), ("b", "000000000000000f"), ("c", "00000000000000ff"),  # a-b 4, b-c 4, a-c 8
        ("d", "ffffffffffffffff"), ("e", "fffffffffffffffe"), ("lonely", "0f0f0f0f0f0f0f0f"))]
    found = clusters(sources, 4)
    assert [c.ids for c in found] == [("a", "b", "c"), ("d", "e")]
    assert found[0].pairs == (("a", "b", 4), ("b", "c", 4))


def test_exact_duplicate_fails_validation(catalogue):
    catalogue.asset("hero-beach")
    text = good_sidecar("hero-copy", md5="0" * 32).replace("0" * 32, __import__("hashlib").md5(b"hero-beach").hexdigest())
    catalogue.sidecar(text, "hero-copy")
    catalogue.pointer("summer-2026/hero-copy.jpg", __import__("hashlib").md5(b"hero-beach").hexdigest())
    codes = {(d.path, d.code) for d in load(catalogue.root).errors}
    assert ("catalogue/assets/summer-2026/hero-copy.yaml", "E502") in codes
    assert ("catalogue/assets/summer-2026/hero-beach.yaml", "E502") in codes


def test_dam_dupes_lists_clusters(catalogue):
    for asset_id, hex_hash in (("hero-beach", "ffff0000ffff0000"), ("hero-beach-2", "ffff0000ffff0003"),
                               ("other", "123456789abcdef0")):
        text = good_sidecar(asset_id).replace("  height: 4000\n", f"  height: 4000\n  phash: {hex_hash}\n")
        catalogue.sidecar(text, asset_id)

    @click.group()
    @click.pass_context
    def dam(ctx):
        ctx.obj = {"root": catalogue.root}

    dam.add_command(dupes_command)
    result = CliRunner().invoke(dam, ["dupes", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["distance"] == 6 and data["assets_hashed"] == 3
    assert [[a["id"] for a in c["assets"]] for c in data["clusters"]] == [["hero-beach", "hero-beach-2"]]
    text = CliRunner().invoke(dam, ["dupes", "--distance", "1"])
    assert "0 cluster(s)" in text.output
    text = CliRunner().invoke(dam, ["dupes"])
    assert "cluster 1: 2 assets" in text.output and "hero-beach-2" in text.output


def test_the_path_type_is_kept(tmp_path: Path):
    assert image_phash(tmp_path / "missing.jpg") is None

"""plan + derive with real Pillow and ffmpeg work: keys, cache hits, failures that stay local."""

from __future__ import annotations

import hashlib
import io

import pytest
from click.testing import CliRunner
from PIL import Image

from builder.cache import RenditionCache
from builder.catalogue import load
from builder.cli import cli
from builder.derive.pool import derive
from builder.plan import plan
from conftest import good_sidecar


def photo_bytes(seed: int, size=(900, 600)) -> bytes:
    image = Image.new("RGB", size)
    image.putdata([((x * seed) % 256, (y * 3) % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def add_photo(catalogue, asset_id: str, data: bytes, edit=lambda text: text):
    md5 = hashlib.md5(data).hexdigest()
    catalogue.write(f"media/summer-2026/{asset_id}.jpg", data)
    catalogue.pointer(f"summer-2026/{asset_id}.jpg", md5)
    text = good_sidecar(asset_id, md5=md5).replace("width: 6000", "width: 900").replace("height: 4000", "height: 600")
    catalogue.sidecar(edit(text), asset_id)


def run(catalogue, today, jobs=2):
    loaded = load(catalogue.root, today=today, jobs=1)
    assert not loaded.errors, loaded.errors
    planned = plan(loaded.catalogue, today)
    return planned, derive(loaded.catalogue, planned, jobs=jobs, quiet=True)


@pytest.fixture
def two_photos(catalogue):
    add_photo(catalogue, "hero-beach", photo_bytes(3))
    add_photo(catalogue, "surf-lesson", photo_bytes(5))
    return catalogue


def test_renders_every_rendition_once_then_hits_the_cache(two_photos, today):
    planned, first = run(two_photos, today)
    assert first.rendered == len(planned.renditions) == 12 and first.failed == {}
    cache = RenditionCache.at(two_photos.root)
    for rendition in planned.renditions:
        with Image.open(cache.path(rendition.filename)) as image:
            if rendition.spec.aspect:
                w, h = map(int, rendition.spec.aspect.split(":"))
                assert image.width * h == image.height * w
    _, second = run(two_photos, today)
    assert (second.rendered, second.cached) == (0, 12)


def test_moving_the_focus_point_rerenders_only_that_assets_crops(two_photos, today):
    before, _ = run(two_photos, today)
    add_photo(two_photos, "hero-beach", photo_bytes(3), lambda t: t.replace("{x: 0.62, y: 0.40}", "{x: 0.10, y: 0.90}"))
    after, report = run(two_photos, today)
    changed = {(r.asset_id, r.spec.name) for r in after.renditions} - {(r.asset_id, r.spec.name) for r in before.renditions}
    assert changed == set()
    moved = {(r.asset_id, r.spec.name) for r in after.renditions if r.key not in before.keys}
    assert moved == {("hero-beach", "square"), ("hero-beach", "wide"), ("hero-beach", "story")}
    assert report.rendered == 3


def test_a_corrupt_master_fails_only_its_asset(two_photos, today):
    broken = b"\xff\xd8\xff\xe0" + b"\x00" * 200  # a JPEG header and nothing else
    add_photo(two_photos, "broken-shot", broken)
    planned, report = run(two_photos, today)
    assert set(report.failed) == {"broken-shot"}
    assert "broken-shot.jpg" in report.failed["broken-shot"]
    assert report.rendered == 12
    stored = RenditionCache.at(two_photos.root).present()
    assert not any(r.filename in stored for r in planned.for_asset("broken-shot"))
    assert not list((two_photos.root / "cache/renditions/tmp").iterdir()), "temporaries are cleaned up"


def test_cli_exits_one_with_a_summary_when_an_asset_fails(two_photos):
    add_photo(two_photos, "broken-shot", b"not an image at all")
    result = CliRunner().invoke(cli, ["--root", str(two_photos.root), "derive", "--today", "2026-12-04", "--jobs", "1"])
    assert result.exit_code == 1
    assert "FAILED broken-shot:" in result.output
    assert "12 rendered, 0 cached, 1 asset(s) failed" in result.output


def test_metadata_only_change_builds_without_masters(two_photos, today):
    run(two_photos, today)
    for master in (two_photos.root / "media/summer-2026").glob("*.jpg"):
        master.unlink()  # as on a CI runner that did not `dvc pull` the masters
    add_photo_text = (two_photos.root / "catalogue/assets/summer-2026/hero-beach.yaml").read_text()
    two_photos.sidecar(add_photo_text.replace("Beach hero, golden hour", "Beach hero at dusk"), "hero-beach")
    _, report = run(two_photos, today)
    assert (report.rendered, report.cached, report.failed) == (0, 12, {})


def test_missing_master_without_cache_says_how_to_fetch_it(two_photos, today):
    (two_photos.root / "media/summer-2026/hero-beach.jpg").unlink()
    _, report = run(two_photos, today)
    assert "dvc pull" in report.failed["hero-beach"]


def test_unpublishable_assets_are_not_planned(two_photos, today):
    add_photo(two_photos, "old-shot", photo_bytes(7), lambda t: t.replace("expires: 2027-05-01", "expires: 2026-01-01"))
    add_photo(two_photos, "rough-draft", photo_bytes(9), lambda t: t.replace("status: approved", "status: draft"))
    planned, _ = run(two_photos, today)
    assert {r.asset_id for r in planned.renditions} == {"hero-beach", "surf-lesson"}

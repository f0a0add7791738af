"""The demo catalogue is valid, consistent with its taxonomy, covers every case the portal must
show, and every master it names can be generated offline (builder/demo.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from ruamel.yaml import YAML

from builder import demo
from builder.dvcpointer import read_pointer
from builder.models import Asset, Status, Taxonomy, Visibility
from builder.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "catalogue"
SIDECARS = sorted((CATALOGUE / "assets").glob("*/*.yaml"))
MODELINE = "# yaml-language-server: $schema=../../schema/asset.schema.json"
# The demo's story is told as of this build date (rights expiring soon, expired, embargoed).
BUILD_DATE = dt.date(2026, 12, 4)


def _load(path: Path):
    return YAML(typ="safe", pure=False).load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.model_validate(_load(CATALOGUE / "taxonomy.yaml"))


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.model_validate(_load(CATALOGUE / "portal.yaml"))


@pytest.fixture(scope="module")
def assets() -> dict[str, Asset]:
    return {path.stem: Asset.model_validate(_load(path)) for path in SIDECARS}


def test_portal_settings_validate(settings: Settings) -> None:
    assert settings.base_url == "/"
    assert settings.expiry_warning_days == 30
    assert {"public", "internal"} <= set(settings.profiles)
    assert settings.brand.name and settings.brand.primary_colour and settings.brand.accent_colour


def test_taxonomy_validates(taxonomy: Taxonomy) -> None:
    handles = {h for owner in taxonomy.owners.values() for h in owner.handles}
    assert {"alice", "bob", "chen", "dara"} <= handles
    assert any(h.startswith("@northwind/") for h in handles)
    assert len(taxonomy.collections) >= 4 and len(taxonomy.campaigns) >= 3
    assert all(c.starts and c.ends and c.starts <= c.ends for c in taxonomy.campaigns.values())
    assert len(taxonomy.tags) >= 25 and len(set(taxonomy.tags)) == len(taxonomy.tags)
    assert {"web", "social", "print", "email", "ooh", "broadcast", "in-store"} <= set(taxonomy.channels)
    assert all(licence.url and licence.url.startswith("https://") for licence in taxonomy.licences.values())
    for collection in taxonomy.collections.values():
        assert set(collection.owners) <= set(taxonomy.owners)


@pytest.mark.parametrize("path", SIDECARS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sidecar_loads_as_asset(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    asset = Asset.model_validate(_load(path))
    assert asset.id == path.stem
    assert asset.collection == path.parent.name
    # Written by `dam demo`/`dam refresh` from the generated master, and committed with its pointer.
    pointer = read_pointer(ROOT / "media" / f"{asset.master}.dvc")
    assert asset.technical is not None and asset.technical.md5 == pointer.md5
    assert not Path(asset.master).is_absolute() and ".." not in Path(asset.master).parts


def test_vocabulary_values_exist(assets: dict[str, Asset], taxonomy: Taxonomy) -> None:
    problems = []
    for asset in assets.values():
        checks = [
            ("collection", [asset.collection], taxonomy.collections),
            ("campaign", [asset.campaign] if asset.campaign else [], taxonomy.campaigns),
            ("tags", asset.tags, taxonomy.tags),
            ("channels", asset.channels, taxonomy.channels),
            ("owner", [asset.owner] if asset.owner else [], taxonomy.owners),
            ("rights.licence", [asset.rights.licence] if asset.rights.licence else [], taxonomy.licences),
            ("rights.usage", asset.rights.usage, taxonomy.channels),
        ]
        for field, values, vocabulary in checks:
            problems += [f"{asset.id}: {field} '{v}' is not in taxonomy.yaml" for v in values if v not in vocabulary]
    assert not problems, "\n".join(problems)


def test_approved_assets_meet_the_governance_rules(assets: dict[str, Asset], taxonomy: Taxonomy) -> None:
    problems = []
    for asset in assets.values():
        owners = taxonomy.collections[asset.collection].owners
        if asset.owner and asset.owner not in owners:
            problems.append(f"{asset.id}: owner {asset.owner} does not own {asset.collection}")
        if not set(asset.channels) <= set(asset.rights.usage) and asset.status is not Status.DRAFT:
            problems.append(f"{asset.id}: channels {asset.channels} exceed rights.usage {asset.rights.usage}")
        if asset.status is not Status.APPROVED:
            continue
        for field in ("owner", "approved_by", "approved_on", "description", "creator", "source"):
            if not getattr(asset, field):
                problems.append(f"{asset.id}: approved but no {field}")
        if not asset.rights.licence or not asset.rights.usage:
            problems.append(f"{asset.id}: approved but rights.licence/usage missing")
        if asset.approved_by and asset.approved_by.lstrip("@").lower() not in taxonomy.handles_of(owners):
            problems.append(f"{asset.id}: {asset.approved_by} is not an owner of {asset.collection}")
        if asset.created and asset.approved_on and asset.approved_on < asset.created:
            problems.append(f"{asset.id}: approved before it was created")
        if asset.approved_on and asset.approved_on > BUILD_DATE:
            problems.append(f"{asset.id}: approved in the future")
        if asset.kind == "image" and not asset.alt:
            problems.append(f"{asset.id}: approved image without alt text")
    assert not problems, "\n".join(problems)


def test_descriptions_read_like_a_real_catalogue(assets: dict[str, Asset]) -> None:
    for asset in assets.values():
        if asset.status is Status.DRAFT:
            continue
        words = len(asset.description.split())
        assert 20 <= words <= 60, f"{asset.id}: description has {words} words"
        if asset.kind == "image":
            assert asset.alt


def test_cross_references(assets: dict[str, Asset]) -> None:
    superseding = [a for a in assets.values() if a.supersedes]
    assert superseding
    for asset in superseding:
        assert asset.supersedes in assets and asset.supersedes != asset.id
    masters = [a.master for a in assets.values()]
    assert len(set(masters)) == len(masters), "two sidecars share a master"


def test_demo_covers_every_case(assets: dict[str, Asset]) -> None:
    values = list(assets.values())
    assert len(values) >= 24
    assert len({a.collection for a in values}) >= 4
    assert len({a.campaign for a in values if a.campaign}) >= 3
    assert {a.status for a in values} == set(Status)
    assert {a.visibility for a in values} == set(Visibility)
    kinds = [a.kind for a in values]
    assert kinds.count("image") >= 14 and kinds.count("video") >= 3
    assert kinds.count("audio") >= 2 and kinds.count("document") >= 2

    approved = [a for a in values if a.status is Status.APPROVED and a.visibility is Visibility.PUBLIC]
    expired = [a for a in approved if a.rights.expires and a.rights.expires < BUILD_DATE]
    embargoed = [a for a in approved if a.rights.embargo_until and a.rights.embargo_until > BUILD_DATE]
    soon = [a for a in approved if a.rights.expires and BUILD_DATE <= a.rights.expires <= BUILD_DATE + dt.timedelta(days=30)]
    withdrawn = [a for a in approved if a.rights.withdrawn_on]
    assert expired and embargoed and soon and withdrawn
    for asset in expired + embargoed + withdrawn:
        assert not asset.is_published(BUILD_DATE), asset.id
    for asset in soon:
        assert asset.is_published(BUILD_DATE), asset.id
    assert sum(a.is_published(BUILD_DATE) for a in values) >= 15

    images = [a for a in values if a.kind == "image"]
    assert sum(a.focus is not None for a in images) >= 4
    assert any("9:16" in a.crops for a in images)
    assert all(a.poster_at is not None for a in values if a.kind == "video")


# ---- the masters ---------------------------------------------------------------------------

needs_ffmpeg = pytest.mark.skipif(not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="ffmpeg not installed")


def _probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return int(side["rotation"])
    return int(stream.get("tags", {}).get("rotate", 0))


def test_the_table_names_exactly_the_demo_masters(assets: dict[str, Asset]) -> None:
    assert set(demo.MASTERS) == {a.master for a in assets.values()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    written = demo.generate_masters(root)
    assert sorted(written) == sorted(root / "media" / name for name in demo.MASTERS)
    return root


@pytest.mark.slow
@needs_ffmpeg
def test_every_master_is_generated(generated: Path, assets: dict[str, Asset]) -> None:
    total = 0
    for asset in assets.values():
        path = generated / "media" / asset.master
        assert path.is_file() and path.stat().st_size > 1000, asset.master
        total += path.stat().st_size
        if asset.kind == "image":
            with Image.open(path) as img:
                assert img.format in ("JPEG", "PNG")
                assert max(img.size) >= 1200
                img.load()
        elif asset.kind == "video":
            info = _probe(path)
            codecs = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
            assert codecs == {"video": "h264", "audio": "aac"}, asset.master
            assert 4 <= float(info["format"]["duration"]) <= 8.5
        elif asset.kind == "audio":
            info = _probe(path)
            assert [s["codec_type"] for s in info["streams"]] == ["audio"]
            assert 10 <= float(info["format"]["duration"]) <= 20.5
        elif asset.kind == "document":
            data = path.read_bytes()
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert total < 40_000_000
    # no stray temporary files from the atomic writes
    assert not [p for p in (generated / "media").rglob("*") if p.name.startswith(".demo-")]


@pytest.mark.slow
@needs_ffmpeg
def test_masters_exercise_the_hard_cases(generated: Path) -> None:
    media = generated / "media"
    images = {p.relative_to(media).as_posix(): Image.open(p) for p in media.rglob("*") if p.suffix in (".jpg", ".png")}
    try:
        modes = {img.mode for img in images.values()}
        assert {"RGB", "RGBA", "CMYK", "L"} <= modes
        logo = next(img for img in images.values() if img.mode == "RGBA")
        assert logo.getchannel("A").getextrema()[0] == 0, "the logo needs transparent pixels"
        exifs = {name: img.getexif() for name, img in images.items() if img.format == "JPEG"}
        assert any(exif.get(0x0112) == 6 for exif in exifs.values()), "one JPEG stored sideways"
        assert any(exif.get_ifd(0x8825) for exif in exifs.values()), "one JPEG with GPS tags"
        assert any(exif.get(0x010F) and exif.get_ifd(0x8769).get(0x9003) for exif in exifs.values())
        orientations = {img.width > img.height for img in images.values()} | {img.width == img.height for img in images.values()}
        assert orientations == {True, False}
    finally:
        for img in images.values():
            img.close()
    videos = {p.name: _probe(p) for p in media.rglob("*.mp4")}
    shapes = []
    for info in videos.values():
        video = next(s for s in info["streams"] if s["codec_type"] == "video")
        w, h = video["width"], video["height"]
        if _rotation(video) % 180:
            w, h = h, w
        shapes.append((w, h))
    assert any(w < h for w, h in shapes), "one portrait video"
    assert any(_rotation(next(s for s in i["streams"] if s["codec_type"] == "video")) for i in videos.values())


@pytest.mark.slow
@needs_ffmpeg
def test_generation_is_incremental_and_deterministic(generated: Path, tmp_path: Path) -> None:
    assert demo.generate_masters(generated) == [], "existing masters are left alone"
    # regenerate a sample of every maker elsewhere and compare bytes
    sample = [
        "outdoor-photography/summit-sunrise-2026.jpg",
        "brand-identity/northwind-logo-primary.png",
        "product/winter-window-poster-cmyk.jpg",
        "brand-identity/northwind-brand-guidelines-2026.pdf",
        "stories/river-phone-clip.mp4",
        "stories/out-there-podcast-intro.m4a",
    ]
    for name in sample:
        again = demo._make(tmp_path, name)
        first = hashlib.md5((generated / "media" / name).read_bytes()).hexdigest()
        assert hashlib.md5(again.read_bytes()).hexdigest() == first, name

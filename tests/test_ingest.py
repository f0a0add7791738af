"""`dam add` and `dam refresh` end to end: real DVC, real Git, tiny generated media."""

from __future__ import annotations

import difflib
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image
from ruamel.yaml import YAML

from builder import dvc
from builder.cli_media import add as add_command, refresh as refresh_command
from builder.ingest import (
    TECHNICAL_COMMENT,
    IngestError,
    add_masters,
    pointer_md5,
    refresh,
    replace_technical,
    silent_progress,
)
from builder.models import Asset, Status, Technical

COLLECTION = "summer-2026"


@pytest.fixture
def repo(dvc_repo) -> Path:
    return dvc_repo


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def mixed_folder(path: Path) -> Path:
    (path / "audio").mkdir(parents=True)
    Image.effect_noise((48, 32), 30).convert("RGB").save(path / "Hero Beach (Final).JPG")
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x36:rate=25:duration=1", "-f", "lavfi", "-i",
           "sine=duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-shortest", str(path / "teaser.mp4"))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=500:sample_rate=22050:duration=1", str(path / "audio" / "jingle.wav"))
    Image.new("RGB", (100, 140), "white").save(path / "flyer.pdf", resolution=72)
    (path / ".DS_Store").write_bytes(b"junk")  # hidden files are skipped
    return path


def load_asset(sidecar: Path) -> Asset:
    return Asset.model_validate(YAML(typ="safe").load(sidecar.read_text()))


def test_add_folder_of_mixed_media(repo, tmp_path):
    source = mixed_folder(tmp_path / "incoming")
    added = add_masters(repo, [source], COLLECTION, progress=silent_progress)

    by_master = {asset.master: asset for asset in added}
    assert set(by_master) == {f"{COLLECTION}/{name}" for name in
                              ("hero-beach-final.jpg", "teaser.mp4", "jingle.wav", "flyer.pdf")}
    media = repo / "media" / COLLECTION
    ignored = (media / ".gitignore").read_text().splitlines()
    kinds = {}
    for asset in added:
        master = repo / "media" / asset.master
        assert master.is_file()
        assert pointer_md5(Path(f"{master}.dvc")) == asset.technical.md5
        assert f"/{master.name}" in ignored
        text = asset.sidecar.read_text()
        assert asset.sidecar == repo / "catalogue" / "assets" / COLLECTION / f"{asset.id}.yaml"
        assert "# TODO: describe the asset for search" in text
        assert text.count("# required before approval") == 3
        assert f"# {TECHNICAL_COMMENT}\ntechnical:" in text
        loaded = load_asset(asset.sidecar)
        assert loaded.status is Status.DRAFT and loaded.id == asset.id
        assert loaded.master == asset.master and loaded.collection == COLLECTION
        assert loaded.technical == asset.technical
        kinds[loaded.kind] = loaded
    assert set(kinds) == {"image", "video", "audio", "document"}
    assert kinds["image"].id == "hero-beach-final" and kinds["image"].title == "Hero beach final"
    assert kinds["video"].technical.video_codec == "h264"
    assert kinds["document"].technical.pages == 1
    assert (source / "teaser.mp4").exists()  # copied, not moved


def test_adding_again_is_refused_and_changes_nothing(repo, tmp_path):
    source = mixed_folder(tmp_path / "incoming")
    add_masters(repo, [source / "teaser.mp4"], COLLECTION, progress=silent_progress)
    before = sorted(p.relative_to(repo) for p in repo.rglob("*") if ".dvc/" not in p.as_posix())

    renamed = tmp_path / "teaser-copy.mp4"
    shutil.copy(source / "teaser.mp4", renamed)
    with pytest.raises(IngestError) as caught:
        add_masters(repo, [renamed], "other", progress=silent_progress)
    assert "already in the catalogue as asset 'teaser'" in caught.value.message
    assert "catalogue/assets/summer-2026/teaser.yaml" in caught.value.message
    after = sorted(p.relative_to(repo) for p in repo.rglob("*") if ".dvc/" not in p.as_posix())
    assert after == before


def test_duplicate_of_a_pointer_without_sidecar_is_refused(repo, tmp_path):
    master = repo / "media" / "old" / "logo.png"
    master.parent.mkdir(parents=True)
    Image.new("RGB", (5, 5), "green").save(master)
    dvc.add(repo, [master])
    shutil.copy(master, tmp_path / "new-logo.png")
    with pytest.raises(IngestError, match="master media/old/logo.png"):
        add_masters(repo, [tmp_path / "new-logo.png"], COLLECTION, progress=silent_progress)


def test_existing_destination_is_never_overwritten(repo, tmp_path):
    existing = repo / "media" / COLLECTION / "poster.png"
    existing.parent.mkdir(parents=True)
    Image.new("RGB", (5, 5), "red").save(existing)
    original = existing.read_bytes()
    Image.new("RGB", (5, 5), "blue").save(tmp_path / "Poster.png")
    with pytest.raises(IngestError, match=r"media/summer-2026/poster.png already exists"):
        add_masters(repo, [tmp_path / "Poster.png"], COLLECTION, progress=silent_progress)
    assert existing.read_bytes() == original
    assert not (repo / "catalogue" / "assets" / COLLECTION).exists()


def test_move_removes_the_source_and_ids_never_clash(repo, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    Image.new("RGB", (6, 6), "red").save(tmp_path / "a" / "hero.png")
    Image.new("RGB", (6, 6), "blue").save(tmp_path / "b" / "hero.png")
    first = add_masters(repo, [tmp_path / "a" / "hero.png"], "one", move=True, progress=silent_progress)
    assert not (tmp_path / "a" / "hero.png").exists()
    assert (repo / "media" / "one" / "hero.png").is_file()
    second = add_masters(repo, [tmp_path / "b" / "hero.png"], "two", progress=silent_progress)
    assert (tmp_path / "b" / "hero.png").exists()
    assert [a.id for a in first] == ["hero"]
    assert [a.id for a in second] == ["two-hero"]  # the collection prefix avoids the clash


def test_user_errors_are_clear(repo, tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        add_masters(repo, [tmp_path / "missing.jpg"], COLLECTION, progress=silent_progress)
    (tmp_path / "note.jpg").write_text("not an image at all\n" * 10)
    with pytest.raises(IngestError, match="mislabelled"):
        add_masters(repo, [tmp_path / "note.jpg"], COLLECTION, progress=silent_progress)
    with pytest.raises(IngestError, match="not a slug"):
        add_masters(repo, [tmp_path / "note.jpg"], "../escape", progress=silent_progress)
    Image.new("RGB", (3, 3)).save(tmp_path / "x.png")
    shutil.copy(tmp_path / "x.png", tmp_path / "y.png")
    with pytest.raises(IngestError, match="identical"):
        add_masters(repo, [tmp_path / "x.png", tmp_path / "y.png"], COLLECTION, progress=silent_progress)
    assert not (repo / "media" / COLLECTION).exists()


EDITED = """\
# Draft written by hand-ish, then edited in a pull request
id: {id}
title: 'Beach hero: golden hour'   # quoted on purpose
description: >-
  Family walking on the beach
  at sunset.
alt:    Three people on a beach
master: {master}
collection: summer-2026
tags: [beach,   family]
status: draft

# written by `dam add` / `dam refresh` from the master; never edit by hand
technical:
    md5: {md5}
    bytes: 1
    media_type: image/png

# editors' notes at the end stay too
visibility: internal   # trailing comment
"""


def test_refresh_rewrites_only_the_technical_block(repo, tmp_path):
    Image.new("RGB", (30, 20), "red").save(tmp_path / "hero.png")
    [asset] = add_masters(repo, [tmp_path / "hero.png"], COLLECTION, progress=silent_progress)
    edited = EDITED.format(id=asset.id, master=asset.master, md5=asset.technical.md5)
    asset.sidecar.write_text(edited)
    assert refresh(repo, progress=silent_progress) == []  # nothing changed: nothing to do
    assert asset.sidecar.read_text() == edited

    master = repo / "media" / asset.master
    Image.new("RGBA", (40, 10), (0, 0, 255, 100)).save(master)
    dvc.add(repo, [master])
    assert refresh(repo, progress=silent_progress) == [asset.id]
    after = asset.sidecar.read_text()

    changed = [line for line in difflib.ndiff(edited.splitlines(), after.splitlines())
               if line[:1] in "+-"]
    old_block = edited.split("technical:\n")[1].split("\n\n")[0].splitlines()
    new_block = after.split("technical:\n")[1].split("\n\n")[0].splitlines()
    assert all(line[2:] in old_block + new_block for line in changed)
    assert edited.split("technical:\n")[0] == after.split("technical:\n")[0]  # every byte above
    assert edited.split("\n\n")[-1] == after.split("\n\n")[-1]  # and below
    assert all(line.startswith("    ") for line in new_block)  # the block keeps its indentation
    loaded = load_asset(asset.sidecar)
    assert loaded.technical.md5 == pointer_md5(Path(f"{master}.dvc"))
    assert (loaded.technical.width, loaded.technical.height, loaded.technical.has_alpha) == (40, 10, True)
    assert refresh(repo, progress=silent_progress) == []


def test_refresh_adds_a_missing_technical_block(repo, tmp_path):
    Image.new("RGB", (8, 8), "red").save(tmp_path / "logo.png")
    [asset] = add_masters(repo, [tmp_path / "logo.png"], COLLECTION, progress=silent_progress)
    text = asset.sidecar.read_text()
    without = text[: text.index(f"# {TECHNICAL_COMMENT}")]
    asset.sidecar.write_text(without)
    assert refresh(repo, progress=silent_progress) == [asset.id]
    restored = asset.sidecar.read_text()
    assert restored.startswith(without)
    assert load_asset(asset.sidecar).technical == asset.technical


def test_refresh_reports_a_master_that_does_not_match_its_pointer(repo, tmp_path):
    Image.new("RGB", (8, 8), "red").save(tmp_path / "logo.png")
    [asset] = add_masters(repo, [tmp_path / "logo.png"], COLLECTION, progress=silent_progress)
    text = asset.sidecar.read_text()
    asset.sidecar.write_text(text.replace(asset.technical.md5, "0" * 32))
    Image.new("RGB", (9, 9), "red").save(repo / "media" / asset.master)  # replaced, not dvc-added
    (asset.sidecar.parent / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(IngestError) as caught:
        refresh(repo, progress=silent_progress)
    assert "does not match its .dvc pointer; run `dvc add" in caught.value.message
    assert "catalogue/assets/summer-2026/broken.yaml:" in caught.value.message  # every problem, one run


def test_replace_technical_handles_flow_style_and_crlf():
    tech = Technical(md5="a" * 32, bytes=3, media_type="image/png", width=1, height=2)
    text = "id: x\r\ntitle: X\r\ntechnical: {md5: bbb, bytes: 1}\r\nmaster: c/x.png\r\n"
    out = replace_technical(text, tech)
    assert out.startswith("id: x\r\ntitle: X\r\ntechnical:\r\n  md5: " + "a" * 32 + "\r\n")
    assert out.endswith("  height: 2\r\nmaster: c/x.png\r\n")


def cli_group() -> click.Group:
    @click.group()
    @click.option("--root", type=click.Path(path_type=Path), default=".")
    @click.pass_context
    def dam(ctx, root):
        ctx.obj = {"root": root}

    dam.add_command(add_command)
    dam.add_command(refresh_command)
    return dam


def test_cli_add_and_refresh(repo, tmp_path):
    Image.new("RGB", (8, 8), "red").save(tmp_path / "Logo.PNG")
    runner = CliRunner()
    result = runner.invoke(cli_group(), ["--root", str(repo), "add", str(tmp_path / "Logo.PNG"),
                                         "--collection", COLLECTION])
    assert result.exit_code == 0, result.output
    assert "added logo: media/summer-2026/logo.png" in result.output
    assert (repo / "catalogue" / "assets" / COLLECTION / "logo.yaml").is_file()

    again = runner.invoke(cli_group(), ["--root", str(repo), "add", str(tmp_path / "Logo.PNG"), "-c", "other"])
    assert again.exit_code == 1
    assert "Error: nothing was added" in again.output and "asset 'logo'" in again.output
    assert "Traceback" not in again.output and again.exception is None or isinstance(again.exception, SystemExit)

    fresh = runner.invoke(cli_group(), ["--root", str(repo), "refresh"])
    assert fresh.exit_code == 0 and "up to date" in fresh.output

"""The benchmark catalogue generator writes catalogues the models accept, deterministically,
and breaks exactly the files it says it broke."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from builder.models import Asset, Status, Taxonomy
from builder.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("generate_catalogue", ROOT / "benchmarks" / "generate_catalogue.py")
gen = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("generate_catalogue", gen)
_spec.loader.exec_module(gen)

COUNT = 200
BUILD_DATE = dt.date(2026, 12, 4)


def load(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != gen.MARKER
    }


def problems_of(root: Path, path: Path, taxonomy: Taxonomy) -> list[str]:
    """Everything wrong with one sidecar, judged independently of the generator's own checks."""
    try:
        asset = Asset.model_validate(load(path))
    except Exception as exc:  # noqa: BLE001 - YAML errors, ValueError from bad dates, ValidationError
        return [f"does not load: {type(exc).__name__}"]
    found = []
    if path.stem != asset.id or path.parent.name != asset.collection:
        found.append("file name or folder differs from id or collection")
    collection = taxonomy.collections.get(asset.collection)
    if collection is None:
        found.append("collection")
    found += [f"tag {t}" for t in asset.tags if t not in taxonomy.tags]
    found += [f"channel {c}" for c in (*asset.channels, *asset.rights.usage) if c not in taxonomy.channels]
    if asset.rights.usage and not set(asset.channels) <= set(asset.rights.usage):
        found.append("channels outside usage")
    if asset.campaign is not None and asset.campaign not in taxonomy.campaigns:
        found.append("campaign")
    if asset.rights.licence is not None and asset.rights.licence not in taxonomy.licences:
        found.append("licence")
    if asset.owner is not None and (asset.owner not in taxonomy.owners or collection and asset.owner not in collection.owners):
        found.append("owner")
    if asset.approved_by is not None and collection is not None:
        if asset.approved_by.lstrip("@").lower() not in taxonomy.handles_of(collection.owners):
            found.append("approver")
    rights = asset.rights
    if rights.embargo_until and rights.expires and rights.embargo_until >= rights.expires:
        found.append("embargo ends after expiry")
    if rights.withdrawn_on and asset.approved_on and rights.withdrawn_on < asset.approved_on:
        found.append("withdrawn before approval")
    if rights.expires and asset.approved_on and rights.expires < asset.approved_on:
        found.append("approved after expiry")
    pointer = root / "media" / f"{asset.master}.dvc"
    outs = load(pointer)["outs"] if pointer.exists() else None
    if not outs or outs[0]["md5"] != asset.technical.md5 or outs[0]["size"] != asset.technical.bytes:
        found.append("pointer")
    elif outs[0]["path"] != asset.master.rsplit("/", 1)[1] or outs[0]["hash"] != "md5":
        found.append("pointer path")
    return found


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "repo"
    gen.generate(root, COUNT, seed=7)
    return root


def test_every_file_validates_against_the_models_and_the_taxonomy(catalogue: Path):
    Settings.model_validate(load(catalogue / "catalogue/portal.yaml"))
    taxonomy = Taxonomy.model_validate(load(catalogue / "catalogue/taxonomy.yaml"))
    assert 15 <= len(taxonomy.collections) and 30 <= len(taxonomy.campaigns) and 250 <= len(taxonomy.tags)
    sidecars = sorted((catalogue / "catalogue/assets").glob("*/*.yaml"))
    assert len(sidecars) == COUNT
    assets = []
    for path in sidecars:
        assert problems_of(catalogue, path, taxonomy) == [], path
        assets.append(Asset.model_validate(load(path)))

    assert len({a.id for a in assets}) == COUNT
    assert {a.supersedes for a in assets} - {None} <= {a.id for a in assets}
    md5s = [a.technical.md5 for a in assets]
    assert len(set(md5s)) == COUNT
    pointers = sorted((catalogue / "media").glob("*/*.dvc"))
    assert len(pointers) == COUNT  # one per master, none orphaned
    assert {load(p)["outs"][0]["md5"] for p in pointers} == set(md5s)

    kinds = Counter(a.kind for a in assets)
    assert 0.7 < kinds["image"] / COUNT < 0.9
    assert kinds["video"] and kinds["audio"] and kinds["document"]
    statuses = Counter(a.status for a in assets)
    assert 0.6 < statuses[Status.APPROVED] / COUNT < 0.8
    for a in assets:
        assert 2 <= len(a.tags) <= 6 and len(set(a.tags)) == len(a.tags)
        assert a.language in ("en-GB", "de-DE", "fr-FR", "zxx")
        if a.description is not None:
            assert 15 <= len(a.description.split()) <= 40, a.description
        if a.status is Status.APPROVED:
            assert a.approved_by and a.approved_on and a.owner and a.rights.licence
            assert a.kind != "image" or a.alt
        if a.kind == "image":
            assert a.focus is not None and a.technical.width and a.technical.height
        if a.kind == "video":
            assert a.poster_seconds is not None and a.poster_seconds < a.technical.duration
        if a.kind == "audio":
            assert a.technical.duration
        if a.kind == "document":
            assert a.technical.pages
        if a.rights.expires is not None:  # nothing expires close to the build date
            assert abs((a.rights.expires - BUILD_DATE).days) > 40, a.id
    expired = [a for a in assets if a.rights.expires and a.rights.expires < BUILD_DATE]
    assert expired and len(expired) < COUNT / 10


def test_titles_needing_quotes_round_trip(tmp_path: Path):
    root = tmp_path / "repo"
    gen.generate(root, 600, seed=3)
    titles = [load(p)["title"] for p in (root / "catalogue/assets").glob("*/*.yaml")]
    assert any(": " in t for t in titles) and any("#" in t for t in titles) and any('"' in t for t in titles)
    assert all(isinstance(t, str) and t == t.strip() for t in titles)


def test_hex_digests_are_strings_in_yaml_1_1_and_1_2():
    from ruamel.yaml import YAML

    for digest in ("8e99999999999999", "1234567890123456", "0e12", "0b101", "abcdef0123456789", "12e4f"):
        text = f"h: {gen.h(digest)}\n"
        assert yaml.load(text, Loader=yaml.CSafeLoader)["h"] == digest
        assert YAML(typ="safe", pure=True).load(text)["h"] == digest


def test_same_seed_gives_identical_files_and_another_seed_does_not(catalogue: Path, tmp_path: Path):
    again = tmp_path / "again"
    gen.generate(again, COUNT, seed=7)
    assert tree(again) == tree(catalogue)
    other = tmp_path / "other"
    gen.generate(other, COUNT, seed=8)
    assert tree(other) != tree(catalogue)


def test_bad_files_are_exactly_the_reported_ones(catalogue: Path, tmp_path: Path, capsys):
    root = tmp_path / "bad"
    gen.generate(root, COUNT, seed=7, bad=6)
    reported = [line.split("\t") for line in capsys.readouterr().out.splitlines() if line.startswith("BAD\t")]
    assert len(reported) == 6
    broken = {rel for _, rel, _, _ in reported}
    assert len(broken) == 6  # six different files
    assert {kind for _, _, kind, _ in reported} == {
        "unknown-key", "unknown-tag", "bad-date", "yaml-syntax", "duplicate-id", "stale-md5",
    }

    taxonomy = Taxonomy.model_validate(load(root / "catalogue/taxonomy.yaml"))
    ids = Counter()
    for path in (root / "catalogue/assets").glob("*/*.yaml"):
        try:
            ids[load(path)["id"]] += 1
        except Exception:  # noqa: BLE001
            pass
    assert sum(1 for n in ids.values() if n > 1) == 1  # exactly one duplicated id
    for path in sorted((root / "catalogue/assets").glob("*/*.yaml")):
        rel = path.relative_to(root).as_posix()
        found = problems_of(root, path, taxonomy)
        if not found and (target := load(path).get("supersedes")) is not None and target not in ids:
            found.append(f"supersedes {target}, which no longer exists")  # knock-on damage
        assert bool(found) == (rel in broken), (rel, found)

    # everything else is byte-for-byte the clean catalogue
    clean, dirty = tree(catalogue), tree(root)
    assert clean.keys() == dirty.keys()
    assert {rel for rel in clean if clean[rel] != dirty[rel]} == broken


def test_more_kinds_of_bad_files_all_break(tmp_path: Path, capsys):
    root = tmp_path / "bad"
    gen.generate(root, COUNT, seed=11, bad=20)
    reported = [line.split("\t") for line in capsys.readouterr().out.splitlines() if line.startswith("BAD\t")]
    assert len({rel for _, rel, _, _ in reported}) == 20
    assert {kind for _, _, kind, _ in reported} == set(gen.BAD_KINDS)
    taxonomy = Taxonomy.model_validate(load(root / "catalogue/taxonomy.yaml"))
    for _, rel, kind, detail in reported:
        assert problems_of(root, root / rel, taxonomy), (rel, kind, detail)


def test_big_collections_are_split_so_no_folder_holds_more_than_1000_files():
    plan = gen._plan_collections(40_000)
    assert sum(n for *_, n in plan) == 40_000
    assert max(n for *_, n in plan) <= 1000
    assert len({slug for slug, *_ in plan}) == len(plan)
    assert any(slug.endswith("-part-2") for slug, *_ in plan)


def test_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path: Path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        gen.generate(tmp_path, 10)
    assert (tmp_path / "precious.txt").read_text() == "keep me"

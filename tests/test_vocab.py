"""`dam vocab rename` / `merge`: the diff shows only the term; refusals write nothing."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from builder.catalogue import load
from builder.cli_edit import COMMANDS
from builder.editing import EditError
from builder.vocab import merge, rename, retarget_sidecar
from conftest import good_sidecar

SIDE = "catalogue/assets/summer-2026/hero-beach.yaml"

# A sidecar as people write them: comments everywhere, mixed quoting, block and flow lists.
COMMENTED = """\
# yaml-language-server: $schema=../../schema/asset.schema.json
# Hero image for the summer sale.
id: hero-beach      # unique slug
title: 'Beach hero, golden hour'
description: >-
  Family walking on the beach at sunset; the beach is
  empty apart from them.
alt: Three people walking along a sandy beach at sunset
master: "summer-2026/hero-beach.jpg"   # relative to media/
collection: summer-2026
campaign: summer-sale-2026
tags:
  - beach     # the main subject
  # people are in it too
  - family
language: en-GB
channels: [web,   social]   # odd spacing stays
owner: brand-team
creator: Jane Doe
status: approved
visibility: public
approved_by: alice
approved_on: 2026-05-02
rights:
  licence: "rights-managed"   # quoted on purpose
  usage: [web, social]
  territories: [GB, IE]
  expires: 2027-05-01
  credit: "(c) Acme Studio 2026"
focus: {x: 0.62, y: 0.40}
# written by `dam add` / `dam refresh` from the master; never edit by hand
technical:
  md5: MD5
  bytes: 4123456
  media_type: image/jpeg
  width: 6000
  height: 4000
"""


def commented(asset_id: str = "hero-beach") -> str:
    return COMMENTED.replace("MD5", hashlib.md5(asset_id.encode()).hexdigest())


def social_clip() -> str:
    return good_sidecar("clip", "social").replace("approved_by: alice", "approved_by: chen").replace("owner: brand-team", "owner: social-team")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          check=True, capture_output=True, text=True).stdout


def commit_all(root: Path) -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")


def changed_lines(root: Path) -> list[tuple[str, str]]:
    """(removed, added) line pairs of `git diff -U0`, hunk by hunk; asserts they pair up."""
    pairs = []
    for hunk in re.split(r"^@@.*@@.*$", git(root, "diff", "-U0", "--no-color"), flags=re.MULTILINE)[1:]:
        lines = [line for line in hunk.splitlines() if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))]
        removed = [line[1:] for line in lines if line.startswith("-")]
        added = [line[1:] for line in lines if line.startswith("+")]
        assert len(removed) == len(added), hunk
        pairs += list(zip(removed, added))
    return pairs


def only_term_changed(pairs: list[tuple[str, str]], old: str, new: str) -> None:
    for before, after in pairs:
        assert re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, before) == after, (before, after)


def test_rename_changes_only_the_term_in_the_git_diff(catalogue, today):
    catalogue.asset("hero-beach", text=commented())
    catalogue.asset("plain-one", text=good_sidecar("plain-one"))
    catalogue.asset("no-beach", text=good_sidecar("no-beach").replace("tags: [beach, family]", "tags: [family]"))
    commit_all(catalogue.root)

    change = rename(catalogue.root, "tags", "beach", "seaside")

    assert sorted(change.files) == [
        "catalogue/assets/summer-2026/hero-beach.yaml", "catalogue/assets/summer-2026/plain-one.yaml", "catalogue/taxonomy.yaml",
    ]
    pairs = changed_lines(catalogue.root)
    assert len(pairs) == 3  # the taxonomy's tag list and one line in each sidecar using it
    only_term_changed(pairs, "beach", "seaside")
    text = (catalogue.root / SIDE).read_text()
    assert "  - seaside     # the main subject\n  # people are in it too\n" in text
    assert "Family walking on the beach at sunset; the beach is" in text  # free text is not a term
    assert text == commented().replace("  - beach ", "  - seaside ")
    assert not load(catalogue.root, today=today).errors


def test_rename_channel_rewrites_channels_and_usage_keeping_quotes(catalogue, today):
    catalogue.asset("hero-beach", text=commented())
    commit_all(catalogue.root)

    rename(catalogue.root, "channels", "web", "website")

    pairs = changed_lines(catalogue.root)
    only_term_changed(pairs, "web", "website")
    assert ("channels: [web,   social]   # odd spacing stays", "channels: [website,   social]   # odd spacing stays") in pairs
    assert ("  usage: [web, social]", "  usage: [website, social]") in pairs
    assert ("  web: {label: Web}", "  website: {label: Web}") in pairs
    assert not load(catalogue.root, today=today).errors


def test_rename_keeps_the_quote_style_of_the_value(catalogue, today):
    catalogue.asset("hero-beach", text=commented())
    commit_all(catalogue.root)

    rename(catalogue.root, "licences", "rights-managed", "managed")

    pairs = changed_lines(catalogue.root)
    assert ('  licence: "rights-managed"   # quoted on purpose', '  licence: "managed"   # quoted on purpose') in pairs
    assert len(pairs) == 2
    assert not load(catalogue.root, today=today).errors


def test_rename_refused_when_the_new_term_exists(catalogue):
    catalogue.asset()
    before = {p: p.read_bytes() for p in catalogue.root.rglob("*.yaml")}
    with pytest.raises(EditError, match="already in the tags vocabulary.*merge"):
        rename(catalogue.root, "tags", "beach", "family")
    with pytest.raises(EditError, match="'nope' not in the tags vocabulary"):
        rename(catalogue.root, "tags", "nope", "other")
    with pytest.raises(EditError, match="not a valid term"):
        rename(catalogue.root, "tags", "beach", "Beach Life")
    assert {p: p.read_bytes() for p in catalogue.root.rglob("*.yaml")} == before


def test_merge_into_a_new_term_dedupes_lists(catalogue, today):
    catalogue.asset("hero-beach", text=commented())
    catalogue.asset("plain-one", text=good_sidecar("plain-one"))  # tags: [beach, family]
    commit_all(catalogue.root)

    merge(catalogue.root, "tags", ["beach", "family"], "seaside")

    plain = (catalogue.root / "catalogue/assets/summer-2026/plain-one.yaml").read_text()
    assert "tags: [seaside]\n" in plain
    hero = (catalogue.root / SIDE).read_text()
    assert "tags:\n  - seaside     # the main subject\n  # people are in it too\nlanguage:" in hero
    taxonomy = (catalogue.root / "catalogue/taxonomy.yaml").read_text()
    assert "tags: [seaside, lifestyle, sunset]\n" in taxonomy
    assert not load(catalogue.root, today=today).errors


def test_merge_into_an_existing_term(catalogue, today):
    catalogue.asset("plain-one", text=good_sidecar("plain-one").replace("[beach, family]", "[sunset, beach, family]"))
    commit_all(catalogue.root)

    merge(catalogue.root, "tags", ["sunset", "lifestyle"], "beach")

    assert "tags: [beach, family]\n" in (catalogue.root / "catalogue/assets/summer-2026/plain-one.yaml").read_text()
    assert "tags: [beach, family]\n" in (catalogue.root / "catalogue/taxonomy.yaml").read_text()
    assert not load(catalogue.root, today=today).errors


def test_merge_removes_mapping_entries_of_the_taxonomy(catalogue, today):
    catalogue.asset("plain-one", text=good_sidecar("plain-one"))
    commit_all(catalogue.root)

    merge(catalogue.root, "licences", ["royalty-free"], "rights-managed")

    taxonomy = (catalogue.root / "catalogue/taxonomy.yaml").read_text()
    assert "royalty-free" not in taxonomy and "  rights-managed: {label: Rights managed}\n" in taxonomy
    assert git(catalogue.root, "diff", "--numstat").split() == ["0", "1", "catalogue/taxonomy.yaml"]


def test_merging_block_list_items_removes_whole_lines():
    text = "id: a\ntags:\n  - beach\n  - family  # both\n  - sunset\n"
    assert retarget_sidecar(text, "tags", {"beach", "family"}, "seaside", "a.yaml") == "id: a\ntags:\n  - seaside\n  - sunset\n"
    flow = "tags: [beach, lifestyle, family, sunset, beach]\n"
    assert retarget_sidecar(flow, "tags", {"beach", "sunset"}, "family", "a.yaml") == "tags: [family, lifestyle]\n"


def test_rename_owner_updates_collection_owners(catalogue, today):
    catalogue.asset()
    commit_all(catalogue.root)

    rename(catalogue.root, "owners", "brand-team", "brand")

    pairs = changed_lines(catalogue.root)
    only_term_changed(pairs, "brand-team", "brand")
    assert ("    owners: [brand-team]", "    owners: [brand]") in pairs
    assert ("owner: brand-team", "owner: brand") in pairs
    assert not load(catalogue.root, today=today).errors


def test_rename_collection_moves_sidecars_and_masters(catalogue, today):
    catalogue.asset("hero-beach")
    catalogue.asset("clip", collection="social", text=social_clip())
    catalogue.write("media/summer-2026/.gitignore", "/hero-beach.jpg\n")
    commit_all(catalogue.root)

    change = rename(catalogue.root, "collections", "summer-2026", "summer-26")

    assert change.moves == [("catalogue/assets/summer-2026", "catalogue/assets/summer-26"), ("media/summer-2026", "media/summer-26")]
    moved = catalogue.root / "catalogue/assets/summer-26/hero-beach.yaml"
    assert "collection: summer-26\n" in moved.read_text() and "master: summer-26/hero-beach.jpg\n" in moved.read_text()
    assert (catalogue.root / "media/summer-26/hero-beach.jpg.dvc").is_file()
    assert not (catalogue.root / "media/summer-2026").exists()
    git(catalogue.root, "add", "-A")
    status = git(catalogue.root, "diff", "--cached", "-M", "--name-status")
    assert "R" in status and "catalogue/assets/summer-26/hero-beach.yaml" in status
    assert not load(catalogue.root, today=today).errors


def test_merge_collections_moves_files_and_merges_gitignore(catalogue, today):
    catalogue.asset("hero-beach")
    catalogue.asset("clip", collection="social", text=social_clip())
    catalogue.write("media/summer-2026/.gitignore", "/hero-beach.jpg\n")
    catalogue.write("media/social/.gitignore", "/clip.jpg\n")

    merge(catalogue.root, "collections", ["social"], "summer-2026")

    assert (catalogue.root / "catalogue/assets/summer-2026/clip.yaml").is_file()
    assert (catalogue.root / "media/summer-2026/clip.jpg.dvc").is_file()
    assert (catalogue.root / "media/summer-2026/.gitignore").read_text() == "/hero-beach.jpg\n/clip.jpg\n"
    assert not (catalogue.root / "media/social").exists() and not (catalogue.root / "catalogue/assets/social").exists()
    errors = load(catalogue.root, today=today).errors
    assert [e.code for e in errors] == ["E303"]  # chen owned `social`, not `summer-2026`: a real finding


def test_a_removed_term_still_in_use_fails_validation_naming_every_file(catalogue, today):
    catalogue.asset("hero-beach")
    catalogue.asset("second-one")
    taxonomy = catalogue.root / "catalogue/taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text().replace("tags: [beach, family, lifestyle, sunset]", "tags: [beach, lifestyle, sunset]"))

    errors = load(catalogue.root, today=today).errors

    assert {(e.path, e.code) for e in errors} == {
        ("catalogue/assets/summer-2026/hero-beach.yaml", "E301"), ("catalogue/assets/summer-2026/second-one.yaml", "E301"),
    }
    assert all("'family' is not in the tags vocabulary" in e.message and e.line == 8 for e in errors)


def test_a_file_that_cannot_be_parsed_stops_the_change(catalogue):
    catalogue.asset()
    catalogue.sidecar("id: broken\ntags: [beach\n", "broken")
    before = (catalogue.root / SIDE).read_bytes()
    with pytest.raises(EditError, match="(?s)nothing was written.*broken.yaml"):
        rename(catalogue.root, "tags", "beach", "seaside")
    assert (catalogue.root / SIDE).read_bytes() == before


def cli_run(root: Path, *args: str):
    @click.group()
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.obj = {"root": root}

    for command in COMMANDS:
        group.add_command(command)
    return CliRunner().invoke(group, list(args))


def test_cli_rename_merge_and_refusals(catalogue):
    catalogue.asset()
    result = cli_run(catalogue.root, "vocab", "rename", "tags", "beach", "seaside", "--dry-run")
    assert result.exit_code == 0 and SIDE in result.stdout
    assert "tags: [beach, family]" in (catalogue.root / SIDE).read_text()

    result = cli_run(catalogue.root, "vocab", "rename", "tags", "beach", "family")
    assert result.exit_code == 1 and "use `dam vocab merge" in result.stderr

    result = cli_run(catalogue.root, "vocab", "merge", "tags", "beach", "family", "seaside")
    assert result.exit_code == 2 and "INTO" in result.output

    result = cli_run(catalogue.root, "vocab", "merge", "tags", "beach", "family", "INTO", "seaside")
    assert result.exit_code == 0, result.output
    assert "tags: [seaside]" in (catalogue.root / SIDE).read_text()

    result = cli_run(catalogue.root, "vocab", "rename", "colours", "a", "b")
    assert result.exit_code == 2

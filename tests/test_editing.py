"""`dam set` and `dam fmt`: edits by splice, all or nothing, comments kept."""

from __future__ import annotations

import difflib
import hashlib

import pytest
import yaml

from builder.catalogue import load
from builder.editing import (
    EditError,
    format_text,
    parse_assignment,
    parse_condition,
    plan_fmt,
    plan_set,
    render,
    set_value,
    write_edits,
)
from builder.yamlio import SidecarLoader
from conftest import good_sidecar
from test_vocab import cli_run, commented

SIDE = "catalogue/assets/summer-2026/hero-beach.yaml"


def data(text: str):
    return yaml.load(text, Loader=SidecarLoader)


def diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
            if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def run_set(root, conditions, assignments):
    edits, skipped = plan_set(root, [parse_condition(c) for c in conditions], [parse_assignment(a) for a in assignments])
    write_edits(root, edits)
    return edits, skipped


# --- set ----------------------------------------------------------------------------------------

def test_set_replaces_an_existing_value_and_nothing_else():
    text = commented()
    after = set_value(text, ("rights", "expires"), data("2027-09-30"))
    assert diff(text, after) == ["-  expires: 2027-05-01", "+  expires: 2027-09-30"]


def test_set_adds_a_missing_key_in_canonical_position():
    text = commented()
    after = set_value(text, ("rights", "embargo_until"), data("2026-06-01"))
    assert "  expires: 2027-05-01\n  embargo_until: 2026-06-01\n  credit:" in after
    after = set_value(text, ("source",), "Acme Studio")
    assert "creator: Jane Doe\nsource: Acme Studio\nstatus:" in after
    after = set_value(text, ("poster_at",), "00:00:03.5")  # goes before the comment of `technical`
    assert 'focus: {x: 0.62, y: 0.40}\nposter_at: "00:00:03.5"\n# written by' in after
    no_rights = "id: a\ntitle: A\nmaster: a.jpg\ncollection: c\nfocus: {x: 0.5, y: 0.5}\n"
    assert set_value(no_rights, ("rights", "licence"), "owned") == (
        "id: a\ntitle: A\nmaster: a.jpg\ncollection: c\nrights:\n  licence: owned\nfocus: {x: 0.5, y: 0.5}\n")


def test_set_keeps_the_quote_style_and_quotes_when_needed():
    text = commented()
    assert "title: 'It''s the hero'\n" in set_value(text, ("title",), "It's the hero")
    assert 'creator: "Studio: Acme"\n' in set_value(text, ("creator",), "Studio: Acme")
    assert "creator: \"yes\"\n" in set_value(text, ("creator",), "yes")  # YAML 1.1 would read a bool
    assert "description: Short now.\nalt:" in set_value(text, ("description",), "Short now.")
    assert render(["web", "a, b"]) == '[web, "a, b"]'


def test_set_edits_only_matching_files_and_only_the_named_key(catalogue):
    catalogue.asset("hero-beach", text=commented())
    catalogue.asset("other-one", text=good_sidecar("other-one").replace("campaign: summer-sale-2026\n", ""))
    catalogue.asset("third-one", text=good_sidecar("third-one").replace("tags: [beach, family]", "tags: [sunset]"))
    before = {p: p.read_text() for p in catalogue.root.rglob("*.yaml")}

    edits, _ = run_set(catalogue.root, ["campaign=summer-sale-2026", "tags=beach"], ["rights.expires=2027-09-30", "creator=Acme"])

    assert [e.path for e in edits] == [SIDE]
    after = (catalogue.root / SIDE).read_text()
    assert sorted(diff(before[catalogue.root / SIDE], after)) == [
        "+  expires: 2027-09-30", "+creator: Acme", "-  expires: 2027-05-01", "-creator: Jane Doe",
    ]
    for path, text in before.items():
        if path != catalogue.root / SIDE:
            assert path.read_text() == text


def test_set_matches_dates_and_nested_fields(catalogue, today):
    catalogue.asset("hero-beach")
    catalogue.asset("other-one", text=good_sidecar("other-one").replace("licence: rights-managed", "licence: royalty-free"))
    edits, _ = run_set(catalogue.root, ["rights.expires=2027-05-01", "rights.licence=royalty-free"], ["rights.territories=[worldwide]"])
    assert [e.path for e in edits] == ["catalogue/assets/summer-2026/other-one.yaml"]
    assert "  territories: [worldwide]\n" in (catalogue.root / edits[0].path).read_text()
    assert not load(catalogue.root, today=today).errors


@pytest.mark.parametrize("assignment, why", [
    ("rights.expires=2027-13-45", "rights.expires"),
    ("status=published", "status"),
    ("campaign=no-such-campaign", "E301"),
    ("colour=blue", "colour"),
])
def test_an_invalid_set_is_refused_and_nothing_is_written(catalogue, assignment, why):
    catalogue.asset("hero-beach")
    catalogue.asset("other-one")
    before = {p: p.read_bytes() for p in catalogue.root.rglob("*.yaml")}
    with pytest.raises(EditError) as raised:
        run_set(catalogue.root, ["tags=beach"], [assignment])
    assert "nothing was written; 2 file(s) refused" in raised.value.message
    assert "hero-beach.yaml" in raised.value.message and "other-one.yaml" in raised.value.message and why in raised.value.message
    assert {p: p.read_bytes() for p in catalogue.root.rglob("*.yaml")} == before


def test_set_refuses_fields_tied_to_files_and_masters():
    for field in ("id=x", "collection=x", "technical.md5=x"):
        with pytest.raises(EditError, match="cannot set"):
            parse_assignment(field)
    with pytest.raises(EditError, match="FIELD=VALUE"):
        parse_condition("campaign")


def test_cli_set_dry_run_lists_files_and_writes_nothing(catalogue):
    catalogue.asset("hero-beach")
    before = (catalogue.root / SIDE).read_bytes()
    result = cli_run(catalogue.root, "set", "--where", "campaign=summer-sale-2026", "rights.expires=2027-09-30", "--dry-run")
    assert result.exit_code == 0 and result.stdout == f"{SIDE}\n" and "would change 1 file(s)" in result.stderr
    assert (catalogue.root / SIDE).read_bytes() == before
    result = cli_run(catalogue.root, "set", "--where", "campaign=summer-sale-2026", "rights.expires=2027-09-30")
    assert result.exit_code == 0 and "expires: 2027-09-30" in (catalogue.root / SIDE).read_text()
    result = cli_run(catalogue.root, "set", "rights.expires=someday")
    assert result.exit_code == 1 and "refused" in result.stderr
    result = cli_run(catalogue.root, "set", "id=other")
    assert result.exit_code == 2


# --- fmt ----------------------------------------------------------------------------------------

SHUFFLED = """\
# yaml-language-server: $schema=../../schema/asset.schema.json
title: Beach hero   # shown on the portal
# written by `dam add` / `dam refresh` from the master; never edit by hand
technical:
    width: 6000
    md5: MD5
    media_type: image/jpeg
    bytes: 4123456
rights:
    usage:
    - web
    - social
    # the licence is checked by legal
    licence: rights-managed
tags:
- beach
- family
id: hero-beach
description: >-
  Family walking on the beach
  at sunset.
collection: summer-2026
master: "summer-2026/hero-beach.jpg"
focus: {y: 0.4, x: 0.62}
"""


def shuffled() -> str:
    return SHUFFLED.replace("MD5", hashlib.md5(b"hero-beach").hexdigest())


def test_fmt_reorders_keys_keeping_comments_and_values():
    text = shuffled()
    formatted = format_text(text)
    assert formatted == f"""\
# yaml-language-server: $schema=../../schema/asset.schema.json
id: hero-beach
title: Beach hero   # shown on the portal
description: >-
  Family walking on the beach
  at sunset.
master: "summer-2026/hero-beach.jpg"
collection: summer-2026
tags: [beach, family]
rights:
  # the licence is checked by legal
  licence: rights-managed
  usage: [web, social]
focus: {{y: 0.4, x: 0.62}}
# written by `dam add` / `dam refresh` from the master; never edit by hand
technical:
  md5: {hashlib.md5(b"hero-beach").hexdigest()}
  bytes: 4123456
  media_type: image/jpeg
  width: 6000
"""
    assert data(formatted) == data(text)
    assert format_text(formatted) == formatted  # idempotent


def test_fmt_leaves_canonical_files_alone_and_keeps_commented_lists_in_block_style():
    text = commented()
    assert format_text(text) == text
    assert format_text(good_sidecar()) == good_sidecar()
    crlf = "id: a\r\ntags:\r\n  - b\r\n"
    assert format_text(crlf) == "id: a\ntags: [b]\n"


def test_fmt_check_and_write(catalogue):
    catalogue.asset("hero-beach", text=shuffled())
    catalogue.asset("plain-one", text=good_sidecar("plain-one"))
    before = (catalogue.root / SIDE).read_bytes()

    result = cli_run(catalogue.root, "fmt", "--check")
    assert result.exit_code == 1 and result.stdout == f"{SIDE}: would be reformatted\n"
    assert (catalogue.root / SIDE).read_bytes() == before

    result = cli_run(catalogue.root, "fmt", str(catalogue.root / "catalogue/taxonomy.yaml"), str(catalogue.root / SIDE))
    assert result.exit_code == 0 and result.stdout == f"{SIDE}\n"
    assert data((catalogue.root / SIDE).read_text()) == data(before.decode())

    assert cli_run(catalogue.root, "fmt", "--check").exit_code == 0
    assert plan_fmt(catalogue.root, [SIDE]) == ([], [])


def test_fmt_reports_a_file_it_cannot_parse(catalogue):
    catalogue.sidecar("id: broken\ntags: [beach\n", "broken")
    result = cli_run(catalogue.root, "fmt", "--check")
    assert result.exit_code == 1 and "broken.yaml: cannot be parsed" in result.stderr

"""Hostile YAML: a clear diagnostic naming file, line and code; never a traceback or a hang."""

from __future__ import annotations

import codecs
import time

import pytest

from builder.catalogue import load
from builder.yamlio import Locator, parse_text
from conftest import good_sidecar

SIDE = "catalogue/assets/summer-2026/hero-beach.yaml"
GOOD = good_sidecar()

HOSTILE = {
    "syntax error": ("id: hero-beach\ntitle: [unclosed\nmaster: x\n", (3, 7, "E100")),
    "tab indentation": ("id: hero-beach\nrights:\n\tlicence: x\n", (3, 1, "E101")),
    "duplicate key": (GOOD.replace("creator: Jane Doe", "creator: Jane Doe\ntitle: Again"), (13, 1, "E102")),
    "alias": ("id: &a hero-beach\ntitle: *a\n", (2, 8, "E103")),
    "alias bomb": (
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)),
        (2, 8, "E103"),
    ),
    "python object tag": ("id: !!python/object/apply:os.system [echo hi]\n", (1, 5, "E104")),
    "custom tag": ("id: hero-beach\ntitle: !secret x\n", (2, 8, "E104")),
    "empty file": ("", (1, 1, "E107")),
    "comments only": ("# nothing yet\n", (1, 1, "E107")),
    "list instead of mapping": ("- id: hero-beach\n- title: x\n", (1, 1, "E108")),
    "scalar instead of mapping": ("just some words\n", (1, 1, "E108")),
    "deep nesting": ("id: " + "[" * 100_000 + "]" * 100_000 + "\n", (1, 1, "E109")),
}


@pytest.mark.parametrize("text,expected", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_yaml_is_reported_at_its_line(catalogue, today, text, expected):
    catalogue.asset("surf-lesson")  # a good neighbour must still load
    catalogue.sidecar(text)
    started = time.perf_counter()
    result = load(catalogue.root, today=today, jobs=1)
    assert time.perf_counter() - started < 10, "must not hang"
    assert [(d.path, d.line, d.col, d.code) for d in result.diagnostics] == [(SIDE, *expected)]
    assert [a.id for a in result.catalogue.assets] == ["surf-lesson"]


def test_huge_file_is_refused_before_parsing(catalogue, today):
    catalogue.asset("hero-beach", text=GOOD + "description2: " + "x" * 300_000 + "\n")
    result = load(catalogue.root, today=today, jobs=1)
    [diagnostic] = result.diagnostics
    assert (diagnostic.line, diagnostic.code) == (1, "E106")
    assert "256 KiB" in diagnostic.message


def test_invalid_utf8_names_the_line(catalogue, today):
    raw = GOOD.encode().replace(b"Jane Doe", b"Jos\xe9 Doe")  # Latin-1 e-acute
    catalogue.asset("hero-beach", text=raw)
    [diagnostic] = load(catalogue.root, today=today, jobs=1).diagnostics
    assert (diagnostic.line, diagnostic.col, diagnostic.code) == (12, 13, "E105")
    assert "0xe9" in diagnostic.message


def test_utf16_file_is_refused_with_advice(catalogue, today):
    catalogue.asset("hero-beach", text=codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"))
    [diagnostic] = load(catalogue.root, today=today, jobs=1).diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.hint) == ("E105", "file is encoded as UTF-16", "save it as UTF-8")


def test_bom_and_crlf_are_warnings_and_the_asset_still_loads(catalogue, today):
    catalogue.asset("hero-beach", text=codecs.BOM_UTF8 + GOOD.replace("\n", "\r\n").encode())
    result = load(catalogue.root, today=today, jobs=1)
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("W101", "warning"), ("W102", "warning")]
    assert [a.id for a in result.catalogue.assets] == ["hero-beach"]


def test_nothing_the_user_wrote_is_rewritten(catalogue, today):
    path = catalogue.asset("hero-beach", text=codecs.BOM_UTF8 + GOOD.replace("title:", "titel:").encode())
    before = path.read_bytes()
    load(catalogue.root, today=today, jobs=1)
    assert path.read_bytes() == before


def test_yaml_12_meanings_on_the_fast_path():
    data = parse_text("a: no\nb: on\nc: 010\nd: 0o17\ne: 1_000\nf: 1:20\ng: true\nh: ~\n", "x.yaml").data
    assert data == {"a": "no", "b": "on", "c": 10, "d": 15, "e": "1_000", "f": "1:20", "g": True, "h": None}


def test_locator_points_at_keys_values_and_items():
    locator = Locator("id: x\nrights:\n  usage: [web, tv]\ncrops:\n  \"9:16\": {x: 0.1}\n")
    assert locator.position(("id",)) == (1, 5)
    assert locator.position(("rights", "usage", 1)) == (3, 16)
    assert locator.position(("rights", "licence"), at_key=True) == (2, 1)
    assert locator.position(("crops", "9:16", "x")) == (5, 15)
    assert locator.position(("nowhere",)) == (1, 1)

"""Every validation check, each asserting the exact file, line, column and code reported."""

from __future__ import annotations

import os

import pytest

from builder.catalogue import load
from conftest import good_sidecar

SIDE = "catalogue/assets/summer-2026/hero-beach.yaml"


def problems(root, today, severity=None):
    result = load(root, today=today, jobs=1)
    return [
        (d.path, d.line, d.col, d.code)
        for d in result.diagnostics
        if severity is None or d.severity.value == severity
    ]


def test_a_good_catalogue_has_no_problems(catalogue, today):
    catalogue.asset("hero-beach")
    catalogue.asset("surf-lesson")
    result = load(catalogue.root, today=today, jobs=1)
    assert result.diagnostics == ()
    assert [a.id for a in result.catalogue.assets] == ["hero-beach", "surf-lesson"]
    assert result.catalogue.sources["hero-beach"] == SIDE


# (description, replace this, with this, expected (line, col, code))
SIDECAR_CASES = [
    ("unknown key", "title: Beach", "titel: Beach", [(1, 1, "E202"), (2, 1, "E201")]),
    ("unknown nested key", "  credit:", "  credits:", [(22, 3, "E201")]),
    ("wrong type", "width: 6000", "width: wide", [(28, 10, "E203")]),
    ("bad enum", "status: approved", "status: aproved", [(13, 9, "E203")]),
    ("bad slug", "campaign: summer-sale-2026", "campaign: Summer Sale", [(7, 11, "E204")]),
    ("bad language", "language: en-GB", "language: english", [(9, 11, "E205")]),
    ("language with a non-ISO region", "language: en-GB", "language: en-UK", [(9, 11, "E205")]),
    ("impossible date", "expires: 2027-05-01", "expires: 2027-02-30", [(21, 12, "E206")]),
    ("timestamp is not a date", "approved_on: 2026-05-02", "approved_on: 2026-05-02 10:00:00", [(16, 14, "E206")]),
    ("number is not a date", "expires: 2027-05-01", "expires: 20270501", [(21, 12, "E206")]),
    ("bad territory", "territories: [GB, IE]", "territories: [GB, UK]", [(20, 21, "E207")]),
    ("bad timecode", "focus:", "poster_at: \"1:75\"\nfocus:", [(23, 12, "E208")]),
    ("focus out of frame", "{x: 0.62, y: 0.40}", "{x: 0.62, y: 1.40}", [(23, 21, "E203")]),
    ("id differs from file", "id: hero-beach", "id: hero-beach-2", [(1, 5, "E209")]),
    ("collection differs from folder", "collection: summer-2026", "collection: social", [(6, 13, "E210"), (15, 14, "E303")]),
    ("tag not in vocabulary", "tags: [beach, family]", "tags: [beach, famly]", [(8, 15, "E301")]),
    ("campaign not in vocabulary", "campaign: summer-sale-2026", "campaign: winter-sale", [(7, 11, "E301")]),
    ("licence not in vocabulary", "licence: rights-managed", "licence: rights-managd", [(18, 12, "E301")]),
    ("usage not in vocabulary", "usage: [web, social]", "usage: [web, social, tv]", [(19, 24, "E301")]),
    ("unknown approver", "approved_by: alice", "approved_by: mallory", [(15, 14, "E302")]),
    ("approver not owner of collection", "approved_by: alice", "approved_by: chen", [(15, 14, "E303")]),
    ("absolute master", "master: summer-2026/hero-beach.jpg", "master: /etc/passwd", [(5, 9, "E401")]),
    ("master escapes media", "master: summer-2026/hero-beach.jpg", "master: ../catalogue/taxonomy.yaml", [(5, 9, "E401")]),
    ("master missing", "master: summer-2026/hero-beach.jpg", "master: summer-2026/hero-beech.jpg", [(5, 9, "E402")]),
    ("stale technical md5", "  md5: ", "  md5: ffffffffffffffffffffffffffffffff\n  # was: ", [(25, 8, "E403")]),
    ("approved without licence", "  licence: rights-managed\n", "", [(17, 1, "E601")]),
    ("approved without alt", "alt: Three people walking along a sandy beach at sunset\n", "", [(12, 9, "E601")]),
    ("approved without approver", "approved_by: alice\n", "", [(13, 9, "E601")]),
    ("embargo after expiry", "  credit:", "  embargo_until: 2027-06-01\n  credit:", [(22, 18, "E602")]),
    ("approved before created", "approved_on: 2026-05-02", "approved_on: 2026-05-02\ncreated: 2026-06-01", [(16, 14, "E603")]),
    ("approved in the future", "approved_on: 2026-05-02", "approved_on: 2027-01-02", [(16, 14, "E604")]),
    ("channel outside usage", "channels: [web, social]", "channels: [web, print]", [(10, 17, "E605")]),
    ("supersedes unknown", "focus:", "supersedes: hero-beach-2025\nfocus:", [(23, 13, "E503")]),
    ("supersedes itself", "focus:", "supersedes: hero-beach\nfocus:", [(23, 13, "E504")]),
]


@pytest.mark.parametrize("old,new,expected", [case[1:] for case in SIDECAR_CASES], ids=[case[0] for case in SIDECAR_CASES])
def test_each_check_reports_file_line_and_code(catalogue, today, old, new, expected):
    catalogue.asset("hero-beach")
    text = (catalogue.root / SIDE).read_text()
    if "md5: 0000" in new:
        new = "md5: 0" + "0" * 31 + "\n  #"
    assert old in text, old
    catalogue.sidecar(text.replace(old, new, 1))
    assert problems(catalogue.root, today, "error") == [(SIDE, *position) for position in expected]


def test_drafts_may_be_thin(catalogue, today):
    catalogue.pointer("summer-2026/rough-cut.jpg", "a" * 32)
    catalogue.sidecar("id: rough-cut\ntitle: Rough cut\nmaster: summer-2026/rough-cut.jpg\ncollection: summer-2026\n", "rough-cut")
    assert problems(catalogue.root, today) == []


def test_duplicate_ids_name_each_other(catalogue, today):
    catalogue.asset("hero-beach")
    catalogue.asset("copy-of-hero", text=good_sidecar("copy-of-hero").replace("id: copy-of-hero", "id: hero-beach"))
    result = load(catalogue.root, today=today, jobs=1)
    e501 = [d for d in result.diagnostics if d.code == "E501"]
    assert [(d.path, d.line) for d in e501] == [("catalogue/assets/summer-2026/copy-of-hero.yaml", 1), (SIDE, 1)]
    assert "hero-beach.yaml" in e501[0].message and "copy-of-hero.yaml" in e501[1].message


def test_two_assets_on_the_same_master_content_are_duplicates(catalogue, today):
    catalogue.asset("hero-beach")
    md5 = (catalogue.root / "media/summer-2026/hero-beach.jpg.dvc").read_text().split("md5: ")[1][:32]
    catalogue.pointer("summer-2026/hero-copy.jpg", md5)
    catalogue.sidecar(good_sidecar("hero-copy", md5=md5), "hero-copy")
    found = problems(catalogue.root, today)
    assert ("catalogue/assets/summer-2026/hero-copy.yaml", 25, 8, "E502") in found
    assert (SIDE, 25, 8, "E502") in found


def test_supersedes_cycle(catalogue, today):
    catalogue.asset("a-one", text=good_sidecar("a-one").replace("focus:", "supersedes: b-two\nfocus:"))
    catalogue.asset("b-two", text=good_sidecar("b-two").replace("focus:", "supersedes: a-one\nfocus:"))
    assert [code for *_, code in problems(catalogue.root, today)] == ["E504", "E504"]


def test_master_link_leaving_media_is_refused(catalogue, today, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.jpg"
    outside.write_bytes(b"secret")
    catalogue.asset("hero-beach")
    (catalogue.root / "media/summer-2026/hero-beach.jpg.dvc").unlink()
    os.symlink(outside, catalogue.root / "media/summer-2026/hero-beach.jpg")
    assert problems(catalogue.root, today) == [(SIDE, 5, 9, "E401")]


def test_master_present_as_a_file_without_pointer_is_accepted(catalogue, today):
    catalogue.asset("hero-beach")
    (catalogue.root / "media/summer-2026/hero-beach.jpg.dvc").unlink()
    catalogue.write("media/summer-2026/hero-beach.jpg", b"\xff\xd8 not checked here")
    assert problems(catalogue.root, today) == []


def test_invalid_dvc_pointer(catalogue, today):
    catalogue.asset("hero-beach")
    catalogue.write("media/summer-2026/hero-beach.jpg.dvc", "outs: nonsense\n")
    assert problems(catalogue.root, today) == [(SIDE, 5, 9, "E404")]


@pytest.mark.parametrize(
    "expires,code,line",
    [("2026-12-20", "W601", 21), ("2026-11-30", "W602", 21)],
)
def test_rights_warnings(catalogue, today, expires, code, line):
    catalogue.asset("hero-beach", text=good_sidecar().replace("expires: 2027-05-01", f"expires: {expires}"))
    assert problems(catalogue.root, today) == [(SIDE, line, 12, code)]


def test_withdrawn_rights_warn_and_never_publish(catalogue, today):
    catalogue.asset("hero-beach", text=good_sidecar().replace("  credit:", "  withdrawn_on: 2026-11-01\n  credit:"))
    result = load(catalogue.root, today=today, jobs=1)
    assert [(d.line, d.code) for d in result.diagnostics] == [(22, "W603")]
    assert not result.catalogue.assets[0].is_published(today)


def test_one_bad_asset_does_not_hide_the_others(catalogue, today):
    catalogue.asset("hero-beach", text=good_sidecar().replace("title:", "titel:"))
    catalogue.asset("surf-lesson", text=good_sidecar("surf-lesson").replace("tags: [beach, family]", "tags: [beech]"))
    catalogue.asset("kite-day")
    result = load(catalogue.root, today=today, jobs=1)
    assert {d.path for d in result.errors} == {SIDE, "catalogue/assets/summer-2026/surf-lesson.yaml"}
    assert [a.id for a in result.catalogue.assets] == ["kite-day"]


def test_taxonomy_and_portal_errors_are_located(catalogue, today):
    catalogue.write("catalogue/portal.yaml", "title: Acme\nbase_url: ftp://example.com\n")
    catalogue.write("catalogue/taxonomy.yaml", "owners: {}\ncollections:\n  summer-2026:\n    title: Summer\n    owner: [x]\n")
    found = problems(catalogue.root, today)
    assert ("catalogue/portal.yaml", 2, 11, "E203") in found
    assert ("catalogue/taxonomy.yaml", 5, 5, "E201") in found


def test_parallel_and_serial_loads_agree(catalogue, today):
    for index in range(450):
        catalogue.asset(f"asset-{index:03d}")
    catalogue.asset("asset-007", text=good_sidecar("asset-007").replace("title:", "titel:"))
    serial = load(catalogue.root, today=today, jobs=1)
    parallel = load(catalogue.root, today=today, jobs=2)
    assert serial.diagnostics == parallel.diagnostics
    assert serial.catalogue.assets == parallel.catalogue.assets
    assert len(parallel.catalogue.assets) == 449


def test_parse_memo_gives_the_same_answers_and_only_reparses_changed_files(catalogue, today, monkeypatch):
    import builder.catalogue as catalogue_module

    for index in range(5):
        catalogue.asset(f"asset-{index}")
    catalogue.asset("asset-9", text=good_sidecar("asset-9").replace("title:", "titel:"))
    first = load(catalogue.root, today=today, jobs=1)
    assert (catalogue.root / "cache/state/sidecars.pickle").is_file()

    parsed = []
    real_parse = catalogue_module.parse_sidecar
    monkeypatch.setattr(catalogue_module, "parse_sidecar", lambda *a: parsed.append(a[1]) or real_parse(*a))
    second = load(catalogue.root, today=today, jobs=1)
    assert parsed == []
    assert second.diagnostics == first.diagnostics and second.catalogue.assets == first.catalogue.assets

    catalogue.asset("asset-2", text=good_sidecar("asset-2").replace("tags: [beach, family]", "tags: [beach]"))
    third = load(catalogue.root, today=today, jobs=1)
    assert parsed == ["catalogue/assets/summer-2026/asset-2.yaml"]
    assert third.catalogue.asset("asset-2").tags == ("beach",)


def test_rules_rerun_on_memoised_sidecars(catalogue, today):
    catalogue.asset("hero-beach")
    assert load(catalogue.root, today=today, jobs=1).diagnostics == ()
    (catalogue.root / "media/summer-2026/hero-beach.jpg.dvc").unlink()  # the sidecar is unchanged
    assert [d.code for d in load(catalogue.root, today=today, jobs=1).diagnostics] == ["E402"]


def test_a_corrupt_memo_is_ignored(catalogue, today):
    catalogue.asset("hero-beach")
    load(catalogue.root, today=today, jobs=1)
    (catalogue.root / "cache/state/sidecars.pickle").write_bytes(b"not a pickle")
    assert [a.id for a in load(catalogue.root, today=today, jobs=1).catalogue.assets] == ["hero-beach"]


def test_crowded_folders_are_flagged(catalogue, today):
    catalogue.write("catalogue/portal.yaml", "title: Acme\nmax_files_per_folder: 10\n")
    for index in range(11):
        catalogue.asset(f"asset-{index:02d}")
    found = problems(catalogue.root, today)
    assert ("catalogue/assets/summer-2026", 1, 1, "W701") in found
    assert ("media/summer-2026", 1, 1, "W701") in found

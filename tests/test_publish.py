"""select: which assets a profile publishes on a build date, and the badges they carry."""

from __future__ import annotations

import datetime as dt

import pytest

from builder.catalogue import load
from builder.publish import UnknownProfile, select
from tests.conftest import good_sidecar

CASES = {
    # id: (text replacements on the good sidecar, in public?, in internal?, badges in internal)
    "ok": ({}, True, True, []),
    "soon": ({"expires: 2027-05-01": "expires: 2026-12-16"}, True, True, ["expires in 12 days"]),
    "last-day": ({"expires: 2027-05-01": "expires: 2026-12-04"}, True, True, ["expires today"]),
    "expired": ({"expires: 2027-05-01": "expires: 2026-12-03"}, False, True, ["rights expired on 3 December 2026"]),
    "embargoed": ({"expires: 2027-05-01": "expires: 2027-05-01\n  embargo_until: 2027-03-01"}, False, True,
                  ["embargoed until 1 March 2027"]),
    "embargo-over": ({"expires: 2027-05-01": "expires: 2027-05-01\n  embargo_until: 2026-12-04"}, True, True, []),
    "withdrawn": ({"expires: 2027-05-01": "expires: 2027-05-01\n  withdrawn_on: 2026-11-01"}, False, False, []),
    "internal": ({"visibility: public": "visibility: internal"}, False, True, ["internal only"]),
    "review": ({"status: approved": "status: in_review"}, False, True, ["in review"]),
    "draft": ({"status: approved": "status: draft"}, False, False, []),
    "archived": ({"status: approved": "status: archived"}, False, False, []),
}


@pytest.fixture
def loaded(catalogue, today):
    for asset_id, (changes, *_rest) in CASES.items():
        text = good_sidecar(asset_id)
        for old, new in changes.items():
            assert old in text
            text = text.replace(old, new)
        catalogue.asset(asset_id, text=text)
    result = load(catalogue.root, today=today, jobs=1)
    assert not result.errors, [str(d) for d in result.errors]
    return result.catalogue


def test_public_profile_publishes_only_approved_public_assets_inside_their_rights_window(loaded, today) -> None:
    selection = select(loaded, "public", today)
    assert [a.id for a in selection.assets] == sorted(k for k, v in CASES.items() if v[1])
    assert all(a.is_published(today) for a in selection.assets)  # the model's own rule agrees


def test_internal_profile_adds_internal_review_and_rights_window_assets_badged(loaded, today) -> None:
    selection = select(loaded, "internal", today)
    assert [a.id for a in selection.assets] == sorted(k for k, v in CASES.items() if v[2])
    for asset_id, (_changes, _public, internal, badges) in CASES.items():
        if internal:
            assert [b.label for b in selection.badges_of(asset_id)] == badges, asset_id


def test_public_badges_only_warn_about_expiry(loaded, today) -> None:
    selection = select(loaded, "public", today)
    labels = {asset_id: [b.label for b in badges] for asset_id, badges in selection.badges.items()}
    assert labels == {"soon": ["expires in 12 days"], "last-day": ["expires today"]}
    assert {b.tone for b in selection.badges_of("soon")} == {"warn"}


def test_expiry_is_judged_on_the_build_date(loaded, today) -> None:
    later = today + dt.timedelta(days=13)
    ids = {a.id for a in select(loaded, "public", later).assets}
    assert "soon" not in ids and "ok" in ids and "embargoed" not in ids
    assert "embargoed" in {a.id for a in select(loaded, "public", dt.date(2027, 3, 1)).assets}


def test_expiry_warning_window_comes_from_portal_settings(catalogue, today) -> None:
    catalogue.write("catalogue/portal.yaml", "title: T\nexpiry_warning_days: 5\n")
    catalogue.asset("soon", text=good_sidecar("soon").replace("expires: 2027-05-01", "expires: 2026-12-16"))
    loaded = load(catalogue.root, today=today, jobs=1).catalogue
    assert select(loaded, "public", today).badges == {}


def test_unknown_profile_is_a_clear_error(loaded, today) -> None:
    with pytest.raises(UnknownProfile, match="unknown profile 'staff'.*internal, public"):
        select(loaded, "staff", today)

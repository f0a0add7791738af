"""Governance: CODEOWNERS from taxonomy.yaml, the rights report and each asset's history."""

from __future__ import annotations

import csv
import io
import json

from builder.governance import CODEOWNERS_FILE, codeowners, parse_within, rights_items
from builder.models import Taxonomy
from builder.yamlio import parse_text
from tests.conftest import TAXONOMY, TODAY, good_sidecar
from tests.test_review import commit, edit, git, init, run


def taxonomy() -> Taxonomy:
    return Taxonomy.model_validate(parse_text(TAXONOMY, "taxonomy.yaml").data)


def test_codeowners_maps_collections_to_handles_and_admin_files_last():
    text = codeowners(taxonomy())
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rules = {line.split()[0]: line.split()[1:] for line in lines}
    assert rules["/catalogue/assets/summer-2026/"] == ["@acme/brand-team", "@alice", "@bob"]
    assert rules["/media/summer-2026/"] == ["@acme/brand-team", "@alice", "@bob"]
    assert rules["/catalogue/assets/social/"] == ["@chen"]
    # admin files: the first owner in taxonomy.yaml, after the collections (last match wins)
    assert rules["/catalogue/taxonomy.yaml"] == ["@acme/brand-team", "@alice", "@bob"]
    assert lines[-1].startswith("/.github/") and lines.index(next(l for l in lines if l.startswith("/catalogue/taxonomy.yaml"))) > 3
    assert codeowners(taxonomy()) == text  # deterministic
    assert "@chen" in codeowners(taxonomy(), admins=("social-team",)).split("/catalogue/portal.yaml")[1].splitlines()[0]


def test_codeowners_command_writes_then_checks(catalogue):
    root = catalogue.root
    assert run(root, "codeowners", "--check").exit_code == 1  # missing
    done = run(root, "codeowners")
    assert done.exit_code == 0 and (root / CODEOWNERS_FILE).is_file()
    assert run(root, "codeowners", "--check").exit_code == 0
    edit(root / "catalogue/taxonomy.yaml", "handles: [chen]", "handles: [chen, dana]")
    stale = run(root, "codeowners", "--check")
    assert stale.exit_code == 1 and "out of date" in stale.output
    assert run(root, "codeowners", "--admin", "nobody").exit_code == 2


def test_the_demo_codeowners_is_current():
    from pathlib import Path

    from builder.catalogue import load

    root = Path(__file__).resolve().parents[1]
    loaded = load(root, rules=False)
    assert (root / CODEOWNERS_FILE).read_text() == codeowners(loaded.catalogue.taxonomy)


def _rights_catalogue(catalogue):
    catalogue.asset("fine")
    catalogue.asset("soon", text=good_sidecar("soon").replace("expires: 2027-05-01", "expires: 2026-12-20"))
    catalogue.asset("gone", text=good_sidecar("gone").replace("expires: 2027-05-01", "expires: 2026-11-01"))
    catalogue.asset("later", text=good_sidecar("later").replace("expires: 2027-05-01", "expires: 2027-05-01\n  embargo_until: 2027-01-15"))
    catalogue.asset("pulled", text=good_sidecar("pulled").replace("expires: 2027-05-01", "expires: 2027-05-01\n  withdrawn_on: 2026-10-01"))
    catalogue.asset("old", text=good_sidecar("old").replace("expires: 2027-05-01", "expires: 2026-01-01").replace("status: approved", "status: archived"))
    orphan = good_sidecar("orphan", "social").replace("owner: brand-team\n", "").replace("expires: 2027-05-01", "expires: 2026-12-10")
    catalogue.asset("orphan", "social", text=orphan.replace("approved_by: alice", "approved_by: chen"))


def test_rights_report_sorted_by_date_with_owners(catalogue):
    _rights_catalogue(catalogue)
    from builder.catalogue import load

    loaded = load(catalogue.root, today=TODAY, rules=False)
    items = rights_items(loaded.catalogue.assets, loaded.catalogue.taxonomy, TODAY, 30)
    assert [(i.asset_id, i.state) for i in items] == [
        ("pulled", "withdrawn"), ("gone", "expired"), ("orphan", "expiring"), ("soon", "expiring"), ("later", "embargoed")]
    orphan = next(i for i in items if i.asset_id == "orphan")
    assert orphan.owners == ("Social team",) and orphan.handles == ("@chen",)  # the collection's owners
    assert [i.asset_id for i in rights_items(loaded.catalogue.assets, loaded.catalogue.taxonomy, TODAY, 10)] == ["pulled", "gone", "orphan", "later"]


def test_rights_command_formats(catalogue):
    _rights_catalogue(catalogue)
    root = catalogue.root
    text = run(root, "rights", "--today", TODAY.isoformat())
    assert text.exit_code == 0
    assert text.output.index("pulled") < text.output.index("gone") < text.output.index("later")
    assert "Brand team (@acme/brand-team @alice @bob)" in text.output
    rows = list(csv.DictReader(io.StringIO(run(root, "rights", "--format", "csv", "--today", TODAY.isoformat()).output)))
    assert [r["asset_id"] for r in rows] == ["pulled", "gone", "orphan", "soon", "later"]
    assert rows[0]["path"] == "catalogue/assets/summer-2026/pulled.yaml"
    records = json.loads(run(root, "rights", "--format", "json", "--within", "10d", "--today", TODAY.isoformat()).output)
    assert [r["state"] for r in records] == ["withdrawn", "expired", "expiring", "embargoed"]
    assert records[0]["handles"] == ["@acme/brand-team", "@alice", "@bob"]
    assert parse_within("6w") == 42 and parse_within("30") == 30
    assert run(root, "rights", "--within", "soon").exit_code == 2


def test_history_lists_who_changed_what_with_pr_numbers(catalogue):
    root = catalogue.root
    init(root)
    catalogue.asset("hero-beach", text=good_sidecar("hero-beach").replace("status: approved", "status: in_review"))
    commit(root, "Add the hero")
    git(root, "checkout", "-q", "-b", "approve-hero")
    edit(root / "catalogue/assets/summer-2026/hero-beach.yaml", "status: in_review", "status: approved")
    commit(root, "Approve")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "approve-hero", "-m", "Merge pull request #12 from acme/approve-hero",
        "-m", "Approve the beach hero", date="2026-11-05T09:00:00+00:00")
    edit(root / "catalogue/assets/summer-2026/hero-beach.yaml", "title: Beach hero, golden hour", "title: Beach hero")
    git(root, "commit", "-q", "-am", "Shorter title (#13)", date="2026-11-06T09:00:00+00:00")

    done = run(root, "history", "hero-beach")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "hero-beach  catalogue/assets/summer-2026/hero-beach.yaml"
    assert "PR #13" in lines[1] and "Shorter title (#13)" in lines[1]
    assert lines[2] == "    title: Beach hero, golden hour -> Beach hero"
    assert "PR #12" in lines[3] and "Approve the beach hero" in lines[3] and "Alice Editor" in lines[3]
    assert lines[4] == "    status: in_review -> approved"
    assert "direct" in lines[5] and lines[6] == "    added"
    data = json.loads(run(root, "history", "hero-beach", "--format", "json").output)
    assert [c["pr_number"] for c in data["changes"]] == [13, 12, None]
    assert run(root, "history", "nope").exit_code == 2

"""dam review against real Git repositories: a main branch, a feature branch, merge commits."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from builder.cli_review import COMMANDS
from builder.review import review
from builder.reviewreport import MARKER, md, to_data, to_json, to_markdown
from tests.conftest import TODAY, good_sidecar


def git(root: Path, *args: str, date: str = "2026-11-01T10:00:00+00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(
        ["git", "-c", "user.name=Alice Editor", "-c", "user.email=alice@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=root, check=True, capture_output=True, text=True, env=env,
    ).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def init(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def md5_of(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def group() -> click.Group:
    @click.group()
    @click.option("--root", type=click.Path(path_type=Path))
    @click.pass_context
    def dam(ctx: click.Context, root: Path) -> None:
        ctx.obj = {"root": root.resolve()}

    for command in COMMANDS:
        dam.add_command(command)
    return dam


def run(root: Path, *args: str):
    return CliRunner().invoke(group(), ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture
def repo(catalogue):
    """main: five good approved assets and a draft; feature forked from it."""
    root = catalogue.root
    init(root)
    for asset_id in ("hero-beach", "old-poster", "to-remove", "to-move", "new-master"):
        catalogue.asset(asset_id)
    draft = good_sidecar("draft-one", md5=md5_of("draft-one")).replace("status: approved", "status: draft")
    catalogue.pointer("summer-2026/draft-one.jpg", md5_of("draft-one"))
    catalogue.sidecar(draft, "draft-one")
    commit(root, "Initial catalogue")
    return catalogue


def by_id(result, asset_id):
    return next(change for change in result.changes if change.asset_id == asset_id)


def test_a_feature_branch_with_every_kind_of_change(repo):
    root = repo.root
    git(root, "checkout", "-q", "-b", "feature")
    # an added asset
    repo.asset("added-one")
    # a metadata edit
    edit(root / "catalogue/assets/summer-2026/hero-beach.yaml", "title: Beach hero, golden hour", "title: Beach hero at dusk")
    edit(root / "catalogue/assets/summer-2026/hero-beach.yaml", "expires: 2027-05-01", "expires: 2027-06-30")
    # a replaced master: new pointer and refreshed technical data
    new_md5 = md5_of("a new master")
    repo.pointer("summer-2026/new-master.jpg", new_md5)
    sidecar = root / "catalogue/assets/summer-2026/new-master.yaml"
    edit(sidecar, f"md5: {md5_of('new-master')}", f"md5: {new_md5}")
    edit(sidecar, "width: 6000", "width: 8000")
    # a rename: same id, new (shard) folder
    (root / "catalogue/assets/summer-2026/shard").mkdir()
    (root / "catalogue/assets/summer-2026/to-move.yaml").rename(root / "catalogue/assets/summer-2026/shard/to-move.yaml")
    # a removal
    (root / "catalogue/assets/summer-2026/to-remove.yaml").unlink()
    # draft -> approved, approved -> archived
    edit(root / "catalogue/assets/summer-2026/draft-one.yaml", "status: draft", "status: approved")
    edit(root / "catalogue/assets/summer-2026/old-poster.yaml", "status: approved", "status: archived")
    commit(root, "Summer updates")
    # main moves on meanwhile and is merged into the branch: its change is not the PR's
    git(root, "checkout", "-q", "main")
    repo.asset("mainline-only")
    commit(root, "Unrelated change on main")
    git(root, "checkout", "-q", "feature")
    git(root, "merge", "-q", "--no-ff", "main", "-m", "Merge branch 'main' into feature")

    result = review(root, "main", "feature", today=TODAY)

    assert not result.errors, [d.text() for d in result.errors]
    kinds = {c.asset_id: c.kind for c in result.changes}
    assert kinds == {"added-one": "added", "hero-beach": "modified", "new-master": "modified", "to-move": "renamed",
                     "to-remove": "removed", "draft-one": "modified", "old-poster": "modified"}
    assert "mainline-only" not in kinds  # compared with the fork point, not main's tip

    hero = by_id(result, "hero-beach")
    assert {(f.field, f.old, f.new) for f in hero.fields} == {
        ("title", "Beach hero, golden hour", "Beach hero at dusk"), ("rights.expires", "2027-05-01", "2027-06-30")}
    assert hero.portal == "stays published"

    master = by_id(result, "new-master")
    assert master.master_replaced and master.fields == ()
    assert master.technical_before["md5"] == md5_of("new-master") and master.technical_after["md5"] == new_md5
    assert (master.technical_before["width"], master.technical_after["width"]) == (6000, 8000)

    moved = by_id(result, "to-move")
    assert (moved.old_path, moved.new_path) == ("catalogue/assets/summer-2026/to-move.yaml", "catalogue/assets/summer-2026/shard/to-move.yaml")

    assert by_id(result, "to-remove").portal.startswith("will be withdrawn (removed)")
    draft = by_id(result, "draft-one")
    assert (draft.status_before, draft.status_after, draft.portal) == ("draft", "approved", "will be published")
    archived = by_id(result, "old-poster")
    assert (archived.status_after, archived.portal) == ("archived", "will be withdrawn (archived)")
    assert by_id(result, "added-one").portal == "will be published"

    markdown = to_markdown(result)
    assert markdown.startswith(MARKER)
    assert "| <code>title</code> | Beach hero, golden hour | Beach hero at dusk |" in markdown
    assert "Master replaced" in markdown and new_md5 in markdown
    assert "will be withdrawn (archived)" in markdown and "🟢 2 will be published" in markdown
    assert "<details>" in markdown and "✅ no rule breaks" in markdown
    data = json.loads(to_json(result))
    assert data["summary"]["will_be_published"] == 2 and data["summary"]["will_be_withdrawn"] == 2
    assert data["summary"]["masters_replaced"] == 1

    done = run(root, "review", "--base", "main", "--head", "feature", "--today", TODAY.isoformat())
    assert done.exit_code == 0, done.output


def test_rule_breaks_are_reported_with_lines_and_fail(repo):
    root = repo.root
    git(root, "checkout", "-q", "-b", "breaks")
    # an approval by someone who does not own the collection
    edit(root / "catalogue/assets/summer-2026/draft-one.yaml", "status: draft", "status: approved")
    edit(root / "catalogue/assets/summer-2026/draft-one.yaml", "approved_by: alice", "approved_by: chen")
    # an expired asset made public
    expired = good_sidecar("expired-one", md5=md5_of("expired-one")).replace("expires: 2027-05-01", "expires: 2026-06-01")
    repo.pointer("summer-2026/expired-one.jpg", md5_of("expired-one"))
    repo.sidecar(expired, "expired-one")
    # a YAML syntax error
    repo.sidecar("id: broken\ntitle: [unclosed\nmaster: summer-2026/broken.jpg\n", "broken")
    # an approval without approver or licence
    no_rights = good_sidecar("no-rights", md5=md5_of("no-rights")).replace("approved_by: alice\n", "").replace("  licence: rights-managed\n", "")
    repo.pointer("summer-2026/no-rights.jpg", md5_of("no-rights"))
    repo.sidecar(no_rights, "no-rights")
    commit(root, "Risky changes")

    result = review(root, "main", "breaks", today=TODAY)
    codes = {(d.path.rsplit("/", 1)[-1], d.code) for d in result.errors}
    assert ("draft-one.yaml", "E303") in codes  # approver not an owner of the collection
    assert ("expired-one.yaml", "R702") in codes  # made public with expired rights
    assert ("broken.yaml", "E100") in codes  # reported, not crashed on
    assert ("no-rights.yaml", "E601") in codes
    broken = next(d for d in result.errors if d.path.endswith("broken.yaml"))
    assert broken.line in (2, 3) and broken.col > 0
    non_owner = next(d for d in result.errors if d.code == "E303")
    source = (root / non_owner.path).read_text().splitlines()
    assert source[non_owner.line - 1].startswith("approved_by: chen")
    assert by_id(result, "broken").kind == "unreadable"
    assert by_id(result, "expired-one").portal == "stays unpublished (rights expired on 2026-06-01)"

    markdown = to_markdown(result)
    assert "❌" in markdown and "<code>catalogue/assets/summer-2026/broken.yaml:" in markdown
    assert "`R702` made public, but its rights expired on 2026-06-01" in markdown

    done = run(root, "review", "--base", "main", "--head", "breaks", "--format", "github", "--today", TODAY.isoformat(),
               "--markdown", str(root / "out/review.md"), "--json", str(root / "out/review.json"))
    assert done.exit_code == 1
    assert re.search(r"^::error file=catalogue/assets/summer-2026/broken.yaml,line=\d+,col=\d+,title=E100::", done.output, re.M)
    assert (root / "out/review.md").read_text().startswith(MARKER)
    assert json.loads((root / "out/review.json").read_text())["summary"]["errors"] == len(result.errors)


def test_missing_consent_and_withdrawn_rights(repo):
    root = repo.root
    edit(root / "catalogue/taxonomy.yaml", "tags: [beach, family, lifestyle, sunset]", "tags: [beach, family, lifestyle, sunset, people]")
    commit(root, "People tag")
    git(root, "checkout", "-q", "-b", "people")
    people = good_sidecar("crowd", md5=md5_of("crowd")).replace("tags: [beach, family]", "tags: [beach, people]")
    repo.pointer("summer-2026/crowd.jpg", md5_of("crowd"))
    repo.sidecar(people, "crowd")
    released = people.replace("id: crowd", "id: crowd-ok").replace("master: summer-2026/crowd.jpg", "master: summer-2026/crowd-ok.jpg")
    released = released.replace('credit: "(c) Acme Studio 2026"', 'credit: "(c) Acme Studio 2026"\n  consent: [release-1]')
    released = released.replace(md5_of("crowd"), md5_of("crowd-ok"))
    repo.pointer("summer-2026/crowd-ok.jpg", md5_of("crowd-ok"))
    repo.sidecar(released, "crowd-ok")
    withdrawn = good_sidecar("pulled", md5=md5_of("pulled")).replace("status: approved", "status: draft")
    repo.pointer("summer-2026/pulled.jpg", md5_of("pulled"))
    repo.sidecar(withdrawn, "pulled")
    commit(root, "Draft")
    edit(root / "catalogue/assets/summer-2026/pulled.yaml", "status: draft", "status: approved")
    edit(root / "catalogue/assets/summer-2026/pulled.yaml", "expires: 2027-05-01", "expires: 2027-05-01\n  withdrawn_on: 2026-06-01")
    commit(root, "Publish")

    result = review(root, "main", "people", today=TODAY)
    codes = {(d.path.rsplit("/", 1)[-1], d.code) for d in result.errors}
    assert ("crowd.yaml", "R703") in codes and ("crowd-ok.yaml", "R703") not in codes
    assert ("pulled.yaml", "R701") in codes
    consent = next(d for d in result.errors if d.code == "R703")
    assert (root / consent.path).read_text().splitlines()[consent.line - 1].startswith("tags: [beach, people]")


def test_rename_to_a_new_id_with_the_same_master_and_a_duplicate_master(repo):
    root = repo.root
    git(root, "checkout", "-q", "-b", "renames")
    old = root / "catalogue/assets/summer-2026/to-move.yaml"
    text = old.read_text().replace("id: to-move", "id: moved-hero").replace("title: Beach hero, golden hour", "title: Moved")
    old.unlink()
    repo.sidecar(text, "moved-hero")
    # a new asset whose master has the same content as an existing one elsewhere
    duplicate = good_sidecar("copy-of-hero", md5=md5_of("hero-beach"))
    repo.pointer("summer-2026/copy-of-hero.jpg", md5_of("hero-beach"))
    repo.sidecar(duplicate, "copy-of-hero")
    commit(root, "Rename and duplicate")

    result = review(root, "main", "renames", today=TODAY)
    moved = by_id(result, "moved-hero")
    assert moved.kind == "renamed" and moved.renamed_by in ("path", "md5") and moved.old_id == "to-move"
    assert ("title", "Beach hero, golden hour", "Moved") in {(f.field, f.old, f.new) for f in moved.fields}
    duplicates = [d for d in result.diagnostics if d.code == "E502"]
    assert duplicates and all(d.path.endswith("copy-of-hero.yaml") for d in duplicates)
    assert "hero-beach" in duplicates[0].message


def test_a_replaced_master_without_refreshed_technical_data(repo):
    root = repo.root
    git(root, "checkout", "-q", "-b", "stale")
    repo.pointer("summer-2026/new-master.jpg", md5_of("replacement"))
    commit(root, "Replace the master only")
    result = review(root, "main", "stale", today=TODAY)
    change = by_id(result, "new-master")
    assert change.master_replaced
    assert change.technical_after == {"md5 (.dvc pointer)": md5_of("replacement")}
    assert [d.code for d in result.errors] == ["E403"]


def test_markdown_escapes_hostile_catalogue_text(repo):
    root = repo.root
    git(root, "checkout", "-q", "-b", "hostile")
    hostile = "Evil | title <script>alert(1)</script> `rm -rf` [x](javascript:alert(1)) @everyone #1"
    edit(root / "catalogue/assets/summer-2026/hero-beach.yaml", "title: Beach hero, golden hour", f"title: {json.dumps(hostile)}")
    commit(root, "Hostile title")
    markdown = to_markdown(review(root, "main", "hostile", today=TODAY))
    assert "<script>" not in markdown and "`rm" not in markdown and "](javascript" not in markdown
    assert "@everyone" not in markdown and "Evil | title" not in markdown
    assert "Evil &#124; title &#60;script&#62;" in markdown
    # every table row still has its five cells
    row = next(line for line in markdown.splitlines() if line.startswith("| <code>hero-beach</code>"))
    assert row.count("|") == 6
    assert md(None) == "—" and md(["a", "b"]) == "a, b"


def test_forty_assets_stay_readable_and_a_huge_pr_fits_a_comment(repo):
    root = repo.root
    git(root, "checkout", "-q", "-b", "many")
    for index in range(40):
        repo.asset(f"bulk-{index:02d}")
    commit(root, "Forty assets")
    result = review(root, "main", "many", today=TODAY)
    markdown = to_markdown(result)
    assert len(result.changes) == 40
    summary_at, details_at = markdown.index("### Portal impact"), markdown.index("### Details")
    assert summary_at < details_at and markdown.count("<details>") == 40
    small = to_markdown(result, budget=4000)
    assert len(small) < 4500 and "more" in small


def test_no_changes_and_unknown_revisions(repo):
    root = repo.root
    result = review(root, "main", "main", today=TODAY)
    assert result.changes == () and "No catalogue changes" in to_markdown(result)
    done = run(root, "review", "--base", "no-such-branch")
    assert done.exit_code == 2 and "no-such-branch" in done.output
    assert to_data(result)["summary"]["assets"] == 0

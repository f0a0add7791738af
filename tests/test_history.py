"""history: one git log pass for the whole catalogue, first-parent, renames followed, PR numbers."""

from __future__ import annotations

import subprocess
from pathlib import Path

from builder.history import parse_log, pr_number, sidecar_history


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
    subprocess.run(["git", "-c", "user.name=Alice Editor", "-c", "user.email=alice@example.com", "-c", "commit.gpgsign=false", *args],
                   cwd=root, check=True, capture_output=True, env={**__import__("os").environ, **env})


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_three_commits_with_a_merged_pull_request(tmp_path: Path) -> None:
    root = tmp_path
    git(root, "init", "-q", "-b", "main")
    write(root, "catalogue/assets/summer/hero.yaml", "id: hero\ntitle: One\n")
    write(root, "catalogue/assets/summer/other.yaml", "id: other\n")
    write(root, "README.md", "not a sidecar\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add the first sidecars", date="2026-05-01T10:00:00+00:00")
    write(root, "catalogue/assets/summer/hero.yaml", "id: hero\ntitle: Two\n")
    git(root, "commit", "-q", "-am", "Fix the hero title (#7)", date="2026-05-02T10:00:00+00:00")
    git(root, "checkout", "-q", "-b", "better-hero")
    write(root, "catalogue/assets/summer/hero.yaml", "id: hero\ntitle: Three\n")
    git(root, "commit", "-q", "-am", "WIP on the branch", date="2026-05-03T10:00:00+00:00")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "better-hero", "-m", "Merge pull request #12 from acme/better-hero",
        "-m", "Approve the new hero title", date="2026-05-04T10:00:00+00:00")

    history = sidecar_history(root)
    assert sorted(history) == ["catalogue/assets/summer/hero.yaml", "catalogue/assets/summer/other.yaml"]
    hero = history["catalogue/assets/summer/hero.yaml"]
    # newest first, as it landed on main: the PR is one entry carrying the PR title
    assert [(c.day, c.message, c.pr_number) for c in hero] == [
        ("2026-05-04", "Approve the new hero title", 12),
        ("2026-05-02", "Fix the hero title (#7)", 7),
        ("2026-05-01", "Add the first sidecars", None),
    ]
    assert {c.author for c in hero} == {"Alice Editor"}
    assert all(len(c.commit) == 40 for c in hero)
    assert [c.message for c in history["catalogue/assets/summer/other.yaml"]] == ["Add the first sidecars"]


def test_renamed_sidecar_keeps_its_past(tmp_path: Path) -> None:
    root = tmp_path
    git(root, "init", "-q", "-b", "main")
    write(root, "catalogue/assets/a/x.yaml", "id: x\ntitle: a long enough body so rename detection is sure\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add x")
    (root / "catalogue/assets/b").mkdir()
    git(root, "mv", "catalogue/assets/a/x.yaml", "catalogue/assets/b/x.yaml")
    git(root, "commit", "-q", "-m", "Move x to b (#3)")
    history = sidecar_history(root)
    assert [c.message for c in history["catalogue/assets/b/x.yaml"]] == ["Move x to b (#3)", "Add x"]
    assert "catalogue/assets/a/x.yaml" not in history


def test_catalogue_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "portal/catalogue/assets/c/y.yaml", "id: y\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "Add y")
    assert list(sidecar_history(tmp_path / "portal")) == ["catalogue/assets/c/y.yaml"]


def test_outside_a_repository_every_history_is_empty(tmp_path: Path) -> None:
    (tmp_path / "catalogue/assets").mkdir(parents=True)
    assert sidecar_history(tmp_path) == {}


def test_pr_numbers() -> None:
    assert pr_number("Merge pull request #12 from acme/x") == 12
    assert pr_number("Add hero (#345)") == 345
    assert pr_number("Mention #12 in passing") is None
    assert parse_log("") == {}

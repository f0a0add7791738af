"""`dam build --review BASE`: old and new renditions side by side for a pull request."""

from __future__ import annotations

import re

from click.testing import CliRunner

from builder.cli import cli
from conftest import CatalogueFactory
from test_derive_pool import add_photo, photo_bytes
from test_dvc import git, git_repo


def test_moved_focus_point_shows_old_and_new_crops(tmp_path):
    root = git_repo(tmp_path / "repo")
    factory = CatalogueFactory(root)
    add_photo(factory, "hero-beach", photo_bytes(3))
    add_photo(factory, "surf-lesson", photo_bytes(5))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "catalogue")
    git(root, "branch", "-M", "main")
    git(root, "switch", "-qc", "move-focus")
    add_photo(factory, "hero-beach", photo_bytes(3), lambda t: t.replace("{x: 0.62, y: 0.40}", "{x: 0.05, y: 0.95}"))
    git(root, "commit", "-qam", "Move the focus point to the child on the left")

    result = CliRunner().invoke(cli, ["--root", str(root), "build", "--review", "main", "--today", "2026-12-04",
                                      "--out", str(tmp_path / "site"), "--jobs", "1"])
    assert result.exit_code == 0, result.output

    index = (tmp_path / "site/review/index.html").read_text()
    assert "hero-beach" in index and "surf-lesson" not in index
    page = (tmp_path / "site/review/hero-beach/index.html").read_text()
    assert "focus.x" in page and "0.62" in page and "0.05" in page
    for label in ("Square 1:1", "Wide 16:9", "Story 9:16"):
        section = page.split(f">{label}")[1].split("</section>")[0]
        before, after = re.findall(r'<img src="\.\./\.\./(renditions/[0-9a-f]{20}\.jpg)"', section)
        assert before != after, label
        assert (tmp_path / "site" / before).is_file() and (tmp_path / "site" / after).is_file()
        assert "changed" in section
    thumb = page.split(">Thumbnail")[1].split("</section>")[0]
    assert len(set(re.findall(r'renditions/[0-9a-f]{20}\.webp', thumb))) == 1, "a resize does not depend on focus"
    sitemap = (tmp_path / "site/sitemap.xml").read_text()
    assert "review/" not in sitemap


def test_unknown_base_revision_is_a_usage_error(tmp_path):
    root = git_repo(tmp_path / "repo")
    factory = CatalogueFactory(root)
    add_photo(factory, "hero-beach", photo_bytes(3))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "catalogue")
    result = CliRunner().invoke(cli, ["--root", str(root), "build", "--review", "no-such-branch", "--out", str(tmp_path / "site")])
    assert result.exit_code == 2

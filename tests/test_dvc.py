"""builder.dvc against the real DVC and Git: init, remote, add, push, clone, pull."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from builder import dvc


@pytest.fixture(autouse=True)
def _no_analytics(monkeypatch):
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    git(path, "config", "user.name", "Test")
    git(path, "config", "user.email", "test@example.com")
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_default_remote_is_a_relative_ignored_folder(tmp_path):
    root = git_repo(tmp_path / "repo")
    dvc.ensure_project(root)
    dvc.ensure_project(root)  # idempotent
    config = (root / ".dvc" / "config").read_text()
    assert "remote = local" in config
    assert "url = storage" in config  # relative to .dvc/config, so every clone resolves it
    assert "/storage" in (root / ".dvc" / ".gitignore").read_text().splitlines()
    assert (root / ".dvcignore").is_file()

    (root / "media" / "c").mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(root / "media" / "c" / "a.png")
    dvc.add(root, [root / "media" / "c" / "a.png"])
    dvc.push(root)
    stored = list((root / ".dvc" / "storage").rglob("*"))
    assert any(path.is_file() for path in stored)
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    listed = {line[3:] for line in status.splitlines()}
    assert "media/c/a.png.dvc" in listed and "media/c/.gitignore" in listed
    assert "media/c/a.png" not in listed  # the master itself is ignored ...
    assert not any("storage" in path for path in listed)  # ... and so is the local remote


def test_add_push_clone_pull_gives_identical_bytes(tmp_path):
    root = git_repo(tmp_path / "repo")
    remote = tmp_path / "remote"
    dvc.ensure_project(root, remote_url=str(remote))
    master = root / "media" / "summer-2026" / "hero.jpg"
    master.parent.mkdir(parents=True)
    Image.effect_noise((64, 48), 40).convert("RGB").save(master, quality=90)
    second = master.with_name("other.png")
    Image.new("RGBA", (4, 4), (1, 2, 3, 4)).save(second)
    digest = md5(master)

    dvc.add(root, [master, second])  # one batch call
    pointer = Path(f"{master}.dvc")
    assert pointer.is_file() and Path(f"{second}.dvc").is_file()
    assert digest in pointer.read_text()
    ignored = (master.parent / ".gitignore").read_text().splitlines()
    assert "/hero.jpg" in ignored and "/other.png" in ignored
    dvc.push(root)

    # The pointer, the .gitignore and the DVC config are what Git carries.
    git(root, "add", ".")
    committed = git(root, "diff", "--cached", "--name-only").split()
    assert "media/summer-2026/hero.jpg.dvc" in committed
    assert "media/summer-2026/hero.jpg" not in committed
    git(root, "commit", "-q", "-m", "masters")

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(root), str(clone))
    assert not (clone / "media" / "summer-2026" / "hero.jpg").exists()
    dvc.pull(clone)
    assert md5(clone / "media" / "summer-2026" / "hero.jpg") == digest
    assert md5(clone / "media" / "summer-2026" / "other.png") == md5(second)


def test_ensure_project_needs_git(tmp_path):
    with pytest.raises(dvc.DvcError, match="not a Git working tree"):
        dvc.ensure_project(tmp_path)


def test_dvc_errors_carry_dvcs_message(tmp_path):
    root = git_repo(tmp_path / "repo")
    dvc.ensure_project(root)
    (root / "media").mkdir()
    with pytest.raises(dvc.DvcError) as caught:
        dvc.add(root, ["media/missing.jpg"])
    assert "missing.jpg" in str(caught.value)

"""dvc.yaml with the real DVC: `dvc repro` runs validate -> derive, then has nothing to do."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from builder import dvc
from test_derive_pool import photo_bytes
from test_dvc import git, git_repo

from conftest import CatalogueFactory, good_sidecar

REPO = Path(__file__).resolve().parents[1]


def repro(root: Path) -> str:
    done = subprocess.run(["dvc", "repro"], cwd=root, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "DVC_NO_ANALYTICS": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_repro_builds_then_is_a_no_op(tmp_path):
    root = git_repo(tmp_path / "repo")
    factory = CatalogueFactory(root)
    shutil.copy(REPO / "dvc.yaml", root / "dvc.yaml")
    data = photo_bytes(3)
    factory.write("media/summer-2026/hero-beach.jpg", data)
    dvc.ensure_project(root)
    dvc.add(root, [root / "media/summer-2026/hero-beach.jpg"])
    md5 = hashlib.md5(data).hexdigest()
    factory.sidecar(good_sidecar("hero-beach", md5=md5).replace("approved_on: 2026-05-02", "approved_on: 2025-05-02")
                    .replace("expires: 2027-05-01", "expires: 2099-05-01"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "catalogue")

    first = repro(root)
    assert "Running stage 'validate'" in first and "Running stage 'derive'" in first
    rendered = sorted(p.name for p in (root / "cache/renditions").rglob("*.*") if p.parent.name != "tmp")
    assert len(rendered) == 6
    assert (root / "dvc.lock").is_file()

    second = repro(root)
    assert "Running stage" not in second
    assert "up to date" in second.lower()

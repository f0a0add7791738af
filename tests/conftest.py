"""Shared fixtures: small catalogues written to tmp dirs, one sidecar at a time."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

TODAY = dt.date(2026, 12, 4)

TAXONOMY = """\
owners:
  brand-team:
    name: Brand team
    handles: ["@acme/brand-team", alice, bob]
  social-team:
    name: Social team
    handles: [chen]
collections:
  summer-2026:
    title: Summer 2026
    owners: [brand-team]
  social:
    title: Social clips
    owners: [social-team]
campaigns:
  summer-sale-2026:
    title: Summer sale 2026
tags: [beach, family, lifestyle, sunset]
channels:
  web: {label: Web}
  social: {label: Social media}
  print: {label: Print}
licences:
  rights-managed: {label: Rights managed}
  royalty-free: {label: Royalty free}
"""

PORTAL = """\
title: Acme brand portal
base_url: /
"""


def good_sidecar(asset_id: str = "hero-beach", collection: str = "summer-2026", md5: str | None = None) -> str:
    """An approved, publishable image sidecar; tests break one thing at a time."""
    md5 = md5 or hashlib.md5(asset_id.encode()).hexdigest()
    return textwrap.dedent(f"""\
        id: {asset_id}
        title: Beach hero, golden hour
        description: Family walking on the beach at sunset.
        alt: Three people walking along a sandy beach at sunset
        master: {collection}/{asset_id}.jpg
        collection: {collection}
        campaign: summer-sale-2026
        tags: [beach, family]
        language: en-GB
        channels: [web, social]
        owner: brand-team
        creator: Jane Doe
        status: approved
        visibility: public
        approved_by: alice
        approved_on: 2026-05-02
        rights:
          licence: rights-managed
          usage: [web, social]
          territories: [GB, IE]
          expires: 2027-05-01
          credit: "(c) Acme Studio 2026"
        focus: {{x: 0.62, y: 0.40}}
        technical:
          md5: {md5}
          bytes: 4123456
          media_type: image/jpeg
          width: 6000
          height: 4000
        """)


def dvc_pointer(md5: str, name: str, size: int = 4123456) -> str:
    return f"outs:\n- md5: {md5}\n  size: {size}\n  hash: md5\n  path: {name}\n"


class CatalogueFactory:
    """Writes a repository layout under `root`; every method returns the written path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.write("catalogue/taxonomy.yaml", TAXONOMY)
        self.write("catalogue/portal.yaml", PORTAL)
        (root / "media").mkdir(exist_ok=True)

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def sidecar(self, text: str, asset_id: str = "hero-beach", collection: str = "summer-2026") -> Path:
        return self.write(f"catalogue/assets/{collection}/{asset_id}.yaml", text)

    def pointer(self, master: str, md5: str) -> Path:
        return self.write(f"media/{master}.dvc", dvc_pointer(md5, Path(master).name))

    def asset(self, asset_id: str = "hero-beach", collection: str = "summer-2026", text: str | None = None) -> Path:
        """A good sidecar plus the DVC pointer its technical block agrees with."""
        md5 = hashlib.md5(asset_id.encode()).hexdigest()
        self.pointer(f"{collection}/{asset_id}.jpg", md5)
        return self.sidecar(text or good_sidecar(asset_id, collection, md5), asset_id, collection)


@pytest.fixture
def catalogue(tmp_path: Path) -> CatalogueFactory:
    return CatalogueFactory(tmp_path)


@pytest.fixture
def today() -> dt.date:
    return TODAY


def run(cwd: Path, *args: str) -> None:
    subprocess.run(list(args), cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="session")
def dvc_template(tmp_path_factory) -> Path:
    """One initialised Git + DVC repository with empty catalogue/assets and media, copied for
    each test that needs one (`dvc init` costs seconds)."""
    from builder import dvc

    root = tmp_path_factory.mktemp("template") / "repo"
    root.mkdir()
    run(root, "git", "init", "-q")
    run(root, "git", "config", "user.name", "Test")
    run(root, "git", "config", "user.email", "test@example.com")
    dvc.ensure_project(root)
    (root / "catalogue" / "assets").mkdir(parents=True)
    (root / "media").mkdir()
    return root


@pytest.fixture
def dvc_repo(dvc_template, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    root = tmp_path / "repo"
    shutil.copytree(dvc_template, root, symlinks=True)
    return root

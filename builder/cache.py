"""A content-addressed store of renditions: `<key>.<ext>`, sharded by the key's first two hex digits.

Files are only ever renamed into place when complete, so a reader never sees half a file and
a crash leaves at most an orphan in tmp/. The store is a DVC-tracked output, so CI can pull
what an earlier build rendered.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

CACHE_DIR = "cache/renditions"


@dataclass(frozen=True)
class RenditionCache:
    root: Path

    @classmethod
    def at(cls, repository: Path) -> "RenditionCache":
        return cls(repository / CACHE_DIR)

    def path(self, filename: str) -> Path:
        return self.root / filename[:2] / filename

    def present(self) -> set[str]:
        """Every stored file name, with one directory listing per shard rather than a stat per file."""
        if not self.root.is_dir():
            return set()
        found: set[str] = set()
        for shard in os.scandir(self.root):
            if shard.is_dir() and len(shard.name) == 2:
                found.update(entry.name for entry in os.scandir(shard.path) if entry.is_file())
        return found

    def temporary(self, filename: str) -> Path:
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}-{filename}"

    def commit(self, temporary: Path) -> Path:
        """Rename a finished temporary (from `temporary()`) to its final, keyed name."""
        target = self.path(temporary.name.split("-", 1)[1])
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
        return target

    def discard(self, temporary: Path) -> None:
        temporary.unlink(missing_ok=True)

    def prune(self, keep: set[str]) -> list[str]:
        """Delete stored files the current plan does not name (and any leftover temporaries)."""
        removed = sorted(name for name in self.present() if name not in keep)
        for name in removed:
            self.path(name).unlink(missing_ok=True)
        shutil.rmtree(self.root / "tmp", ignore_errors=True)
        return removed

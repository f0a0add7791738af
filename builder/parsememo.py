"""Build state for the loader: what each sidecar's bytes parse to, kept between runs.

Parsing and schema validation are a pure function of a sidecar's path and bytes (and of the
code doing it), so their result is memoised under a hash of exactly those; rules that look
at the taxonomy, the file system or the date are re-run every time. A no-op rebuild of a
large catalogue then reads files and hashes them instead of parsing YAML.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import pydantic

import builder
from builder import fields, modelerrors, models, yamlio
from builder.atomic import write_atomic

MEMO_FILE = "cache/state/sidecars.pickle"
# The modules whose code decides what a sidecar parses to.
PARSING_MODULES = (fields, modelerrors, models, yamlio)


def code_fingerprint(limits: object) -> str:
    digest = hashlib.sha256()
    for module in PARSING_MODULES:
        digest.update(Path(module.__file__).read_bytes())
    digest.update(f"{builder.__version__}|{pydantic.VERSION}|{sys.version_info[:2]}|{limits!r}".encode())
    return digest.hexdigest()


def content_key(relative: str, raw: bytes) -> str:
    return hashlib.blake2b(relative.encode() + b"\0" + raw, digest_size=20).hexdigest()


@dataclass
class ParseMemo:
    path: Path
    fingerprint: str
    entries: dict[str, object]
    dirty: bool = False

    @classmethod
    def open(cls, root: Path, fingerprint: str) -> "ParseMemo":
        """A memo from an earlier run, or an empty one if there is none or it is stale."""
        path = root / MEMO_FILE
        try:
            with path.open("rb") as handle:
                stored_fingerprint, entries = pickle.load(handle)
            if stored_fingerprint == fingerprint and isinstance(entries, dict):
                return cls(path, fingerprint, entries)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            pass
        return cls(path, fingerprint, {})

    def get(self, key: str) -> object | None:
        return self.entries.get(key)

    def put(self, key: str, value: object) -> None:
        self.entries[key] = value
        self.dirty = True

    def save(self, keep: set[str]) -> None:
        """Write only the entries of the current files, atomically; skip if nothing changed."""
        if not self.dirty and keep == set(self.entries):
            return
        kept = {key: value for key, value in self.entries.items() if key in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, pickle.dumps((self.fingerprint, kept), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only checkout still builds, just slower

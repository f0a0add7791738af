"""A thin wrapper over the real DVC command line: init, add, push and pull of masters.

Why the CLI (``python -m dvc`` in a subprocess) and not ``dvc.repo.Repo``: the command line is
DVC's documented, stable interface, while ``dvc.repo.Repo`` is an internal API that changes
between releases. A subprocess also keeps DVC's logging setup, config caches, locks and
threads out of our process. Start-up costs about half a second per call, so callers batch:
``add`` takes every path of one ``dam add`` in a single ``dvc add`` call.

The embedded default remote is a local folder, ``.dvc/storage``, written to ``.dvc/config``
with a URL relative to that file (``url = storage``), so every clone resolves it to its own
working copy and it works offline on a fresh machine. It is ignored through ``.dvc/.gitignore``
(the file ``dvc init`` creates), so it never reaches Git. It is a default, not a backup: an
organisation points the ``local`` remote (or a new default) at S3, GCS, Azure or SSH with
``dvc remote add -d ...`` and nothing in the builder changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Sequence

DEFAULT_REMOTE = "local"
# Relative to the repository root; DVC stores it relative to .dvc/config ("storage").
DEFAULT_REMOTE_DIR = ".dvc/storage"
# Keep every command line well under ARG_MAX even with long paths.
ADD_BATCH = 500


class DvcError(Exception):
    """DVC refused or failed; the message is DVC's own error text, shown to the user as is."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DVC_NO_ANALYTICS", "1")
    return env


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run(root: Path, *args: str) -> str:
    """Run ``dvc ARGS`` in ``root``; return stdout, or raise DvcError with DVC's message."""
    cmd = [sys.executable, "-m", "dvc", *args]
    try:
        done = subprocess.run(cmd, cwd=root, env=_env(), capture_output=True, text=True)
    except OSError as exc:  # pragma: no cover - python itself missing
        raise DvcError(f"could not run dvc: {exc}") from exc
    if done.returncode != 0:
        text = _ANSI.sub("", (done.stderr or done.stdout or "").strip())
        raise DvcError(f"`dvc {' '.join(args[:1])}` failed in {root}: {text or 'no message'}")
    return done.stdout


def is_project(root: Path) -> bool:
    return (Path(root) / ".dvc" / "config").is_file()


def ensure_project(root: Path, remote_url: str | None = None) -> None:
    """Make ``root`` (a Git working tree) a DVC project with a default remote.

    Runs ``dvc init`` when there is no ``.dvc/`` yet (DVC stages its own three files, as it
    always does), then adds the default remote unless one is configured: ``remote_url`` when
    given (a path or any URL DVC accepts), else the embedded ``.dvc/storage`` folder.
    """
    root = Path(root)
    if not (root / ".git").exists():
        raise DvcError(f"{root} is not a Git working tree (run `git init` there first)")
    if not is_project(root):
        run(root, "init", "--quiet")
    if not _default_remote(root):
        url = remote_url or DEFAULT_REMOTE_DIR
        if url == DEFAULT_REMOTE_DIR:
            _ignore_default_remote(root)
        existing = {line.split()[0] for line in run(root, "remote", "list").splitlines() if line.strip()}
        if DEFAULT_REMOTE in existing:
            run(root, "remote", "modify", DEFAULT_REMOTE, "url", url)
            run(root, "remote", "default", DEFAULT_REMOTE)
        else:
            run(root, "remote", "add", "--default", DEFAULT_REMOTE, url)


def _default_remote(root: Path) -> str:
    try:
        return run(root, "remote", "default").strip()
    except DvcError:  # "No default remote set" is an error exit
        return ""


def _ignore_default_remote(root: Path) -> None:
    ignore = root / ".dvc" / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if "/storage" not in lines:
        with ignore.open("a", encoding="utf-8") as handle:
            if lines and not ignore.read_text(encoding="utf-8").endswith("\n"):
                handle.write("\n")
            handle.write("/storage\n")


def _relative(root: Path, paths: Iterable[Path | str]) -> list[str]:
    out = []
    for path in paths:
        path = Path(path)
        rel = path.relative_to(root) if path.is_absolute() else path
        out.append(rel.as_posix())
    return out


def add(root: Path, paths: Sequence[Path | str]) -> None:
    """``dvc add`` the given files (one .dvc pointer per file, next to it, plus the
    ``.gitignore`` entries DVC writes beside them), in as few DVC calls as possible."""
    root = Path(root)
    targets = _relative(root, paths)
    for start in range(0, len(targets), ADD_BATCH):
        run(root, "add", *targets[start:start + ADD_BATCH])


def push(root: Path, remote: str | None = None) -> None:
    run(Path(root), "push", *(["--remote", remote] if remote else []))


def pull(root: Path, remote: str | None = None) -> None:
    run(Path(root), "pull", *(["--remote", remote] if remote else []))

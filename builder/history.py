"""history: the Git history of every sidecar, from ONE `git log` pass over catalogue/assets.

We follow the first parent, so each entry is a change as it landed on the published branch:
a pull request merged with a merge commit is one entry (its PR number from "Merge pull
request #N", its message the PR title GitHub writes on the body's first line), a squash merge
is one entry ("Title (#N)"), a direct commit is one entry. Renames are followed, so a
sidecar moved to another collection keeps its past. Outside a Git repository, or without
git, every history is empty.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ASSETS = "catalogue/assets"
RECORD, HEADER_END, FIELD = "\x1e", "\x1f", "\x00"
FORMAT = "%x1e%H%x00%aI%x00%an%x00%s%x00%b%x1f"
MERGE_PR = re.compile(r"^Merge pull request #(\d+)\b")
SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$")


@dataclass(frozen=True)
class Change:
    commit: str
    date: str  # ISO 8601 author date, as Git recorded it
    author: str
    message: str
    pr_number: int | None = None

    @property
    def day(self) -> str:
        return self.date[:10]

    @property
    def short(self) -> str:
        return self.commit[:7]


def pr_number(subject: str) -> int | None:
    match = MERGE_PR.match(subject) or SQUASH_PR.search(subject)
    return int(match.group(1)) if match else None


def _message(subject: str, body: str) -> str:
    """A merge's subject says only which branch; GitHub puts the PR title on the body's first line."""
    if MERGE_PR.match(subject):
        first = next((line.strip() for line in body.splitlines() if line.strip()), "")
        return first or subject
    return subject


def git_log(root: Path) -> str | None:
    command = [
        "git", "-c", "core.quotePath=false", "log", "--first-parent", "--diff-merges=first-parent",
        "-M", "--name-status", "--relative", f"--format={FORMAT}", "--", ASSETS,
    ]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, check=False)
    except OSError:  # git is not installed
        return None
    if done.returncode != 0:  # not a repository, or no commits yet
        return None
    return done.stdout.decode("utf-8", errors="replace")


def parse_log(text: str) -> dict[str, tuple[Change, ...]]:
    """`git log` output (newest first) -> current sidecar path -> its changes, newest first."""
    history: dict[str, list[Change]] = {}
    renamed: dict[str, str] = {}  # a path as it was in older commits -> the path it has now
    for record in text.split(RECORD)[1:]:
        header, _, files = record.partition(HEADER_END)
        commit, date, author, subject, body = (header.split(FIELD) + [""] * 5)[:5]
        change = Change(commit, date, author, _message(subject, body), pr_number(subject))
        touched: list[str] = []
        for line in files.splitlines():
            parts = line.split("\t")
            if len(parts) < 2 or not parts[0]:
                continue
            status = parts[0][0]
            if status in "RC" and len(parts) >= 3:
                old, new = parts[1], parts[2]
                current = renamed.get(new, new)
                touched.append(current)
                if status == "R":
                    renamed[old] = current
            else:
                touched.append(renamed.get(parts[1], parts[1]))
        for path in dict.fromkeys(touched):
            history.setdefault(path, []).append(change)
    return {path: tuple(changes) for path, changes in sorted(history.items())}


def sidecar_history(root: Path) -> dict[str, tuple[Change, ...]]:
    """Sidecar path (relative to the root, e.g. catalogue/assets/c/x.yaml) -> its changes."""
    text = git_log(root)
    return parse_log(text) if text else {}

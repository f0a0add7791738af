"""`dam review`, `dam codeowners`, `dam rights` and `dam history`: review and governance.

Exit status: 0 fine, 1 something to fix (rule breaks, a stale
CODEOWNERS), 2 usage errors (click's convention, also for unknown revisions).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import asdict
from pathlib import Path, PurePosixPath

import click

from builder.catalogue import load, sidecar_paths
from builder.cli_common import catalogue_root, parse_date
from builder.diagnostics import format_github
from builder.governance import (
    CODEOWNERS_FILE, GovernanceError, codeowners as codeowners_text, codeowners_is_current, parse_within,
    rights_csv, rights_items, rights_json, rights_text, write_codeowners,
)
from builder.history import sidecar_history
from builder.gitobjects import ReviewError
from builder.review import asset_history, review as review_revisions
from builder.reviewreport import to_json, to_markdown, to_text


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@click.command("review")
@click.option("--base", required=True, metavar="REV", help="The branch the pull request goes into, e.g. origin/main.")
@click.option("--head", default="HEAD", show_default=True, metavar="REV", help="The commit to review (committed work only).")
@click.option("--markdown", "markdown_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as Markdown (the sticky PR comment).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as JSON.")
@click.option("--format", "output_format", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="text for a terminal; github also prints each problem as a pull-request annotation.")
@click.option("--today", callback=parse_date, metavar="YYYY-MM-DD", help="Judge publication, expiry and embargo on this date.")
@click.pass_context
def review(ctx: click.Context, base: str, head: str, markdown_file: Path | None, json_file: Path | None,
           output_format: str, today: dt.date | None) -> None:
    """Report what HEAD (or --head) changes in the catalogue relative to --base.

    Compares head with the commit where it forked from base (as a pull request's "Files
    changed" does), reading both straight from Git: assets added, removed, renamed and edited
    field by field, masters replaced, what each change does to the public portal, and the
    rule breaks that must be fixed first. Exit status 1 when there are rule breaks.
    """
    root = catalogue_root(ctx)
    try:
        result = review_revisions(root, base, head, today)
    except ReviewError as exc:
        raise click.UsageError(str(exc)) from None
    if markdown_file:
        _write(markdown_file, to_markdown(result))
    if json_file:
        _write(json_file, to_json(result) + "\n")
    click.echo(to_text(result))
    if output_format == "github" and result.diagnostics:
        click.echo(format_github(list(result.diagnostics)))
    sys.exit(1 if result.errors else 0)


@click.command("codeowners")
@click.option("--check", is_flag=True, help="Fail (exit 1) if .github/CODEOWNERS is out of date instead of writing it.")
@click.option("--admin", "admins", multiple=True, metavar="OWNER",
              help="Owner (from taxonomy.yaml) of taxonomy.yaml, portal.yaml and CI files; repeatable. Default: the first owner listed.")
@click.pass_context
def codeowners(ctx: click.Context, check: bool, admins: tuple[str, ...]) -> None:
    """Write .github/CODEOWNERS from the collection owners in taxonomy.yaml.

    Each collection's sidecars (catalogue/assets/C/) and masters (media/C/) are owned by the
    handles of its owners, so pull requests request the right reviewers.
    """
    root = catalogue_root(ctx)
    loaded = load(root, rules=False)
    if any(d.is_error and d.path == "catalogue/taxonomy.yaml" for d in loaded.diagnostics):
        click.echo("taxonomy.yaml has errors; run `dam validate`", err=True)
        sys.exit(1)
    try:
        text = codeowners_text(loaded.catalogue.taxonomy, admins)
    except GovernanceError as exc:
        raise click.UsageError(str(exc)) from None
    if check:
        if codeowners_is_current(root, text):
            click.echo(f"{CODEOWNERS_FILE} is up to date", err=True)
            sys.exit(0)
        click.echo(f"{CODEOWNERS_FILE} is out of date with taxonomy.yaml; run `dam codeowners` and commit it", err=True)
        sys.exit(1)
    click.echo(write_codeowners(root, text).relative_to(root).as_posix())


def _within(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_within(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("rights")
@click.option("--within", callback=_within, metavar="30d", help="Expiring means within this many days (default: expiry_warning_days in portal.yaml).")
@click.option("--format", "output_format", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("--today", callback=parse_date, metavar="YYYY-MM-DD", help="Judge dates as of this day.")
@click.pass_context
def rights(ctx: click.Context, within: int | None, output_format: str, today: dt.date | None) -> None:
    """List expired, expiring, embargoed and withdrawn assets with their owners, soonest first."""
    root = catalogue_root(ctx)
    today = today or dt.date.today()
    loaded = load(root, today=today, rules=False)
    catalogue = loaded.catalogue
    days = catalogue.settings.expiry_warning_days if within is None else within
    items = rights_items(catalogue.assets, catalogue.taxonomy, today, days, catalogue.sources)
    formatter = {"text": lambda: rights_text(items, today, days), "csv": lambda: rights_csv(items).rstrip("\n"),
                 "json": lambda: rights_json(items)}[output_format]
    click.echo(formatter())
    if loaded.errors:
        click.echo(f"{len(loaded.errors)} sidecar error(s): those assets are not listed; run `dam validate`", err=True)


@click.command("history")
@click.argument("asset_id")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def history(ctx: click.Context, asset_id: str, output_format: str) -> None:
    """The audit trail of one asset: who changed what and when, with pull request numbers.

    One entry per change as it landed on the current branch (a merged pull request is one
    entry), following the sidecar through renames.
    """
    root = catalogue_root(ctx)
    changes_by_path = sidecar_history(root)
    current = [p for p in sidecar_paths(root) if PurePosixPath(p).stem == asset_id]
    known = [p for p in changes_by_path if PurePosixPath(p).stem == asset_id]
    paths = current or known
    if not paths:
        raise click.UsageError(f"no sidecar named {asset_id}.yaml in the catalogue or its Git history")
    path = paths[0]
    entries = asset_history(root, path, changes_by_path.get(path, ()))
    if output_format == "json":
        click.echo(json.dumps({"id": asset_id, "path": path, "changes": [asdict(e) for e in entries]}, indent=2, ensure_ascii=False, default=str))
        return
    click.echo(f"{asset_id}  {path}" + ("" if current else "  (removed)"))
    if not entries:
        click.echo("  no committed history (not in a Git repository, or never committed)")
    for entry in entries:
        pr = f"PR #{entry.pr_number}" if entry.pr_number else "direct"
        click.echo(f"{entry.date[:10]}  {entry.author}  {pr}  {entry.commit[:7]}  {entry.message}")
        if entry.kind != "modified":
            click.echo(f"    {entry.kind}" + (f" as {entry.path}" if entry.kind == "renamed" else ""))
        for change in entry.fields:
            click.echo(f"    {change.field}: {_show(change.old)} -> {_show(change.new)}")
        for problem in entry.problems:
            click.echo(f"    (unreadable: {problem})")


def _show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


COMMANDS = (review, codeowners, rights, history)

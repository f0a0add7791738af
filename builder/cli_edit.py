"""`dam vocab`, `dam set` and `dam fmt`: careful edits of many sidecars at once.

Each command works out every change in memory first and writes nothing when any file is
refused (exit 1, naming the files); `--dry-run` / `--check` only list what would change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.cli_common import catalogue_root
from builder.editing import EditError, parse_assignment, parse_condition, plan_fmt, plan_set, fmt_paths, write_edits
from builder.vocab import VOCABULARIES, VocabChange, merge, rename


def _fail(exc: EditError) -> None:
    click.echo(exc.message, err=True)
    sys.exit(1)


def _report(change: VocabChange, dry_run: bool) -> None:
    for path in change.files:
        click.echo(path)
    for source, destination in change.moves:
        click.echo(f"{source} -> {destination}")
    for edit in change.gitignores:
        click.echo(edit.path)
    verb = "would change" if dry_run else "changed"
    moved = f", {'would move' if dry_run else 'moved'} {len(change.moves)} path(s)" if change.moves else ""
    click.echo(f"{verb} {len(change.files)} file(s){moved}", err=True)


@click.group()
def vocab() -> None:
    """Rename or merge terms of a vocabulary in taxonomy.yaml and every sidecar.

    FIELD is one of: tags, channels, licences, collections, campaigns, owners. Only the term
    changes in each file (comments, quoting and layout stay), so the diff is the change.
    Renaming a collection also moves catalogue/assets/OLD/ and media/OLD/ to NEW/.
    """


@vocab.command("rename")
@click.argument("field", type=click.Choice(VOCABULARIES))
@click.argument("old")
@click.argument("new")
@click.option("--dry-run", is_flag=True, help="List the files that would change; write nothing.")
@click.pass_context
def vocab_rename(ctx: click.Context, field: str, old: str, new: str, dry_run: bool) -> None:
    """Rename term OLD to NEW (refused when NEW exists: use merge)."""
    try:
        change = rename(catalogue_root(ctx), field, old, new, dry_run=dry_run)
    except EditError as exc:
        _fail(exc)
    _report(change, dry_run)


@vocab.command("merge")
@click.argument("field", type=click.Choice(VOCABULARIES))
@click.argument("terms", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="List the files that would change; write nothing.")
@click.pass_context
def vocab_merge(ctx: click.Context, field: str, terms: tuple[str, ...], dry_run: bool) -> None:
    """Merge terms into one: `dam vocab merge tags A B INTO C`.

    C may be new (the first of A, B is renamed to it in taxonomy.yaml, keeping its
    description) or existing (A and B are removed from taxonomy.yaml). Lists that would then
    hold C twice keep one.
    """
    if len(terms) < 3 or terms[-2].upper() != "INTO":
        raise click.UsageError("write: dam vocab merge FIELD A [B ...] INTO C")
    try:
        change = merge(catalogue_root(ctx), field, list(terms[:-2]), terms[-1], dry_run=dry_run)
    except EditError as exc:
        _fail(exc)
    _report(change, dry_run)


@click.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.option("--where", "conditions", multiple=True, metavar="FIELD=VALUE",
              help="Only sidecars where FIELD (dotted, e.g. rights.licence) equals VALUE, or where a list "
                   "FIELD holds VALUE (tags=beach). Repeat to require several.")
@click.option("--dry-run", is_flag=True, help="List the files that would change; write nothing.")
@click.pass_context
def set_command(ctx: click.Context, assignments: tuple[str, ...], conditions: tuple[str, ...], dry_run: bool) -> None:
    """Set fields in many sidecars: `dam set --where campaign=summer-2026 rights.expires=2027-09-30`.

    Values are read as YAML (2027-09-30 is a date, [a, b] a list, null clears). Missing keys
    are added at their canonical place; nothing else in the file changes. If any edit would
    make a sidecar invalid, nothing is written and the files are named.
    """
    root = catalogue_root(ctx)
    try:
        parsed_conditions = [parse_condition(c) for c in conditions]
        parsed_assignments = [parse_assignment(a) for a in assignments]
    except EditError as exc:
        raise click.UsageError(exc.message) from None
    try:
        edits, skipped = plan_set(root, parsed_conditions, parsed_assignments)
    except EditError as exc:
        _fail(exc)
    for problem in skipped:
        click.echo(f"skipped {problem}", err=True)
    for edit in edits:
        click.echo(edit.path)
    if not dry_run:
        write_edits(root, edits)
    click.echo(f"{'would change' if dry_run else 'changed'} {len(edits)} file(s)", err=True)


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing the files that would change (for CI).")
@click.pass_context
def fmt(ctx: click.Context, paths: tuple[Path, ...], check: bool) -> None:
    """Normalise sidecars: canonical key order, 2-space indentation, short lists as [a, b].

    Comments move with their keys and no value changes. PATHS are sidecars or folders
    (default: every sidecar); other files are skipped, so a hook may pass any changed file.
    """
    root = catalogue_root(ctx)
    edits, problems = plan_fmt(root, fmt_paths(root, paths))
    for problem in problems:
        click.echo(problem, err=True)
    for edit in edits:
        click.echo(f"{edit.path}: would be reformatted" if check else edit.path)
    if check:
        if edits:
            click.echo(f"{len(edits)} file(s) need `dam fmt`", err=True)
        sys.exit(1 if edits or problems else 0)
    write_edits(root, edits)
    click.echo(f"formatted {len(edits)} file(s)", err=True)
    sys.exit(1 if problems else 0)


COMMANDS = (vocab, set_command, fmt)

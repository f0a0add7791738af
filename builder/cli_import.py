"""`dam import` and `dam dupes`: click commands over builder.importer and builder.dupes
(registered in cli.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from builder.cli_common import catalogue_root
from builder.ingest import IngestError, terminal_progress


@click.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--media", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding the files the sheet names (sub-folders included).")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file: which column feeds which field and how values are cleaned "
                   "(default: columns named like the fields).")
@click.option("--collection", "-c", help="Collection for rows that name none (wins over the mapping's default).")
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 on any value left out or file without a row, too.")
@click.pass_context
def import_command(ctx: click.Context, sheet: Path, media: Path, mapping: Path | None, collection: str | None,
                   dry_run: bool, output_format: str, strict: bool) -> None:
    """Import a sheet (CSV or XLSX) and a folder of files as draft assets.

    Every row becomes a master under DVC and a draft sidecar, through the same code path as
    `dam add`. Values not in taxonomy.yaml, bad dates and the like are left out of the draft
    and listed (in the report and at the top of the sidecar); files already in the catalogue
    are skipped, so running the same import again changes nothing. Exit status: 0 when every
    row was imported or already there, 1 when some row could not be imported (or, with
    --strict, anything was left out), 2 on a usage error.
    """
    from builder.importer import format_report, import_sheet

    root = catalogue_root(ctx)
    try:
        report = import_sheet(root, sheet, media, mapping=mapping, collection=collection, dry_run=dry_run,
                              progress=terminal_progress)
    except IngestError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    if output_format == "json":
        click.echo(json.dumps(report.as_json(), indent=2, default=str))
    else:
        click.echo(format_report(report))
        if not dry_run and report.to_import:
            click.echo("\nCommit the .dvc pointers, .gitignore files and sidecars, then run `dvc push`.")
    sys.exit(1 if report.failed or (strict and report.has_warnings) else 0)


@click.command("dupes")
@click.option("--distance", type=click.IntRange(0, 32),
              help="Perceptual-hash bits within which two assets count as alike "
                   "(default: near_duplicate_distance in portal.yaml).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def dupes(ctx: click.Context, distance: int | None, output_format: str) -> None:
    """List clusters of assets whose masters look alike (near-duplicates and exact copies).

    Reads only the sidecars' technical.phash, written by `dam add` / `dam import` /
    `dam refresh`: the masters are not needed.
    """
    from builder.catalogue import load
    from builder.dupes import clusters, format_clusters

    root = catalogue_root(ctx)
    loaded = load(root, rules=False)
    catalogue = loaded.catalogue
    limit = catalogue.settings.near_duplicate_distance if distance is None else distance
    sources = [(catalogue.sources[asset.id], asset) for asset in catalogue.assets]
    found = clusters(sources, limit)
    hashed = sum(1 for asset in catalogue.assets if asset.technical and asset.technical.phash)
    if output_format == "json":
        click.echo(json.dumps({"distance": limit, "assets_hashed": hashed,
                               "clusters": [c.as_json() for c in found]}, indent=2))
    else:
        if found:
            click.echo(format_clusters(found))
        click.echo(f"{len(found)} cluster(s) of look-alike assets among {hashed} hashed asset(s) "
                   f"(distance {limit} bits)", err=True)
    skipped = len({d.path for d in loaded.diagnostics if d.is_error})
    if skipped:
        click.echo(f"{skipped} sidecar(s) with errors were left out; run `dam validate`", err=True)

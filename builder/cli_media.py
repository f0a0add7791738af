"""`dam add` and `dam refresh`: click commands over builder.ingest (registered in cli.py)."""

from __future__ import annotations

from pathlib import Path

import click

from builder.cli_common import catalogue_root
from builder.ingest import IngestError, add_masters, refresh as refresh_technical


@click.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path))
@click.option("--collection", "-c", required=True, help="collection slug: files go to media/<collection>/")
@click.option("--move", is_flag=True, help="move the files into media/ instead of copying them")
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...], collection: str, move: bool) -> None:
    """Add masters (files or folders) under DVC and write a draft sidecar for each."""
    try:
        added = add_masters(catalogue_root(ctx), list(files), collection, move=move)
    except IngestError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        ctx.exit(1)
    for asset in added:
        click.echo(f"added {asset.id}: media/{asset.master} -> {asset.sidecar.relative_to(catalogue_root(ctx).resolve()).as_posix()}")
    click.echo(
        f"{len(added)} master(s) added as drafts. Commit the .dvc pointers, .gitignore files and "
        f"sidecars, then run `dvc push`."
    )


@click.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Re-measure every master present, not only changed ones.")
@click.pass_context
def refresh(ctx: click.Context, everything: bool) -> None:
    """Re-measure masters whose .dvc pointer changed and rewrite only their technical block."""
    try:
        refreshed = refresh_technical(catalogue_root(ctx), everything=everything)
    except IngestError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        ctx.exit(1)
    for asset_id in refreshed:
        click.echo(f"refreshed {asset_id}")
    click.echo(f"{len(refreshed)} sidecar(s) refreshed." if refreshed else "Every technical block is up to date.")

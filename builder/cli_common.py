"""What every `dam` subcommand shares: the repository root and the common options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


def catalogue_root(ctx: click.Context) -> Path:
    """The root chosen by `dam --root` (or found upwards), checked to be a DAM repository."""
    root: Path = ctx.obj["root"]
    if not (root / "catalogue").is_dir():
        raise click.UsageError(f"{root} has no catalogue/ folder; pass --root PATH to a DAM repository")
    return root


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


today_option = click.option(
    "--today", callback=parse_date, metavar="YYYY-MM-DD",
    help="Judge expiry and embargo on this date instead of today (builds are reproducible with it).",
)
jobs_option = click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")

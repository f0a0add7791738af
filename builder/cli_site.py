"""`dam build` and `dam serve`: the portal, built in one recipe and previewed locally.

    load -> plan -> derive (only missing renditions) -> select (profile, build date)
         -> history (one git log) -> render_site (temp dir, then swapped in)

The lead registers both commands on the `dam` group; they read the repository root from
`ctx.obj["root"]`.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import click

from builder.catalogue import load
from builder.derive.pool import DeriveReport, derive
from builder.diagnostics import FORMATTERS
from builder.history import sidecar_history
from builder.plan import plan
from builder.publish import UnknownProfile, select
from builder.site import SiteError, SiteReport, render_site

TEMPLATES_DIR = "site_templates"


@dataclass(frozen=True)
class BuildResult:
    site: SiteReport
    errors: int  # validation errors: those sidecars were left out
    derived: DeriveReport

    @property
    def ok(self) -> bool:
        return not self.errors and not self.derived.failed


def default_out(root: Path, profile: str) -> Path:
    return root / ("site" if profile == "public" else f"site-{profile}")


def templates_for(root: Path) -> Path:
    """The repository's own templates if it has them, else the ones shipped with the builder."""
    own = root / TEMPLATES_DIR
    return own if (own / "base.html").is_file() else Path(__file__).resolve().parents[1] / TEMPLATES_DIR


def build_portal(root: Path, profile: str = "public", out: Path | None = None, today: dt.date | None = None,
                 jobs: int | None = None, quiet: bool = False) -> BuildResult:
    """The recipe. Bad sidecars and failed masters leave their assets out; the rest is published."""
    today = today or dt.date.today()
    loaded = load(root, today=today, jobs=jobs)
    if loaded.errors and not quiet:
        click.echo(FORMATTERS["text"](list(loaded.errors)), err=True)
        click.echo(f"{len(loaded.errors)} validation error(s): the assets concerned are left out", err=True)
    catalogue = loaded.catalogue
    selection = select(catalogue, profile, today)
    planned = plan(catalogue, today)
    derived = derive(catalogue, planned, jobs=jobs, quiet=quiet)
    if not quiet:
        for asset_id, why in sorted(derived.failed.items()):
            click.echo(f"FAILED {asset_id}: {why}", err=True)
    history = sidecar_history(root)
    site = render_site(catalogue, selection, planned, history, out or default_out(root, profile),
                       templates_for(root), catalogue.settings.base_url)
    return BuildResult(site, len(loaded.errors), derived)


def _today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


def _root(ctx: click.Context) -> Path:
    root: Path = ctx.obj["root"]
    if not (root / "catalogue").is_dir():
        raise click.UsageError(f"{root} has no catalogue/ folder; pass --root PATH to a DAM repository")
    return root


def _run(root: Path, profile: str, out: Path | None, today: dt.date | None, jobs: int | None) -> BuildResult:
    try:
        return build_portal(root, profile, out, today, jobs)
    except UnknownProfile as exc:
        raise click.BadParameter(str(exc), param_hint="--profile") from None
    except SiteError as exc:
        click.echo(f"error: {exc}; the previous site was left as it was", err=True)
        sys.exit(1)


@click.command("build")
@click.option("--profile", default="public", show_default=True, help="Publishing profile from portal.yaml (public, internal, ...).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: site/, or site-PROFILE/).")
@click.option("--today", callback=_today, metavar="YYYY-MM-DD", help="Judge expiry and embargo on this date (default: today).")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.pass_context
def build(ctx: click.Context, profile: str, out: Path | None, today: dt.date | None, jobs: int | None) -> None:
    """Build the static portal: pages, renditions, search, feed and sitemap.

    Missing renditions are rendered first (cached ones are reused). The new site is written
    next to the old one and swapped in only when complete. Exit status 1 when sidecars had
    errors or masters failed to render: those assets are left out, everything else is built.
    """
    root = _root(ctx)
    result = _run(root, profile, out, today, jobs)
    site = result.site
    click.echo(f"Built the {profile} portal: {site.summary()}", err=True)
    if site.missing:
        click.echo(f"{len(site.missing)} rendition(s) not in the cache were left off their pages", err=True)
    click.echo(f"Open {(site.out_dir / 'index.html').as_uri()} or run `dam serve` to preview it over http.")
    sys.exit(0 if result.ok else 1)


def watched(root: Path) -> dict[str, int]:
    """mtime (ns) and size of everything a rebuild depends on, but not of the output or media."""
    found: dict[str, int] = {}
    for base in (root / "catalogue", root / TEMPLATES_DIR):
        for folder, dirs, names in os.walk(base):
            dirs[:] = [d for d in dirs if d != "schema"]
            for name in names:
                if name.endswith((".yaml", ".yml", ".md", ".html", ".css", ".js", ".svg", ".png")):
                    path = os.path.join(folder, name)
                    try:
                        stat = os.stat(path)
                    except OSError:
                        continue
                    found[path] = stat.st_mtime_ns ^ stat.st_size
    return found


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


def serve_forever(root: Path, profile: str, port: int, today: dt.date | None, jobs: int | None,
                  out: Path | None = None, poll: float = 1.0, stop: threading.Event | None = None) -> None:
    """Build, serve the output on 127.0.0.1:port, rebuild when a watched file changes, until `stop`."""
    out = out or default_out(root, profile)
    _run(root, profile, out, today, jobs)
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    click.echo(f"Serving the {profile} portal at http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)")
    stop = stop or threading.Event()
    seen = watched(root)
    try:
        while not stop.wait(poll):
            now = watched(root)
            if now == seen:
                continue
            seen = now
            click.echo("Change detected: rebuilding...", err=True)
            try:
                result = build_portal(root, profile, out, today, jobs)
                click.echo(f"Rebuilt: {result.site.summary()}", err=True)
            except (SiteError, UnknownProfile) as exc:
                click.echo(f"error: {exc}; still serving the previous build", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


@click.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1.")
@click.option("--profile", default="public", show_default=True, help="Publishing profile from portal.yaml.")
@click.option("--today", callback=_today, metavar="YYYY-MM-DD", help="Judge expiry and embargo on this date (default: today).")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.pass_context
def serve(ctx: click.Context, port: int, profile: str, today: dt.date | None, jobs: int | None) -> None:
    """Build the portal, serve it on http://127.0.0.1:PORT/ and rebuild when a sidecar,
    portal.yaml, taxonomy.yaml, a brand page or a template changes (checked every second)."""
    serve_forever(_root(ctx), profile, port, today, jobs)

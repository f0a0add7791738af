"""`dam build` and `dam serve`: the portal (builder.pipeline's recipe), built or previewed."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import sys
import threading
from pathlib import Path

import click

from builder.cli_common import catalogue_root, jobs_option, today_option
from builder.diagnostics import FORMATTERS
from builder.pipeline import TEMPLATES_DIR, BuildResult, build_portal, default_out
from builder.publish import UnknownProfile
from builder.gitobjects import ReviewError
from builder.site import SiteError


def _run(root: Path, profile: str, out: Path | None, today: dt.date | None, jobs: int | None,
         quiet: bool = False, review_base: str | None = None) -> BuildResult:
    try:
        result = build_portal(root, profile, out, today, jobs, quiet=quiet, review_base=review_base)
        if not quiet:
            if result.errors:
                click.echo(FORMATTERS["text"](list(result.errors)), err=True)
                click.echo(f"{len(result.errors)} validation error(s): the assets concerned are left out", err=True)
            for asset_id, why in sorted(result.derived.failed.items()):
                click.echo(f"FAILED {asset_id}: {why}", err=True)
        return result
    except UnknownProfile as exc:
        raise click.BadParameter(str(exc), param_hint="--profile") from None
    except ReviewError as exc:
        raise click.BadParameter(str(exc), param_hint="--review") from None
    except SiteError as exc:
        click.echo(f"error: {exc}; the previous site was left as it was", err=True)
        sys.exit(1)


@click.command("build")
@click.option("--profile", default="public", show_default=True, help="Publishing profile from portal.yaml (public, internal, ...).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: site/, or site-PROFILE/).")
@click.option("--review", "review_base", metavar="REV",
              help="Add review pages (old and new renditions of every asset changed since REV) under review/.")
@today_option
@jobs_option
@click.pass_context
def build(ctx: click.Context, profile: str, out: Path | None, review_base: str | None, today: dt.date | None,
          jobs: int | None) -> None:
    """Build the static portal: pages, renditions, search, feed and sitemap.

    Missing renditions are rendered first (cached ones are reused). The new site is written
    next to the old one and swapped in only when complete. Exit status 1 when sidecars had
    errors or masters failed to render: those assets are left out, everything else is built.
    """
    root = catalogue_root(ctx)
    result = _run(root, profile, out, today, jobs, review_base=review_base)
    site = result.site
    click.echo(f"Built the {profile} portal: {site.summary()}", err=True)
    if review_base:
        click.echo(f"Review pages: {(site.out_dir / 'review' / 'index.html').as_uri()}", err=True)
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
@today_option
@jobs_option
@click.pass_context
def serve(ctx: click.Context, port: int, profile: str, today: dt.date | None, jobs: int | None) -> None:
    """Build the portal, serve it on http://127.0.0.1:PORT/ and rebuild when a sidecar,
    portal.yaml, taxonomy.yaml, a brand page or a template changes (checked every second)."""
    serve_forever(catalogue_root(ctx), profile, port, today, jobs)

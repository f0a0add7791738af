"""Search at scale: download size, index build time, and time to results in headless Chromium.

    python benchmarks/bench_search.py [--counts 10000 50000] [--work DIR] [--loads 5]

For each count: generate a catalogue (benchmarks/generate_catalogue.py, cached in --work), load it,
index *every* loaded asset as if published (the worst case; on the reference date about half
would be), with thumbnail paths named like the real site's ('renditions/<20 hex of the key>.webp', from the
plan). Then serve a page made from site_templates/search.html over a local http.server and
drive Debian's Chromium through Playwright:

- sizes, raw and gzipped (level 6, a typical server), of everything the page downloads for search:
  lunr.min.js, search.js, docs.json and index.json;
- index build time (search_files: documents, lunr.py index, packing);
- time from navigation start to the first result card (browsing, no query: docs.json only),
  to the index being ready, and to the first full-text result for a query in the URL (median of
  --loads cold loads, each in a fresh browser context);
- per query, the median time of a search as the page runs it (lunr query, facet counts, sort and
  rendering the first 48 cards), measured in the page with performance.now().

Installs what is missing: `apt-get install chromium` and `pip install playwright` (never
`playwright install`), `npm ci` for lunr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import jinja2  # noqa: E402

import generate_catalogue  # noqa: E402
from builder import index as ix  # noqa: E402
from builder.catalogue import load  # noqa: E402
from builder.plan import plan  # noqa: E402
from builder.site import PUBLISHED_KEY_CHARS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
QUERIES = ["backpack", "backpak", "smiling hikers", "warehouse light", "sustainab", "kitchen", "ba", "famly beach"]
URL_QUERY = "backpack"
MINIMAL_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}Search{% endblock %}</title>
{% if css %}<link rel="stylesheet" href="{{ rel('static/site.css') }}">{% endif %}
{% block head %}{% endblock %}</head>
<body><main id="main">{% block content %}{% endblock %}</main>{% block scripts %}{% endblock %}</body></html>
"""
# 1x1 transparent PNG served for every rendition, so thumbnails cost a request each but no disk
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000100e5270de40000000049454e44ae426082")


def ensure_tools() -> None:
    if not Path(CHROMIUM).exists():
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=True)
    try:
        import playwright  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "playwright"], check=True)
    if not (REPO / "node_modules" / "lunr" / "lunr.min.js").is_file():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=True)


def catalogue_at(work: Path, count: int):
    root = work / f"catalogue-{count}"
    if not (root / "catalogue" / "taxonomy.yaml").is_file():
        started = time.perf_counter()
        generate_catalogue.generate(root, count, seed=7)
        print(f"  generated {count:,} sidecars in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    result = load(root, today=generate_catalogue.REFERENCE_DATE)
    print(f"  loaded {len(result.catalogue.assets):,} assets in {time.perf_counter() - started:.1f} s")
    return result.catalogue


def write_site(site: Path, files: dict[str, bytes]) -> dict[str, Path]:
    if site.exists():
        shutil.rmtree(site)
    (site / "search").mkdir(parents=True)
    (site / "static" / "vendor").mkdir(parents=True)
    for relative, data in files.items():
        (site / relative).write_bytes(data)
    shutil.copy(REPO / "node_modules" / "lunr" / "lunr.min.js", site / "static" / "vendor" / "lunr.min.js")
    shutil.copy(REPO / "site_templates" / "static" / "search.js", site / "static" / "search.js")
    css = REPO / "site_templates" / "static" / "site.css"
    if css.is_file():
        shutil.copy(css, site / "static" / "site.css")
    env = jinja2.Environment(loader=jinja2.ChoiceLoader([
        jinja2.DictLoader({"base.html": MINIMAL_BASE}),
        jinja2.FileSystemLoader(str(REPO / "site_templates")),
    ]), autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["rel"] = lambda target: "../" + target
    html = env.get_template("search.html").render(page_path="search/index.html", css=css.is_file(),
                                                  settings=None, taxonomy=None)
    (site / "search" / "index.html").write_text(html, encoding="utf-8")
    return {
        "lunr.min.js": site / "static" / "vendor" / "lunr.min.js",
        "search.js": site / "static" / "search.js",
        "docs.json": site / ix.DOCS_JSON,
        "index.json": site / ix.INDEX_JSON,
    }


class Handler(http.server.SimpleHTTPRequestHandler):
    """A static host as the portal would have: keep-alive, gzip for text, one pixel per rendition."""

    protocol_version = "HTTP/1.1"
    gzipped: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path.startswith("/renditions/"):
            return self._send(PIXEL, "image/png")
        file = Path(self.directory) / path.lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        if not file.is_file():
            return self.send_error(404)
        data = file.read_bytes()
        kind = self.guess_type(str(file))
        if "gzip" in self.headers.get("Accept-Encoding", "") and kind.split(";")[0] in TEXT_TYPES:
            key = str(file)
            if key not in self.gzipped:
                self.gzipped[key] = gzip.compress(data, 6)
            return self._send(self.gzipped[key], kind, {"Content-Encoding": "gzip"})
        return self._send(data, kind)

    def _send(self, data: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:  # the browser closing a keep-alive connection at the end of a load
            pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/search/index.html"


TEXT_TYPES = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json"}
RESOURCE = ("(name) => { const r = performance.getEntriesByType('resource').find((e) => e.name.endsWith(name));"
            " return r ? [r.startTime, r.responseEnd] : [null, null]; }")
MARK = "(name) => { const m = performance.getEntriesByName(name); return m.length ? m[0].startTime : null; }"


def browser_figures(url: str, loads: int) -> dict:
    from playwright.sync_api import sync_playwright

    figures: dict = {"script_start": [], "browse_first_result": [], "docs_loaded": [], "index_ready": [], "query_first_result": [],
                     "query_index_result": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for _ in range(loads):
            context = browser.new_context()
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("performance.getEntriesByName('dam-index-ready').length > 0", timeout=60_000)
            figures["browse_first_result"].append(page.evaluate(MARK, "dam-first-results"))
            figures["docs_loaded"].append(page.evaluate(MARK, "dam-docs-loaded"))
            figures["script_start"].append(page.evaluate(MARK, "dam-script-start"))
            for name in ("docs.json", "index.json"):
                timing = page.evaluate(RESOURCE, name)
                figures.setdefault(name + " requested", []).append(timing[0])
                figures.setdefault(name + " received", []).append(timing[1])
            figures["index_ready"].append(page.evaluate(MARK, "dam-index-ready"))
            context.close()
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "?q=" + URL_QUERY)
            page.wait_for_function("performance.getEntriesByName('dam-index-results').length > 0", timeout=60_000)
            figures["query_first_result"].append(page.evaluate(MARK, "dam-first-results"))
            figures["query_index_result"].append(page.evaluate(MARK, "dam-index-results"))
            context.close()
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("performance.getEntriesByName('dam-index-ready').length > 0", timeout=60_000)
        queries = {}
        for query in QUERIES:
            times = page.evaluate(
                "(q) => { const t = []; for (let i = 0; i < 7; i++) { t.push(DamSearch.page.run(q)); } return t; }", query)
            count = page.evaluate("() => DamSearch.page.results().length")
            queries[query] = (statistics.median(times[1:]), count)  # first run warms the JIT
        page.evaluate("() => DamSearch.page.run('')")
        figures["queries"] = queries
        figures["cards"] = page.locator("#dam-results li").count()
        browser.close()
    return figures


def bench(count: int, work: Path, loads: int) -> None:
    print(f"\n== {count:,} assets ==")
    catalogue = catalogue_at(work, count)
    today = generate_catalogue.REFERENCE_DATE
    planned = plan(catalogue, today, everything=True)
    renditions: dict[str, dict[str, str]] = {}
    for rendition in planned.renditions:
        renditions.setdefault(rendition.asset_id, {})[rendition.spec.name] = f"renditions/{rendition.key[:PUBLISHED_KEY_CHARS]}.{rendition.spec.extension}"
    assets = catalogue.assets
    published = sum(1 for asset in assets if asset.is_published(today))
    started = time.perf_counter()
    files = ix.search_files(catalogue, assets, renditions)
    build = time.perf_counter() - started
    print(f"  indexed {len(assets):,} assets ({published:,} would be published on {today}) in {build:.1f} s")
    site = work / f"site-{count}"
    sizes = write_site(site, files)
    total_raw = total_gz = 0
    print(f"  {'downloaded for search':<22}{'raw':>12}{'gzipped':>12}")
    for name, path in sizes.items():
        data = path.read_bytes()
        raw, packed = len(data), len(gzip.compress(data, 6))
        total_raw, total_gz = total_raw + raw, total_gz + packed
        print(f"  {name:<22}{raw / 1000:>9,.1f} kB{packed / 1000:>9,.1f} kB")
    print(f"  {'total':<22}{total_raw / 1000:>9,.1f} kB{total_gz / 1000:>9,.1f} kB"
          f"   ({'under' if total_gz < 1_000_000 else 'OVER'} 1 MB gzipped)")
    for path in site.rglob("*"):  # compress once, before timing, as a static host would have
        if path.is_file() and Handler.guess_type(Handler, str(path)).split(";")[0] in TEXT_TYPES:
            Handler.gzipped[str(path)] = gzip.compress(path.read_bytes(), 6)
    server, url = serve(site)
    try:
        figures = browser_figures(url, loads)
    finally:
        server.shutdown()
    med = lambda key: statistics.median(figures[key])  # noqa: E731
    print(f"  Chromium, median of {loads} cold loads (ms after navigation start):")
    print(f"    search.js started            {med('script_start'):7.0f}")
    for name in ("docs.json", "index.json"):
        print(f"    {name + ' requested':<29}{med(name + ' requested'):7.0f}")
        print(f"    {name + ' received':<29}{med(name + ' received'):7.0f}")
    print(f"    docs.json parsed             {med('docs_loaded'):7.0f}")
    print(f"    first result (browsing)      {med('browse_first_result'):7.0f}")
    print(f"    index ready                  {med('index_ready'):7.0f}")
    print(f"    ?q={URL_QUERY}: first result   {med('query_first_result'):7.0f}   (titles, before the index)")
    print(f"    ?q={URL_QUERY}: indexed result {med('query_index_result'):7.0f}")
    print("  query times in the page (median of 6 warm runs: search + facets + 48 cards):")
    for query, (ms, hits) in figures["queries"].items():
        print(f"    {query!r:<20}{ms:7.1f} ms  {hits:>6,} results")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "dam-bench-search")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args(argv)
    ensure_tools()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"search benchmark, {dt.date.today()}, {os.cpu_count()} CPUs, chromium at {CHROMIUM}")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (timings are only as quiet as the machine)")
    for count in args.counts:
        bench(count, args.work, args.loads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

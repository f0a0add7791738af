"""The static portal: what a public build contains (and what it must never contain), escaping,
links, determinism, atomic swap and incremental rebuilds. Media are real (Pillow, ffmpeg) and
renditions come from the real derive engines, with small rendition specs to stay quick."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

from builder.catalogue import load
from builder.derive.pool import derive
from builder.history import sidecar_history
from builder.plan import plan
from builder.publish import select
from builder.site import PUBLISHED_KEY_CHARS, SiteError, relative, render_site, script_json
from tests.conftest import TODAY, CatalogueFactory, good_sidecar
from tests.mediafactory import make_audio, make_video

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "site_templates"

PORTAL = """\
title: Acme brand portal
description: Approved assets for Acme.
base_url: https://brand.example/portal/
brand: {name: Acme, primary_colour: "#1f3a3d", accent_colour: "#e07a2f"}
renditions:
  image:
    - {name: thumb, kind: resize, format: webp, width: 160, height: 160, quality: 70, label: Thumbnail}
    - {name: preview, kind: resize, format: jpeg, width: 400, height: 400, quality: 80, label: Web preview}
    - {name: square, kind: crop, format: jpeg, aspect: "1:1", width: 200, quality: 80, label: Square 1:1}
  video:
    - {name: proxy, kind: proxy, format: mp4, height: 120, quality: 35, label: Video proxy}
    - {name: poster, kind: poster, format: jpeg, width: 160, height: 160, quality: 80, label: Poster frame}
  audio:
    - {name: proxy, kind: proxy, format: m4a, bitrate_kbps: 64, label: Audio proxy}
    - {name: waveform, kind: waveform, format: png, width: 300, height: 60, label: Waveform}
"""

# Assets that must never reach the public build, and why.
HIDDEN = {
    "gone-expired": "rights expired",
    "gone-embargoed": "under embargo",
    "gone-withdrawn": "rights withdrawn",
    "staff-internal": "internal",
    "staff-review": "in review",
}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def image_sidecar(asset_id: str, **changes: str) -> str:
    text = good_sidecar(asset_id, "summer-2026", md5(asset_id))
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


def media_sidecar(asset_id: str, kind: str, master: str, technical: str) -> str:
    return textwrap.dedent(f"""\
        id: {asset_id}
        title: {kind.capitalize()} from the beach
        description: A short {kind} recorded on the beach.
        alt: Waves rolling onto a sandy beach
        master: summer-2026/{master}
        collection: summer-2026
        campaign: summer-sale-2026
        tags: [beach, sunset]
        language: zxx
        channels: [web]
        owner: brand-team
        creator: Sam Sound
        status: approved
        visibility: public
        approved_by: alice
        approved_on: 2026-06-01
        rights:
          licence: royalty-free
          usage: [web, social]
          territories: [worldwide]
          credit: "Acme Studio"
        technical:
          md5: {md5(asset_id)}
          bytes: 20000
        """) + textwrap.indent(technical, "  ")


def make_repository(root: Path) -> CatalogueFactory:
    """A repository with one of everything the portal must handle, masters and all."""
    factory = CatalogueFactory(root)
    factory.write("catalogue/portal.yaml", PORTAL)
    colours = {}

    def image(asset_id: str, text: str, colour=(200, 120, 40), size=(640, 480)) -> None:
        colours[asset_id] = colour
        master = root / "media/summer-2026" / f"{asset_id}.jpg"
        master.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, colour).save(master, quality=90)
        factory.pointer(f"summer-2026/{asset_id}.jpg", md5(asset_id))
        factory.sidecar(text, asset_id)

    image("hero-beach", image_sidecar("hero-beach", **{"expires: 2027-05-01": "expires: 2026-12-20"}))
    image("family-picnic", image_sidecar("family-picnic", **{
        "title: Beach hero, golden hour": "title: Family picnic", "tags: [beach, family]": "tags: [family, lifestyle]",
        "campaign: summer-sale-2026\n": "",
    }), colour=(40, 120, 200), size=(480, 640))
    image("xss-title", image_sidecar("xss-title", **{
        "title: Beach hero, golden hour": 'title: "<script>alert(1)</script> Beach"',
        "description: Family walking on the beach at sunset.":
            'description: "Click [here](javascript:alert(2)) or <a href=\\"javascript:alert(3)\\">there</a>"',
        "creator: Jane Doe": 'creator: "</script><img src=x onerror=alert(4)>"',
    }))
    image("gone-expired", image_sidecar("gone-expired", **{"expires: 2027-05-01": "expires: 2026-11-01"}))
    image("gone-embargoed", image_sidecar("gone-embargoed", **{"expires: 2027-05-01": "expires: 2027-05-01\n  embargo_until: 2027-01-15"}))
    image("gone-withdrawn", image_sidecar("gone-withdrawn", **{"expires: 2027-05-01": "expires: 2027-05-01\n  withdrawn_on: 2026-11-20"}))
    image("staff-internal", image_sidecar("staff-internal", **{"visibility: public": "visibility: internal"}))
    image("staff-review", image_sidecar("staff-review", **{"status: approved": "status: in_review"}))

    video = make_video(root / "media/summer-2026/waves.mp4", size=(320, 240), seconds=1)
    factory.pointer("summer-2026/waves.mp4", md5("waves-clip"))
    factory.sidecar(media_sidecar("waves-clip", "video", "waves.mp4",
                                  "media_type: video/mp4\nwidth: 320\nheight: 240\nduration: 1.0\n"), "waves-clip")
    make_audio(root / "media/summer-2026/waves.wav", seconds=1)
    factory.pointer("summer-2026/waves.wav", md5("waves-sound"))
    factory.sidecar(media_sidecar("waves-sound", "audio", "waves.wav", "media_type: audio/x-wav\nduration: 1.0\n"), "waves-sound")
    assert video.is_file()
    factory.write("catalogue/pages/logo-usage.md",
                  "# Logo usage\n\nKeep clear space.\n\n<script>alert(5)</script>\n\n[bad](javascript:alert(6)) [good](https://example.com/)\n")
    return factory


def lunr_js(tmp: Path) -> Path:
    real = REPO / "node_modules/lunr/lunr.min.js"
    if real.is_file():
        return real
    stub = tmp / "lunr.min.js"
    stub.write_text("/* lunr stand-in: node_modules is not installed in this checkout */\n")
    return stub


def build(root: Path, out: Path, profile: str = "public", today: dt.date = TODAY, templates: Path = TEMPLATES):
    loaded = load(root, today=today, jobs=1)
    assert not loaded.errors, [str(d) for d in loaded.errors]
    catalogue = loaded.catalogue
    planned = plan(catalogue, today)
    report = derive(catalogue, planned, jobs=2, quiet=True)
    assert not report.failed, report.failed
    selection = select(catalogue, profile, today)
    return render_site(catalogue, selection, planned, sidecar_history(root), out, templates,
                       catalogue.settings.base_url, lunr_js=lunr_js(root))


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    make_repository(root)
    return root


@pytest.fixture(scope="module")
def public_site(repository: Path) -> Path:
    build(repository, repository / "site")
    return repository / "site"


@pytest.fixture(scope="module")
def internal_site(repository: Path) -> Path:
    build(repository, repository / "site-internal", profile="internal")
    return repository / "site-internal"


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def rendition_files(root: Path, asset_id: str) -> set[str]:
    """The names an asset's renditions are published under (a prefix of the cache key)."""
    loaded = load(root, today=TODAY, jobs=1)
    return {f"{p.key[:PUBLISHED_KEY_CHARS]}.{p.spec.extension}" for p in plan(loaded.catalogue, TODAY).for_asset(asset_id)}


# --- what the public build contains -------------------------------------------------------------


def test_public_build_has_pages_feed_sitemap_and_renditions(public_site: Path) -> None:
    for path in ("index.html", "404.html", "assets.json", "sitemap.xml", "static/site.css", "static/site.js",
                 "static/zip.js", "static/theme.css", "static/vendor/lunr.min.js", "collections/summer-2026/index.html",
                 "campaigns/summer-sale-2026/index.html", "pages/logo-usage/index.html", "search/docs.json"):
        assert (public_site / path).is_file(), path
    # the search page is the search engineer's template; it is built whenever it exists
    assert (public_site / "search/index.html").is_file() == (TEMPLATES / "search.html").is_file()
    feed = json.loads((public_site / "assets.json").read_text())
    assert [a["id"] for a in feed["assets"]] == ["family-picnic", "hero-beach", "waves-clip", "waves-sound", "xss-title"]
    for entry in feed["assets"]:
        assert (public_site / entry["page"] / "index.html").is_file()
        for rendition in entry["renditions"]:
            assert (public_site / rendition["path"]).is_file()
            assert rendition["url"].startswith("https://brand.example/portal/renditions/")
    sitemap = (public_site / "sitemap.xml").read_text()
    assert "<loc>https://brand.example/portal/assets/hero-beach/</loc>" in sitemap
    assert "<loc>https://brand.example/portal/</loc>" in sitemap


def test_unpublished_assets_leave_no_trace(repository: Path, public_site: Path) -> None:
    needles = {asset_id.encode() for asset_id in HIDDEN}
    for asset_id in HIDDEN:
        keys = rendition_files(repository, asset_id)
        needles |= {name.encode() for name in keys} | {name.split(".")[0].encode() for name in keys}
    for path, data in files_of(public_site).items():
        found = [n.decode() for n in needles if n in data or n in path.encode()]
        assert not found, f"{path} mentions {found}"
    published = {p.name for p in (public_site / "renditions").iterdir()}
    assert published == set().union(*(rendition_files(repository, a) for a in
                                      ("family-picnic", "hero-beach", "waves-clip", "waves-sound", "xss-title")))


def test_internal_profile_includes_badged_internal_and_review_assets(internal_site: Path) -> None:
    feed = {a["id"]: a for a in json.loads((internal_site / "assets.json").read_text())["assets"]}
    assert "internal only" in feed["staff-internal"]["badges"]
    assert "in review" in feed["staff-review"]["badges"]
    assert any(b.startswith("embargoed until 15 January 2027") for b in feed["gone-embargoed"]["badges"])
    assert any(b.startswith("rights expired on 1 November 2026") for b in feed["gone-expired"]["badges"])
    assert "gone-withdrawn" not in feed
    page = (internal_site / "assets/staff-internal/index.html").read_text()
    assert 'class="badge badge-info">internal only<' in page
    assert "Staff preview" in page
    # an expired asset is shown for the record, with nothing to download
    expired = (internal_site / "assets/gone-expired/index.html").read_text()
    assert "No files to download: the rights have expired" in expired


def test_asset_page_has_preview_rights_downloads_and_structured_data(public_site: Path) -> None:
    page = (public_site / "assets/hero-beach/index.html").read_text()
    assert re.search(r'<img src="\.\./\.\./renditions/[0-9a-f]{20}\.jpg" srcset="\.\./\.\./renditions/[0-9a-f]{20}\.webp 160w, '
                     r'\.\./\.\./renditions/[0-9a-f]{20}\.jpg 400w"', page)
    assert 'alt="Three people walking along a sandy beach at sunset"' in page
    assert "expires in 16 days" in page
    assert "United Kingdom, Ireland" in page and "Web, Social media" in page
    assert "(c) Acme Studio 2026" in page and "Copy credit line" in page
    assert "400 × 300" in page  # pixel size read from the rendition itself
    assert 'property="og:image" content="https://brand.example/portal/renditions/' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "ImageObject" and data["creditText"] == "(c) Acme Studio 2026"
    assert data["license"] == "Rights managed" and data["url"] == "https://brand.example/portal/assets/hero-beach/"
    package = json.loads(re.search(r'<script type="application/json" id="asset-data">(.*?)</script>', page, re.S).group(1))
    assert [r["name"] for r in package["renditions"]] == ["thumb", "preview", "square"]
    assert package["territories"] == ["United Kingdom", "Ireland"]
    for rendition in package["renditions"]:
        assert (public_site / "assets/hero-beach" / rendition["path"]).resolve().is_file()
    assert len(page.encode()) < 100_000


def test_video_and_audio_pages_use_players(public_site: Path) -> None:
    video = (public_site / "assets/waves-clip/index.html").read_text()
    assert re.search(r'<video controls preload="metadata" playsinline poster="\.\./\.\./renditions/\w+\.jpg" width="160" height="120"', video)
    assert '"@type":"VideoObject"' in video and '"duration":"PT1S"' in video
    assert "160 × 120" in video  # proxy size read from the MP4 track header
    audio = (public_site / "assets/waves-sound/index.html").read_text()
    assert re.search(r'<img class="waveform" src="\.\./\.\./renditions/\w+\.png" alt="Waveform of Audio from the beach" width="300" height="60">', audio)
    assert re.search(r'<audio controls preload="metadata" src="\.\./\.\./renditions/\w+\.m4a"', audio)


def test_related_assets_and_history_sections(public_site: Path) -> None:
    page = (public_site / "assets/hero-beach/index.html").read_text()
    related = re.search(r'id="related-h".*?</section>', page, re.S).group(0)
    ids = re.findall(r'href="\.\./\.\./assets/([\w-]+)/index\.html"', related)
    # same campaign first (more shared tags first, then by id), then assets sharing a tag
    assert ids == ["xss-title", "waves-clip", "waves-sound", "family-picnic"]
    assert "No recorded changes" in page


# --- hostile metadata -------------------------------------------------------------------------------


def test_markup_in_metadata_is_escaped(public_site: Path) -> None:
    # JSON files (the feed, search data) carry the text as data; every HTML page must escape it
    everything = b"\n".join(data for path, data in files_of(public_site).items() if path.endswith(".html"))
    assert b"<script>alert" not in everything
    assert b"<img src=x" not in everything
    assert b'href="javascript:' not in everything
    page = (public_site / "assets/xss-title/index.html").read_text()
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; Beach</h1>" in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; Beach · Acme brand portal</title>" in page
    assert "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(4)\\u003e" in page  # inside JSON-LD
    guide = (public_site / "pages/logo-usage/index.html").read_text()
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in guide and "javascript:" not in guide.split("<article", 1)[1].split('href="https', 1)[0].replace("[bad](javascript:alert(6))", "")


def test_script_json_cannot_close_its_script() -> None:
    text = script_json({"t": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(str(text)) == {"t": "</script><!-- & \u2028"}


# --- links and paths ---------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            if not value:  # absent or empty (a form posting to its own page)
                continue
            if name in ("href", "src", "poster") or (tag == "form" and name == "action"):
                self.found.append(value)
            elif name == "srcset":
                self.found += [part.strip().split(" ")[0] for part in value.split(",")]


def broken_links(site: Path, base_path: str) -> list[str]:
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.found:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data") or link.startswith("#"):
                continue
            assert not parts.scheme, f"{page}: unexpected scheme in {link}"
            path = unquote(parts.path)
            if path.startswith("/"):
                assert page.name == "404.html", f"{page}: absolute link {link}"
                assert path.startswith(base_path)
                target = site / path[len(base_path):]
            else:
                target = (page.parent / path).resolve()
            if target.is_dir() or not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
    return broken


@pytest.mark.parametrize("which", ["public_site", "internal_site"])
def test_link_check_finds_nothing_broken(which: str, request) -> None:
    site = request.getfixturevalue(which)
    assert broken_links(site, "/portal/") == []


def test_no_external_requests(public_site: Path) -> None:
    for page in public_site.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r'<(script|img|video|audio|source|link)[^>]+(src|href)="(https?:)?//', text.replace('rel="canonical" href="https://', "")), page


def test_relative_paths_from_any_depth() -> None:
    assert relative("index.html", "static/site.css") == "static/site.css"
    assert relative("assets/x/index.html", "static/site.css") == "../../static/site.css"
    assert relative("assets/x/index.html", "") == "../../index.html"
    assert relative("collections/c/page/2/index.html", "assets/y/") == "../../../../assets/y/index.html"
    assert relative("assets/x/index.html", "index.html#campaigns") == "../../index.html#campaigns"
    assert relative("assets/x/index.html", "search/?q=a") == "../../search/index.html?q=a"


# --- determinism, atomicity, incremental ----------------------------------------------------------


def test_two_builds_are_byte_identical(repository: Path, public_site: Path, tmp_path: Path) -> None:
    other = tmp_path / "again"
    build(repository, other)
    assert files_of(other) == files_of(public_site)


def test_failed_build_leaves_the_old_site_intact(repository: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(repository, out)
    before = files_of(out)
    broken = tmp_path / "templates"
    shutil.copytree(TEMPLATES, broken)
    (broken / "asset.html").write_text("{% extends 'base.html' %}{% block content %}{{ no_such_variable }}{% endblock %}")
    with pytest.raises(Exception):
        build(repository, out, templates=broken)
    assert files_of(out) == before
    assert [p.name for p in tmp_path.iterdir()] == sorted(["site", "templates"]) or set(p.name for p in tmp_path.iterdir()) == {"site", "templates"}
    (broken / "asset.html").unlink()
    with pytest.raises(SiteError):
        build(repository, out, templates=broken)
    assert files_of(out) == before


def test_rebuild_after_one_change_renders_only_affected_pages(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    factory = make_repository(root)
    out = root / "site"
    first = build(root, out)
    assert set(first.rendered) == {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    again = build(root, out)
    assert again.rendered == ()
    assert again.search_reused
    factory.sidecar(image_sidecar("family-picnic", **{
        "title: Beach hero, golden hour": "title: Family picnic, renamed", "tags: [beach, family]": "tags: [family, lifestyle]",
        "campaign: summer-sale-2026\n": "",
    }), "family-picnic")
    third = build(root, out)
    # its own page, its collection, the home page (recent), and the pages that show it as related
    assert set(third.rendered) == {"assets/family-picnic/index.html", "collections/summer-2026/index.html", "index.html",
                                   "assets/hero-beach/index.html", "assets/xss-title/index.html"}
    assert not third.search_reused
    assert "Family picnic, renamed" in (out / "assets/family-picnic/index.html").read_text()
    # an asset that leaves the selection takes its page and its renditions with it
    kept = files_of(out)
    picnic = rendition_files(root, "family-picnic")
    assert picnic and all(f"renditions/{name}" in kept for name in picnic)
    factory.sidecar(image_sidecar("family-picnic", **{"visibility: public": "visibility: internal"}), "family-picnic")
    fourth = build(root, out)
    after = files_of(out)
    assert not any(path.startswith("assets/family-picnic/") for path in after)
    assert not any(f"renditions/{name}" in after for name in picnic)
    assert fourth.renditions == len(list((out / "renditions").iterdir()))
    # an internal build into the same folder, then a public one: nothing internal is left behind
    build(root, out, profile="internal")
    assert (out / "assets/staff-internal/index.html").is_file()
    build(root, out)
    assert files_of(out) == after


def test_history_reaches_the_asset_page(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    factory = CatalogueFactory(root)
    factory.write("catalogue/portal.yaml", PORTAL)
    Image.new("RGB", (300, 200), (10, 200, 90)).save(root / "media" / "x.jpg") if False else None
    master = root / "media/summer-2026/hero-beach.jpg"
    master.parent.mkdir(parents=True)
    Image.new("RGB", (300, 200), (10, 200, 90)).save(master)
    factory.asset()

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=Alice Editor", "-c", "user.email=a@example.com", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "Add the beach hero (#3)")
    out = root / "site"
    build(root, out)
    page = (out / "assets/hero-beach/index.html").read_text()
    assert "Add the beach hero (#3)" in page and "pull request #3" in page and "Alice Editor" in page


def test_zip_writer_makes_a_valid_archive(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = f"""
        global.window = {{}};
        global.document = {{ querySelector: () => null, getElementById: () => null }};
        require({json.dumps(str(TEMPLATES / 'static/zip.js'))});
        const zip = window.DamZip.storeZip([
          {{ name: "a.bin", data: new Uint8Array([1, 2, 3, 250]) }},
          {{ name: "RIGHTS.txt", data: new TextEncoder().encode("Credit: Ünïcode") }},
        ], "2026-12-04");
        zip.arrayBuffer().then(b => process.stdout.write(Buffer.from(b).toString("base64")));
    """
    import base64
    import io
    import zipfile

    done = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(done.stdout)))
    assert archive.testzip() is None
    assert archive.read("a.bin") == bytes([1, 2, 3, 250])
    assert archive.read("RIGHTS.txt").decode() == "Credit: Ünïcode"
    assert archive.getinfo("a.bin").date_time[:3] == (2026, 12, 4)


# --- the commands ------------------------------------------------------------------------------


def commands():
    import click

    from builder import cli_site

    @click.group()
    @click.option("--root", type=click.Path(path_type=Path))
    @click.pass_context
    def dam(ctx: click.Context, root: Path) -> None:
        ctx.obj = {"root": root.resolve()}

    dam.add_command(cli_site.build)
    dam.add_command(cli_site.serve)
    return dam


def test_build_command_builds_and_says_where_to_open_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    root = tmp_path / "repo"
    factory = make_repository(root)
    runner = CliRunner()
    result = runner.invoke(commands(), ["--root", str(root), "build", "--today", TODAY.isoformat(), "--jobs", "2"])
    assert result.exit_code == 0, result.stderr
    assert f"Open {(root / 'site/index.html').as_uri()}" in result.stdout
    assert "Built the public portal: 5 asset(s)" in result.stderr
    # a broken sidecar: reported, left out, everything else still built, exit 1
    factory.sidecar("id: hero-beach\ntitle: [unclosed\n", "hero-beach")
    result = runner.invoke(commands(), ["--root", str(root), "build", "--today", TODAY.isoformat(), "--jobs", "2"])
    assert result.exit_code == 1
    assert "hero-beach.yaml" in result.stderr and "Built the public portal: 4 asset(s)" in result.stderr
    assert not (root / "site/assets/hero-beach").exists() and (root / "site/assets/family-picnic/index.html").is_file()
    internal = runner.invoke(commands(), ["--root", str(root), "build", "--profile", "internal", "--today", TODAY.isoformat()])
    assert (root / "site-internal/assets/staff-internal/index.html").is_file(), internal.stderr
    unknown = runner.invoke(commands(), ["--root", str(root), "build", "--profile", "nope"])
    assert unknown.exit_code == 2 and "unknown profile 'nope'" in unknown.stderr


def test_serve_rebuilds_when_a_sidecar_changes(tmp_path: Path) -> None:
    import threading
    import time
    import urllib.request

    from builder import cli_site

    root = tmp_path / "repo"
    factory = make_repository(root)
    stop = threading.Event()
    port_holder = {}
    original = cli_site.http.server.ThreadingHTTPServer

    class Recording(original):
        def __init__(self, address, handler):
            super().__init__(address, handler)
            port_holder["port"] = self.server_address[1]

    cli_site.http.server.ThreadingHTTPServer = Recording
    try:
        thread = threading.Thread(target=cli_site.serve_forever, args=(root, "public", 0, TODAY, 2),
                                  kwargs={"poll": 0.2, "stop": stop}, daemon=True)
        thread.start()
        for _ in range(300):
            if "port" in port_holder:
                break
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port_holder['port']}/assets/family-picnic/index.html"
        assert "Family picnic" in urllib.request.urlopen(url).read().decode()
        factory.sidecar(image_sidecar("family-picnic", **{
            "title: Beach hero, golden hour": "title: Picnic, served fresh", "campaign: summer-sale-2026\n": "",
        }), "family-picnic")
        for _ in range(300):
            time.sleep(0.1)
            try:
                if "Picnic, served fresh" in urllib.request.urlopen(url).read().decode():
                    break
            except OSError:  # the swap is two renames: a request may land between them
                continue
        else:
            pytest.fail("the page was not rebuilt")
    finally:
        stop.set()
        cli_site.http.server.ThreadingHTTPServer = original
        thread.join(timeout=10)

"""The demo portal in a real browser: Debian's Chromium, headless, driven by Playwright.

One module fixture builds the demo repository for real (`dam build`, both profiles, on a fixed
date) into a tmp folder and serves each build on 127.0.0.1. The tests then use the portal the
way brand people do: search, filter, share a URL, watch a video, download files and the rights
package; and check what must never happen: an unpublished asset showing up, catalogue text
running as script, a request leaving the machine, a page that overflows a phone's width.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from browser import AXE_JS, DEMO_TODAY, browser, build_demo_portal, card_titles, need_chromium, serve, wait_for_search  # noqa: F401

pytestmark = pytest.mark.slow

HOSTILE_ID = "winter-ridge-snow"
HOSTILE_TITLE = 'Winter ridge "walk" <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & snow'
IMAGE_ID, IMAGE_TITLE = "alpine-lake-reflection", "Alpine lake reflection on a still morning"
VIDEO_ID = "trail-run-teaser"
PACKAGE_ID = "summit-sunrise-2026"
EXPIRED = ("desert-dunes-dusk", "Desert dunes at dusk, Wadi Rum")
EMBARGOED = ("fifty-years-teaser", "50 Years Outdoors, launch teaser")
WITHDRAWN = ("meet-the-makers-workshop", "Meet the makers, repair workshop")
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 10_000  # a local portal answers in milliseconds: fail fast instead of after 30 s

# the first bytes of each published format: a file must be what its media type says
MAGIC = {
    "image/jpeg": lambda b: b[:3] == b"\xff\xd8\xff",
    "image/png": lambda b: b[:8] == b"\x89PNG\r\n\x1a\n",
    "image/webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
    "video/mp4": lambda b: b[4:8] == b"ftyp",
    "audio/mp4": lambda b: b[4:8] == b"ftyp",
    "video/webm": lambda b: b[:4] == b"\x1a\x45\xdf\xa3",
    "application/pdf": lambda b: b[:5] == b"%PDF-",
}


def hostile_title(root: Path) -> None:
    """Give an approved public image a title full of markup, in the tmp copy of the catalogue."""
    sidecar = root / "catalogue" / "assets" / "outdoor-photography" / f"{HOSTILE_ID}.yaml"
    text = sidecar.read_text(encoding="utf-8")
    assert "\ntitle: Winter ridge walk in fresh snow\n" in text
    sidecar.write_text(text.replace("\ntitle: Winter ridge walk in fresh snow\n",
                                    "\ntitle: " + json.dumps(HOSTILE_TITLE) + "\n"), encoding="utf-8")


class Portal:
    def __init__(self, root: Path, sites: dict[str, Path], urls: dict[str, str]) -> None:
        self.root = root
        self.sites = sites
        self.urls = urls
        self.feeds = {name: json.loads((site / "assets.json").read_text(encoding="utf-8")) for name, site in sites.items()}

    def url(self, path: str, profile: str = "public") -> str:
        return self.urls[profile] + path

    def asset_ids(self, profile: str = "public") -> list[str]:
        return [a["id"] for a in self.feeds[profile]["assets"]]

    def entry(self, asset_id: str, profile: str = "public") -> dict:
        return next(a for a in self.feeds[profile]["assets"] if a["id"] == asset_id)

    def sidecar(self, asset_id: str) -> dict:
        path = next((self.root / "catalogue" / "assets").rglob(f"{asset_id}.yaml"))
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    def file_for(self, url: str, profile: str = "public") -> Path:
        """The file in the built site that `url` (on that profile's server) names."""
        assert url.startswith(self.urls[profile]), url
        return self.sites[profile] / urlsplit(url).path.lstrip("/")


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Portal:
    need_chromium()  # the build takes a while: not worth it when nothing can look at it
    root = tmp_path_factory.mktemp("demo")
    sites = build_demo_portal(root, edit=hostile_title)
    with serve(sites["public"]) as public, serve(sites["internal"]) as internal:
        yield Portal(root, sites, {"public": public, "internal": internal})


class Watch:
    """Every request a browser context makes and every dialog a page opens."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []

    def external(self) -> list[str]:
        return [u for u in self.requests if not (u.startswith(("data:", "blob:")) or urlsplit(u).hostname == "127.0.0.1"
                                                 or u.startswith("file://"))]


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def context(browser, watch):
    ctx = browser.new_context(accept_downloads=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.on("request", lambda request: watch.requests.append(request.url))
    ctx.on("page", lambda page: page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss())))
    yield ctx
    ctx.close()
    assert watch.external() == [], f"requests left the machine: {watch.external()}"
    assert watch.dialogs == [], f"a page opened dialogs: {watch.dialogs}"


@pytest.fixture
def phone(browser, watch):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.on("request", lambda request: watch.requests.append(request.url))
    yield ctx
    ctx.close()
    assert watch.external() == [], f"requests left the machine: {watch.external()}"


def load_images(page) -> None:
    """Load every image now (lazy ones too) and wait until each has loaded or failed."""
    page.evaluate("""() => Promise.all(Array.from(document.images).map((img) => {
        img.loading = 'eager';
        return img.complete ? null : new Promise((done) => { img.addEventListener('load', done); img.addEventListener('error', done); });
    }))""")


def broken_images(page) -> list[str]:
    load_images(page)
    return page.evaluate("Array.from(document.images).filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.currentSrc || i.src)")


def search_for(page, text: str) -> None:
    """Type like a person (no Enter): results follow each keystroke."""
    page.locator("#dam-q").fill("")
    page.locator("#dam-q").press_sequentially(text, delay=15)


def wait_for_query(page, text: str) -> None:
    """The status line names the query once the results for it are on screen."""
    page.wait_for_function("q => document.querySelector('#dam-status').textContent.includes('\u201c' + q + '\u201d')", arg=text)


def wait_for_titles(page, predicate: str) -> None:
    page.wait_for_function(f"(() => {{ const titles = Array.from(document.querySelectorAll('#dam-results .card-title'), (e) => e.textContent); return {predicate}; }})()")


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), b""


# --- search ------------------------------------------------------------------------------------


def test_search_by_title_finds_the_asset_as_you_type(context, portal):
    page = context.new_page()
    page.goto(portal.url("search/index.html"))
    wait_for_search(page)
    everything = len(portal.asset_ids())
    assert len(card_titles(page)) == everything  # no query: browse everything

    search_for(page, "Alpine lake reflection")
    wait_for_query(page, "Alpine lake reflection")
    assert 0 < len(card_titles(page)) < everything
    assert card_titles(page)[0] == IMAGE_TITLE  # title words rank the asset first
    assert page.locator("#dam-results .card-link").first.get_attribute("href").endswith(f"assets/{IMAGE_ID}/index.html")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["Alpine lake reflection"]
    assert "match" in page.locator("#dam-status").text_content()

    page.locator("#dam-results .card-link").first.click()  # and the result opens the asset
    page.wait_for_url(f"**/assets/{IMAGE_ID}/index.html")
    assert page.locator("h1").text_content() == IMAGE_TITLE


@pytest.mark.parametrize("typo", ["reflaction", "alpnie"])
def test_a_query_with_one_typo_still_finds_it(context, portal, typo):
    page = context.new_page()
    page.goto(portal.url("search/index.html"))
    wait_for_search(page)
    search_for(page, typo)
    wait_for_query(page, typo)
    assert card_titles(page)[:1] == [IMAGE_TITLE]
    assert len(card_titles(page)) < len(portal.asset_ids())


def test_a_facet_narrows_the_results_and_the_url_restores_them(context, portal):
    page = context.new_page()
    page.goto(portal.url("search/index.html"))
    wait_for_search(page)
    search_for(page, "trail")
    wait_for_query(page, "trail")
    before = card_titles(page)
    kinds = page.locator("#dam-results .card-kind").all_text_contents()
    videos = [title for title, kind in zip(before, kinds) if kind == "Video"]
    assert 0 < len(videos) < len(before), (before, kinds)  # the query mixes images and videos

    video = page.locator("#dam-facets input[name=type][value=video]")
    count = video.locator("xpath=..").locator(".dam-count").text_content()
    assert count == f"({len(videos)})"  # the facet's count already reflects the query
    video.check()
    wait_for_titles(page, f"titles.length === {len(videos)}")
    assert card_titles(page) == videos
    assert set(page.locator("#dam-results .card-kind").all_text_contents()) == {"Video"}
    state = parse_qs(urlsplit(page.url).query)
    assert state["q"] == ["trail"] and state["type"] == ["video"]

    shared = page.url
    page.reload()
    wait_for_search(page)
    wait_for_titles(page, f"titles.length === {len(videos)}")
    assert page.url == shared
    assert page.locator("#dam-q").input_value() == "trail"
    assert page.locator("#dam-facets input[name=type][value=video]").is_checked()
    assert not page.locator("#dam-facets input[name=type][value=image]").is_checked()
    assert card_titles(page) == videos

    other = context.new_page()  # the URL shared with someone else opens the same search
    other.goto(shared)
    wait_for_search(other)
    wait_for_titles(other, f"titles.length === {len(videos)}")
    assert card_titles(other) == videos and other.locator("#dam-facets input[name=type][value=video]").is_checked()


# --- video ---------------------------------------------------------------------------------------


def test_asset_pages_play_their_video(context, portal):
    videos = [a["id"] for a in portal.feeds["public"]["assets"] if a["kind"] == "video"]
    assert VIDEO_ID in videos and len(videos) >= 3
    page = context.new_page()
    for asset_id in videos:
        page.goto(portal.url(f"assets/{asset_id}/index.html"))
        video = page.locator("figure.preview video")
        assert video.count() == 1, asset_id
        sources = video.locator("source").evaluate_all("els => els.map((s) => ({src: s.src, type: s.type}))")
        poster = video.evaluate("v => v.poster")
        assert sources and poster, asset_id
        for url, kind in [(s["src"], s["type"].split(";")[0]) for s in sources] + [(poster, "image/")]:
            status, content_type, body = fetch(url)
            assert status == 200 and body, url
            assert content_type.startswith(kind), (url, content_type, kind)
            assert body == portal.file_for(url).read_bytes()
        playable = [s for s in sources if page.evaluate("t => document.createElement('video').canPlayType(t)", s["type"])]
        assert playable, (
            f"this Chromium cannot play any source of {asset_id} ({sources}): the H.264/AAC proxy needs "
            "proprietary codecs; the portal should also offer a WebM (VP9/Opus) proxy")
        played = video.evaluate("""async (v) => {
            v.muted = true;
            await v.play();
            const started = performance.now();
            while (v.currentTime <= 0.5 && !v.error && performance.now() - started < 15000) {
                await new Promise((r) => setTimeout(r, 50));
            }
            v.pause();
            return {time: v.currentTime, error: v.error && v.error.code, ready: v.readyState,
                    width: v.videoWidth, height: v.videoHeight, src: v.currentSrc};
        }""")
        assert played["error"] is None and played["time"] > 0.5, (asset_id, played)
        assert played["ready"] >= 2 and played["width"] > 0 and played["height"] > 0, (asset_id, played)


# --- downloads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["public", "internal"])
def test_every_download_link_returns_the_file(context, portal, profile):
    page = context.new_page()
    checked = 0
    for asset_id in portal.asset_ids(profile):
        page.goto(portal.url(f"assets/{asset_id}/index.html", profile))
        links = page.locator(".download-table a[download]").evaluate_all(
            "els => els.map((a) => ({href: a.href, name: a.getAttribute('download')}))")
        expected = {r["path"]: r for r in portal.entry(asset_id, profile)["renditions"]}
        assert len(links) == len(expected), asset_id
        for link in links:
            status, content_type, body = fetch(link["href"])
            relative = urlsplit(link["href"]).path.lstrip("/")
            assert relative in expected, f"{asset_id}: {relative} is not one of its renditions in assets.json"
            rendition = expected[relative]
            assert status == 200, link
            assert body and len(body) == rendition["bytes"], link
            assert body == portal.file_for(link["href"], profile).read_bytes(), link
            assert content_type == rendition["media_type"], (link, content_type)
            assert MAGIC[rendition["media_type"]](body), f"{link['href']} is not {rendition['media_type']}"
            assert link["name"].startswith(asset_id + "-") and link["name"].rsplit(".", 1)[1] == relative.rsplit(".", 1)[1]
            checked += 1
    assert checked >= 3 * len(portal.asset_ids(profile))

    # and a click saves the file under its friendly name, byte for byte
    page.goto(portal.url(f"assets/{IMAGE_ID}/index.html", profile))
    first = page.locator(".download-table a[download]").first
    with page.expect_download() as info:
        first.click()
    download = info.value
    assert download.suggested_filename == first.get_attribute("download")
    assert Path(download.path()).read_bytes() == portal.file_for(first.evaluate("a => a.href"), profile).read_bytes()


def test_download_with_rights_zip_carries_the_sidecars_rights(context, portal, tmp_path):
    page = context.new_page()
    page.goto(portal.url(f"assets/{PACKAGE_ID}/index.html"))
    choice = page.locator("#package-choice")
    wanted = next(r for r in portal.entry(PACKAGE_ID)["renditions"] if r["name"] == "square")
    choice.select_option("square")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .zip with rights").click()
    download = info.value
    assert download.suggested_filename == f"{PACKAGE_ID}-square-with-rights.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert "Downloaded" in page.locator(".package-status").text_content()

    sidecar = portal.sidecar(PACKAGE_ID)
    rights = sidecar["rights"]
    with zipfile.ZipFile(saved) as archive:
        assert archive.testzip() is None  # every CRC is right
        names = archive.namelist()
        filename = f"{PACKAGE_ID}-square.jpg"
        assert names == [filename, "RIGHTS.txt", "RIGHTS.json"]
        assert archive.read(filename) == (portal.sites["public"] / wanted["path"]).read_bytes()
        data = json.loads(archive.read("RIGHTS.json"))
        text = archive.read("RIGHTS.txt").decode("utf-8")
    assert data["id"] == PACKAGE_ID and data["file"] == filename and data["rendition"] == "square"
    assert data["credit"] == rights["credit"]
    assert data["licence"]["id"] == rights["licence"]
    assert data["expires"] == rights["expires"].isoformat()
    assert data["restrictions"] == rights["restrictions"]
    assert data["consent"] == rights["consent"]
    assert len(data["territories"]) == len(rights["territories"]) and len(data["channels"]) == len(rights["usage"])
    assert data["published_on"] == DEMO_TODAY
    assert f"Credit line: {rights['credit']}" in text
    assert f"Use until: {rights['expires'].isoformat()}" in text
    assert f"Restrictions: {rights['restrictions']}" in text
    assert f"Licence: {data['licence']['label']}" in text


# --- publishing profiles -------------------------------------------------------------------------


def test_expired_embargoed_and_withdrawn_assets_by_profile(context, portal):
    public, internal = portal.sites["public"], portal.sites["internal"]
    page = context.new_page()
    page.goto(portal.url("search/index.html"))
    wait_for_search(page)
    for asset_id, title in (EXPIRED, EMBARGOED, WITHDRAWN):
        assert not (public / "assets" / asset_id).exists(), asset_id
        assert fetch(portal.url(f"assets/{asset_id}/index.html"))[0] == 404
        assert asset_id not in portal.asset_ids()
        for path in ("assets.json", "sitemap.xml", "search/docs.json", "search/index.json", "index.html"):
            assert asset_id not in (public / path).read_text(encoding="utf-8"), (asset_id, path)
        search_for(page, title)
        wait_for_query(page, title)
        assert title not in card_titles(page), title
    # the embargoed and expired files are not copied into the public site either
    public_files = {p.name for p in (public / "renditions").iterdir()}
    for asset_id, _ in (EXPIRED, EMBARGOED):
        for rendition in portal.entry(asset_id, "internal")["renditions"]:
            assert Path(rendition["path"]).name not in public_files, (asset_id, rendition["name"])

    for (asset_id, title), badge in ((EXPIRED, "rights expired on 31 October 2026"), (EMBARGOED, "embargoed until 1 March 2027")):
        page.goto(portal.url(f"assets/{asset_id}/index.html", "internal"))
        assert page.locator("h1").text_content() == title
        badges = page.locator(".asset-head .badge").all_text_contents()
        assert badge in badges, (asset_id, badges)
        assert asset_id in portal.asset_ids("internal")
    page.goto(portal.url("search/index.html", "internal"))
    wait_for_search(page)
    search_for(page, EMBARGOED[1])
    wait_for_query(page, EMBARGOED[1])
    assert EMBARGOED[1] in card_titles(page)
    assert "Staff preview" in page.locator(".profile-banner").text_content()

    assert not (internal / "assets" / WITHDRAWN[0]).exists()
    assert WITHDRAWN[0] not in portal.asset_ids("internal")
    for path in ("assets.json", "sitemap.xml", "search/docs.json", "index.html"):
        assert WITHDRAWN[0] not in (internal / path).read_text(encoding="utf-8"), path


# --- markup in catalogue text --------------------------------------------------------------------


def test_a_title_with_markup_is_shown_as_text_and_runs_nothing(context, portal, watch):
    page = context.new_page()
    page.goto(portal.url(f"assets/{HOSTILE_ID}/index.html"))
    load_images(page)
    assert page.locator("h1").text_content() == HOSTILE_TITLE
    assert page.locator(".breadcrumbs [aria-current=page]").text_content() == HOSTILE_TITLE
    assert page.title().startswith(HOSTILE_TITLE)
    assert page.locator("main script, main img[src=x], h1 *").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    package = json.loads(page.locator("#asset-data").text_content())
    assert package["title"] == HOSTILE_TITLE
    jsonld = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert jsonld["name"] == HOSTILE_TITLE
    assert page.locator("meta[property='og:title']").get_attribute("content") == HOSTILE_TITLE

    page.goto(portal.url("search/index.html"))
    wait_for_search(page)
    search_for(page, "winter ridge")
    wait_for_query(page, "winter ridge")
    assert HOSTILE_TITLE in card_titles(page)
    assert page.locator("#dam-results img[src=x], #dam-results script, .card-title *").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"

    for listing in ("index.html", "collections/outdoor-photography/index.html"):
        page.goto(portal.url(listing))
        load_images(page)
        assert HOSTILE_TITLE in card_titles(page, "main")
        assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not [u for u in watch.requests if urlsplit(u).path.endswith("/x")], "the injected <img src=x> was loaded"


# --- accessibility -------------------------------------------------------------------------------


AXE_PAGES = [
    ("public", "index.html"),
    ("public", "collections/outdoor-photography/index.html"),
    ("public", "campaigns/trail-season-2026/index.html"),
    ("public", f"assets/{IMAGE_ID}/index.html"),
    ("public", f"assets/{VIDEO_ID}/index.html"),
    ("public", "assets/sonic-logo/index.html"),
    ("public", "search/index.html?q=trail&type=video"),
    ("internal", f"assets/{EMBARGOED[0]}/index.html"),
]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_or_critical_issue(browser, watch, portal, viewport):
    assert AXE_JS.is_file(), "axe-core is missing: run `npm ci`"
    ctx = browser.new_context(viewport=viewport) if viewport else browser.new_context()
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.on("request", lambda request: watch.requests.append(request.url))
    page = ctx.new_page()
    problems = {}
    for profile, path in AXE_PAGES:
        page.goto(portal.url(path, profile))
        if path.startswith("search/"):
            wait_for_search(page)
            page.wait_for_selector("#dam-results .card")
        load_images(page)
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))""")
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            problems[f"{profile}:{path}"] = bad
    ctx.close()
    assert problems == {}, json.dumps(problems, indent=1)
    assert watch.external() == []


# --- phones -------------------------------------------------------------------------------------


def page_width(page) -> list[int]:
    """[scrollWidth, innerWidth, layout viewport width]. A phone zooms out to show content wider than
    the screen, which makes innerWidth grow with it; the layout viewport stays the screen's width."""
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]")
    assert width[2] == PHONE["width"], width
    return width


def test_no_page_overflows_a_phone_and_search_and_downloads_work(phone, portal, tmp_path):
    page = phone.new_page()
    paths = ["index.html", "collections/outdoor-photography/index.html", "campaigns/trail-season-2026/index.html",
             "search/index.html", "404.html"] + [f"assets/{a}/index.html" for a in portal.asset_ids()]
    overflowing = {}
    for path in paths:
        page.goto(portal.url(path))
        if path.startswith("search/"):
            wait_for_search(page)
        load_images(page)
        width = page_width(page)
        if width[0] > PHONE["width"]:
            overflowing[path] = width
    page.goto(portal.url(f"assets/{EMBARGOED[0]}/index.html", "internal"))  # badges and the staff banner
    width = page_width(page)
    if width[0] > PHONE["width"]:
        overflowing["internal:" + EMBARGOED[0]] = width
    assert overflowing == {}, overflowing

    def on_screen(locator) -> None:
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        assert box and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box

    # search: the box, typing, a result to tap, and the filters behind their toggle
    page.goto(portal.url("search/index.html"))
    wait_for_search(page)
    on_screen(page.locator("#dam-q"))
    search_for(page, "alpine")
    wait_for_query(page, "alpine")
    assert card_titles(page)[:1] == [IMAGE_TITLE]
    on_screen(page.locator("#dam-results .card").first)
    panel = page.locator("#dam-facets-panel")
    if not panel.evaluate("p => p.open"):
        page.locator(".dam-facets-summary").tap()
    image = page.locator("#dam-facets input[name=type][value=image]")
    on_screen(image)
    image.tap()
    page.wait_for_function("location.search.includes('type=image')")
    page.locator("#dam-results .card-link").first.tap()
    page.wait_for_url(f"**/assets/{IMAGE_ID}/index.html")

    # downloads: a button in reach, and tapping it saves the file
    link = page.locator(".download-table a[download]").first
    on_screen(link)
    with page.expect_download() as info:
        link.tap()
    assert info.value.suggested_filename == link.get_attribute("download")
    button = page.get_by_role("button", name="Download .zip with rights")
    on_screen(button)
    with page.expect_download() as info:
        button.tap()
    assert info.value.suggested_filename.endswith("-with-rights.zip")


# --- nothing leaves the machine ------------------------------------------------------------------


def test_no_page_requests_anything_outside_the_portal(context, portal, watch):
    page = context.new_page()
    pages = 0
    for profile, site in portal.sites.items():
        for html in sorted(site.rglob("*.html")):
            path = html.relative_to(site).as_posix()
            page.goto(portal.url(path, profile))
            if path == "search/index.html":
                wait_for_search(page)
            load_images(page)
            # what the page would fetch, requested yet or not: scripts, styles, icons, media, srcsets
            resources = page.evaluate("""() => {
                const urls = [];
                for (const el of document.querySelectorAll('[src], [srcset], [poster], link[href]')) {
                    if (el.tagName === 'LINK' && !/(^| )(stylesheet|icon|preload|prefetch|modulepreload|manifest)( |$)/.test(el.rel)) continue;
                    if (el.src) urls.push(el.src);
                    if (el.poster) urls.push(el.poster);
                    if (el.tagName === 'LINK') urls.push(el.href);
                    for (const part of (el.getAttribute('srcset') || '').split(',')) {
                        const u = part.trim().split(/\\s+/)[0];
                        if (u) urls.push(new URL(u, document.baseURI).href);
                    }
                }
                return urls;
            }""")
            watch.requests.extend(resources)
            pages += 1
    search_for(page, "trail")  # the internal search page is the last one open
    page.wait_for_selector("#dam-results .card")
    load_images(page)
    assert pages >= 60
    assert len(watch.requests) > pages * 3
    assert watch.external() == [], watch.external()


# --- from a folder on disk -----------------------------------------------------------------------


def test_the_portal_works_opened_from_a_local_folder(context, portal):
    site = portal.sites["public"]
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    assert page.locator("h1").text_content().strip()
    assert len(page.locator("main img").all()) >= 10
    assert broken_images(page) == []
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != "rgba(0, 0, 0, 0)"

    page.locator(".shelf a").first.click()  # relative links name index.html, which a folder needs
    page.wait_for_load_state()
    assert page.url.startswith("file://") and page.url.endswith("/index.html")
    assert page.locator(".card").count() >= 1 and broken_images(page) == []

    page.goto((site / "assets" / IMAGE_ID / "index.html").as_uri())
    assert page.locator("h1").text_content() == IMAGE_TITLE
    assert broken_images(page) == []
    preview = page.locator("figure.preview img")
    assert preview.evaluate("i => i.naturalWidth") > 0 and preview.evaluate("i => i.currentSrc").startswith("file://")
    page.locator(".breadcrumbs a").nth(1).click()
    page.wait_for_load_state()
    assert page.url == (site / "collections" / "outdoor-photography" / "index.html").as_uri()

    page.goto((site / "search" / "index.html").as_uri() + "?q=alpine%20lake")  # search without a server
    page.wait_for_function("performance.getEntriesByName('dam-index-results').length > 0")
    assert card_titles(page)[0] == IMAGE_TITLE
    assert broken_images(page) == []

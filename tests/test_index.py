"""Search files: what they contain, what they leave out, and that lunr.js agrees with lunr.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest

from builder import index as ix
from builder.catalogue import Catalogue, load
from builder.models import Asset, Taxonomy
from builder.settings import Settings
from browser import browser, card_titles, serve  # noqa: F401 - browser is a fixture

REPO = Path(__file__).resolve().parents[1]
SEARCH_JS = REPO / "site_templates" / "static" / "search.js"
SEARCH_HTML = REPO / "site_templates" / "search.html"

TAXONOMY = Taxonomy.model_validate({
    "owners": {"brand": {"name": "Brand", "handles": ["alice"]}},
    "collections": {
        "summer-2026": {"title": "Summer 2026", "owners": ["brand"]},
        "stores-uk": {"title": "Stores: United Kingdom", "owners": ["brand"]},
    },
    "campaigns": {"summer-sale-2026": {"title": "Summer sale 2026"}},
    "tags": ["beach", "family", "sunset", "kitchen", "interview"],
    "channels": {"web": {"label": "Web"}, "print": {"label": "Print"}, "social": {"label": "Social media"}},
    "licences": {"owned": {"label": "Company owned"}, "royalty-free": {"label": "Royalty free"}},
})


def make_asset(asset_id: str, title: str, *, description: str | None = None, kind: str = "image",
               width: int | None = 6000, height: int | None = 4000, tags: tuple[str, ...] = ("beach",),
               collection: str = "summer-2026", campaign: str | None = "summer-sale-2026",
               approved_on: str = "2026-05-02", licence: str = "owned", creator: str | None = "Jane Doe",
               channels: tuple[str, ...] = ("web",), language: str | None = "en-GB") -> Asset:
    media_type, extension = {"image": ("image/jpeg", "jpg"), "video": ("video/mp4", "mp4"),
                             "audio": ("audio/mpeg", "mp3"), "document": ("application/pdf", "pdf")}[kind]
    technical: dict = {"md5": "0" * 32, "bytes": 1000, "media_type": media_type}
    if width and height:
        technical.update(width=width, height=height)
    return Asset.model_validate({
        "id": asset_id, "title": title, "description": description, "master": f"{collection}/{asset_id}.{extension}",
        "collection": collection, "campaign": campaign, "tags": list(tags), "language": language,
        "channels": list(channels), "owner": "brand", "creator": creator, "status": "approved",
        "visibility": "public", "approved_by": "alice", "approved_on": approved_on,
        "rights": {"licence": licence}, "technical": technical,
    })


ASSETS = (
    make_asset("hero-beach", "Beach hero, golden hour", description="Family walking on the beach at sunset.",
               tags=("beach", "family", "sunset")),
    make_asset("kitchen-chef", "Chef plating a summer salad", description="A chef in a bright kitchen.",
               tags=("kitchen",), width=3000, height=4500, approved_on="2026-06-10", licence="royalty-free",
               channels=("web", "print")),
    make_asset("store-front", "Store front in Manchester", description="Evening street view of the flagship store.",
               collection="stores-uk", campaign=None, tags=(), width=2000, height=2000, approved_on="2025-11-30",
               creator="Chloé Dubois"),
    make_asset("ceo-interview", "Interview with our sustainability lead", kind="video", width=1920, height=1080,
               description="Talking about the sustainability report and recycled packaging.",
               tags=("interview",), approved_on="2026-03-01", channels=("web", "social")),
    make_asset("jingle", "Summer jingle", kind="audio", width=None, height=None, tags=(), language="zxx",
               description="Thirty seconds of upbeat ukulele."),
    make_asset("brand-guide", "Brand guidelines", kind="document", width=None, height=None, tags=(), campaign=None,
               description="Logo usage, colours and typography."),
    make_asset("xss", "<script>alert(1)</script> & <b>bold</b>", description="A hostile title.", tags=()),
)
RENDITIONS = {a.id: {"thumb": f"renditions/{i:02d}{'ab' * 31}.webp", "preview": f"renditions/{i:02d}ff.webp"}
              for i, a in enumerate(ASSETS) if a.kind != "audio"}
RENDITIONS["jingle"] = {"waveform": "renditions/wave.png"}


@pytest.fixture(scope="module")
def small() -> Catalogue:
    return Catalogue(root=Path("."), settings=Settings(), taxonomy=TAXONOMY, assets=ASSETS)


@pytest.fixture(scope="module")
def files(small: Catalogue) -> dict[str, bytes]:
    return ix.search_files(small, ASSETS, RENDITIONS)


@pytest.fixture(scope="module")
def docs(files: dict[str, bytes]) -> dict:
    return json.loads(files[ix.DOCS_JSON])


@pytest.fixture(scope="module")
def index(files: dict[str, bytes]):
    return ix.load_index(json.loads(files[ix.INDEX_JSON]))


def found(index, docs: dict, query: str) -> list[str]:
    return [docs["id"][int(ref, 36)] for ref, _ in ix.search(index, query)]


# --- what search finds -------------------------------------------------------------------------

def test_a_title_search_finds_the_asset(index, docs):
    assert found(index, docs, "golden hour")[0] == "hero-beach"
    assert found(index, docs, "Chef plating") == ["kitchen-chef"]


def test_one_typo_still_finds_it(index, docs):
    assert found(index, docs, "kitchne")[0] == "kitchen-chef"  # transposition
    assert found(index, docs, "sustainabilty")[0] == "ceo-interview"  # deletion
    assert "hero-beach" in found(index, docs, "beech")  # substitution


def test_prefixes_match_while_typing(index, docs):
    assert found(index, docs, "manch") == ["store-front"]
    assert found(index, docs, "sustainab") == ["ceo-interview"]  # typed past the stem "sustain"
    assert found(index, docs, "gui") == ["brand-guide"]


def test_every_word_must_match_and_title_outranks_description(index, docs):
    assert found(index, docs, "summer salad") == ["kitchen-chef"]
    assert found(index, docs, "summer zebra") == []
    # "summer" is in the title of the chef and the jingle, and only in labels of the others
    ranked = found(index, docs, "summer")
    assert set(ranked[:2]) == {"kitchen-chef", "jingle"}


def test_searches_tags_labels_creator_and_folded_accents(index, docs):
    assert found(index, docs, "interview")[0] == "ceo-interview"  # tag (and title)
    assert found(index, docs, "united kingdom") == ["store-front"]  # collection title
    assert found(index, docs, "chloe") == ["store-front"]  # creator, accent folded
    assert found(index, docs, "Chloé") == ["store-front"]


@pytest.mark.parametrize("query", ["", "   ", "the", ":", "title:beach^2~1 +x -y *", '"', "\\", "a" * 300])
def test_hostile_or_empty_queries_never_raise(index, docs, query):
    found(index, docs, query)


# --- what the files contain ------------------------------------------------------------------

def test_docs_store_is_compact_and_complete(docs):
    position = docs["id"].index("kitchen-chef")
    facets = {f["name"]: f for f in docs["facets"]}
    assert [f["name"] for f in docs["facets"]] == ["type", "collection", "campaign", "tag", "language", "channel",
                                                  "orientation", "licence"]

    def value(name):
        facet = facets[name]
        raw = facet["values"][position]
        return [facet["labels"][c][0] for c in raw] if facet["multi"] else facet["labels"][raw][0]

    assert value("type") == "image" and value("orientation") == "portrait" and value("licence") == "royalty-free"
    assert value("channel") == ["print", "web"] or value("channel") == ["web", "print"]
    assert value("tag") == ["kitchen"] and value("language") == "en-GB" and value("collection") == "summer-2026"
    assert docs["approved"][position] == 20260610
    assert docs["thumb"]["prefix"] + docs["thumb"]["values"][position] + docs["thumb"]["suffix"] == RENDITIONS["kitchen-chef"]["thumb"]
    labels = {name: dict(map(tuple, f["labels"])) for name, f in facets.items()}
    assert labels["channel"]["social"] == "Social media" and labels["collection"]["stores-uk"] == "Stores: United Kingdom"
    assert labels["language"] == {"en-GB": "English (United Kingdom)", "zxx": "No language"}
    orientation = facets["orientation"]
    by_id = {i: orientation["values"][p] for p, i in enumerate(docs["id"])}
    assert orientation["labels"][by_id["store-front"]][0] == "square"
    assert orientation["labels"][by_id["ceo-interview"]][0] == "landscape"
    assert by_id["jingle"] == -1  # audio has no orientation
    assert docs["thumb"]["prefix"] + docs["thumb"]["values"][docs["id"].index("jingle")] == "renditions/wave.png"


def test_index_is_small_lunr_without_positions(files):
    packed = json.loads(files[ix.INDEX_JSON])
    serialised = ix.unpack_index(packed)
    assert serialised["version"] == "2.3.9"
    assert serialised["fields"] == ["t", "g", "l", "d"]
    refs = {key.split("/")[1] for key, _ in serialised["fieldVectors"]}
    assert refs == {ix.ref(i) for i in range(len(ASSETS))}
    for _, posting in serialised["invertedIndex"]:
        for field, documents in posting.items():
            if field != "_index":
                assert all(metadata == {} for metadata in documents.values())


def test_packed_index_unpacks_to_exactly_what_lunr_py_built(small):
    documents = ix.search_docs(small, ASSETS, RENDITIONS)
    packed = json.loads(json.dumps(ix.pack_index(documents)))
    built = json.loads(json.dumps(ix.serialise_index(ix.build_index(documents))))
    assert ix.unpack_index(packed) == built


def test_same_inputs_give_the_same_bytes(small):
    first = ix.search_files(small, ASSETS, RENDITIONS)
    second = ix.search_files(small, tuple(reversed(ASSETS)), dict(reversed(list(RENDITIONS.items()))))
    assert first == second
    assert set(first) == {"search/docs.json", "search/index.json", "search/docs.js", "search/index.js"}


def test_script_versions_assign_the_same_data(files):
    for script, data, name in ((ix.DOCS_JS, ix.DOCS_JSON, "__DAM_DOCS__"), (ix.INDEX_JS, ix.INDEX_JSON, "__DAM_INDEX__")):
        text = files[script].decode()
        assert text.startswith(f"window.{name}=") and text.endswith(";\n")
        assert json.loads(text[len(f"window.{name}="):-2]) == json.loads(files[data])


def test_no_assets_still_gives_loadable_files(small):
    out = ix.search_files(small, (), {})
    assert json.loads(out[ix.DOCS_JSON])["count"] == 0
    assert ix.search(ix.load_index(json.loads(out[ix.INDEX_JSON])), "beach") == []


def test_unpublished_assets_leave_no_trace(catalogue, today):
    catalogue.asset("hero-beach")
    expired = catalogue.asset("old-beach")
    expired.write_text(expired.read_text().replace("Beach hero, golden hour", "Zanzibar expired shoot")
                       .replace("expires: 2027-05-01", "expires: 2026-01-01"))
    draft = catalogue.asset("draft-beach")
    draft.write_text(draft.read_text().replace("Beach hero, golden hour", "Quokka draft idea")
                     .replace("status: approved", "status: draft"))
    result = load(catalogue.root, today=today)
    assert {a.id for a in result.catalogue.assets} == {"hero-beach", "old-beach", "draft-beach"}
    published = tuple(a for a in result.catalogue.assets if a.is_published(today))
    renditions = {a.id: {"thumb": f"renditions/{a.id}-thumb.webp"} for a in result.catalogue.assets}
    out = ix.search_files(result.catalogue, published, renditions)
    for data in out.values():
        for trace in (b"old-beach", b"draft-beach", b"zanzibar", b"Zanzibar", b"quokka", b"Quokka"):
            assert trace not in data
    index = ix.load_index(json.loads(out[ix.INDEX_JSON]))
    assert [r for r, _ in ix.search(index, "beach hero")] == ["0"]
    assert ix.search(index, "zanzibar") == [] and ix.search(index, "quokka") == []


# --- markup stays text ----------------------------------------------------------------------

def test_a_title_with_markup_stays_text(docs):
    assert "<script>alert(1)</script> & <b>bold</b>" in docs["title"]


def test_search_js_never_parses_catalogue_text_as_html():
    source = SEARCH_JS.read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink
    assert "textContent" in source


def test_search_page_renders_with_relative_data_urls(tmp_path):
    (tmp_path / "base.html").write_text(
        "<!doctype html><html><head><title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}"
        "</head><body>{% block content %}{% endblock %}{% block scripts %}{% endblock %}</body></html>")
    shutil.copy(SEARCH_HTML, tmp_path / "search.html")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["rel"] = lambda target: "../" + target
    html = env.get_template("search.html").render(page_path="search/index.html", settings=Settings(), taxonomy=TAXONOMY)
    for attribute, target in (("data-docs", "search/docs.json"), ("data-index", "search/index.json"),
                              ("data-docs-script", "search/docs.js"), ("data-index-script", "search/index.js"),
                              ("data-lunr", "static/vendor/lunr.min.js"), ("data-home", "index.html")):
        assert f'{attribute}="../{target}"' in html
    assert '<script src="../static/search.js" defer></script>' in html
    for element_id in ("dam-search", "dam-q", "dam-sort", "dam-facets", "dam-results", "dam-status", "dam-more",
                       "dam-clear"):
        assert f'id="{element_id}"' in html
    assert re.search(r'role="status"[^>]*aria-live="polite"', html)


# --- lunr.js agrees ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def node_modules() -> Path:
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are needed to run lunr.js")
    if not (REPO / "node_modules" / "lunr" / "package.json").is_file():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=True, capture_output=True)
    return REPO / "node_modules"


PARITY_QUERIES = ["golden hour", "kitchne", "beech", "manch", "sustainab", "summer", "summer salad", "chloe",
                  "united kingdom", "ukulele thirty", "brand", "zebra", "title:beach^2~1 +x -y *", "the"]


def test_lunr_js_gives_the_same_results_as_lunr_py(node_modules, files, index, tmp_path):
    index_path = tmp_path / "index.json"
    index_path.write_bytes(files[ix.INDEX_JSON])
    queries_path = tmp_path / "queries.json"
    queries_path.write_text(json.dumps(PARITY_QUERIES))
    run = subprocess.run(["node", str(REPO / "tests" / "node" / "parity.js"), str(index_path), str(queries_path)],
                         cwd=REPO, check=True, capture_output=True, text=True)
    node = json.loads(run.stdout)
    assert node["lunrVersion"] == "2.3.9"
    # lunr.js holds exactly the index lunr.py wrote ...
    assert node["serialised"] == json.loads(json.dumps(ix.unpack_index(json.loads(files[ix.INDEX_JSON]))))
    # ... and answers every query with the same documents, in the same order, with the same scores
    for query in PARITY_QUERIES:
        python = ix.search(index, query)
        javascript = node["results"][query]
        assert [ref for ref, _ in javascript] == [ref for ref, _ in python], query
        assert [round(score, 9) for _, score in javascript] == [round(score, 9) for _, score in python], query
    assert sum(1 for q in PARITY_QUERIES if node["results"][q]) >= 10
    assert node["rounding"] == [round(x, 3) for x in (0.0625, 0.1875, 1.0625, 2.3125, 7.9375, 1.0005, 2.675, 0.1234567, 38.8815)]


def test_lunr_is_pinned_exactly():
    package = json.loads((REPO / "package.json").read_text())
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert package["dependencies"]["lunr"] == "2.3.9"
    assert lock["packages"]["node_modules/lunr"]["version"] == "2.3.9"


# --- in Chromium --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def search_site(tmp_path_factory, files, node_modules) -> Path:
    """The search page on a minimal base, with the search files and lunr, as the site build lays them out."""
    site = tmp_path_factory.mktemp("site")
    templates = tmp_path_factory.mktemp("templates")
    (templates / "base.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{% block title %}Search{% endblock %}</title>"
        "{% block head %}{% endblock %}</head><body><main id='main'>{% block content %}{% endblock %}</main>"
        "{% block scripts %}{% endblock %}</body></html>")
    shutil.copy(SEARCH_HTML, templates / "search.html")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["rel"] = lambda target: "../" + target
    html = env.get_template("search.html").render(page_path="search/index.html", settings=Settings(), taxonomy=TAXONOMY)
    (site / "search").mkdir()
    (site / "search" / "index.html").write_text(html)
    for relative, data in files.items():
        (site / relative).write_bytes(data)
    (site / "static" / "vendor").mkdir(parents=True)
    shutil.copy(SEARCH_JS, site / "static" / "search.js")
    shutil.copy(node_modules / "lunr" / "lunr.min.js", site / "static" / "vendor" / "lunr.min.js")
    return site


@pytest.fixture
def served(search_site):
    with serve(search_site) as base:
        yield base + "search/index.html"


@pytest.mark.slow
def test_search_page_in_chromium(browser, served):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(served)
    page.wait_for_function("performance.getEntriesByName('dam-index-ready').length > 0")
    assert len(card_titles(page)) == len(ASSETS)  # browsing with no query shows everything
    assert "<script>alert(1)</script> & <b>bold</b>" in card_titles(page)  # shown as text ...
    assert dialogs == [] and page.locator("#dam-results b").count() == 0  # ... and runs nothing

    page.fill("#dam-q", "kitchne")  # one typo, results as you type
    page.wait_for_function("document.querySelectorAll('#dam-results .card').length === 1")
    assert card_titles(page) == ["Chef plating a summer salad"]
    assert page.locator("#dam-results a").get_attribute("href") == "../assets/kitchen-chef/index.html"
    assert "q=kitchne" in page.url
    assert "1 asset" in page.locator("#dam-status").text_content()

    page.fill("#dam-q", "")
    page.wait_for_function(f"document.querySelectorAll('#dam-results .card').length === {len(ASSETS)}")
    video = page.get_by_label("Video")
    assert video.get_attribute("type") == "checkbox"
    video.check()
    page.wait_for_function("document.querySelectorAll('#dam-results .card').length === 1")
    assert card_titles(page) == ["Interview with our sustainability lead"] and "type=video" in page.url
    page.get_by_label("Audio").check()  # OR within a group
    assert sorted(card_titles(page)) == ["Interview with our sustainability lead", "Summer jingle"]
    page.get_by_label("Social media").check()  # AND across groups
    assert card_titles(page) == ["Interview with our sustainability lead"]

    page.reload()  # the URL holds the state
    page.wait_for_function("document.querySelectorAll('#dam-results .card').length === 1")
    assert page.get_by_label("Video").is_checked() and page.get_by_label("Audio").is_checked()
    assert card_titles(page) == ["Interview with our sustainability lead"]

    page.focus("#dam-q")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#dam-results') !== null")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "dam-q"
    page.close()


@pytest.mark.slow
def test_search_page_works_from_a_local_folder(browser, search_site):
    page = browser.new_page()
    page.goto((search_site / "search" / "index.html").as_uri() + "?q=golden%20hour")
    page.wait_for_function("performance.getEntriesByName('dam-index-results').length > 0")
    assert card_titles(page)[0] == "Beach hero, golden hour"
    page.close()

"""index: published assets -> a lunr index (lunr.py) and a compact document store for the browser.

The browser downloads three things for search: lunr.js, `search/docs.json` and
`search/index.json`. Everything here is shaped by the budget (under 1 MB gzipped at 10,000
assets, first results before the index has even arrived):

- docs.json comes first and is enough to browse by facets. It is column-oriented (one array per
  field, one entry per document) so gzip sees similar values side by side, facet values are small
  integer codes into per-facet label tables, the thumbnail's shared prefix and suffix are stored
  once, and the approval date is an integer (YYYYMMDD) for "newest".
- index.json is the lunr.py index, packed (see `pack_index`): a document's ref is its position in
  docs.json in base 36, only four text fields with one-letter names are indexed, no term metadata
  (positions) is kept, and instead of lunr's serialisation, which stores every posting twice with
  a score each, it stores postings once plus what the scores are computed from. search.js and
  `unpack_index` turn it back into exactly the index lunr.py built (the tests compare lunr.js's
  own serialisation of it with lunr.py's): 1.83 MB -> 0.29 MB gzipped at 10,000 assets.
- docs.js and index.js hold the same data assigned to `window.__DAM_DOCS__` / `window.__DAM_INDEX__`,
  because Chromium refuses fetch() of file:// URLs and the portal must work from a local folder.

Text is tokenised here, not by lunr: accents are folded and anything that is not a letter or
digit separates words, exactly as search.js tokenises a query. `search()` is the Python twin of
search.js's query (exact, prefix and one-typo matches; every word must match; facets aside), used by
the parity test and by anything in Python that wants the portal's ranking.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import pycountry
from lunr import get_default_builder
from lunr.builder import Builder
from lunr.index import Index
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.token_set import TokenSet

from builder.catalogue import Catalogue
from builder.models import Asset, Taxonomy

FORMAT_VERSION = 1
LUNR_VERSION = "2.3.9"  # the lunr.js the packed index unpacks into (lunr.py 0.8 targets it)
DOCS_JSON = "search/docs.json"
INDEX_JSON = "search/index.json"
DOCS_JS = "search/docs.js"
INDEX_JS = "search/index.js"
DOCS_GLOBAL = "__DAM_DOCS__"
INDEX_GLOBAL = "__DAM_INDEX__"

# Indexed fields: one-letter names (they repeat in every posting), and build-time boosts.
FIELDS: tuple[tuple[str, int, str], ...] = (
    ("t", 10, "title"),
    ("g", 5, "tags"),
    ("l", 2, "labels: collection, campaign, type, creator, source"),
    ("d", 1, "description and alt text"),
)
# Query-time boosts for the ways a word can match an index term (see `expand` and search.js).
EXACT_BOOST, PREFIX_BOOST, FUZZY_BOOST = 10, 2, 1
PREFIX_MIN_LENGTH = 2  # "b*" would touch most of the index on the first key press
FUZZY_MIN_LENGTH = 4  # shorter words get no typo tolerance: one edit in "cat" matches half the index
THUMB_RENDITIONS = ("thumb", "poster", "page", "waveform")  # first one an asset has is its thumbnail
SQUARE_TOLERANCE = 0.02

KIND_LABELS = {"image": "Image", "video": "Video", "audio": "Audio", "document": "Document"}
ORIENTATION_LABELS = {"landscape": "Landscape", "portrait": "Portrait", "square": "Square"}

_WORD = re.compile(r"[^\W_]+")
_NOT_BMP = re.compile(r"[^\u0000-\uffff]")


# ---------------------------------------------------------------------------------------------
# Text: the same normalisation as search.js's `words()`
# ---------------------------------------------------------------------------------------------

def words(text: str | None) -> list[str]:
    """Lower-case words with accents folded: 'Chloé's café-bar' -> ['chloe', 's', 'cafe', 'bar'].

    Characters outside the Basic Multilingual Plane are dropped so that Python's and JavaScript's
    string orders agree (lunr's token set needs its terms sorted the same way on both sides).
    """
    if not text:
        return []
    folded = unicodedata.normalize("NFKD", text.lower().replace("\u03c2", "\u03c3"))  # final sigma
    folded = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("M"))
    return _WORD.findall(_NOT_BMP.sub(" ", folded))


def _field_text(*parts: str | None) -> str:
    return " ".join(word for part in parts for word in words(part))


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be")


# ---------------------------------------------------------------------------------------------
# Search documents
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchDoc:
    """What search knows about one published asset."""

    id: str
    title: str
    thumb: str | None
    approved: int  # YYYYMMDD, 0 when unknown
    type: str | None
    collection: str
    campaign: str | None
    tags: tuple[str, ...]
    language: str | None
    channels: tuple[str, ...]
    orientation: str | None
    licence: str | None
    text: tuple[str, str, str, str]  # the indexed fields, in FIELDS order, already tokenised


def orientation(asset: Asset) -> str | None:
    """landscape / portrait / square from the technical size; None for audio or when unknown."""
    tech = asset.technical
    if tech is None or asset.kind == "audio":
        return None
    width, height = tech.width, tech.height
    if not (width and height):
        width, height = tech.page_width_pt, tech.page_height_pt
    if not (width and height):
        return None
    if abs(width - height) <= SQUARE_TOLERANCE * max(width, height):
        return "square"
    return "landscape" if width > height else "portrait"


def thumbnail(asset_renditions: dict[str, str]) -> str | None:
    return next((asset_renditions[name] for name in THUMB_RENDITIONS if name in asset_renditions), None)


def search_doc(asset: Asset, taxonomy: Taxonomy, renditions: dict[str, str]) -> SearchDoc:
    collection = taxonomy.collections.get(asset.collection)
    campaign = taxonomy.campaigns.get(asset.campaign) if asset.campaign else None
    kind = asset.kind
    approved = asset.approved_on
    return SearchDoc(
        id=asset.id,
        title=asset.title,
        thumb=thumbnail(renditions),
        approved=int(approved.strftime("%Y%m%d")) if isinstance(approved, dt.date) else 0,
        type=kind,
        collection=asset.collection,
        campaign=asset.campaign,
        tags=tuple(asset.tags),
        language=asset.language,
        channels=tuple(asset.channels),
        orientation=orientation(asset),
        licence=asset.rights.licence,
        text=(
            _field_text(asset.title),
            _field_text(*asset.tags),
            _field_text(
                collection.title if collection else asset.collection,
                campaign.title if campaign else asset.campaign,
                kind,
                asset.creator,
                asset.source,
            ),
            _field_text(asset.description, asset.alt),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Facet labels
# ---------------------------------------------------------------------------------------------

def language_label(tag: str) -> str:
    """'en-GB' -> 'English (United Kingdom)'; 'zxx' -> 'No language'; unknown parts stay codes."""
    if tag.lower() == "zxx":
        return "No language"
    parts = tag.split("-")
    language = pycountry.languages.get(alpha_2=parts[0].lower()) if len(parts[0]) == 2 else None
    language = language or pycountry.languages.get(alpha_3=parts[0].lower())
    name = language.name if language else parts[0]
    regions = [p for p in parts[1:] if len(p) == 2 and p.isalpha() or len(p) == 3 and p.isdigit()]
    if regions:
        country = pycountry.countries.get(alpha_2=regions[0].upper()) if regions[0].isalpha() else None
        name += f" ({country.name if country else regions[0].upper()})"
    return name


def _slug_label(slug: str) -> str:
    return slug.replace("-", " ")


def facet_label(facet: str, value: str, taxonomy: Taxonomy) -> str:
    if facet == "type":
        return KIND_LABELS.get(value, value)
    if facet == "orientation":
        return ORIENTATION_LABELS[value]
    if facet == "collection" and value in taxonomy.collections:
        return taxonomy.collections[value].title
    if facet == "campaign" and value in taxonomy.campaigns:
        return taxonomy.campaigns[value].title
    if facet == "channel" and value in taxonomy.channels:
        return taxonomy.channels[value].label
    if facet == "licence" and value in taxonomy.licences:
        return taxonomy.licences[value].label
    if facet == "language":
        return language_label(value)
    return _slug_label(value)


# (URL parameter and facet name, heading, the SearchDoc attribute, multi-valued)
FACETS: tuple[tuple[str, str, str, bool], ...] = (
    ("type", "Type", "type", False),
    ("collection", "Collection", "collection", False),
    ("campaign", "Campaign", "campaign", False),
    ("tag", "Tags", "tags", True),
    ("language", "Language", "language", False),
    ("channel", "Channels", "channels", True),
    ("orientation", "Orientation", "orientation", False),
    ("licence", "Licence", "licence", False),
)


def _facet_column(docs: Sequence[SearchDoc], name: str, attribute: str, multi: bool, taxonomy: Taxonomy) -> dict:
    present = sorted({v for doc in docs for v in (getattr(doc, attribute) if multi else [getattr(doc, attribute)]) if v})
    labels = [[value, facet_label(name, value, taxonomy)] for value in present]
    code = {value: i for i, value in enumerate(present)}
    if multi:
        values = [[code[v] for v in getattr(doc, attribute)] for doc in docs]
    else:
        values = [code.get(getattr(doc, attribute), -1) for doc in docs]
    return {"name": name, "labels": labels, "multi": multi, "values": values}


def _common_affixes(paths: list[str]) -> tuple[str, str]:
    """The folder all thumbnails share and the extension they share, stored once."""
    if not paths:
        return "", ""
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[:-1]
    prefix = prefix[: prefix.rfind("/") + 1]
    suffix = paths[0][paths[0].rfind("."):] if "." in paths[0].rsplit("/", 1)[-1] else ""
    if not all(path.endswith(suffix) and len(path) > len(prefix) + len(suffix) for path in paths):
        suffix = ""
    return prefix, suffix


def docs_payload(docs: Sequence[SearchDoc], taxonomy: Taxonomy) -> dict:
    thumbs = [doc.thumb for doc in docs if doc.thumb]
    prefix, suffix = _common_affixes(thumbs)
    return {
        "version": FORMAT_VERSION,
        "count": len(docs),
        "id": [doc.id for doc in docs],
        "title": [doc.title for doc in docs],
        "approved": [doc.approved for doc in docs],
        "thumb": {
            "prefix": prefix,
            "suffix": suffix,
            "values": [doc.thumb[len(prefix): len(doc.thumb) - len(suffix)] if doc.thumb else None for doc in docs],
        },
        "facets": [
            dict(_facet_column(docs, name, attribute, multi, taxonomy), title=title)
            for name, title, attribute, multi in FACETS
        ],
    }


# ---------------------------------------------------------------------------------------------
# The lunr index
# ---------------------------------------------------------------------------------------------

def ref(position: int) -> str:
    """A document's lunr ref: its position in docs.json, in base 36."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        position, rest = divmod(position, 36)
        out = digits[rest] + out
        if not position:
            return out


def _memoised(functions: list) -> Callable:
    """lunr's indexing pipeline (trimmer, stop words, Porter stemmer) as one function with a
    memo per distinct word: a catalogue repeats a few thousand words hundreds of thousands of
    times, and stemming each occurrence was half of the index build. Same output, same order."""
    memo: dict[str, str | None] = {}

    def run(token: Token, i: int, tokens: list) -> Token | None:
        word = str(token)
        if word not in memo:
            result: Token | None = Token(word, {})
            for function in functions:
                result = function(result, i, tokens)
                if result is None:
                    break
            memo[word] = None if result is None else str(result)
        out = memo[word]
        return None if out is None else token.update(lambda _s, _m: out)

    return run


def index_builder(docs: Sequence[SearchDoc]) -> Builder:
    """A lunr.py builder with every document added (call .build() for the Index)."""
    builder: Builder = get_default_builder()  # trimmer, stop words, stemmer; search pipeline: stemmer
    builder.pipeline._stack = [_memoised(list(builder.pipeline._stack))]
    builder.metadata_whitelist = []  # no term positions
    builder.ref("r")
    for position, (name, boost, _) in enumerate(FIELDS):
        # Already split into words: lunr's list path skips its regex tokenizer.
        builder.field(name, boost=boost, extractor=lambda doc, i=position: doc["text"][i].split())
    for position, doc in enumerate(docs):
        builder.add({"r": ref(position), "text": doc.text})
    return builder


def build_index(docs: Sequence[SearchDoc]) -> Index:
    return index_builder(docs).build()


def serialise_index(index: Index) -> dict:
    """lunr.py's serialisation, with terms in JavaScript's (UTF-16) order for lunr.js's token set."""
    data = index.serialize()
    data["invertedIndex"].sort(key=lambda entry: _utf16(entry[0]))
    return data


def pack_index(docs: Sequence[SearchDoc]) -> dict:
    """The lunr.py index in the form the browser downloads.

    A serialised lunr index stores every posting twice (the inverted index and the field vectors)
    and a 3-decimal score per posting. The packed form stores what those are computed from:
    per field and term the documents that contain it (position deltas; a negative number -k
    gives the next posting's term frequency k), per field each document's length, and the idf
    of each document frequency. `unpack` (here and in search.js) recomputes lunr.py's BM25
    scores with the same float operations in the same order, so the browser loads exactly the
    index lunr.py built (tests compare the two serialisations).
    """
    empty = {
        "version": LUNR_VERSION, "format": FORMAT_VERSION, "fields": [f for f, _, _ in FIELDS],
        "boosts": [b for _, b, _ in FIELDS], "k1": 1.2, "b": 0.75, "count": len(docs),
        "pipeline": ["stemmer"], "terms": [], "idf": [], "lengths": [[] for _ in FIELDS],
        "postings": [[] for _ in FIELDS],
    }
    if not docs:
        return empty
    builder = index_builder(docs)
    builder.build()
    inverted = builder.inverted_index
    terms = sorted(inverted, key=lambda term: inverted[term]["_index"])
    lengths = [[builder.field_lengths[f"{field}/{ref(i)}"] for i in range(len(docs))] for field, _, _ in FIELDS]
    postings = []
    for field, _, _ in FIELDS:
        per_term = []
        for term in terms:
            encoded, previous = [], 0
            for position in sorted(int(doc_ref, 36) for doc_ref in inverted[term][field]):
                tf = builder.field_term_frequencies[f"{field}/{ref(position)}"][term]
                if tf != 1:
                    encoded.append(-tf)
                encoded.append(position - previous)
                previous = position
            per_term.append(encoded)
        postings.append(per_term)
    frequencies = sorted({sum(len(inverted[t][f]) for f, _, _ in FIELDS) for t in terms})
    idf = [[df, math.log(1 + abs((len(docs) - df + 0.5) / (df + 0.5)))] for df in frequencies]
    return dict(empty, k1=builder._k1, b=builder._b, terms=terms, idf=idf, lengths=lengths, postings=postings)


def _round3(value: float) -> float:
    return round(value, 3)


def unpack_index(packed: dict) -> dict:
    """A packed index -> lunr's serialisation (what lunr.py's Index.serialize gives)."""
    fields, boosts, count = packed["fields"], packed["boosts"], packed["count"]
    k1, b = packed["k1"], packed["b"]
    idf_of = {df: value for df, value in packed["idf"]}
    refs = [ref(i) for i in range(count)]
    vectors: list[list[dict[int, float]]] = [[{} for _ in fields] for _ in range(count)]
    inverted = []
    frequencies = [0] * len(packed["terms"])
    decoded = []
    for f, field in enumerate(fields):
        per_term = []
        for t, encoded in enumerate(packed["postings"][f]):
            found, position, tf = [], 0, 1
            for number in encoded:
                if number < 0:
                    tf = -number
                    continue
                position += number
                found.append((position, tf))
                tf = 1
            frequencies[t] += len(found)
            per_term.append(found)
        decoded.append(per_term)
    for f, field in enumerate(fields):
        lengths = packed["lengths"][f]
        average = sum(lengths) / count if count else 0
        for t, found in enumerate(decoded[f]):
            idf = idf_of.get(frequencies[t], 0.0)
            for position, tf in found:
                score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[position] / average)) + tf)
                score *= boosts[f]
                vectors[position][f][t] = _round3(score)
    for t, term in enumerate(packed["terms"]):
        posting: dict = {"_index": t}
        for f, field in enumerate(fields):
            posting[field] = {refs[position]: {} for position, _ in decoded[f][t]}
        inverted.append([term, posting])
    inverted.sort(key=lambda entry: _utf16(entry[0]))
    field_vectors = [
        [f"{field}/{refs[position]}", [x for t in sorted(vector) for x in (t, vector[t])]]
        for position in range(count)
        for field, vector in zip(fields, vectors[position])
    ]
    return {
        "version": packed["version"],
        "fields": list(fields),
        "fieldVectors": field_vectors,
        "invertedIndex": inverted,
        "pipeline": list(packed["pipeline"]),
    }


def load_index(packed: dict) -> Index:
    return Index.load(unpack_index(packed))


def _json(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _script(global_name: str, payload: bytes) -> bytes:
    # U+2028/2029 are legal in JSON strings and (since ES2019) in JS strings; escape them anyway.
    payload = payload.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
    return b"window." + global_name.encode() + b"=" + payload + b";\n"


def search_docs(catalogue: Catalogue, assets: Iterable[Asset], renditions: dict[str, dict[str, str]]) -> list[SearchDoc]:
    ordered = sorted(assets, key=lambda asset: asset.id)
    return [search_doc(asset, catalogue.taxonomy, renditions.get(asset.id, {})) for asset in ordered]


def search_files(catalogue: Catalogue, assets: Sequence[Asset], renditions: dict[str, dict[str, str]]) -> dict[str, bytes]:
    """The files search needs, by output path. `assets` must be exactly the published ones."""
    docs = search_docs(catalogue, assets, renditions)
    docs_json = _json(docs_payload(docs, catalogue.taxonomy))
    index_json = _json(pack_index(docs))
    return {
        DOCS_JSON: docs_json,
        INDEX_JSON: index_json,
        DOCS_JS: _script(DOCS_GLOBAL, docs_json),
        INDEX_JS: _script(INDEX_GLOBAL, index_json),
    }


# ---------------------------------------------------------------------------------------------
# Querying: the Python twin of search.js (keep the two in step; tests/test_index.py checks parity)
# ---------------------------------------------------------------------------------------------

def query_words(text: str) -> list[str]:
    """The words of a query, without stop words unless nothing else is left."""
    found = list(dict.fromkeys(words(text)))
    kept = [word for word in found if stop_word_filter(Token(word)) is not None]
    return kept or found


def expand(index: Index, word: str) -> dict[str, int]:
    """Index terms a query word matches, each with its boost: its exact stem, terms it is a prefix
    of, terms one typo away and, only when none of those exist, an indexed stem the word starts
    with (at least four letters and half the word: "sustainab" finds "sustain")."""
    stem = index.pipeline.run_string(word)
    stem = stem[0] if stem else word
    found: dict[str, int] = {}

    def add(terms: Iterable[str], boost: int) -> None:
        for term in terms:
            found[term] = max(found.get(term, 0), boost)

    if len(word) >= PREFIX_MIN_LENGTH:
        add(index.token_set.intersect(TokenSet.from_string(word + "*")).to_list(), PREFIX_BOOST)
    if stem in index.inverted_index:
        add([stem], EXACT_BOOST)
    if len(stem) >= FUZZY_MIN_LENGTH:
        add(index.token_set.intersect(TokenSet.from_fuzzy_string(stem, 1)).to_list(), FUZZY_BOOST)
    if not found:
        for end in range(max(FUZZY_MIN_LENGTH, (len(word) + 1) // 2), len(word)):
            if word[:end] in index.inverted_index:
                add([word[:end]], FUZZY_BOOST)
    return found


def _refs(index: Index, terms: Iterable[str]) -> set[str]:
    return {
        doc_ref
        for term in terms
        for field, postings in index.inverted_index[term].items()
        if field != "_index"
        for doc_ref in postings
    }


def search(index: Index, text: str) -> list[tuple[str, float]]:
    """(ref, score) best first; a document must match every word of the query."""
    expansions = [expand(index, word) for word in query_words(text)]
    if not expansions or not all(expansions):
        return []
    allowed = set.intersection(*(_refs(index, terms) for terms in expansions))
    boosts: dict[str, int] = {}
    for terms in expansions:
        for term, boost in terms.items():
            boosts[term] = boosts.get(term, 0) + boost
    query = index.create_query()
    for term in sorted(boosts, key=_utf16):
        query.term(term, use_pipeline=False, boost=boosts[term])
    results = [(r["ref"], r["score"]) for r in index.query(query) if r["ref"] in allowed]
    return sorted(results, key=lambda item: (-item[1], int(item[0], 36)))

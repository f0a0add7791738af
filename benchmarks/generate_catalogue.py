"""Generate a large, realistic catalogue (repository layout) for benchmarks and tests.

    python benchmarks/generate_catalogue.py OUT --count 10000 [--seed 7] [--bad 50] [--verify 500]

Writes OUT/catalogue/portal.yaml, OUT/catalogue/taxonomy.yaml,
OUT/catalogue/assets/<collection>/<id>.yaml and one DVC 3 pointer per master at
OUT/media/<collection>/<file>.dvc whose md5 equals the sidecar's technical.md5.

Everything is deterministic from (count, seed, bad): the same arguments give byte-identical
files. Injecting bad files (`bad=N`) leaves every other file exactly as it is with bad=0.

Sidecars are written with f-strings (about 10x faster than a YAML emitter); free text is
written as JSON strings, which are valid YAML double-quoted scalars, and short tokens are
written plain only when YAML 1.1 would read them back as the same string (so 'NO', 'on',
'2026' and timecodes are always quoted).

The generator does not import `builder`: it only writes text. `--verify N` loads a sample
with the real models afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import random
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

GENERATOR_VERSION = 3
MARKER = ".dam-generated"  # written at OUT; lets the CLI overwrite its own earlier output
MAX_PER_FOLDER = 1000
REFERENCE_DATE = dt.date(2026, 12, 4)  # build date the rights windows are laid out around
EXPIRY_QUIET_DAYS = 40  # no clean asset expires within this many days of REFERENCE_DATE

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

OWNERS: dict[str, tuple[str, tuple[str, ...], str]] = {
    # slug: (name, handles, email); the person handles are the possible approvers
    "brand-team": ("Brand team", ("@acme/brand-team", "alice", "amir-h"), "brand@acme.example"),
    "product-marketing": ("Product marketing", ("@acme/product-marketing", "bkowalski", "chen-li"), "product@acme.example"),
    "corporate-comms": ("Corporate communications", ("@acme/comms", "dmueller", "esther-o"), "press@acme.example"),
    "people-team": ("People and culture", ("@acme/people", "fatima-z", "gregor"), "people@acme.example"),
    "retail-marketing": ("Retail marketing", ("@acme/retail", "hannah-b", "ivan-p", "jules-m"), "retail@acme.example"),
    "social-team": ("Social media", ("@acme/social", "kofi-a", "lena-s"), "social@acme.example"),
    "events-team": ("Events", ("@acme/events", "marta-g"), "events@acme.example"),
    "sustainability": ("Sustainability office", ("@acme/sustainability", "nadia-r", "oskar-v"), "green@acme.example"),
}

# slug: (title, owners, weight); weights are uneven on purpose so big catalogues split folders
COLLECTIONS: dict[str, tuple[str, tuple[str, ...], float]] = {
    "brand-core": ("Brand core imagery", ("brand-team",), 1.6),
    "product-kitchen": ("Product: kitchen", ("product-marketing",), 2.6),
    "product-outdoor": ("Product: outdoor", ("product-marketing",), 2.2),
    "product-home": ("Product: home and living", ("product-marketing", "brand-team"), 1.8),
    "summer-2026": ("Summer 2026", ("brand-team", "retail-marketing"), 1.4),
    "winter-2025": ("Winter 2025", ("brand-team", "retail-marketing"), 1.0),
    "spring-2026": ("Spring 2026", ("retail-marketing",), 1.0),
    "stores-uk": ("Stores: United Kingdom", ("retail-marketing",), 0.9),
    "stores-dach": ("Stores: Germany, Austria, Switzerland", ("retail-marketing",), 0.8),
    "stores-france": ("Stores: France", ("retail-marketing",), 0.6),
    "people-culture": ("People and culture", ("people-team",), 0.9),
    "careers": ("Careers and recruiting", ("people-team", "social-team"), 0.5),
    "press-kit": ("Press kit", ("corporate-comms",), 0.6),
    "annual-report": ("Annual report", ("corporate-comms",), 0.3),
    "leadership": ("Leadership portraits", ("corporate-comms", "people-team"), 0.3),
    "events-2026": ("Events 2026", ("events-team",), 0.8),
    "trade-fairs": ("Trade fairs", ("events-team", "product-marketing"), 0.5),
    "social-templates": ("Social templates", ("social-team",), 0.7),
    "sustainability": ("Sustainability", ("sustainability", "corporate-comms"), 0.6),
    "archive-heritage": ("Heritage archive", ("brand-team",), 0.4),
}

CHANNELS = {
    "web": "Website",
    "social": "Social media",
    "print": "Print",
    "email": "Email newsletters",
    "intranet": "Intranet",
    "ooh": "Out of home",
    "broadcast": "TV and radio",
    "events": "Events and trade fairs",
    "press": "Press and media relations",
    "retail": "In-store displays",
}
DIGITAL = ("web", "social", "email", "intranet")

LICENCES = {
    "owned": ("Company owned", None),
    "royalty-free": ("Royalty free", None),
    "rights-managed": ("Rights managed", None),
    "editorial-only": ("Editorial use only", None),
    "cc-by-4-0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "internal-only": ("Internal use only", None),
}

TERRITORIES = ("GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "US", "CA", "ES", "IT", "SE", "DK", "NO", "FI", "PL")

CREATORS = (
    "Jane Doe", "Tom Okafor", "Priya Raman", "Lukas Brandt", "Sophie Martin", "Marco Rossi",
    "Aisling Byrne", "Jonas Weber", "Chloé Dubois", "Sam O'Neill", "Ewa Nowak", "Yuki Tanaka",
    "Carlos Méndez", "Ingrid Solberg", "Hamid Karimi", "Olivia Hughes",
)
SOURCES = (
    "Acme Studio", "Northlight Productions", "Studio Blau", "Atelier Lumière", "In-house",
    "Fieldwork Agency", "Pixel & Grain", "Harbour Films", "Stock: Wildframe", "Bright Side Audio",
)
CAMERAS = ("Canon EOS R5", "Sony ILCE-7RM4", "Nikon Z 8", "Fujifilm GFX100S", "Canon EOS 5D Mark IV", "Hasselblad X2D")

ADJECTIVES = (
    "Smiling", "Young", "Happy", "Busy", "Quiet", "Relaxed", "Focused", "Cheerful", "Confident",
    "Curious", "Friendly", "Tired", "Excited", "Thoughtful", "Energetic", "Calm", "Proud",
    "Laughing", "Senior", "Local", "Creative", "Determined", "Playful", "Sleepy",
)
# (plural subject, singular subject, related tags)
SUBJECTS = (
    ("hikers", "hiker", ("hiking", "outdoor", "adventure")),
    ("families", "family", ("family", "lifestyle")),
    ("friends", "friend", ("friends", "lifestyle", "leisure")),
    ("colleagues", "colleague", ("team", "workplace", "people")),
    ("students", "student", ("education", "people")),
    ("cyclists", "cyclist", ("cycling", "sport", "outdoor")),
    ("runners", "runner", ("running", "sport", "fitness")),
    ("chefs", "chef", ("cooking", "kitchen", "food")),
    ("shoppers", "shopper", ("shopping", "retail")),
    ("engineers", "engineer", ("engineering", "workplace")),
    ("children", "child", ("children", "family")),
    ("parents", "parent", ("family", "parenting")),
    ("climbers", "climber", ("climbing", "outdoor", "adventure")),
    ("surfers", "surfer", ("surfing", "beach", "sport")),
    ("volunteers", "volunteer", ("community", "volunteering")),
    ("designers", "designer", ("design", "creative", "workplace")),
    ("farmers", "farmer", ("farming", "rural", "sustainability")),
    ("musicians", "musician", ("music", "culture")),
    ("dog walkers", "dog walker", ("dogs", "pets", "outdoor")),
    ("store staff", "store assistant", ("retail", "staff", "customer-service")),
    ("campers", "camper", ("camping", "outdoor", "travel")),
    ("commuters", "commuter", ("commuting", "city", "urban")),
    ("gardeners", "gardener", ("gardening", "nature", "home")),
    ("speakers", "speaker", ("events", "conference", "presentation")),
)
ACTIONS = (
    ("crossing a ridge", ("mountains",)), ("sharing a meal", ("food", "dining")),
    ("walking along the shore", ("beach", "coast")), ("setting up a tent", ("camping",)),
    ("unpacking a delivery", ("delivery", "packaging")), ("cooking pasta", ("cooking", "food")),
    ("laughing together", ("joy", "emotion")), ("reading a map", ("navigation", "travel")),
    ("testing a prototype", ("innovation", "product")), ("planting trees", ("sustainability", "nature")),
    ("carrying surfboards", ("surfing",)), ("brewing coffee", ("coffee", "drinks")),
    ("presenting on stage", ("presentation", "events")), ("choosing vegetables", ("food", "market")),
    ("repairing a bicycle", ("repair", "cycling")), ("watching the sunset", ("sunset", "golden-hour")),
    ("packing a backpack", ("backpack", "travel")), ("painting a wall", ("diy", "home")),
    ("playing football", ("football", "sport")), ("talking with customers", ("customer-service", "retail")),
    ("building a snowman", ("snow", "winter")), ("loading a van", ("logistics", "delivery")),
    ("tasting wine", ("wine", "drinks")), ("fixing solar panels", ("solar", "energy", "sustainability")),
    ("arranging flowers", ("flowers", "spring")), ("paddling a canoe", ("canoeing", "water", "outdoor")),
)
SETTINGS = (
    ("at dawn", ("dawn", "morning")), ("at sunset", ("sunset", "golden-hour")), ("in the rain", ("rain", "weather")),
    ("in a busy kitchen", ("kitchen", "indoor")), ("on a city street", ("city", "street", "urban")),
    ("in the mountains", ("mountains", "landscape")), ("on a sandy beach", ("beach", "summer")),
    ("in a bright office", ("office", "workplace", "indoor")), ("at a street market", ("market", "city")),
    ("in a pine forest", ("forest", "nature")), ("by the lake", ("lake", "water")),
    ("in the snow", ("snow", "winter")), ("in a flagship store", ("store", "retail", "indoor")),
    ("at a trade fair", ("trade-fair", "events")), ("in a community garden", ("garden", "community")),
    ("on a rooftop terrace", ("rooftop", "city")), ("in a small workshop", ("workshop", "craft")),
    ("at the harbour", ("harbour", "coast")), ("in a cosy living room", ("living-room", "home", "indoor")),
    ("on a country road", ("countryside", "rural")), ("under autumn leaves", ("autumn", "nature")),
    ("in a warehouse", ("warehouse", "logistics", "indoor")), ("in a Zürich café", ("cafe", "city", "switzerland")),
    ("at night", ("night", "lights")),
)
PRODUCTS = (
    ("kettle", ("kettle", "kitchen", "appliances")), ("espresso machine", ("coffee", "appliances")),
    ("chef's knife", ("knives", "kitchen")), ("cast-iron pan", ("cookware", "kitchen")),
    ("rain jacket", ("apparel", "outdoor")), ("hiking boots", ("footwear", "hiking")),
    ("two-person tent", ("tent", "camping")), ("sleeping bag", ("camping", "outdoor")),
    ("desk lamp", ("lighting", "home")), ("linen sofa", ("furniture", "home")),
    ("water bottle", ("drinkware", "outdoor")), ("backpack", ("backpack", "bags")),
    ("ceramic mug", ("drinkware", "kitchen")), ("wool blanket", ("textiles", "home")),
)
PRODUCT_LINES = {  # collection prefix -> products shown in it
    "product-kitchen": PRODUCTS[0:4] + PRODUCTS[12:13],
    "product-outdoor": PRODUCTS[4:8] + PRODUCTS[10:12],
    "product-home": PRODUCTS[8:10] + PRODUCTS[13:14] + PRODUCTS[12:13],
    "trade-fairs": PRODUCTS,
}
COLOURS = ("blue", "red", "green", "black", "white", "grey", "yellow", "orange", "teal", "sand")
BACKDROPS = (
    ("on a white background", ("cut-out", "studio")), ("on a wooden table", ("table", "lifestyle")),
    ("in use outdoors", ("in-use", "outdoor")), ("close-up", ("detail", "close-up")),
    ("flat lay", ("flat-lay", "studio")), ("on a kitchen counter", ("kitchen", "lifestyle")),
)

# A few hundred real English words for descriptions, by part of speech and roughly most
# frequent first; sentences come from templates and words are picked with Zipf weights, so a
# search index sees realistic term frequencies (and stop words in realistic places).
NOUNS = """
team day light colour view story moment people family friends customers product range design
quality look season city home life world morning evening weekend table kitchen garden street
market store shop office studio workshop warehouse beach sea coast lake river water forest tree
mountain hill field road path sky sun sunset sunrise rain snow wind weather cloud shade shadow
window door wall floor room space building roof bridge station park square harbour boat bicycle
car van train hand hands face shirt jacket boots bag backpack tent map camera phone laptop
screen paper box parcel delivery order service event stage audience campaign launch sale offer
collection edition series detail texture pattern surface material wood metal glass stone cotton
wool linen leather ceramic steel energy waste packaging planet future community volunteers
neighbours staff manager engineer designer chef farmer driver artist musician student teacher
portrait group crowd background foreground frame landscape angle poster banner header cover page
report interview quote holiday journey trip adventure meal coffee breakfast lunch dinner bread
fruit vegetables flowers leaves grass sand snowfield valley village town countryside skyline
factory machine tool bench lamp sofa chair blanket mug kettle pan knife bottle jar basket
""".split()
ADJECTIVES_D = """
new natural warm bright soft clear open fresh clean simple modern classic outdoor indoor local
small large long short wide high low green blue red white black golden dark quiet busy calm
everyday seasonal candid relaxed colourful sunny cloudy rainy snowy early late sustainable
recycled handmade authentic friendly happy real full free young proud careful gentle strong
""".split()
VERBS_ING = """
walking running riding cooking sharing working playing meeting building planning making creating
showing helping smiling laughing talking looking holding carrying standing sitting waiting
exploring discovering preparing testing repairing cleaning packing reading writing drawing
""".split()
PREPOSITIONS = "in on at near behind beside across along around under over through inside outside".split()
USES = """
website social print newsletter intranet poster banner brochure presentation press catalogue
hero header thumbnail story reel
""".split()
TEMPLATES = (
    "{A} {adj} {noun} with a {adj} {noun} {prep} the {noun}.",
    "Shot {prep} the {noun} on a {adj} {noun}.",
    "{Adj} {noun} and {noun} {prep} the {noun}.",
    "{People} {ving} {prep} a {adj} {noun}.",
    "Good for {use} and {use} use.",
    "Part of the {adj} {noun} series.",
    "The {noun} is {adj} and {adj}.",
    "{Ving} the {noun} {prep} the {noun} during the {noun}.",
    "Works well as a {use} or {use} image.",
    "Natural light, {adj} {noun} and a {adj} {noun} in the {noun}.",
)
PEOPLE = "Two friends|A small team|Local staff|A family|Our customers|Young people|Volunteers|Colleagues".split("|")

EXTRA_TAGS = """
aerial animation apparel appliances architecture autumn-campaign awards b-roll bags bathroom
behind-the-scenes black-friday blog bokeh branding breakfast brochure candid celebration
ceremony charity christmas cityscape clearance close-up coffee-break collaboration conference
cosy craftsmanship customer-story cut-out dessert detail dining diversity diy drone easter
eco-friendly employee-portrait energy-saving entrance evening exhibition exterior factory
fashion festival flat-lay flowers footwear gift-guide graduation green-energy group-photo
handmade headshot healthy heritage hero-image holiday icon illustration infographic innovation
interior interview keynote kids knitwear launch leadership leisure lifestyle-shoot lighting
logo-usage lunch macro mascot meeting-room minimal mobile monochrome mothers-day networking
new-arrivals newsletter night-shot office-life onboarding opening packshot panorama panel
partnership pattern picnic podcast portrait pop-up press-photo product-demo promotion quote-card
recipe recycling remote-work renovation reportage sale-campaign seasonal shelf-display
showroom signage skyline slow-motion sneak-peek spring-campaign staircase stationery
store-front storytelling street-style sunrise sunny teamwork technology textures thank-you
timelapse tips tutorial unboxing vintage vertical-video voiceover warm-tones water-sports
webinar wellbeing wide-shot window-display workwear yoga
accessibility anniversary back-office bakery barbecue beverage billboard birthday camper-van
carousel checkout city-break climate countdown courier cycling-tour data-centre dinner e-commerce
family-owned farm-shop garden-party hackathon hands-on harvest ice-cream inclusion jogging
kitchen-table landmark late-night lunch-break mentoring mountain-hut open-day orchard
""".split()


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML 1.1 and 1.2 double-quoted)."""
    return json.dumps(text, ensure_ascii=False)


def s(token: str) -> str:
    """A short token written plain when YAML reads it back as the same string, else quoted."""
    if _PLAIN.fullmatch(token) and token.lower() not in _YAML11_WORDS:
        return token
    return q(token)


_PLAIN_PATH = re.compile(r"[a-z][a-z0-9._/-]*")


def path_scalar(path: str) -> str:
    return path if _PLAIN_PATH.fullmatch(path) else q(path)


_RESOLVER = yaml.resolver.Resolver()


_NON_E_LETTER = re.compile(r"[a-df-z]")


def h(hex_digits: str) -> str:
    """A hex digest, plain only when every YAML schema reads it as a string: YAML 1.1 (PyYAML)
    by its resolver, and YAML 1.2 (ruamel) because a letter other than e rules out a number
    there ('8e99999999999999' is the string it looks like in 1.1 but infinity in 1.2)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, hex_digits, (True, False))
    plain = tag == "tag:yaml.org,2002:str" and _NON_E_LETTER.search(hex_digits)
    return hex_digits if plain else q(hex_digits)


def flow(items) -> str:
    return "[" + ", ".join(s(item) for item in items) + "]"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def day(start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


# ---------------------------------------------------------------------------------------------
# Taxonomy
# ---------------------------------------------------------------------------------------------


def _tags() -> list[str]:
    related: list[str] = []
    for group in (SUBJECTS, ACTIONS, SETTINGS, PRODUCTS, BACKDROPS):
        for entry in group:
            related.extend(entry[-1])
    related += [f"colour-{c}" for c in COLOURS]
    related += ["video", "audio", "document", "photography", "spring", "summer", "autumn", "winter"]
    return sorted(dict.fromkeys(related + EXTRA_TAGS))


def _campaigns(rng: random.Random) -> dict[str, dict]:
    themes = (
        "summer-sale", "winter-sale", "back-to-school", "spring-refresh", "black-friday",
        "outdoor-week", "kitchen-heroes", "home-makeover", "green-future", "store-openings",
    )
    campaigns: dict[str, dict] = {}
    for year in (2025, 2026, 2027, 2028):
        for theme in themes:
            starts = day(dt.date(year, 1, 1), dt.date(year, 10, 31), rng)
            campaigns[f"{theme}-{year}"] = {
                "title": f"{theme.replace('-', ' ').capitalize()} {year}",
                "starts": starts,
                "ends": starts + dt.timedelta(days=rng.randrange(14, 120)),
            }
    return campaigns


def _plan_collections(count: int) -> list[tuple[str, str, tuple[str, ...], int]]:
    """(slug, title, owners, assets) per folder: counts by largest remainder, split at 1,000."""
    total = sum(weight for _, _, weight in COLLECTIONS.values())
    shares = {slug: count * weight / total for slug, (_, _, weight) in COLLECTIONS.items()}
    counts = {slug: math.floor(share) for slug, share in shares.items()}
    by_remainder = sorted(shares, key=lambda slug: (counts[slug] - shares[slug], slug))
    for slug in by_remainder[: count - sum(counts.values())]:
        counts[slug] += 1
    plan = []
    for slug, (title, owners, _) in COLLECTIONS.items():
        n = counts[slug]
        parts = max(1, math.ceil(n / MAX_PER_FOLDER))
        for part in range(parts):
            size = n // parts + (1 if part < n % parts else 0)
            if parts == 1:
                plan.append((slug, title, owners, size))
            else:
                plan.append((f"{slug}-part-{part + 1}", f"{title} (part {part + 1} of {parts})", owners, size))
    return plan


def _taxonomy_text(plan, campaigns, tags) -> str:
    data = {
        "owners": {
            slug: {"name": name, "handles": list(handles), "email": email}
            for slug, (name, handles, email) in OWNERS.items()
        },
        "collections": {
            slug: {"title": title, "owners": list(owners)} for slug, title, owners, _ in plan
        },
        "campaigns": campaigns,
        "tags": tags,
        "channels": {slug: {"label": label} for slug, label in CHANNELS.items()},
        "licences": {
            slug: ({"label": label, "url": url} if url else {"label": label})
            for slug, (label, url) in LICENCES.items()
        },
    }
    header = "# Generated by benchmarks/generate_catalogue.py: controlled vocabularies\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


PORTAL = """\
# Generated by benchmarks/generate_catalogue.py
title: Acme brand portal (benchmark)
description: A generated catalogue for benchmarks and tests.
base_url: /
language: en-GB
brand:
  name: Acme
  tagline: Made to be used
"""


# ---------------------------------------------------------------------------------------------
# Assets
# ---------------------------------------------------------------------------------------------


@dataclass
class Generated:
    rel: str  # sidecar path relative to OUT
    id: str
    collection: str
    master: str
    md5: str
    text: str


class _Words:
    """Zipf-weighted word picker (cumulative weights, so each pick is a bisect)."""

    def __init__(self, words: list[str]):
        self.words = list(dict.fromkeys(words))
        self.cum = []
        acc = 0.0
        for rank in range(len(self.words)):
            acc += 1.0 / (rank + 1) ** 0.9
            self.cum.append(acc)

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.words, cum_weights=self.cum)[0]


class _Vocabulary:
    def __init__(self) -> None:
        self.noun, self.adj, self.ving = _Words(NOUNS), _Words(ADJECTIVES_D), _Words(VERBS_ING)
        self.prep, self.use = _Words(PREPOSITIONS), _Words(USES)
        self.slot = re.compile(r"\{(\w+)\}")

    def sentence(self, rng: random.Random) -> str:
        template = rng.choice(TEMPLATES)

        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name == "People":
                return rng.choice(PEOPLE)
            if name == "A":
                return "A"
            word = getattr(self, name.lower())(rng)
            return word.capitalize() if name[0].isupper() else word

        text = self.slot.sub(fill, template)
        return re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", text)  # a -> an before a vowel

    def description(self, rng: random.Random, first: str) -> str:
        target = rng.randrange(15, 41)
        out = [first]
        length = len(first.split())
        while length < target:
            sentence = self.sentence(rng)
            out.append(sentence)
            length += len(sentence.split())
        if length > 40 and length - len(out[-1].split()) >= 15:
            out.pop()  # the last sentence overshot: drop it rather than cut it
        words = " ".join(out).split()[:40]
        words[-1] = words[-1].rstrip(".,") + "."
        return " ".join(words)


def _title(rng: random.Random, collection: str) -> tuple[str, list[str], str, str]:
    """(title, related tags, alt text, first description sentence)."""
    line = next((l for l in PRODUCT_LINES if collection.startswith(l)), None)
    if line and rng.random() < 0.7:
        name, tags = rng.choice(PRODUCT_LINES[line])
        colour = rng.choice(COLOURS)
        backdrop, btags = rng.choice(BACKDROPS)
        title = f"{colour.capitalize()} {name} {backdrop}"
        tags = list(tags) + list(btags) + [f"colour-{colour}"]
        alt = f"A {colour} {name} {backdrop}"
        first = f"Product shot of the {colour} {name} {backdrop}."
    else:
        plural, singular, stags = rng.choice(SUBJECTS)
        action, atags = rng.choice(ACTIONS)
        setting, ptags = rng.choice(SETTINGS)
        adjective = rng.choice(ADJECTIVES) if rng.random() < 0.6 else None
        subject = f"{adjective} {plural}" if adjective else plural.capitalize()
        title = f"{subject} {action} {setting}"
        tags = list(stags) + list(atags) + list(ptags)
        alt = f"{subject} {action} {setting}"
        first = f"{subject} {action} {setting}."
    roll = rng.random()  # titles that need quoting in YAML
    if roll < 0.04:
        title = f"Key visual: {title}"
    elif roll < 0.07:
        title = f"{title} #{rng.randrange(1, 9)}"
    elif roll < 0.08:
        title = f"{title} - 'take {rng.randrange(2, 5)}'"
    elif roll < 0.09:
        title = f'"{title}" (alternative crop)'
    return title, tags, alt, first


IMAGE_SIZES = ((6000, 4000), (4000, 6000), (5472, 3648), (3648, 5472), (8192, 5464), (4000, 4000), (3000, 2000), (2048, 2048), (7952, 5304))
VIDEO_SIZES = ((1920, 1080), (3840, 2160), (1080, 1920), (1280, 720), (1080, 1080))


def _technical(rng: random.Random, md5: str, kind: str, created: dt.date) -> tuple[str, list[str], float | None]:
    """(extension, technical block lines, duration)."""
    lines = [f"  md5: {h(md5)}"]
    duration = None
    if kind == "image":
        png = rng.random() < 0.08
        width, height = rng.choice(IMAGE_SIZES)
        size = int(width * height * (rng.uniform(1.2, 2.5) if png else rng.uniform(0.25, 0.7)))
        ext, media = ("png", "image/png") if png else ("jpg", "image/jpeg")
        lines += [f"  bytes: {size}", f"  media_type: {media}", f"  width: {width}", f"  height: {height}"]
        lines += ["  colour_mode: RGB", "  bit_depth: 8", '  icc_profile: "sRGB IEC61966-2.1"']
        if not png:
            shot = dt.datetime.combine(created, dt.time(rng.randrange(6, 21), rng.randrange(60), rng.randrange(60)))
            lines += [f"  captured: {q(shot.isoformat())}", f"  camera: {q(rng.choice(CAMERAS))}"]
        lines.append(f"  phash: {h(md5[:16])}")
    elif kind == "video":
        width, height = rng.choice(VIDEO_SIZES)
        duration = round(rng.uniform(6, 180), 2)
        fps = rng.choice((25.0, 30.0, 29.97, 50.0, 24.0))
        size = int(duration * rng.uniform(0.8, 6.0) * 1_000_000)
        ext = "mp4"
        lines += [f"  bytes: {size}", "  media_type: video/mp4", f"  width: {width}", f"  height: {height}"]
        lines += [f"  duration: {duration}", f"  fps: {fps}", "  video_codec: h264", "  audio_codec: aac"]
        lines += ["  sample_rate: 48000", "  audio_channels: 2"]
    elif kind == "audio":
        duration = round(rng.uniform(10, 600), 2)
        size = int(duration * 320_000 / 8)
        ext = "mp3"
        lines += [f"  bytes: {size}", "  media_type: audio/mpeg", f"  duration: {duration}"]
        lines += ["  audio_codec: mp3", f"  sample_rate: {rng.choice((44100, 48000))}", "  audio_channels: 2"]
    else:
        pages = rng.randrange(1, 41)
        size = pages * rng.randrange(80_000, 900_000)
        ext = "pdf"
        lines += [f"  bytes: {size}", "  media_type: application/pdf", f"  pages: {pages}"]
        lines += ["  page_width_pt: 595.28", "  page_height_pt: 841.89"]
    return ext, lines, duration


def _expiry(rng: random.Random, not_before: dt.date) -> dt.date:
    """Mostly years ahead, sometimes already past (but after not_before, the approval or
    creation date); never within EXPIRY_QUIET_DAYS of the reference date either way."""
    quiet = dt.timedelta(days=EXPIRY_QUIET_DAYS)
    last_past = REFERENCE_DATE - quiet - dt.timedelta(days=1)
    expired = rng.random() < 0.08
    if expired and not_before < last_past:
        return day(max(not_before, dt.date(2023, 1, 1)), last_past, rng)
    return day(REFERENCE_DATE + quiet + dt.timedelta(days=1), dt.date(2031, 12, 31), rng)


def _crop_916(rng: random.Random, width: int, height: int, fx: float) -> str | None:
    """A 9:16 manual crop for landscape masters, kept inside the frame despite rounding."""
    w = (height * 9 / 16) / width
    if w >= 1:
        return None
    w = math.floor(w * 10_000) / 10_000
    x = min(max(fx - w / 2, 0.0), 1.0 - w)
    x = math.floor(x * 10_000) / 10_000
    return f'  "9:16": {{x: {x}, y: 0.0, w: {w}, h: 1.0}}'


def _asset(i: int, collection: str, owners: tuple[str, ...], rng: random.Random, words: _Vocabulary,
           campaigns: list[str], tags_vocab: list[str], tag_set: set[str], seed: int,
           archived: list[str]) -> Generated:
    title, related, alt, first = _title(rng, collection)
    roll = rng.random()
    kind = "image" if roll < 0.80 else "video" if roll < 0.90 else "audio" if roll < 0.95 else "document"
    asset_id = f"{slugify(title.replace('Key visual: ', ''))[:60].strip('-')}-{i:06d}"
    md5 = hashlib.md5(f"dam-bench:{seed}:{asset_id}".encode()).hexdigest()
    created = day(dt.date(2019, 1, 1), dt.date(2026, 10, 31), rng)
    ext, technical, duration = _technical(rng, md5, kind, created)
    file_name = f"{asset_id}.{ext}"
    master = f"{collection}/{file_name}"

    roll = rng.random()
    status = "approved" if roll < 0.70 else "draft" if roll < 0.82 else "in_review" if roll < 0.92 else "archived"
    visibility = "public" if rng.random() < 0.85 else "internal"
    owner = rng.choice(owners)
    thin = status == "draft" and rng.random() < 0.5  # half the drafts are thin

    # tags: related ones first, then a few popular ones; 2-6 in all, all in the taxonomy
    want = rng.randrange(2, 7)
    tags = [t for t in dict.fromkeys(related) if t in tag_set]
    rng.shuffle(tags)
    tags = tags[:want]
    while len(tags) < want:
        extra = tags_vocab[min(int(rng.expovariate(1 / 40)), len(tags_vocab) - 1)]
        if extra not in tags:
            tags.append(extra)

    if kind == "image":
        language = "zxx" if rng.random() < 0.55 else rng.choice(("en-GB", "en-GB", "de-DE", "fr-FR"))
    else:
        language = rng.choices(("en-GB", "de-DE", "fr-FR", "zxx"), weights=(6, 2, 2, 1))[0]

    licence = rng.choices(list(LICENCES), weights=(30, 25, 25, 8, 5, 7))[0]
    if licence == "internal-only":
        usage = ["intranet", "email"] if rng.random() < 0.5 else ["intranet"]
    elif licence == "editorial-only":
        usage = ["press", "web"]
    else:
        pool = list(CHANNELS)
        rng.shuffle(pool)
        usage = sorted(set(pool[: rng.randrange(2, 7)]) | {"web"})
    channels = sorted(rng.sample(usage, rng.randrange(1, len(usage) + 1)))

    lines = [f"id: {asset_id}", f"title: {q(title)}"]
    if not thin:
        lines.append(f"description: {q(words.description(rng, first))}")
        if kind in ("image", "video"):
            lines.append(f"alt: {q(alt)}")
    lines += [f"master: {path_scalar(master)}", f"collection: {collection}"]
    if rng.random() < 0.6:
        lines.append(f"campaign: {rng.choice(campaigns)}")
    lines += [f"tags: {flow(tags)}", f"language: {language}", f"channels: {flow(channels)}"]
    lines.append(f"owner: {owner}")
    if not thin:
        lines += [f"creator: {q(rng.choice(CREATORS))}", f"source: {q(rng.choice(SOURCES))}"]
    lines += [f"created: {created.isoformat()}", f"status: {status}", f"visibility: {visibility}"]
    approved_on = None
    if status in ("approved", "archived"):
        approver = rng.choice([h for o in owners for h in OWNERS[o][1] if not h.startswith("@")])
        approved_on = day(created, dt.date(2026, 11, 30), rng)
        lines += [f"approved_by: {s(approver)}", f"approved_on: {approved_on.isoformat()}"]
    if not thin:
        lines += ["rights:", f"  licence: {licence}", f"  usage: {flow(usage)}"]
        territories = ["worldwide"] if rng.random() < 0.45 else sorted(rng.sample(TERRITORIES, rng.randrange(1, 5)))
        lines.append(f"  territories: {flow(territories)}")
        expires = None
        if licence in ("rights-managed", "editorial-only") or rng.random() < 0.2:
            expires = _expiry(rng, approved_on or created)
            lines.append(f"  expires: {expires.isoformat()}")
        if rng.random() < 0.03:  # an embargo always ends well before the rights expire
            embargo = day(dt.date(2027, 1, 15), dt.date(2027, 12, 31), rng)
            if expires is not None and expires <= embargo + dt.timedelta(days=60):
                expires = embargo + dt.timedelta(days=rng.randrange(365, 3 * 365))
                lines[-1] = f"  expires: {expires.isoformat()}"
            lines.append(f"  embargo_until: {embargo.isoformat()}")
        year = created.year
        lines.append(f"  credit: {q(f'© {rng.choice(SOURCES)} {year}' if rng.random() < 0.3 else f'(c) {rng.choice(SOURCES)} {year}')}")
        if kind in ("image", "video") and rng.random() < 0.4:
            lines.append(f"  consent: [release-{year}-{rng.randrange(1, 999):03d}]")
        if rng.random() < 0.01:
            lines.append(f"  withdrawn_on: {day(approved_on or created, dt.date(2026, 11, 30), rng).isoformat()}")
        if rng.random() < 0.05:
            lines.append(f"  restrictions: {q('No use in alcohol or tobacco advertising.')}")
    if kind == "image":
        fx, fy = round(rng.uniform(0.2, 0.8), 2), round(rng.uniform(0.2, 0.8), 2)
        lines.append(f"focus: {{x: {fx}, y: {fy}}}")
        width = int(technical[3].split(": ")[1])
        height = int(technical[4].split(": ")[1])
        if rng.random() < 0.05 and (crop := _crop_916(rng, width, height, fx)):
            lines += ["crops:", crop]
    if kind == "video":
        at = rng.uniform(0.5, min(duration - 0.5, 30.0))
        lines.append(f'poster_at: "00:00:{at:04.1f}"')
    if status != "archived" and archived and rng.random() < 0.3:
        lines.append(f"supersedes: {archived.pop()}")
    lines.append("technical:")
    lines += technical
    text = "\n".join(lines) + "\n"
    if status == "archived":
        archived.append(asset_id)
    rel = f"catalogue/assets/{collection}/{asset_id}.yaml"
    return Generated(rel, asset_id, collection, master, md5, text)


def dvc_pointer(md5: str, size: int, file_name: str) -> str:
    return f"outs:\n- md5: {h(md5)}\n  size: {size}\n  hash: md5\n  path: {path_scalar(file_name)}\n"


# ---------------------------------------------------------------------------------------------
# Bad files
# ---------------------------------------------------------------------------------------------

BAD_KINDS = (
    "unknown-key", "unknown-tag", "bad-date", "yaml-syntax", "duplicate-id", "stale-md5",
    "channel-outside-usage", "approver-not-owner",
)


def _replace_line(text: str, prefix: str, new: str) -> str:
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if line.startswith(prefix):
            lines[n] = new
            return "\n".join(lines)
    raise ValueError(f"no line starting with {prefix!r}")


def _field(text: str, prefix: str) -> str | None:
    for line in text.split("\n"):
        if line.startswith(prefix):
            return line[len(prefix):]
    return None


def _inject(kind: str, variant: int, asset: Generated, clean: list[Generated], tag_set: set[str],
            rng: random.Random) -> tuple[str, str] | None:
    """Return (new text, detail) or None when this asset cannot carry this kind of error."""
    text = asset.text
    if kind == "unknown-key":
        key = ("title", "description", "collection")[variant % 3]
        if _field(text, f"{key}: ") is None:
            return None
        typo = {"title": "titel", "description": "descripton", "collection": "colection"}[key]
        value = _field(text, f"{key}: ")
        return _replace_line(text, f"{key}: ", f"{typo}: {value}"), f"key '{typo}' instead of '{key}'"
    if kind == "unknown-tag":
        tags = _field(text, "tags: ")
        first = tags.strip("[]").split(", ")[0].strip('"')
        wrong = next(t for t in (first + "s", first + "-shot", "misc-" + first) if t not in tag_set)
        return _replace_line(text, "tags: ", f"tags: {flow([wrong] + tags.strip('[]').split(', ')[1:])}"), f"tag '{wrong}' not in taxonomy"
    if kind == "bad-date":
        field, value = (("created", "01/05/2025"), ("created", "2026-02-30"), ("created", "20250105"))[variant % 3]
        return _replace_line(text, f"{field}: ", f"{field}: {value}"), f"{field}: {value}"
    if kind == "yaml-syntax":
        if variant % 3 == 0:
            tags = _field(text, "tags: ")
            return _replace_line(text, "tags: ", f"tags: {tags[:-1]}"), "unclosed flow sequence in tags"
        if variant % 3 == 1:
            title = _field(text, "title: ")
            return _replace_line(text, "title: ", f"title: {title[:-1]}"), "unterminated quoted title"
        return _replace_line(text, "technical:", "technical:\n\t  note: tab"), "tab indentation under technical"
    if kind == "duplicate-id":
        other = rng.choice(clean)
        return _replace_line(text, "id: ", f"id: {other.id}"), f"duplicate id '{other.id}' (also {other.rel})"
    if kind == "stale-md5":
        stale = hashlib.md5(f"stale:{asset.md5}".encode()).hexdigest()
        return _replace_line(text, "  md5: ", f"  md5: {h(stale)}"), f"technical.md5 {stale} != pointer {asset.md5}"
    if kind == "channel-outside-usage":
        usage = _field(text, "  usage: ")
        if usage is None:
            return None
        allowed = set(usage.strip("[]").split(", "))
        outside = next(c for c in CHANNELS if c not in allowed)
        channels = _field(text, "channels: ").strip("[]").split(", ")
        return _replace_line(text, "channels: ", f"channels: {flow(channels + [outside])}"), f"channel '{outside}' not in rights.usage"
    if kind == "approver-not-owner":
        approver = _field(text, "approved_by: ")
        if approver is None:
            return None
        return _replace_line(text, "approved_by: ", "approved_by: mallory"), f"approved_by 'mallory' is not an owner's handle (was '{approver}')"
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def _prepare(root: Path) -> None:
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise FileExistsError(f"{root} is not empty and was not made by this generator; refusing to overwrite it")
        for child in ("catalogue", "media"):
            shutil.rmtree(root / child, ignore_errors=True)
        (root / MARKER).unlink()
    root.mkdir(parents=True, exist_ok=True)


def build(root: Path, count: int, seed: int = 7, *, bad: int = 0) -> list[tuple[str, str, str]]:
    """Write the catalogue; return (sidecar path relative to root, kind, detail) per bad file."""
    if count < 0 or bad < 0:
        raise ValueError("count and bad must not be negative")
    if bad and 2 * bad > count:
        raise ValueError("bad may be at most half of count (duplicate ids copy ids of clean assets)")
    root = Path(root)
    _prepare(root)
    rng = random.Random(seed)
    plan = _plan_collections(count)
    campaigns = _campaigns(rng)
    tags = _tags()
    tag_set = set(tags)
    popular = tags[:]  # tag popularity order for filler tags, fixed by the seed
    rng.shuffle(popular)
    words = _Vocabulary()

    catalogue = root / "catalogue"
    catalogue.mkdir()
    (catalogue / "portal.yaml").write_text(PORTAL, encoding="utf-8")
    (catalogue / "taxonomy.yaml").write_text(_taxonomy_text(plan, campaigns, tags), encoding="utf-8")

    campaign_ids = list(campaigns)
    assets: list[Generated] = []
    pointers: list[tuple[str, str]] = []
    i = 0
    for collection, _, owners, n in plan:
        archived: list[str] = []
        for _ in range(n):
            i += 1
            asset = _asset(i, collection, owners, rng, words, campaign_ids, popular, tag_set, seed, archived)
            assets.append(asset)
            size = int(_field(asset.text, "  bytes: "))
            file_name = asset.master.rsplit("/", 1)[1]
            pointers.append((f"media/{asset.master}.dvc", dvc_pointer(asset.md5, size, file_name)))

    report: list[tuple[str, str, str]] = []
    if bad:
        # A separate generator, so the clean files are the same whatever `bad` is. The tail of
        # the shuffled order is never broken: duplicate ids copy the id of one of those.
        bad_rng = random.Random(f"bad:{seed}:{count}")
        order = list(range(len(assets)))
        bad_rng.shuffle(order)
        candidates, clean_pool = order[: len(order) - bad], [assets[k] for k in order[len(order) - bad:]]
        # an asset another one supersedes stays clean: breaking its id would break that one too
        superseded = {_field(a.text, "supersedes: ") for a in assets} - {None}
        candidates = [k for k in candidates if assets[k].id not in superseded]
        for n in range(bad):
            kind, variant = BAD_KINDS[n % len(BAD_KINDS)], n // len(BAD_KINDS)
            for position, index in enumerate(candidates):
                result = _inject(kind, variant, assets[index], clean_pool, tag_set, bad_rng)
                if result is not None:  # None: this asset cannot carry it (a thin draft has no rights)
                    break
            else:
                raise ValueError(f"no asset left that can carry a '{kind}' error; use fewer bad files")
            # (the clean asset whose id a duplicate copies is reported by validators too: that
            # is the other half of the same error, named in the detail as "also ...")
            del candidates[position]
            assets[index].text, detail = result
            report.append((assets[index].rel, kind, detail))

    folders = {f"catalogue/assets/{c}" for c, *_ in plan} | {f"media/{c}" for c, *_ in plan}
    for folder in sorted(folders):
        (root / folder).mkdir(parents=True)
    for asset in assets:
        with open(root / asset.rel, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(asset.text)
    for rel, text in pointers:
        with open(root / rel, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    (root / MARKER).write_text(
        json.dumps({"generator": GENERATOR_VERSION, "count": count, "seed": seed, "bad": bad,
                    "bad_files": report}, indent=1) + "\n",
        encoding="utf-8",
    )
    return report


def generate(root: Path, count: int, seed: int = 7, *, bad: int = 0) -> None:
    """Write a catalogue of `count` assets at root; with bad=N, break N files and print which."""
    for rel, kind, detail in build(root, count, seed, bad=bad):
        print(f"BAD\t{rel}\t{kind}\t{detail}")


def verify(root: Path, sample: int | None = None, seed: int = 0) -> list[str]:
    """Load sidecars (all, or a random sample) with the real models; return the problems."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from builder.models import Asset, Taxonomy  # noqa: PLC0415
    from builder.settings import Settings  # noqa: PLC0415

    root = Path(root)
    load = lambda path: yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # noqa: E731
    Settings.model_validate(load(root / "catalogue/portal.yaml"))
    taxonomy = Taxonomy.model_validate(load(root / "catalogue/taxonomy.yaml"))
    files = sorted((root / "catalogue/assets").glob("*/*.yaml"))
    if sample is not None and sample < len(files):
        files = random.Random(seed).sample(files, sample)
    problems, seen_ids, seen_md5 = [], {}, {}
    for path in files:
        rel = path.relative_to(root).as_posix()
        try:
            asset = Asset.model_validate(load(path))
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{rel}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        if asset.id in seen_ids:
            problems.append(f"{rel}: duplicate id '{asset.id}' (also {seen_ids[asset.id]})")
        seen_ids.setdefault(asset.id, rel)
        if asset.technical and asset.technical.md5 in seen_md5:
            problems.append(f"{rel}: md5 also used by {seen_md5[asset.technical.md5]}")
        if asset.technical:
            seen_md5.setdefault(asset.technical.md5, rel)
        problems += [f"{rel}: {p}" for p in semantic_problems(root, path, asset, taxonomy)]
    return problems


def semantic_problems(root: Path, path: Path, asset, taxonomy) -> list[str]:
    """The cross-file rules the generator promises to keep (a stand-in until rules.py exists)."""
    problems = []
    collection = taxonomy.collections.get(asset.collection)
    if collection is None:
        problems.append(f"collection '{asset.collection}' not in taxonomy")
    if path.parent.name != asset.collection or path.stem != asset.id:
        problems.append("file name or folder does not match id/collection")
    for tag in asset.tags:
        if tag not in taxonomy.tags:
            problems.append(f"tag '{tag}' not in taxonomy")
    for channel in asset.channels + asset.rights.usage:
        if channel not in taxonomy.channels:
            problems.append(f"channel '{channel}' not in taxonomy")
    if asset.rights.usage and not set(asset.channels) <= set(asset.rights.usage):
        problems.append("channels outside rights.usage")
    if asset.rights.licence and asset.rights.licence not in taxonomy.licences:
        problems.append(f"licence '{asset.rights.licence}' not in taxonomy")
    if asset.campaign and asset.campaign not in taxonomy.campaigns:
        problems.append(f"campaign '{asset.campaign}' not in taxonomy")
    if asset.owner and asset.owner not in taxonomy.owners:
        problems.append(f"owner '{asset.owner}' not in taxonomy")
    if asset.approved_by and collection is not None:
        if asset.approved_by.lstrip("@").lower() not in taxonomy.handles_of(collection.owners):
            problems.append(f"approved_by '{asset.approved_by}' is not a handle of the collection's owners")
    if asset.status.value == "approved":
        missing = [f for f in ("approved_by", "approved_on", "owner") if getattr(asset, f) is None]
        if asset.rights.licence is None:
            missing.append("rights.licence")
        if asset.kind == "image" and asset.alt is None:
            missing.append("alt")
        if missing:
            problems.append(f"approved but missing {', '.join(missing)}")
    rights = asset.rights
    if rights.embargo_until and rights.expires and rights.embargo_until >= rights.expires:
        problems.append("embargo ends after the rights expire")
    if rights.withdrawn_on and asset.approved_on and rights.withdrawn_on < asset.approved_on:
        problems.append("rights withdrawn before the approval")
    pointer = root / "media" / f"{asset.master}.dvc"
    if not pointer.exists():
        problems.append(f"no pointer {pointer.relative_to(root)}")
    else:
        out = yaml.load(pointer.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["outs"][0]
        if asset.technical is None or out["md5"] != asset.technical.md5:
            problems.append("technical.md5 differs from the .dvc pointer")
        elif asset.technical.bytes != out["size"]:
            problems.append("technical.bytes differs from the .dvc pointer")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="repository root to write (must be empty or an earlier output)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad", type=int, default=0, help="break this many files, each in one way")
    parser.add_argument("--verify", type=int, metavar="N", default=0,
                        help="afterwards, load N random sidecars with the models (-1: all)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.count, args.seed, bad=args.bad)
    elapsed = time.perf_counter() - started
    print(f"wrote {args.count} assets to {args.out} in {elapsed:.2f} s", file=sys.stderr)
    if args.verify:
        problems = verify(args.out, None if args.verify < 0 else args.verify)
        for problem in problems:
            print(f"PROBLEM\t{problem}", file=sys.stderr)
        print(f"verified: {len(problems)} problems", file=sys.stderr)
        if problems and not args.bad:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

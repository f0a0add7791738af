"""Constrained field types shared by the sidecar, taxonomy and portal models.

Each type carries its own error message, so validation reads the same wherever it is used and
the JSON Schema export carries the same patterns editors see while typing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import langcodes
import pycountry
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=100),
    Field(description="lower-case letters, digits and single hyphens, e.g. summer-2026-hero"),
]

HANDLE_PATTERN = r"^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]+)?$"
Handle = Annotated[
    str,
    StringConstraints(pattern=HANDLE_PATTERN),
    Field(description="a Git hosting user ('alice') or team ('@acme/brand-team')"),
]

Md5 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
AspectRatio = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$"),
    Field(description="width:height, e.g. 16:9"),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


def is_country(code: str) -> bool:
    """ISO 3166-1 alpha-2, from pycountry's copy of the standard (langcodes checks syntax only)."""
    return pycountry.countries.get(alpha_2=code) is not None


def _check_language(tag: str) -> str:
    if not langcodes.tag_is_valid(tag):
        raise ValueError(f"'{tag}' is not a valid BCP 47 language tag (e.g. en-GB, fr, zxx)")
    # The raw subtag, not langcodes' normalised one (which silently maps UK to GB).
    region = next((part for part in tag.split("-")[1:] if len(part) == 2 and part.isalpha()), None)
    if region and not is_country(region.upper()):
        raise ValueError(f"'{tag}' names region '{region}', which is not an ISO 3166 country (e.g. GB, not UK)")
    return tag


LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$"),
    AfterValidator(_check_language),
    Field(description="BCP 47 language tag, e.g. en-GB; zxx for no linguistic content"),
]

WORLDWIDE = "worldwide"


def _check_territory(code: str) -> str:
    if code == WORLDWIDE:
        return code
    if not re.fullmatch(r"[A-Z]{2}", code) or not is_country(code):
        raise ValueError(f"'{code}' is not an ISO 3166-1 country code (e.g. GB, IE, US) or 'worldwide'")
    return code


Territory = Annotated[
    str,
    StringConstraints(pattern=r"^(?:[A-Z]{2}|worldwide)$"),
    AfterValidator(_check_territory),
]


def _iso_date(value: object) -> object:
    """Accept YAML dates and quoted ISO dates only: pydantic alone would take 20270501 as a
    Unix timestamp and a datetime as a date, both silent surprises in rights data."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a real date") from exc
    raise ValueError("expected a date written as YYYY-MM-DD")


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    Field(json_schema_extra={"type": "string", "format": "date"}),
]

TIMECODE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def timecode_seconds(value: str | float | int) -> float:
    """'00:00:03.5', '01:15' or 3.5 as seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = TIMECODE.match(str(value))
    if not match:
        raise ValueError(f"'{value}' is not a timecode (HH:MM:SS.sss, MM:SS or seconds)")
    hours, minutes, seconds = match.groups()
    if int(minutes) >= 60 or float(seconds) >= 60:
        raise ValueError(f"'{value}' has minutes or seconds of 60 or more")
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def _check_timecode(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("expected a timecode such as \"00:00:03.5\" or a number of seconds")
    if timecode_seconds(value) < 0:
        raise ValueError("a timecode cannot be negative")
    return value


Timecode = Annotated[
    str | float,
    BeforeValidator(_check_timecode),
    Field(description="poster frame time: \"HH:MM:SS.sss\" (quoted) or seconds"),
]

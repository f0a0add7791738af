"""Turning pydantic's validation errors into diagnostics an editor can act on.

Codes are chosen from the error's type and the field it concerns, never by matching message
text; "did you mean" hints come from the model's own field names and enum values.
"""

from __future__ import annotations

import difflib
import typing
from enum import Enum

from pydantic import BaseModel, ValidationError

from builder.diagnostics import Diagnostic, Loc, error

SLUG_FIELDS = {"id", "collection", "campaign", "owner", "supersedes", "tags", "channels", "licence", "usage", "name"}
DATE_FIELDS = {"expires", "embargo_until", "withdrawn_on", "approved_on", "created", "starts", "ends"}


def suggest(word: object, choices: typing.Iterable[str]) -> str:
    """'did you mean ...?' for a near miss, or an empty hint."""
    matches = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""


def _unwrap(annotation: object) -> object:
    """The model class inside Optional[...], tuple[...] or dict[..., X]."""
    for arg in typing.get_args(annotation) or ():
        inner = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return annotation


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model that owns the last key of `loc` (skipping list indexes and dict keys)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        field = current.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            continue  # an index or a dict key: stay on the item model
        inner = _unwrap(field.annotation)
        current = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return current


def _field_name(loc: Loc) -> str:
    names = [part for part in loc if isinstance(part, str) and part != "[key]"]
    return names[-1] if names else ""


def _where(loc: Loc) -> str:
    return ".".join(str(part) for part in loc if part != "[key]") or "file"


def _enum_choices(model: type[BaseModel], loc: Loc) -> list[str]:
    owner = model_at(model, loc[:-1])
    field = owner.model_fields.get(loc[-1]) if owner and loc and isinstance(loc[-1], str) else None
    annotation = field.annotation if field else None
    for candidate in (annotation, *typing.get_args(annotation or object)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return [member.value for member in candidate]
    return []


def _unknown_key(path: str, loc: Loc, model: type[BaseModel]) -> Diagnostic:
    owner = model_at(model, loc[:-1])
    known = list(owner.model_fields) if owner else []
    hint = suggest(loc[-1], known) or (f"allowed keys: {', '.join(known)}" if known else "")
    return error(path, "E201", f"unknown key '{loc[-1]}'", hint, loc=loc, at_key=True)


def _typed_problem(path: str, item: dict, model: type[BaseModel]) -> Diagnostic:
    loc: Loc = tuple(item["loc"])
    kind = item["type"]
    field = _field_name(loc)
    value = item.get("input")
    message = item["msg"].removeprefix("Value error, ")
    where = _where(loc)
    if kind == "enum":
        choices = _enum_choices(model, loc)
        return error(path, "E203", f"{where}: '{value}' is not one of {', '.join(choices)}", suggest(value, choices), loc=loc)
    if field in SLUG_FIELDS and kind == "string_pattern_mismatch":
        return error(path, "E204", f"{where}: '{value}' is not a valid slug", "use lower-case letters, digits and single hyphens", loc=loc)
    if field == "language":
        return error(path, "E205", f"{where}: {message}", loc=loc)
    if field in DATE_FIELDS:
        return error(path, "E206", f"{where}: {message}", "write dates as YYYY-MM-DD", loc=loc)
    if field == "territories":
        return error(path, "E207", f"{where}: {message}", loc=loc)
    if field == "poster_at":
        return error(path, "E208", f"{where}: {message}", loc=loc)
    shown = repr(value) if isinstance(value, (str, int, float, bool)) else type(value).__name__
    return error(path, "E203", f"{where}: {message} (got {shown})", loc=loc)


def diagnostics_from(path: str, exc: ValidationError, model: type[BaseModel]) -> list[Diagnostic]:
    found = []
    for item in exc.errors(include_url=False):
        loc: Loc = tuple(item["loc"])
        if item["type"] == "extra_forbidden":
            found.append(_unknown_key(path, loc, model))
        elif item["type"] == "missing":
            parent = loc[:-1]
            found.append(error(path, "E202", f"missing required key '{loc[-1]}'" + (f" in {_where(parent)}" if parent else ""), loc=parent, at_key=True))
        else:
            found.append(_typed_problem(path, item, model))
    return found

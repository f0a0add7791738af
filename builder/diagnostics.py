"""Diagnostics: every problem the build finds about the user's input, as data.

A diagnostic carries a `loc` (the path of keys inside the file) until the catalogue loader
resolves it to a line and column; that lets the fast loader stay fast and only re-parse the
files that actually have problems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Iterable

Loc = tuple[str | int, ...]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int = 0
    col: int = 0
    code: str = ""
    message: str = ""
    hint: str = ""
    severity: Severity = Severity.ERROR
    loc: Loc = field(default=(), compare=False)
    # Point at the key rather than its value (unknown keys, missing-field parents).
    at_key: bool = field(default=False, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def located(self, line: int, col: int) -> "Diagnostic":
        return replace(self, line=line, col=col)

    def text(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}{hint}"


def error(path: str, code: str, message: str, hint: str = "", loc: Loc = (), line: int = 0,
          col: int = 0, at_key: bool = False) -> Diagnostic:
    return Diagnostic(path, line, col, code, message, hint, Severity.ERROR, tuple(loc), at_key)


def warning(path: str, code: str, message: str, hint: str = "", loc: Loc = (), line: int = 0,
            col: int = 0, at_key: bool = False) -> Diagnostic:
    return Diagnostic(path, line, col, code, message, hint, Severity.WARNING, tuple(loc), at_key)


def sort_key(diagnostic: Diagnostic) -> tuple:
    return (diagnostic.path, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message)


def has_errors(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    return any(d.is_error or strict for d in diagnostics)


def format_text(diagnostics: list[Diagnostic]) -> str:
    lines = [
        d.text() if d.is_error else d.text().replace(f": {d.code} ", f": {d.code} warning: ", 1)
        for d in diagnostics
    ]
    return "\n".join(lines)


def format_json(diagnostics: list[Diagnostic]) -> str:
    records = [
        {
            "path": d.path,
            "line": d.line,
            "col": d.col,
            "code": d.code,
            "severity": d.severity.value,
            "message": d.message,
            "hint": d.hint,
        }
        for d in diagnostics
    ]
    return json.dumps(records, indent=2, ensure_ascii=False)


def _escape_annotation(value: str, *, property_value: bool = False) -> str:
    """GitHub workflow commands need %, CR, LF (and in properties , and :) escaped."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diagnostics: list[Diagnostic]) -> str:
    """Workflow commands, so each problem shows inline on the pull request's diff."""
    lines = []
    for d in diagnostics:
        command = "error" if d.is_error else "warning"
        props = [f"file={_escape_annotation(d.path, property_value=True)}"]
        if d.line:
            props.append(f"line={d.line}")
        if d.col:
            props.append(f"col={d.col}")
        props.append(f"title={_escape_annotation(d.code, property_value=True)}")
        hint = f" ({d.hint})" if d.hint else ""
        lines.append(f"::{command} {','.join(props)}::{_escape_annotation(d.message + hint)}")
    return "\n".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return f"{files} files checked: {errors} error(s), {warnings} warning(s)"

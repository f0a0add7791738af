"""`dam import`: a spreadsheet plus a folder of files becomes masters under DVC and sidecars.

The recipe: read the mapping and the sheet -> match every row to a file -> clean each value
(trim, case, split, synonyms, dates) and check it against taxonomy.yaml -> fill what the sheet
leaves empty from the masters' embedded metadata, then from the mapping's defaults -> report.
A real run hands the importable rows to `builder.ingest.ingest`, the code path of `dam add`.

What happens to each row (nothing is dropped without a line in the report):
- clean: imported as a draft.
- with problems (a value not in a vocabulary, a bad date, text too long ...): imported as a
  draft WITHOUT the bad values; each one is listed in the report and, verbatim, in a comment
  at the top of the new sidecar, so the pull request shows what still needs a decision.
- already imported (its file's md5 is in the catalogue): skipped as "already imported as
  <id>", which makes a second run of the same import a no-op.
- not imported: no file for the row, a file named by an earlier row, a file whose content
  an earlier row already imports, an unknown collection, or a master that cannot be read.
Files in the media folder that no row names are listed and not imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from builder.fields import LanguageTag, ShortText, Slug, Territory, Text
from builder.harvest import Embedded, harvest
from builder.ingest import (
    MAX_SLUG,
    Incoming,
    IngestError,
    Progress,
    _scan,
    _unique_id,
    fitting_text,
    ingest,
    safe_file_name,
    silent_progress,
    slugify,
)
from builder.jobs import MasterError
from builder.modelerrors import suggest
from builder.models import Taxonomy
from builder.probe import md5_of, technical_for
from builder.settings import Limits
from builder.yamlio import read_yaml

# --- the fields a sheet may feed ------------------------------------------------------------

Kind = Literal["slug", "short", "text", "vocab", "vocab_list", "territories", "text_list", "language", "date"]
FIELD_KINDS: dict[str, Kind] = {
    "id": "slug",
    "title": "short",
    "description": "text",
    "alt": "short",
    "collection": "vocab",
    "campaign": "vocab",
    "tags": "vocab_list",
    "language": "language",
    "channels": "vocab_list",
    "owner": "vocab",
    "creator": "short",
    "source": "short",
    "created": "date",
    "rights.licence": "vocab",
    "rights.usage": "vocab_list",
    "rights.territories": "territories",
    "rights.expires": "date",
    "rights.embargo_until": "date",
    "rights.credit": "short",
    "rights.consent": "text_list",
    "rights.restrictions": "text",
}
VOCABULARY = {"collection": "collections", "campaign": "campaigns", "tags": "tags", "channels": "channels",
              "owner": "owners", "rights.licence": "licences", "rights.usage": "channels"}
FieldName = Literal[tuple(FIELD_KINDS)]  # type: ignore[valid-type]
LIST_KINDS = {"vocab_list", "territories", "text_list"}
DEFAULT_SEPARATORS = (",", ";")
_ADAPTERS = {"short": TypeAdapter(ShortText), "text": TypeAdapter(Text), "slug": TypeAdapter(Slug),
             "language": TypeAdapter(LanguageTag), "territories": TypeAdapter(Territory),
             "text_list": TypeAdapter(ShortText)}
# Header names recognised without a mapping file (compared case- and punctuation-insensitively).
HEADER_ALIASES = {
    "file": "file", "filename": "file", "file name": "file", "path": "file", "master": "file",
    "keywords": "tags", "licence": "rights.licence", "license": "rights.licence", "credit": "rights.credit",
    "expires": "rights.expires", "expiry": "rights.expires", "territories": "rights.territories",
    "usage": "rights.usage", "embargo": "rights.embargo_until", "photographer": "creator",
    "alt text": "alt", "caption": "description",
}


# --- the mapping file -------------------------------------------------------------------------

class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(Strict):
    """How one sidecar field is read from the sheet."""

    column: str | None = Field(None, description="the sheet's column header; none: defaults and embedded metadata only")
    trim: bool = Field(True, description="strip spaces and collapse runs of white space")
    case: Literal["keep", "lower", "upper", "title"] | None = Field(
        None, description="case-folding before matching (default: keep; upper for territories)")
    split: tuple[str, ...] | None = Field(None, description="separators of list fields (default: ',' and ';')")
    synonyms: dict[str, str] = Field(default_factory=dict, description="sheet value -> vocabulary term")
    date_format: tuple[str, ...] = Field(("%Y-%m-%d",), description="strptime formats tried in order")

    @field_validator("split", "date_format", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("split")
    @classmethod
    def _no_empty_separator(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and (not value or any(not part for part in value)):
            raise ValueError("give at least one non-empty separator, e.g. ';'")
        return value

    @field_validator("date_format")
    @classmethod
    def _valid_formats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for fmt in value:
            if "%" not in fmt:
                raise ValueError(f"'{fmt}' is not a strptime format (e.g. %d/%m/%Y)")
        return value

    @field_validator("synonyms", mode="before")
    @classmethod
    def _synonym_strings(cls, value: Any) -> Any:
        if isinstance(value, dict):  # YAML turns `No: norway` into False: keep what was meant
            return {str(k): str(v) for k, v in value.items()}
        return value


class Mapping(Strict):
    """Which column feeds which sidecar field, and how values are cleaned."""

    file: str = Field(description="the column naming each row's file, relative to --media")
    columns: dict[FieldName, Union[str, Column]] = Field(default_factory=dict)  # type: ignore[valid-type]
    defaults: dict[FieldName, Union[str, list[str]]] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="values for rows where the sheet and the master are silent")
    harvest: bool = Field(True, description="prefill from the masters' embedded IPTC/XMP/EXIF metadata")
    delimiter: str | None = Field(None, min_length=1, max_length=1, description="CSV delimiter (default: sniffed)")
    encoding: str = Field("utf-8-sig", description="CSV text encoding, e.g. cp1252")
    sheet: str | None = Field(None, description="XLSX worksheet (default: the first)")

    def column(self, name: str) -> Column:
        spec = self.columns.get(name)
        return Column(column=spec) if isinstance(spec, str) else spec or Column()


class ImportSetupError(IngestError):
    """The mapping or the sheet cannot be used at all: nothing is read further."""


def load_mapping(path: Path) -> Mapping:
    parsed = read_yaml(path, str(path), Limits().max_sidecar_bytes)
    if not parsed.ok or parsed.data is None:
        raise ImportSetupError("the mapping file cannot be read:\n  " +
                               "\n  ".join(d.text() for d in parsed.diagnostics if d.is_error))
    try:
        return Mapping.model_validate(parsed.data)
    except ValidationError as exc:
        raise ImportSetupError(f"{path}: the mapping is not valid:\n  " + "\n  ".join(_mapping_errors(exc))) from None


def _mapping_errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"] if not str(part).startswith(("str", "Column", "list[")))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            hint = suggest(err["loc"][-1], list(Mapping.model_fields) + list(Column.model_fields))
            message = "unknown key" + (f" ({hint})" if hint else "")
        elif err["type"] == "literal_error" and err["loc"][:1] in (("columns",), ("defaults",)):
            hint = suggest(err["input"], FIELD_KINDS)
            message = f"'{err['input']}' is not a field a sheet can feed" + (f" ({hint})" if hint else "")
            loc = ".".join(str(part) for part in err["loc"][:1])
        lines.append(f"{loc}: {message}")
    return sorted(set(lines))


def guess_mapping(headers: list[str]) -> Mapping:
    """Without a mapping file: columns whose header names a field (or a common alias) feed it.
    'Title', 'rights.licence', 'Embargo Until' and 'Keywords' are all recognised."""
    columns: dict[str, str] = {}
    file_column = None
    for header in headers:
        key = re.sub(r"[\s_\-]+", " ", header.strip().lower())
        snake = key.replace(" ", "_")
        name = HEADER_ALIASES.get(key) or next(
            (c for c in (snake, f"rights.{snake}") if c in FIELD_KINDS), None)
        if name == "file" and file_column is None:
            file_column = header
        elif name in FIELD_KINDS and name not in columns:
            columns[name] = header
    if file_column is None:
        raise ImportSetupError(f"no column names the files (looked for 'file', 'filename' or 'path' among "
                               f"{', '.join(repr(h) for h in headers)}); write a mapping file and pass --mapping")
    return Mapping(file=file_column, columns=columns)


# --- the sheet --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number as the user sees it, header -> cell)


def read_sheet(path: Path, mapping: Mapping | None = None) -> Sheet:
    path = Path(path)
    if not path.is_file():
        raise ImportSetupError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, mapping)
    return _read_csv(path, mapping)


def _read_csv(path: Path, mapping: Mapping | None) -> Sheet:
    encoding = mapping.encoding if mapping else "utf-8-sig"
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportSetupError(f"{path}: not {encoding} text ({exc.reason} at byte {exc.start}); "
                               f"set `encoding:` in the mapping, e.g. cp1252") from None
    except LookupError:
        raise ImportSetupError(f"the mapping's encoding '{encoding}' is not a known text encoding") from None
    delimiter = mapping.delimiter if mapping and mapping.delimiter else _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportSetupError(f"{path}: line {reader.line_num}: {exc}") from None
    if not records:
        raise ImportSetupError(f"{path}: the sheet is empty")
    headers = [h.strip() for h in records[0]]
    _check_headers(path, headers)
    rows = []
    for number, record in enumerate(records[1:], 2):  # numbered as a spreadsheet shows them
        if any(cell.strip() for cell in record):
            rows.append((number, {h: (record[i] if i < len(record) else "") for i, h in enumerate(headers) if h}))
    return Sheet(path.name, headers, rows)


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read_xlsx(path: Path, mapping: Mapping | None) -> Sheet:
    try:
        import openpyxl
    except ImportError:
        raise ImportSetupError("reading .xlsx needs openpyxl (pip install openpyxl), or save the sheet as CSV") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip and XML errors of a damaged workbook
        raise ImportSetupError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        if mapping and mapping.sheet:
            if mapping.sheet not in book.sheetnames:
                hint = suggest(mapping.sheet, book.sheetnames)
                raise ImportSetupError(f"{path}: no worksheet '{mapping.sheet}' (has {', '.join(book.sheetnames)})"
                                       + (f"; {hint}" if hint else ""))
            sheet = book[mapping.sheet]
        else:
            sheet = book.worksheets[0]
        records = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if not records:
        raise ImportSetupError(f"{path}: the worksheet is empty")
    headers = ["" if h is None else str(h).strip() for h in records[0]]
    _check_headers(path, headers)
    rows = []
    for number, record in enumerate(records[1:], 2):
        cells = {h: _cell(record[i] if i < len(record) else None) for i, h in enumerate(headers) if h}
        if any(v not in ("", None) for v in cells.values()):
            rows.append((number, cells))
    return Sheet(path.name, headers, rows)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_headers(path: Path, headers: list[str]) -> None:
    seen = Counter(h for h in headers if h)
    twice = [h for h, n in seen.items() if n > 1]
    if twice:
        raise ImportSetupError(f"{path}: the header names {', '.join(repr(h) for h in twice)} more than once")


def _check_columns(mapping: Mapping, sheet: Sheet) -> None:
    wanted = [("file", mapping.file)] + [(name, mapping.column(name).column) for name in mapping.columns]
    missing = []
    for name, column in wanted:
        if column and column not in sheet.headers:
            hint = suggest(column, sheet.headers)
            missing.append(f"{name}: no column '{column}' in {sheet.name}" + (f" ({hint})" if hint else ""))
    if missing:
        raise ImportSetupError("the mapping names columns the sheet does not have:\n  " + "\n  ".join(missing)
                               + f"\n  (columns: {', '.join(repr(h) for h in sheet.headers)})")


# --- cleaning values --------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """A value left out of a sidecar, and why."""

    row: int
    field: str
    value: str
    message: str
    hint: str = ""
    embedded: bool = False  # the value came from the master's metadata, not the sheet

    def text(self) -> str:
        where = "embedded " if self.embedded else ""
        return f"{self.field} {where}'{self.value}': {self.message}" + (f" ({self.hint})" if self.hint else "")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class Cleaner:
    """Turns raw cells into clean sidecar values, against the mapping and taxonomy.yaml."""

    def __init__(self, mapping: Mapping, taxonomy: Taxonomy) -> None:
        self.mapping = mapping
        self.terms = {name: set(taxonomy.vocabulary(vocab)) for name, vocab in VOCABULARY.items()}
        self.synonyms = {name: {_norm(k): v for k, v in mapping.column(name).synonyms.items()} for name in FIELD_KINDS}

    def clean(self, name: str, raw: Any, row: int, embedded: bool = False) -> tuple[Any, list[Problem]]:
        """(clean value or None, problems). A list field keeps its good items."""
        kind, spec = FIELD_KINDS[name], self.mapping.column(name)
        if kind == "date":
            return self._date(name, raw, spec, row, embedded)
        if isinstance(raw, (dt.date, dt.datetime)):
            raw = raw.isoformat()
        if isinstance(raw, (list, tuple)):
            items = [str(item) for item in raw]
        else:
            text = str(raw)
            if kind in LIST_KINDS:
                separators = spec.split or DEFAULT_SEPARATORS
                items = re.split("|".join(re.escape(s) for s in separators), text)
            else:
                items = [text]
        case = spec.case or ("upper" if kind == "territories" else "keep")
        good, problems = [], []
        for item in items:
            value = " ".join(item.split()) if spec.trim else item
            if not value:
                continue
            value = {"keep": value, "lower": value.lower(), "upper": value.upper(), "title": value.title()}[case]
            cleaned, problem = self._one(name, kind, value, row, embedded)
            if problem:
                problems.append(problem)
            elif cleaned not in good:
                good.append(cleaned)
        if kind in LIST_KINDS:
            return (good or None), problems
        return (good[0] if good else None), problems

    def _one(self, name: str, kind: str, value: str, row: int, embedded: bool) -> tuple[Any, Problem | None]:
        value = self.synonyms[name].get(_norm(value), value)
        if name in VOCABULARY:
            terms = self.terms[name]
            if value in terms:
                return value, None
            folded = slugify(value)
            if folded in terms:
                return folded, None
            hint = suggest(folded or value, sorted(terms)) or f"add it to {VOCABULARY[name]} in taxonomy.yaml, or map it with synonyms"
            return None, Problem(row, name, value, f"not in the {VOCABULARY[name]} vocabulary", hint, embedded)
        if kind == "slug":
            value = slugify(value)[:MAX_SLUG].strip("-")
        try:
            return _ADAPTERS[kind].validate_python(value), None
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            return None, Problem(row, name, value[:80], message, embedded=embedded)

    def _date(self, name: str, raw: Any, spec: Column, row: int, embedded: bool) -> tuple[Any, list[Problem]]:
        if isinstance(raw, dt.datetime):
            return raw.date(), []
        if isinstance(raw, dt.date):
            return raw, []
        text = " ".join(str(raw).split())
        if not text:
            return None, []
        for fmt in spec.date_format:
            try:
                return dt.datetime.strptime(text, fmt).date(), []
            except ValueError:
                continue
        formats = " or ".join(spec.date_format)
        return None, [Problem(row, name, text, f"not a date in the format {formats}", embedded=embedded)]


# --- matching rows to files -------------------------------------------------------------------

class MediaFolder:
    """The files under --media (hidden ones skipped), found by path, case-insensitively, or
    by bare file name when that is unique."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.files: dict[str, Path] = {}
        for current, dirs, names in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not name.startswith("."):
                    path = Path(current) / name
                    if path.is_file():
                        self.files[path.relative_to(self.folder).as_posix()] = path
        self.folded: dict[str, list[str]] = defaultdict(list)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for rel in self.files:
            self.folded[rel.casefold()].append(rel)
            self.by_name[PurePosixPath(rel).name.casefold()].append(rel)

    def find(self, given: str) -> tuple[str | None, str]:
        """(relative path, '') or (None, why not)."""
        wanted = given.strip().replace("\\", "/").removeprefix("./")
        parts = PurePosixPath(wanted).parts
        if not wanted:
            return None, "the file cell is empty"
        if wanted.startswith("/") or ".." in parts or (len(wanted) > 1 and wanted[1] == ":"):
            return None, f"'{given}' is not a path inside the media folder"
        if wanted in self.files:
            return wanted, ""
        folded = self.folded.get(wanted.casefold(), [])
        if len(folded) == 1:
            return folded[0], ""
        if "/" not in wanted:
            named = self.by_name.get(wanted.casefold(), [])
            if len(named) == 1:
                return named[0], ""
            if len(named) > 1:
                return None, f"'{given}' names {len(named)} files ({', '.join(named[:3])}); give the sub-folder too"
        hint = suggest(wanted, self.files) or suggest(PurePosixPath(wanted).name, list(self.by_name))
        return None, f"no file '{given}' in {self.folder}" + (f" ({hint})" if hint else "")


# --- the plan and its report ------------------------------------------------------------------

Status = Literal["import", "already", "duplicate", "same-file", "no-file", "unreadable", "no-collection"]


@dataclass
class RowReport:
    row: int
    file: str  # as the sheet gives it
    status: Status
    path: str | None = None  # matched file, relative to --media
    asset_id: str | None = None
    master: str | None = None  # relative to media/, after a real run
    detail: str = ""
    problems: list[Problem] = field(default_factory=list)
    embedded: dict[str, str] = field(default_factory=dict)  # field -> "XMP dc:title"

    @property
    def imported(self) -> bool:
        return self.status == "import"


@dataclass
class ImportReport:
    sheet: str
    media: str
    dry_run: bool
    rows: list[RowReport]
    files_without_row: list[str]
    unused_columns: list[str] = field(default_factory=list)  # headers the mapping does not read

    @property
    def to_import(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == "import"]

    @property
    def clean(self) -> list[RowReport]:
        return [r for r in self.to_import if not r.problems]

    @property
    def already(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == "already"]

    @property
    def not_imported(self) -> list[RowReport]:
        return [r for r in self.rows if r.status not in ("import", "already")]

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.to_import for p in r.problems]

    def unknown_values(self) -> list[tuple[str, str, int, list[int], str, bool]]:
        """(field, value, count, rows, hint, embedded) for values not in a vocabulary."""
        groups: dict[tuple[str, str, bool], list[Problem]] = defaultdict(list)
        for problem in self.problems:
            if problem.field in VOCABULARY:
                groups[(problem.field, problem.value, problem.embedded)].append(problem)
        out = [(f, v, len(ps), sorted({p.row for p in ps}), ps[0].hint, e) for (f, v, e), ps in groups.items()]
        return sorted(out, key=lambda item: (item[5], item[0], -item[2], item[1]))

    @property
    def failed(self) -> bool:
        """Something in the sheet could not be imported (exit status 1)."""
        return bool(self.not_imported)

    @property
    def has_warnings(self) -> bool:
        return bool(self.problems or self.files_without_row or self.unused_columns)

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet, "media": self.media, "dry_run": self.dry_run,
            "summary": self.summary_counts(),
            "rows": [{**asdict(r), "problems": [asdict(p) for p in r.problems]} for r in self.rows],
            "unknown_values": [{"field": f, "value": v, "count": n, "rows": rows, "hint": h, "embedded": e}
                               for f, v, n, rows, h, e in self.unknown_values()],
            "files_without_row": self.files_without_row,
            "unused_columns": self.unused_columns,
        }

    def summary_counts(self) -> dict[str, int]:
        return {"rows": len(self.rows), "clean": len(self.clean),
                "with_problems": len(self.to_import) - len(self.clean),
                "already_imported": len(self.already), "not_imported": len(self.not_imported),
                "files_without_row": len(self.files_without_row)}


REASONS = {
    "duplicate": "same content as another row",
    "same-file": "names a file an earlier row already names",
    "no-file": "no file",
    "unreadable": "the master cannot be read",
    "no-collection": "no usable collection",
}


def format_report(report: ImportReport) -> str:
    verb = "would import" if report.dry_run else "imported"
    counts = report.summary_counts()
    out = [
        f"dam import {report.sheet}" + (" (dry run: nothing was written)" if report.dry_run else ""),
        f"  {counts['rows']} row(s): {counts['clean']} clean, {counts['with_problems']} with values left out "
        f"(imported as drafts without them), {counts['already_imported']} already imported, "
        f"{counts['not_imported']} not imported; {counts['files_without_row']} file(s) with no row",
    ]

    def section(title: str, lines: list[str]) -> None:
        if lines:
            out.extend(["", title, *(f"  {line}" for line in lines)])

    section(f"{verb.capitalize()} ({len(report.to_import)}):", [
        f"row {r.row}: {r.path} -> {r.master or r.asset_id}" + (f"  ({len(r.problems)} value(s) left out)" if r.problems else "")
        for r in report.to_import])
    section("Values not in the vocabularies (left out; add them to taxonomy.yaml, map them with synonyms, or fix the sheet):", [
        f"{f} '{v}' x{n} ({_rows(rows)})" + (" [embedded in the master]" if e else "") + (f": {h}" if h else "")
        for f, v, n, rows, h, e in report.unknown_values()])
    section("Other values left out:", [
        f"row {p.row}: {p.text()}" for p in report.problems if p.field not in VOCABULARY])
    section("From the masters' embedded metadata (the sheet was silent):", [
        f"row {r.row}: {key} from {where}" for r in report.to_import for key, where in r.embedded.items()])
    section("Already imported (skipped):", [
        f"row {r.row}: {r.path} already imported as {r.asset_id}" for r in report.already])
    section("Not imported:", [
        f"row {r.row}: {r.file or '(empty)'}: {REASONS[r.status]}" + (f": {r.detail}" if r.detail else "")
        for r in report.not_imported])
    section("Files with no row (not imported):", report.files_without_row)
    section("Columns the mapping does not read (their values are not imported):", report.unused_columns)
    return "\n".join(out)


def _rows(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:8]) + (", ..." if len(rows) > 8 else "")
    return f"row{'s' if len(rows) > 1 else ''} {shown}"


# --- the import -------------------------------------------------------------------------------

def load_taxonomy(root: Path) -> Taxonomy:
    from builder.catalogue import TAXONOMY_FILE, load_model

    if not (root / TAXONOMY_FILE).is_file():
        raise ImportSetupError(f"{root / TAXONOMY_FILE} is missing; the import checks values against it")
    taxonomy, found = load_model(root, TAXONOMY_FILE, Taxonomy, Limits())
    if taxonomy is None:
        raise ImportSetupError("taxonomy.yaml has errors; run `dam validate` and fix them first:\n  "
                               + "\n  ".join(d.text() for d in found if d.is_error))
    return taxonomy


def import_sheet(
    root: Path,
    sheet_path: Path,
    media: Path,
    mapping: Mapping | Path | None = None,
    collection: str | None = None,
    dry_run: bool = False,
    progress: Progress = silent_progress,
    limits: Any = None,
    folder_limit: int | None = None,
) -> ImportReport:
    """`dam import`: plan every row, then (unless `dry_run`) ingest the importable ones."""
    root = Path(root).resolve()
    media = Path(media)
    if not media.is_dir():
        raise ImportSetupError(f"{media}: no such folder (--media names the folder holding the files)")
    if isinstance(mapping, Path):
        mapping = load_mapping(mapping)
    sheet = read_sheet(sheet_path, mapping)
    mapping = mapping or guess_mapping(sheet.headers)
    _check_columns(mapping, sheet)
    taxonomy = load_taxonomy(root)
    cleaner = Cleaner(mapping, taxonomy)
    defaults = _clean_defaults(mapping, cleaner, collection, taxonomy)
    folder = MediaFolder(media)
    existing = _scan(root)
    taken = set(existing.ids)

    reports: list[RowReport] = []
    named: dict[str, int] = {}
    for number, cells in sheet.rows:
        given = str(cells.get(mapping.file, "") or "")
        report = RowReport(number, given, "import")
        reports.append(report)
        rel, why = folder.find(given)
        if rel is None:
            report.status, report.detail = "no-file", why
            continue
        report.path = rel
        if rel in named:
            report.status, report.detail = "same-file", f"row {named[rel]} names {rel}"
            continue
        named[rel] = number

    candidates = [r for r in reports if r.status == "import"]
    cells_by_row = dict(sheet.rows)
    md5s: dict[str, RowReport] = {}
    plans: dict[int, Incoming] = {}
    with progress([(folder.files[r.path], r) for r in candidates], "Reading") as bar:
        for path, report in bar:
            md5, _ = md5_of(path)
            if md5 in existing.md5_ids or md5 in existing.md5s:
                report.status = "already"
                report.asset_id = existing.md5_ids.get(md5)
                if report.asset_id is None:
                    report.status, report.detail = "duplicate", f"the catalogue already has it: {existing.md5s[md5]}"
                continue
            if md5 in md5s:
                first = md5s[md5]
                report.status, report.detail = "duplicate", f"row {first.row} ({first.path}) has the same content (md5 {md5})"
                continue
            md5s[md5] = report
            try:
                technical = technical_for(path, limits)
            except MasterError as exc:
                report.status, report.detail = "unreadable", str(exc)
                continue
            item = _row_item(report, cells_by_row[report.row], sheet.name, mapping, cleaner, defaults,
                             path, taken, technical)
            if item is not None:
                plans[report.row] = item

    with_row = {r.path for r in reports if r.path}
    unlisted = [rel for rel in folder.files if rel not in with_row]
    used = {mapping.file} | {mapping.column(name).column for name in mapping.columns}
    unused = [h for h in sheet.headers if h and h not in used]
    result = ImportReport(sheet.name, str(media), dry_run, reports, unlisted, unused)
    if dry_run or not plans:
        return result
    order = [r for r in reports if r.row in plans]
    added = ingest(root, [plans[r.row] for r in order], progress=progress, limits=limits,
                   folder_limit=folder_limit, rename_on_clash=True, origin="dam import")
    for report, asset in zip(order, added):
        report.asset_id, report.master = asset.id, asset.master
    return result


def _clean_defaults(mapping: Mapping, cleaner: Cleaner, collection: str | None, taxonomy: Taxonomy) -> dict[str, Any]:
    """The mapping's defaults, cleaned; a default that is not valid stops the import."""
    raw = dict(mapping.defaults)
    if collection:
        raw["collection"] = collection  # --collection wins over the mapping's default
    out, problems = {}, []
    for name, value in raw.items():
        clean, found = cleaner.clean(name, value, 0)
        problems += found
        if clean is not None:
            out[name] = clean
    if problems:
        where = {"collection": "--collection"}
        raise ImportSetupError("the defaults are not valid:\n  " + "\n  ".join(
            f"{where.get(p.field, 'defaults.' + p.field)}: {p.text()}" for p in problems))
    return out


# Embedded metadata -> sidecar field, in order of preference.
EMBEDDED_FIELDS = (("title", "title"), ("description", "description"), ("alt", "alt"), ("creator", "creator"),
                   ("source", "source"), ("credit", "rights.credit"), ("copyright", "rights.credit"))


def _row_item(report: RowReport, cells: dict[str, Any], sheet_name: str, mapping: Mapping, cleaner: Cleaner,
              defaults: dict[str, Any], path: Path, taken: set[str], technical) -> Incoming | None:
    values: dict[str, Any] = {}
    for name in mapping.columns:
        column = mapping.column(name).column
        raw = cells.get(column, "") if column else ""
        if raw in ("", None):
            continue
        clean, problems = cleaner.clean(name, raw, report.row)
        report.problems += problems
        if clean is not None:
            values[name] = clean
    origins: dict[str, str] = {}
    if mapping.harvest:
        embedded = harvest(path)
        _prefill(report, values, origins, embedded, cleaner)
    for name, value in defaults.items():
        values.setdefault(name, value)

    collection = values.pop("collection", None)
    if collection is None:
        left_out = next((p for p in report.problems if p.field == "collection"), None)
        report.status = "no-collection"
        report.detail = left_out.text() if left_out else "the row has none and no --collection or default was given"
        return None
    wanted = values.pop("id", None)
    stem = wanted or Path(safe_file_name(path.name)).stem
    asset_id = _unique_id(stem, collection, taken)
    if wanted and asset_id != wanted:
        report.problems.append(Problem(report.row, "id", wanted, f"already used in the catalogue; imported as '{asset_id}'"))
    taken.add(asset_id)
    report.asset_id = asset_id
    notes = [f"Imported from {_one_line(sheet_name)} row {report.row} ({_one_line(report.path or '')})."]
    if report.problems:
        notes.append("Values `dam import` left out (not valid here); decide and fill in:")
        notes += [f"  {_one_line(p.text())}" for p in report.problems]
    return Incoming(path, collection, asset_id, values, origins, tuple(notes), technical)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]


def _prefill(report: RowReport, values: dict[str, Any], origins: dict[str, str], embedded: Embedded,
             cleaner: Cleaner) -> None:
    if not embedded:
        return
    for source, target in EMBEDDED_FIELDS:
        value = getattr(embedded, source)
        if not value or target in values:
            continue
        if not fitting_text(target, value):
            report.problems.append(Problem(report.row, target, value[:80], "too long for this field", embedded=True))
            continue
        values[target] = value
        where = embedded.origin[source]
        origins[target] = f"from the master's embedded {where}"
        report.embedded[target] = where
    if embedded.keywords and "tags" not in values:
        clean, problems = cleaner.clean("tags", list(embedded.keywords), report.row, embedded=True)
        report.problems += problems
        if clean:
            values["tags"] = clean
            origins["tags"] = f"from the master's embedded {embedded.origin['keywords']}"
            report.embedded["tags"] = embedded.origin["keywords"]

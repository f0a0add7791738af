"""Reading YAML the user wrote, safely and fast, with positions only when they are needed.

Two parsers, one job each:
- the fast path is libyaml through PyYAML (0.4 ms a sidecar, three times ruamel's C loader),
  with YAML 1.2 core-schema resolvers so `no`, `on` and `010` mean what ruamel says they mean,
  and with duplicate keys, aliases and non-standard tags refused;
- the precise path is ruamel.yaml's round-trip loader, run only on files that have problems,
  to turn a pydantic `loc` into the line and column of the offending key or value.

Hazards are handled before a parser sees the text: size cap, encodings and BOMs, and flow
nesting deep enough to overflow libyaml's recursive composer (a segfault, not an exception).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, SequenceNode

from builder.diagnostics import Diagnostic, Loc, error, warning


class SidecarLoader(yaml.CSafeLoader):
    """libyaml loader with the YAML 1.2 core schema and duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):  # a key was repeated: find and name it
            seen: set = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise _DuplicateKey(key, key_node.start_mark)
                seen.add(key)
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = self.construct_scalar(node)
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        return sign * int(digits, 10)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """An impossible date (2027-13-01) stays text, so the schema reports it at its key."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


class _AliasRefusingLoader(SidecarLoader):
    """Used only when a file could hold an alias (it has both & and *): an alias makes one
    node appear twice, which is how alias bombs grow, so the second visit is refused."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&name, *name) are not allowed", node.start_mark
            )
        return super().construct_object(node, deep)


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: Any, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key '{key}'", mark)
        self.key = key


def _use_yaml_12_core_schema(loader: type[yaml.SafeLoader]) -> None:
    loader.yaml_implicit_resolvers = {}
    resolvers = [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
        (
            "tag:yaml.org,2002:float",
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            "-+0123456789.",
        ),
        (
            "tag:yaml.org,2002:timestamp",
            r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
            r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
            r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$",
            "0123456789",
        ),
    ]
    for tag, pattern, first in resolvers:
        loader.add_implicit_resolver(tag, re.compile(pattern), list(first))
    loader.add_constructor("tag:yaml.org,2002:int", SidecarLoader.construct_yaml_int)
    loader.add_constructor("tag:yaml.org,2002:timestamp", SidecarLoader.construct_yaml_timestamp)


_use_yaml_12_core_schema(SidecarLoader)


def loader_for(text: str) -> type[SidecarLoader]:
    """The fast loader, or the alias-refusing one when the text could hold an alias at all."""
    return _AliasRefusingLoader if ("&" in text and "*" in text) else SidecarLoader


@dataclass(frozen=True)
class Parsed:
    """A YAML file's data, or the reasons it has none. Warnings may come with data."""

    data: Any
    diagnostics: tuple[Diagnostic, ...] = ()
    text: str | None = None  # the decoded text, for locating problems without reading again

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


_FOREIGN_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def _position_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def decode(raw: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    """Text of a file we promise to read as UTF-8, or a diagnostic saying why not."""
    for bom, name in _FOREIGN_BOMS.items():
        if raw.startswith(bom):
            return None, [error(display, "E105", f"file is encoded as {name}", "save it as UTF-8", line=1, col=1)]
    found: list[Diagnostic] = []
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
        found.append(warning(display, "W101", "file starts with a byte-order mark", "save it as UTF-8 without BOM", line=1, col=1))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position_of_offset(raw, exc.start)
        found.append(error(display, "E105", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", "save the file as UTF-8", line=line, col=col))
        return None, found
    if "\r\n" in text:
        found.append(warning(display, "W102", "file has Windows (CRLF) line endings", "use LF line endings", line=1, col=1))
    return text, found


def flow_depth_exceeds(text: str, limit: int) -> int | None:
    """Line of the first `[`/`{` nested deeper than `limit`, ignoring quoted text roughly."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth, quote, line = 0, "", 1
    for char in text:
        if char == "\n":
            line += 1
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


def _mark(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\]}]+", re.MULTILINE)
_TAG_NAME = re.compile(r"tag '([^']*)'")


def _first_alias(text: str) -> tuple[int, int] | None:
    match = _ALIAS.search(text)
    if not match:
        return None
    offset = text.index("*", match.start())
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _is_tab_at(text: str, line: int, col: int) -> bool:
    lines = text.splitlines()
    return 0 < line <= len(lines) and "\t" in lines[line - 1][: max(col, 1)]


def _yaml_error(display: str, exc: yaml.YAMLError, text: str) -> Diagnostic:
    line, col = _mark(exc) if isinstance(exc, yaml.MarkedYAMLError) else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, _DuplicateKey):
        return error(display, "E102", f"duplicate key '{exc.key}'", "each key may appear once; remove or merge the repeats", line=line, col=col)
    if "anchors and aliases" in problem:
        line, col = _first_alias(text) or (line, col)
        return error(display, "E103", "anchors and aliases (&name, *name) are not allowed", "write the value out in full", line=line, col=col)
    if "could not determine a constructor for the tag" in problem:
        found = _TAG_NAME.search(problem)
        tag = (found.group(1) if found else "").replace("tag:yaml.org,2002:", "!!")
        return error(display, "E104", f"tag {tag} is not allowed", "sidecars hold plain data: remove the tag", line=line, col=col)
    if "\t" in problem or _is_tab_at(text, line, col):
        return error(display, "E101", "tab character in indentation or structure", "indent with spaces, not tabs", line=line, col=col)
    context = f"{exc.context}: " if getattr(exc, "context", None) else ""
    return error(display, "E100", f"YAML syntax error: {context}{problem}", "check indentation, colons and quotes", line=line, col=col)


def parse_text(text: str, display: str, max_depth: int = 32) -> Parsed:
    """Fast path: data or one YAML diagnostic."""
    deep_line = flow_depth_exceeds(text, max_depth)
    if deep_line:
        return Parsed(None, (error(display, "E109", f"nesting deeper than {max_depth} levels", "flatten the structure", line=deep_line, col=1),))
    try:
        data = yaml.load(text, Loader=loader_for(text))
    except yaml.YAMLError as exc:
        return Parsed(None, (_yaml_error(display, exc, text),))
    except RecursionError:
        return Parsed(None, (error(display, "E109", "nesting too deep", "flatten the structure", line=1, col=1),))
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor refusing a value
        return Parsed(None, (error(display, "E100", f"YAML value cannot be read: {exc}", line=1, col=1),))
    if data is None:
        return Parsed(None, (error(display, "E107", "file is empty", "a sidecar needs at least id, title, master and collection", line=1, col=1),))
    return Parsed(data)


def _too_large(display: str, size: int, max_bytes: int) -> Parsed:
    return Parsed(None, (error(display, "E106", f"file is {size // 1024} KiB, over the {max_bytes // 1024} KiB limit", "split it or remove embedded data", line=1, col=1),))


def parse_bytes(raw: bytes, display: str, max_bytes: int, max_depth: int = 32, expect_mapping: bool = True) -> Parsed:
    """Bytes the user wrote (a file, or a blob from Git): every hazard becomes a diagnostic."""
    if len(raw) > max_bytes:
        return _too_large(display, len(raw), max_bytes)
    text, found = decode(raw, display)
    if text is None:
        return Parsed(None, tuple(found))
    parsed = parse_text(text, display, max_depth)
    found.extend(parsed.diagnostics)
    if parsed.data is not None and expect_mapping and not isinstance(parsed.data, dict):
        kind = type(parsed.data).__name__
        kind = {"list": "a list", "str": "a single text value"}.get(kind, f"a {kind}")
        found.append(error(display, "E108", f"top level is {kind}, not a mapping of keys", "write `key: value` lines, e.g. `id: my-asset`", line=1, col=1))
        return Parsed(None, tuple(found), text)
    return Parsed(parsed.data, tuple(found), text)


def read_yaml(path: Path, display: str, max_bytes: int, max_depth: int = 32, expect_mapping: bool = True) -> Parsed:
    """Read a file the user wrote; a huge file is refused before it is read."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return _too_large(display, size, max_bytes)
        raw = path.read_bytes()
    except OSError as exc:
        return Parsed(None, (error(display, "E108", f"cannot read file: {exc.strerror}", line=1, col=1),))
    return parse_bytes(raw, display, max_bytes, max_depth, expect_mapping)


class Locator:
    """Maps a key path in one file to a line and column by re-parsing it with ruamel.

    It composes nodes (with ruamel's C parser: 1 ms a sidecar, against 15 ms for its
    round-trip loader) rather than loading values, so a file whose values cannot be built
    (an impossible date, say) still yields positions.
    """

    def __init__(self, text: str | None) -> None:
        self._root: Any = None
        if text is not None:
            try:
                self._root = YAML(typ="safe", pure=False).compose(text)
            except Exception:  # the fast path already reported syntax problems
                self._root = None

    @staticmethod
    def _start(node: Any) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def position(self, loc: Loc, at_key: bool = False) -> tuple[int, int]:
        node = self._root
        if node is None:
            return 1, 1
        best = (1, 1)
        for depth, part in enumerate(loc):
            last = depth == len(loc) - 1
            if isinstance(node, MappingNode):
                pair = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
                if pair is None:
                    break
                key_node, value_node = pair
                nested = isinstance(value_node, (MappingNode, SequenceNode))
                best = self._start(key_node) if (at_key and last) or (nested and not last) or part == "[key]" else self._start(value_node)
                node = value_node
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                best = self._start(node)
            else:
                break
        return best

"""Careful edits of YAML the user wrote: `dam set`, `dam fmt` and the splices `dam vocab` uses.

Nothing here re-dumps a whole file. Every edit is a *splice*: the exact character span of a
value (its start and end as libyaml reports them while composing nodes) is replaced by new
text, and every other byte of the file (comments, quoting, blank lines, key order, indentation)
stays as the editor wrote it, so a pull request's diff shows only what changed. This is the
approach of `ingest.replace_technical`, applied to single values instead of a whole block.

After each edit the new text is parsed again and compared with the data the edit meant to
produce; a mismatch is an `EditError` and nothing is written.

`fmt` is the one operation that moves text around; it works on whole *entries* (a key with
its value lines and the comment lines directly above it), so a comment travels with its key.
Its rules:
  1. keys in canonical order: the field order of `Asset`, and of `Rights`, `Technical`,
     `Focus` and `CropBox` inside them; unknown keys keep their order after the known ones;
  2. two spaces per nesting level; block sequences as `  - item` under their key;
  3. the short lists `tags`, `channels`, `rights.usage`, `rights.territories` and
     `rights.consent` in flow style (`[a, b]`) unless a comment sits among their items;
  4. scalars keep their quoting and style (plain, quoted, folded), comments stay, the
     `# yaml-language-server` modeline and the comments before it stay at the top;
  5. LF line endings, no byte-order mark, one newline at the end.
The parsed data is compared before and after; a file that cannot be formatted without
changing a value is reported and left alone.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from builder.atomic import write_atomic
from builder.catalogue import TAXONOMY_FILE, load_model, sidecar_paths
from builder.models import Asset, CropBox, Focus, Rights, Taxonomy, Technical
from builder.rules import RuleContext, Vocabularies, asset_problems
from builder.settings import Limits
from builder.yamlio import SidecarLoader, decode, flow_depth_exceeds, loader_for

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"


class EditError(Exception):
    """A user error: the message names the file and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- parsing with positions ---------------------------------------------------------------

@dataclass(frozen=True)
class Doc:
    """A file's text, its node tree (with character offsets) and its data."""

    text: str
    root: Node | None
    data: Any

    @functools.cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line_of(self, index: int) -> int:
        """0-based line of a character offset, counting only LF (unlike libyaml's line)."""
        return bisect.bisect_right(self._line_starts, index) - 1

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"


def parse(text: str, display: str = "<text>") -> Doc:
    """One libyaml pass for both nodes and data, with the same hazards refused as `yamlio`."""
    if flow_depth_exceeds(text, Limits().max_yaml_depth):
        raise EditError(f"{display}: nesting too deep")
    loader = loader_for(text)(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EditError(f"{display}: cannot be parsed ({first}); fix it first (`dam validate` shows where)") from exc
    finally:
        loader.dispose()
    return Doc(text, root, data)


def child(mapping: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    if not isinstance(mapping, MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def node_at(root: Node | None, path: Sequence[str]) -> Node | None:
    node = root
    for key in path:
        found = child(node, key)
        if found is None:
            return None
        node = found[1]
    return node


def is_str(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == STR_TAG


def is_block_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG


def node_end(text: str, node: Node) -> int:
    """Offset just past the node's last character of content (not its trailing comments)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark.index
        if node.style in ("|", ">"):
            while end > node.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    if node.flow_style or not node.value:
        return node.end_mark.index
    last = node.value[-1]
    return node_end(text, last[1] if isinstance(node, MappingNode) else last)


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def after_line(text: str, index: int) -> int:
    """Offset of the start of the line after the one holding `index` (or the end of text)."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def leading_comments_start(text: str, key: ScalarNode) -> int:
    """Start of the comment lines directly above a key (same indentation, no blank between)."""
    start = line_start(text, key.start_mark.index)
    col = key.start_mark.index - start
    while start > 0:
        above = line_start(text, start - 1)
        line = text[above:start].rstrip("\r\n")
        stripped = line.lstrip(" ")
        if not stripped.startswith("#") or len(line) - len(stripped) != col:
            break
        start = above
    return start


# --- splices --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Splice:
    start: int
    end: int
    text: str


def apply(text: str, splices: Iterable[Splice]) -> str:
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    out, position = [], 0
    for splice in ordered:
        if splice.start < position:
            raise EditError("two edits overlap in one file (a bug): nothing was written")
        out += [text[position:splice.start], splice.text]
        position = splice.end
    out.append(text[position:])
    return "".join(out)


def replace_scalar(node: ScalarNode, value: Any, in_flow: bool = False) -> Splice:
    """The scalar's characters replaced by `value`, keeping its quote style where it can."""
    quote = node.style if node.style in ("'", '"') else None
    rendered = render(value, quote=quote, in_flow=in_flow)
    if node.start_mark.index == node.end_mark.index:  # `key:` with nothing after the colon
        rendered = " " + rendered
    return Splice(node.start_mark.index, node.end_mark.index, rendered)


def remove_items(text: str, seq: SequenceNode, indices: set[int]) -> list[Splice]:
    """Splices removing some items of a sequence, separators and lines included."""
    items = seq.value
    if not indices:
        return []
    if not seq.flow_style:
        return [Splice(line_start(text, items[i].start_mark.index), after_line(text, node_end(text, items[i])), "")
                for i in sorted(indices)]
    kept = [i for i in range(len(items)) if i not in indices]
    if not kept:
        return [Splice(items[0].start_mark.index, node_end(text, items[-1]), "")]
    last_kept = kept[-1]
    splices = [Splice(items[i].start_mark.index, items[i + 1].start_mark.index, "") for i in sorted(indices) if i < last_kept]
    if last_kept < len(items) - 1:  # a removed run at the end: take the comma before it
        splices.append(Splice(node_end(text, items[last_kept]), node_end(text, items[-1]), ""))
    return splices


# --- rendering values -------------------------------------------------------------------------

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


@functools.lru_cache(maxsize=1024)
def _plain_ok(value: str, in_flow: bool) -> bool:
    """True when `value` written plain reads back as the same string, in YAML 1.2 and 1.1."""
    if not value or value != value.strip() or "\n" in value or value[0] in _INDICATORS:
        return False
    if ": " in value or " #" in value or value.endswith(":") or any(ord(c) < 32 for c in value):
        return False
    if in_flow and any(c in value for c in ",[]{}"):
        return False
    try:
        core = yaml.load(f"k: {value}\n", Loader=SidecarLoader)
        old = yaml.load(f"k: {value}\n", Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):  # e.g. 2027-13-45 in YAML 1.1
        return False
    return core == {"k": value} and old == {"k": value}


def render(value: Any, quote: str | None = None, in_flow: bool = False) -> str:
    """A value as one line of YAML (flow style for lists and mappings)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render(item, in_flow=True) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render(k, in_flow=True)}: {render(v, in_flow=True)}" for k, v in value.items()) + "}"
    value = str(value)
    if quote == "'" and "\n" not in value and not any(ord(c) < 32 for c in value):
        return "'" + value.replace("'", "''") + "'"
    if quote != '"' and _plain_ok(value, in_flow):
        return value
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def parse_value(text: str) -> Any:
    """A command-line value read as YAML (1.2 core schema): 2027-09-30 is a date, [a, b] a list."""
    if not text.strip():
        return None
    try:
        return yaml.load(text, Loader=SidecarLoader)
    except yaml.YAMLError:
        return text


# --- canonical order ------------------------------------------------------------------------

def _fields(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def key_order(path: Sequence[str]) -> list[str] | None:
    """Canonical key order of the mapping at `path` in a sidecar, or None (keep as written)."""
    path = tuple(path)
    if path == ():
        return _fields(Asset)
    if len(path) == 1:
        return {"rights": _fields(Rights), "technical": _fields(Technical), "focus": _fields(Focus)}.get(path[0])
    if len(path) == 2 and path[0] == "crops":
        return _fields(CropBox)
    return None


# --- set one value ----------------------------------------------------------------------------

def _block(keys: Sequence[str], value: Any, col: int, newline: str) -> str:
    """`a:\n  b: value` lines for keys that do not exist yet, indented at `col`."""
    lines = []
    for depth, key in enumerate(keys):
        head = " " * (col + 2 * depth) + render(key) + ":"
        lines.append(head + (" " + render(value) if depth == len(keys) - 1 else ""))
    return "".join(line + newline for line in lines)


def _insert_key(doc: Doc, mapping: MappingNode, keys: Sequence[str], value: Any, order: list[str] | None) -> Splice:
    text, newline = doc.text, doc.newline
    if mapping.flow_style or not mapping.value:
        raise EditError("the mapping is written in flow style ({...}); write it as indented lines first")
    col = mapping.value[0][0].start_mark.index - line_start(text, mapping.value[0][0].start_mark.index)
    block = _block(keys, value, col, newline)
    order = order or []
    rank = {key: number for number, key in enumerate(order)}
    wanted = rank.get(keys[0], len(order))
    present = [(rank[k.value], k, v) for k, v in mapping.value if isinstance(k, ScalarNode) and k.value in rank]
    before = [item for item in present if item[0] < wanted]
    after = [item for item in present if item[0] > wanted]
    if before or not after:
        anchor = max(before, key=lambda item: item[0])[2] if before else mapping.value[-1][1]
        position = after_line(text, node_end(text, anchor))
        prefix = newline if position == len(text) and not text.endswith("\n") else ""
        return Splice(position, position, prefix + block)
    first_after = min(after, key=lambda item: item[1].start_mark.index)[1]
    position = leading_comments_start(text, first_after)
    return Splice(position, position, block)


def set_value(text: str, path: Sequence[str], value: Any, display: str = "<text>") -> str:
    """The text with the value at dotted `path` set to `value`, creating keys in canonical
    position; every other character is kept."""
    doc = parse(text, display)
    if not isinstance(doc.root, MappingNode):
        raise EditError(f"{display}: the top level is not a mapping of keys")
    node: Node = doc.root
    for depth, key in enumerate(path):
        if not isinstance(node, MappingNode):
            raise EditError(f"{display}: {'.'.join(path[:depth])} is not a mapping")
        found = child(node, key)
        if found is None:
            try:
                splice = _insert_key(doc, node, path[depth:], value, key_order(path[:depth]))
            except EditError as exc:
                raise EditError(f"{display}: cannot add {'.'.join(path)}: {exc.message}") from None
            return apply(text, [splice])
        key_node, value_node = found
        last = depth == len(path) - 1
        if not last and is_null(value_node):  # `rights:` with no value yet
            colon = text.index(":", key_node.end_mark.index)
            col = key_node.start_mark.index - line_start(text, key_node.start_mark.index)
            block = _block(path[depth + 1:], value, col + 2, doc.newline)
            return apply(text, [Splice(colon + 1, node_end(text, value_node), doc.newline + block.rstrip("\r\n"))])
        if last:
            return apply(text, [_replace_value(text, key_node, value_node, value)])
        node = value_node
    raise EditError(f"{display}: empty key path")


def _replace_value(text: str, key: ScalarNode, node: Node, value: Any) -> Splice:
    if isinstance(node, ScalarNode) and not is_block_scalar(node):
        return replace_scalar(node, value)
    if not isinstance(node, ScalarNode) and node.flow_style:
        return Splice(node.start_mark.index, node.end_mark.index, render(value))
    # a block scalar or block collection becomes one line after the key
    colon = text.index(":", key.end_mark.index)
    return Splice(colon + 1, node_end(text, node), " " + render(value))


# --- dam set -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    value: Any

    def matches(self, data: Any) -> bool:
        found = _get(data, self.path)
        if found is _MISSING:
            return self.value is None
        if isinstance(found, list) and not isinstance(self.value, list):
            return any(_same(item, self.value) for item in found)
        return _same(found, self.value)


@dataclass(frozen=True)
class Assignment:
    path: tuple[str, ...]
    value: Any


_MISSING = object()
REFUSED_PATHS = {
    "id": "the id is the file name; rename the file and the id together by hand",
    "collection": "the collection is the sidecar's folder; use `dam vocab rename collections` or move the file",
    "technical": "technical data is measured from the master; run `dam refresh`",
}


def _same(a: Any, b: Any) -> bool:
    return a == b or (a is not None and b is not None and str(a) == str(b))


def _get(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _put(data: dict, path: Sequence[str], value: Any) -> dict:
    new = copy.deepcopy(data)
    target = new
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return new


def _split(expression: str, what: str) -> tuple[tuple[str, ...], Any]:
    name, equals, raw = expression.partition("=")
    path = tuple(part for part in name.strip().split("."))
    if not equals or not all(path):
        raise EditError(f"{what} '{expression}' must read FIELD=VALUE (dotted fields, e.g. rights.expires=2027-09-30)")
    return path, parse_value(raw.strip())


def parse_condition(expression: str) -> Condition:
    path, value = _split(expression, "condition")
    return Condition(path, value)


def parse_assignment(expression: str) -> Assignment:
    path, value = _split(expression, "assignment")
    if path[0] in REFUSED_PATHS:
        raise EditError(f"cannot set {'.'.join(path)}: {REFUSED_PATHS[path[0]]}")
    return Assignment(path, value)


@dataclass(frozen=True)
class FileEdit:
    path: str  # relative to the root
    before: str
    after: str


def _model_errors(data: Any) -> set[tuple[tuple, str]]:
    try:
        Asset.model_validate(data)
    except ValidationError as exc:
        return {(tuple(err["loc"]), err["msg"]) for err in exc.errors()}
    return set()


def _rule_errors(relative: str, data: Any, ctx: RuleContext | None) -> set[str]:
    if ctx is None:
        return set()
    try:
        asset = Asset.model_validate(data)
    except ValidationError:
        return set()
    return {f"{d.code} {d.message}" for d in asset_problems(relative, asset, ctx) if d.is_error}


def _rule_context(root: Path) -> RuleContext | None:
    taxonomy, _ = load_model(root, TAXONOMY_FILE, Taxonomy, Limits())
    if taxonomy is None:
        return None
    return RuleContext(root, Vocabularies.of(taxonomy), dt.date.today())


def read_text(path: Path, display: str) -> str:
    text, found = decode(path.read_bytes(), display)
    if text is None:
        raise EditError("; ".join(d.text() for d in found))
    return text


def plan_set(root: Path, conditions: Sequence[Condition], assignments: Sequence[Assignment]) -> tuple[list[FileEdit], list[str]]:
    """The edits `dam set` would make, and the files it skipped because they cannot be read.

    Raises EditError naming every file an edit would make invalid (schema or taxonomy):
    all or nothing.
    """
    ctx = _rule_context(root)
    edits, skipped, refused = [], [], []
    for relative in sidecar_paths(root):
        try:
            text = read_text(root / relative, relative)
            doc = parse(text, relative)
        except (EditError, OSError) as exc:
            skipped.append(getattr(exc, "message", f"{relative}: {exc}"))
            continue
        if not isinstance(doc.data, dict) or not all(c.matches(doc.data) for c in conditions):
            continue
        data, new = doc.data, text
        for assignment in assignments:
            data = _put(data, assignment.path, assignment.value)
            try:
                new = set_value(new, assignment.path, assignment.value, relative)
            except EditError as exc:
                refused.append(exc.message)
                break
        else:
            if parse(new, relative).data != data:
                refused.append(f"{relative}: the edit could not be made without changing other values; edit it by hand")
                continue
            added = _model_errors(data) - _model_errors(doc.data)
            added_rules = _rule_errors(relative, data, ctx) - _rule_errors(relative, doc.data, ctx)
            if added or added_rules:
                why = [f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in sorted(added)] + sorted(added_rules)
                refused.append(f"{relative}: the edit would make it invalid: " + "; ".join(why))
                continue
            if new != text:
                edits.append(FileEdit(relative, text, new))
    if refused:
        raise EditError(f"nothing was written; {len(refused)} file(s) refused:\n  " + "\n  ".join(refused))
    return edits, skipped


def write_edits(root: Path, edits: Iterable[FileEdit]) -> None:
    for edit in edits:
        write_atomic(root / edit.path, edit.after)


# --- dam fmt ------------------------------------------------------------------------------------

FLOW_LISTS = {("tags",), ("channels",), ("rights", "usage"), ("rights", "territories"), ("rights", "consent")}
MODELINE = "# yaml-language-server"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _shift(line: str, delta: int) -> str:
    if not line.strip():
        return line.strip(" \t")
    if delta >= 0:
        return " " * delta + line
    return line[min(-delta, _indent(line)):]


class _Formatter:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.lines = doc.text.split("\n")

    def last_line(self, key: ScalarNode, value: Node) -> int:
        end = node_end(self.text, value)
        return max(self.doc.line_of(max(end - 1, 0)), self.doc.line_of(key.start_mark.index))

    def col(self, node: Node) -> int:
        return node.start_mark.index - line_start(self.text, node.start_mark.index)

    def mapping(self, node: MappingNode, path: tuple[str, ...], first_line: int, target: int) -> list[str]:
        """Output lines of a block mapping whose entries start at `first_line`."""
        entries = []
        previous_end = first_line - 1
        for position, (key, value) in enumerate(node.value):
            key_line = self.doc.line_of(key.start_mark.index)
            last = self.last_line(key, value)
            delta = target - self.col(key)
            lead = [_shift(line, delta) for line in self.lines[previous_end + 1:key_line]]
            body = self.entry(key, value, path, key_line, last, target)
            entries.append((key.value if isinstance(key, ScalarNode) else None, position, lead, body))
            previous_end = last
        order = key_order(path)
        if order is not None:
            rank = {name: number for number, name in enumerate(order)}
            entries.sort(key=lambda e: (rank.get(e[0], len(order)), e[1]))
        return [line for _, _, lead, body in entries for line in lead + body]

    def entry(self, key: ScalarNode, value: Node, path: tuple, key_line: int, last: int, target: int) -> list[str]:
        delta = target - self.col(key)
        head = _shift(self.lines[key_line], delta)
        inner = self.lines[key_line + 1:last + 1]
        here = (*path, key.value) if isinstance(key, ScalarNode) else (*path, "?")
        if isinstance(value, MappingNode) and not value.flow_style and value.value:
            if self.doc.line_of(value.value[0][0].start_mark.index) == key_line:
                return [_shift(line, delta) for line in self.lines[key_line:last + 1]]  # odd layout: keep
            return [head] + self.mapping(value, here, key_line + 1, target + 2)
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            flow = self.flow_list(key, value, here, head, key_line, last)
            if flow is not None:
                return [flow]
            first = value.value[0].start_mark.index
            dash = self.lines[self.doc.line_of(first)].rfind("-", 0, self.col_in_line(first))
            if self.doc.line_of(first) == key_line or dash < 0:
                return [_shift(line, delta) for line in self.lines[key_line:last + 1]]
            return [head] + [_shift(line, target + 2 - dash) for line in inner]
        if is_block_scalar(value) and not re.search(r"[0-9]", self.lines[key_line][self.col_in_line(value.start_mark.index):].split("#")[0]):
            content = next((_indent(line) for line in inner if line.strip()), None)
            if content is not None:  # block text indented two spaces past its key
                return [head] + [_shift(line, target + 2 - content) for line in inner]
        return [head] + [_shift(line, delta) for line in inner]

    def flow_list(self, key: ScalarNode, seq: SequenceNode, here: tuple, head: str, key_line: int, last: int) -> str | None:
        if here not in FLOW_LISTS or not all(isinstance(i, ScalarNode) and not is_block_scalar(i) for i in seq.value):
            return None
        items = []
        for number, item in enumerate(seq.value):
            source = self.text[item.start_mark.index:item.end_mark.index]
            if number + 1 < len(seq.value):
                gap = self.text[item.end_mark.index:seq.value[number + 1].start_mark.index]
            else:  # the rest of the last item's line
                gap = self.text[item.end_mark.index:after_line(self.text, item.end_mark.index)]
            if "#" in gap or "\n" in source:
                return None  # a comment among the items, or a multi-line item: keep the block
            if item.style is None and not _plain_ok(item.value, True):
                source = render(item.value, in_flow=True) if item.tag == STR_TAG else None
                if source is None:
                    return None
            items.append(source)
        after_colon = head.split(":", 1)[1] if ":" in head else ""
        comment = after_colon.strip()
        if comment and not comment.startswith("#"):
            return None
        start = head[:len(head) - len(after_colon)]
        return f"{start} [{', '.join(items)}]" + (f"  {comment}" if comment else "")

    def col_in_line(self, index: int) -> int:
        return index - line_start(self.text, index)

    def document(self) -> str:
        root = self.doc.root
        if not isinstance(root, MappingNode) or root.flow_style or not root.value:
            return self.text
        first_key = self.doc.line_of(root.value[0][0].start_mark.index)
        header_end = 0  # lines before the first key that stay on top: up to a modeline or blank
        for number in range(first_key):
            line = self.lines[number].strip()
            if not line or line.startswith(MODELINE) or line.startswith(("---", "%")):
                header_end = number + 1
        body = self.mapping(root, (), header_end, 0)
        last = max(self.last_line(k, v) for k, v in root.value)
        tail = self.lines[last + 1:]
        out = self.lines[:header_end] + body + tail
        return "\n".join(out).rstrip("\n") + "\n"


def _comments(text: str) -> list[str]:
    return sorted(line.strip() for line in text.split("\n") if line.strip().startswith("#"))


def format_text(text: str, display: str = "<text>") -> str:
    """The sidecar formatted by the rules in this module's docstring; values never change."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    doc = parse(text, display)
    result = _Formatter(doc).document()
    if result == text:
        return text
    again = parse(result, display)
    if again.data != doc.data or _comments(result) != _comments(text) or result.count("#") != text.count("#"):
        raise EditError(f"{display}: cannot be formatted without changing a value or a comment; format it by hand")
    return result


def fmt_paths(root: Path, paths: Sequence[Path] = ()) -> list[str]:
    """Sidecars to format: every one under catalogue/assets, or those among `paths`
    (files or folders; other files, such as taxonomy.yaml, are not sidecars and are skipped)."""
    everything = sidecar_paths(root)
    if not paths:
        return everything
    wanted: list[str] = []
    known = set(everything)
    for given in paths:
        absolute = (given if given.is_absolute() else Path.cwd() / given).resolve()
        try:
            relative = absolute.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        if relative in known:
            wanted.append(relative)
        else:
            wanted += [p for p in everything if p.startswith(relative.rstrip("/") + "/")]
    return sorted(set(wanted))


def plan_fmt(root: Path, relatives: Sequence[str]) -> tuple[list[FileEdit], list[str]]:
    """(files that change, problems): a file that cannot be read or formatted is a problem."""
    edits, problems = [], []
    for relative in relatives:
        try:
            raw = (root / relative).read_bytes()
            text = read_text(root / relative, relative)
            new = format_text(text, relative)
        except (EditError, OSError) as exc:
            problems.append(getattr(exc, "message", f"{relative}: {exc}"))
            continue
        if new.encode("utf-8") != raw:
            edits.append(FileEdit(relative, text, new))
    return edits, problems


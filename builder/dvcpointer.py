"""Reading DVC's `.dvc` pointer files: the md5 Git knows for each master.

Validation reads one pointer per asset, so the common case (a file DVC wrote) is matched with
a strict pattern; anything unusual goes through the YAML loader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from builder.yamlio import parse_text

_DVC_OUT = re.compile(
    r"\Aouts:\n- md5: ([0-9a-f]{32})\n  size: (\d+)\n(?:  hash: md5\n)?  path: [^\n]+\n\Z"
)


class PointerError(ValueError):
    pass


@dataclass(frozen=True)
class Pointer:
    md5: str
    size: int | None


def pointer_path(master: Path) -> Path:
    return master.with_name(master.name + ".dvc")


def parse_pointer(text: str) -> Pointer:
    match = _DVC_OUT.match(text)
    if match:
        return Pointer(match.group(1), int(match.group(2)))
    parsed = parse_text(text, "pointer")
    outs = parsed.data.get("outs") if isinstance(parsed.data, dict) else None
    if not isinstance(outs, list) or len(outs) != 1 or not isinstance(outs[0], dict):
        raise PointerError("expected one entry under 'outs:'")
    md5 = str(outs[0].get("md5", ""))
    if not re.fullmatch(r"[0-9a-f]{32}", md5):
        raise PointerError("its md5 is missing or malformed")
    size = outs[0].get("size")
    return Pointer(md5, size if isinstance(size, int) else None)


def read_pointer(path: Path) -> Pointer:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PointerError(f"cannot read it ({exc})") from exc
    return parse_pointer(text)

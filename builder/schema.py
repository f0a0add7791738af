"""JSON Schemas of the sidecar, taxonomy and portal files, for editors that check while typing.

VS Code's YAML extension reads the `# yaml-language-server: $schema=...` modeline at the top
of a sidecar; `dam schema` keeps the files that modeline points at in step with the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from builder.models import Asset, Taxonomy
from builder.settings import Settings

SCHEMA_DIR = "catalogue/schema"
SCHEMAS: dict[str, type[BaseModel]] = {
    "asset.schema.json": Asset,
    "taxonomy.schema.json": Taxonomy,
    "portal.schema.json": Settings,
}
MODELINE = "# yaml-language-server: $schema=../../schema/asset.schema.json"


def schema_documents() -> dict[str, str]:
    """File name -> JSON text, deterministic so `--check` can compare bytes."""
    documents = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = name
        documents[name] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return documents


def write_schemas(root: Path) -> list[Path]:
    folder = root / SCHEMA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        target = folder / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def stale_schemas(root: Path) -> list[str]:
    folder = root / SCHEMA_DIR
    return [
        f"{SCHEMA_DIR}/{name}"
        for name, text in schema_documents().items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text
    ]

"""The exported JSON Schema, checked with a real JSON Schema validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.schema import MODELINE
from builder.yamlio import parse_text

REPO = Path(__file__).resolve().parents[1]


def as_json(data):
    """YAML dates become the strings an editor sees; that is what the schema checks."""
    return json.loads(json.dumps(data, default=str))


@pytest.fixture
def schemas(tmp_path):
    (tmp_path / "catalogue").mkdir()
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "schema"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "catalogue/schema"
    return {name: json.loads((folder / name).read_text()) for name in ("asset.schema.json", "taxonomy.schema.json", "portal.schema.json")}


def validator(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def demo_files(pattern):
    files = sorted(REPO.glob(pattern))
    assert files, f"the demo catalogue has no {pattern}"
    return files


def test_schema_accepts_the_demo_catalogue(schemas):
    asset = validator(schemas["asset.schema.json"])
    for path in demo_files("catalogue/assets/**/*.yaml"):
        errors = list(asset.iter_errors(as_json(parse_text(path.read_text(), path.name).data)))
        assert not errors, f"{path}: {errors[0].message}"
    for name in ("taxonomy", "portal"):
        data = as_json(parse_text((REPO / f"catalogue/{name}.yaml").read_text(), name).data)
        assert not list(validator(schemas[f"{name}.schema.json"]).iter_errors(data))


def test_schema_rejects_a_broken_sidecar(schemas, catalogue):
    from conftest import good_sidecar

    asset = validator(schemas["asset.schema.json"])
    good = as_json(parse_text(good_sidecar(), "x").data)
    assert not list(asset.iter_errors(good))
    typo = dict(good, titel=good["title"])
    assert any("titel" in e.message for e in asset.iter_errors(typo))
    unlicensed = dict(good, rights={k: v for k, v in good["rights"].items() if k != "licence"})
    assert any("licence" in e.message for e in asset.iter_errors(unlicensed))
    bad_slug = dict(good, id="Hero Beach")
    assert list(asset.iter_errors(bad_slug))


def test_committed_schemas_are_up_to_date_and_demo_sidecars_point_at_them():
    result = CliRunner().invoke(cli, ["--root", str(REPO), "schema", "--check"])
    assert result.exit_code == 0, result.output
    for path in demo_files("catalogue/assets/**/*.yaml"):
        assert path.read_text().startswith(MODELINE), path

"""The `dam` command through click's runner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from builder.cli import cli
from conftest import good_sidecar

SIDE = "catalogue/assets/summer-2026/hero-beach.yaml"


def run(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_clean_catalogue_exits_zero(catalogue):
    catalogue.asset("hero-beach")
    result = run(catalogue.root, "validate", "--today", "2026-12-04")
    assert result.exit_code == 0, result.output
    assert "1 files checked: 0 error(s), 0 warning(s)" in result.output


def test_errors_exit_one_with_located_lines(catalogue):
    catalogue.asset("hero-beach", text=good_sidecar().replace("title:", "titel:"))
    result = run(catalogue.root, "validate", "--today", "2026-12-04")
    assert result.exit_code == 1
    assert f"{SIDE}:2:1: E201 unknown key 'titel' (did you mean 'title'?)" in result.output.splitlines()


def test_json_format(catalogue):
    catalogue.asset("hero-beach", text=good_sidecar().replace("tags: [beach, family]", "tags: [beach, famly]"))
    result = CliRunner().invoke(cli, ["--root", str(catalogue.root), "validate", "--format", "json", "--today", "2026-12-04"])
    records = json.loads(result.stdout)
    assert records == [{
        "path": SIDE, "line": 8, "col": 15, "code": "E301", "severity": "error",
        "message": "'famly' is not in the tags vocabulary", "hint": "did you mean 'family'?",
    }]


def test_github_format_annotates_the_diff(catalogue):
    catalogue.asset("hero-beach", text=good_sidecar().replace("expires: 2027-05-01", "expires: 2026-12-20"))
    result = run(catalogue.root, "validate", "--format", "github", "--today", "2026-12-04")
    assert result.exit_code == 0
    assert f"::warning file={SIDE},line=21,col=12,title=W601::rights expire in 16 days (2026-12-20) (renew the licence or plan a replacement)" in result.output


def test_warnings_fail_only_when_strict(catalogue):
    catalogue.asset("hero-beach", text=good_sidecar().replace("expires: 2027-05-01", "expires: 2026-12-20"))
    assert run(catalogue.root, "validate", "--today", "2026-12-04").exit_code == 0
    assert run(catalogue.root, "validate", "--today", "2026-12-04", "--strict").exit_code == 1


def test_expiry_is_judged_against_the_given_day(catalogue):
    catalogue.asset("hero-beach")
    assert "W602" in run(catalogue.root, "validate", "--today", "2027-06-01").output


@pytest.mark.parametrize("args", [["validate", "--format", "xml"], ["validate", "--today", "tomorrow"], ["nonsense"]])
def test_usage_errors_exit_two(catalogue, args):
    assert run(catalogue.root, *args).exit_code == 2


def test_a_folder_without_catalogue_is_a_usage_error(tmp_path):
    result = run(tmp_path, "validate")
    assert result.exit_code == 2
    assert "has no catalogue/ folder" in result.output


def test_root_is_found_from_a_subfolder(catalogue, monkeypatch):
    catalogue.asset("hero-beach", text=good_sidecar().replace("title:", "titel:"))
    monkeypatch.chdir(catalogue.root / "catalogue/assets")
    result = CliRunner().invoke(cli, ["validate", "--today", "2026-12-04"])
    assert result.exit_code == 1 and "E201" in result.output


@pytest.mark.parametrize("command", [[sys.executable, "-m", "builder"], ["dam"]])
def test_as_a_subprocess(catalogue, command):
    catalogue.asset("hero-beach", text=good_sidecar().replace("status: approved", "status: aproved"))
    done = subprocess.run([*command, "--root", str(catalogue.root), "validate", "--today", "2026-12-04"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout.strip() == (
        f"{SIDE}:13:9: E203 status: 'aproved' is not one of draft, in_review, approved, archived (did you mean 'approved'?)"
    )
    assert "Traceback" not in done.stderr
    assert "1 files checked: 1 error(s), 0 warning(s)" in done.stderr


def test_help_explains_the_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "validate" in result.output and "--root" in result.output

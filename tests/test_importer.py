"""`dam import` end to end: a messy sheet, real Git + DVC, embedded metadata, sharding."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import PORTAL, TAXONOMY
from PIL import Image
from ruamel.yaml import YAML
from test_harvest import tagged_jpeg, xmp_packet

from builder.catalogue import load
from builder.cli_import import dupes as dupes_command, import_command
from builder.importer import ImportSetupError, Mapping, import_sheet, load_mapping
from builder.ingest import IngestError, add_masters, silent_progress
from builder.models import Asset

COLLECTION = "summer-2026"

MAPPING = """\
file: File Name
columns:
  title: Title
  tags: {column: Keywords, synonyms: {seaside: beach}}
  channels: {column: Channels, synonyms: {"Social Media": social}}
  rights.expires: {column: Expiry, date_format: ["%d/%m/%Y", "%Y-%m-%d"]}
  rights.credit: Credit
  campaign: {column: Campaign, synonyms: {"Summer Sale": summer-sale-2026}}
  rights.territories: {column: Territories, split: "|"}
defaults:
  owner: brand-team
"""

SHEET = """\
File Name,Title,Keywords,Channels,Expiry,Credit,Campaign,Territories
beach.jpg,  Beach   at dusk ,Beach; FAMILY; seaside,"Social Media, Web",01/05/2027,(c) Acme,Summer Sale,gb|ie
Family.JPG,Family picnic,lifestyle;Beach Party,web;Socail,31/02/2027,,summer-sale-2026,
missing.jpg,Missing,,,,,,
copy-of-beach.jpg,Copy,,,,,,
sub/sunset.png,Sunset,sunset;Beach Party,print,2027-13-01,,,
beach.jpg,Again,,,,,,
"""


@pytest.fixture
def repo(dvc_repo) -> Path:
    (dvc_repo / "catalogue" / "taxonomy.yaml").write_text(TAXONOMY)
    (dvc_repo / "catalogue" / "portal.yaml").write_text(PORTAL)
    return dvc_repo


def tree_hash(root: Path) -> str:
    """Every file of the working tree (but .git and DVC's scratch folder): paths and bytes."""
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".git" and not (d == "tmp" and folder.endswith(".dvc")))
        for name in sorted(names):
            path = Path(folder) / name
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture
def incoming(tmp_path) -> tuple[Path, Path, Path]:
    """A shared-drive folder, its sheet and its mapping: messy on purpose."""
    drive = tmp_path / "drive"
    beach = Image.effect_noise((64, 48), 50).convert("RGB")
    tagged_jpeg(drive / "beach.jpg", beach, xmp=xmp_packet(alt_text="Two people on a beach at sunset",
                                                            description="Golden hour on the beach."))
    shutil.copy(drive / "beach.jpg", drive / "copy-of-beach.jpg")  # a duplicate by content
    tagged_jpeg(drive / "family.jpg", Image.linear_gradient("L").convert("RGB"), exif={0x013B: "Jane Doe"})
    (drive / "sub").mkdir()
    Image.radial_gradient("L").convert("RGB").save(drive / "sub" / "sunset.png")
    Image.new("RGB", (9, 9), "purple").save(drive / "stray.jpg")  # no row names it
    (drive / ".DS_Store").write_bytes(b"junk")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING)
    return drive, sheet, mapping


def sidecar(repo: Path, relative: str) -> tuple[str, Asset]:
    text = (repo / relative).read_text()
    return text, Asset.model_validate(YAML(typ="safe").load(text))


def test_dry_run_reports_everything_and_writes_nothing(repo, incoming):
    drive, sheet, mapping = incoming
    before = tree_hash(repo)
    report = import_sheet(repo, sheet, drive, mapping=mapping, collection=COLLECTION, dry_run=True)
    assert tree_hash(repo) == before

    by_row = {r.row: r for r in report.rows}
    assert [r.row for r in report.clean] == [2]
    assert [r.row for r in report.to_import] == [2, 3, 6]
    assert by_row[3].path == "family.jpg"  # matched case-insensitively
    assert (by_row[4].status, by_row[5].status, by_row[7].status) == ("no-file", "duplicate", "same-file")
    assert "row 2 (beach.jpg) has the same content" in by_row[5].detail
    assert report.files_without_row == ["stray.jpg"]
    unknown = {(f, v): (n, rows, hint) for f, v, n, rows, hint, _ in report.unknown_values()}
    assert unknown[("tags", "Beach Party")] == (2, [3, 6], "did you mean 'beach'?")
    assert unknown[("channels", "Socail")] == (1, [3], "did you mean 'social'?")
    other = {(p.row, p.field): p.message for p in report.problems if p.field not in ("tags", "channels")}
    assert other == {(3, "rights.expires"): "not a date in the format %d/%m/%Y or %Y-%m-%d",
                     (6, "rights.expires"): "not a date in the format %d/%m/%Y or %Y-%m-%d"}
    assert by_row[2].embedded == {"description": "XMP dc:description", "alt": "XMP Iptc4xmpCore:AltTextAccessibility"}
    assert by_row[3].embedded == {"creator": "EXIF Artist"}
    assert report.failed  # a row has no file, two are duplicates

    from builder.importer import format_report
    text = format_report(report)
    assert "dry run: nothing was written" in text
    assert "tags 'Beach Party' x2 (rows 3, 6): did you mean 'beach'?" in text
    assert "row 4: missing.jpg: no file" in text
    assert "row 3: creator from EXIF Artist" in text


def test_import_writes_clean_drafts_then_a_second_run_changes_nothing(repo, incoming):
    drive, sheet, mapping = incoming
    report = import_sheet(repo, sheet, drive, mapping=mapping, collection=COLLECTION)
    assert [(r.row, r.asset_id, r.master) for r in report.to_import] == [
        (2, "beach", "summer-2026/beach.jpg"),
        (3, "family", "summer-2026/family.jpg"),
        (6, "sunset", "summer-2026/sunset.png"),
    ]
    text, beach = sidecar(repo, "catalogue/assets/summer-2026/beach.yaml")
    assert beach.title == "Beach at dusk"  # trimmed, spaces collapsed
    assert beach.tags == ("beach", "family")  # case-folded, synonym, de-duplicated
    assert beach.channels == ("social", "web")
    assert beach.campaign == "summer-sale-2026"
    assert str(beach.rights.expires) == "2027-05-01"
    assert beach.rights.territories == ("GB", "IE")
    assert beach.rights.credit == "(c) Acme"
    assert beach.owner == "brand-team"  # the mapping's default
    assert beach.alt == "Two people on a beach at sunset"
    assert "# from the master's embedded XMP Iptc4xmpCore:AltTextAccessibility" in text
    assert beach.status.value == "draft" and beach.technical.phash

    text, family = sidecar(repo, "catalogue/assets/summer-2026/family.yaml")
    assert family.tags == ("lifestyle",) and family.channels == ("web",)
    assert family.rights.expires is None and family.creator == "Jane Doe"
    assert "tags 'Beach Party': not in the tags vocabulary (did you mean 'beach'?)" in text  # kept, for review
    assert "rights.expires '31/02/2027': not a date" in text
    assert "Imported from sheet.csv row 3 (family.jpg)." in text

    assert (repo / "media" / "summer-2026" / "beach.jpg.dvc").is_file()
    loaded = load(repo, today=__import__("datetime").date(2026, 12, 4))
    assert not loaded.errors, [d.text() for d in loaded.errors]

    after_first = tree_hash(repo)
    again = import_sheet(repo, sheet, drive, mapping=mapping, collection=COLLECTION)
    assert tree_hash(repo) == after_first
    # the copy of beach.jpg (row 5) is now recognised by content as well
    assert [(r.row, r.asset_id) for r in again.already] == [(2, "beach"), (3, "family"), (5, "beach"), (6, "sunset")]
    assert not again.to_import


def test_rows_need_a_collection_and_bad_defaults_stop_early(repo, incoming):
    drive, sheet, mapping = incoming
    report = import_sheet(repo, sheet, drive, mapping=mapping, dry_run=True)
    assert {r.status for r in report.rows if r.row in (2, 3)} == {"no-collection"}
    with pytest.raises(ImportSetupError, match="--collection: collection 'winter': not in the collections"):
        import_sheet(repo, sheet, drive, mapping=mapping, collection="winter", dry_run=True)


def test_mapping_errors_are_clear(tmp_path, repo, incoming):
    drive, sheet, _ = incoming
    bad = tmp_path / "bad.yaml"
    bad.write_text("file: File Name\ncolums: {}\ncolumns:\n  tittle: Title\n  tags: {column: Keywords, split: ''}\n")
    with pytest.raises(ImportSetupError) as caught:
        load_mapping(bad)
    message = caught.value.message
    assert "colums: unknown key (did you mean 'columns'?)" in message
    assert "columns: 'tittle' is not a field a sheet can feed (did you mean 'title'?)" in message
    assert "columns.tags.split" in message
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("file: Filename\ncolumns: {title: Titel}\n")
    with pytest.raises(ImportSetupError, match=r"no column 'Filename'.*did you mean 'File Name'"):
        import_sheet(repo, sheet, drive, mapping=wrong, collection=COLLECTION, dry_run=True)


def test_xlsx_without_a_mapping_file(repo, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    drive = tmp_path / "drive"
    drive.mkdir()
    Image.effect_noise((32, 32), 30).convert("RGB").save(drive / "Hero.JPG")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Filename", "Title", "Keywords", "Expires", "Notes"])
    sheet.append(["hero.jpg", "Hero shot", "Beach, Sunset", dt.datetime(2027, 3, 1), "ask Bo"])
    book.save(tmp_path / "sheet.xlsx")
    report = import_sheet(repo, tmp_path / "sheet.xlsx", drive, collection=COLLECTION)
    [row] = report.to_import
    assert not row.problems
    assert report.unused_columns == ["Notes"]  # reported, never dropped silently
    _, hero = sidecar(repo, "catalogue/assets/summer-2026/hero.yaml")
    assert hero.tags == ("beach", "sunset") and str(hero.rights.expires) == "2027-03-01"


def test_same_file_names_in_sub_folders_are_renamed_not_refused(repo, tmp_path):
    drive = tmp_path / "drive"
    for number, folder in enumerate(("a", "b")):
        (drive / folder).mkdir(parents=True)
        Image.new("RGB", (8, 8), (number * 200, 10, 10)).save(drive / folder / "IMG_0001.jpg")
    (tmp_path / "s.csv").write_text("file,title\na/IMG_0001.jpg,One\nb/IMG_0001.jpg,Two\n")
    report = import_sheet(repo, tmp_path / "s.csv", drive, collection=COLLECTION)
    assert [r.master for r in report.to_import] == ["summer-2026/img-0001.jpg", "summer-2026/img-0001-2.jpg"]
    assert len({r.asset_id for r in report.to_import}) == 2


def test_folders_never_hold_more_than_the_limit(repo, tmp_path):
    drive = tmp_path / "drive"
    drive.mkdir()
    for number in range(14):
        Image.new("RGB", (4, 4), (number * 15, 0, 0)).save(drive / f"f{number:02d}.png")
    (tmp_path / "s.csv").write_text("file\n" + "".join(f"f{n:02d}.png\n" for n in range(9)))
    import_sheet(repo, tmp_path / "s.csv", drive, collection=COLLECTION, folder_limit=10)
    add_masters(repo, [drive / f"f{n:02d}.png" for n in range(9, 14)], COLLECTION,
                progress=silent_progress, folder_limit=10)
    for base in (repo / "media", repo / "catalogue" / "assets"):
        for folder, dirs, names in os.walk(base):
            assert len(dirs) + len(names) <= 10, folder
    parts = sorted(p.name for p in (repo / "media" / COLLECTION).iterdir() if p.is_dir())
    assert parts == ["part-001", "part-002", "part-003"]
    # the master and its sidecar share the folder; the catalogue still validates
    assert (repo / "catalogue/assets/summer-2026/part-001").is_dir()
    loaded = load(repo)
    assert not loaded.errors, [d.text() for d in loaded.errors]
    assert len(loaded.catalogue.assets) == 14


def cli_group() -> click.Group:
    @click.group()
    @click.option("--root", type=click.Path(path_type=Path), default=".")
    @click.pass_context
    def dam(ctx, root):
        ctx.obj = {"root": Path(root)}

    dam.add_command(import_command)
    dam.add_command(dupes_command)
    return dam


def test_cli_import_json_and_exit_status(repo, incoming):
    drive, sheet, mapping = incoming
    runner = CliRunner()
    args = ["--root", str(repo), "import", str(sheet), "--media", str(drive), "--mapping", str(mapping),
            "-c", COLLECTION]
    result = runner.invoke(cli_group(), args + ["--dry-run", "--format", "json"])
    assert result.exit_code == 1, result.output  # rows that cannot be imported fail the run
    data = json.loads(result.stdout)
    assert data["summary"] == {"rows": 6, "clean": 1, "with_problems": 2, "already_imported": 0,
                               "not_imported": 3, "files_without_row": 1}
    clean = runner.invoke(cli_group(), ["--root", str(repo), "import", str(sheet), "--media", str(drive),
                                        "--mapping", str(mapping), "-c", "nowhere"])
    assert clean.exit_code == 1 and "Error: the defaults are not valid" in clean.output
    assert "Traceback" not in clean.output


def test_add_drafts_take_embedded_free_text(repo, tmp_path):
    path = tagged_jpeg(tmp_path / "harbour.jpg", xmp=xmp_packet(title="Harbour at noon", credit="Acme"),
                       exif={0x013B: "Bo Lind"})
    [asset] = add_masters(repo, [path], COLLECTION, progress=silent_progress)
    text, loaded = sidecar(repo, asset.sidecar.relative_to(repo).as_posix())
    assert (loaded.title, loaded.creator, loaded.rights.credit) == ("Harbour at noon", "Bo Lind", "Acme")
    assert re.search(r"\ntitle: Harbour at noon +# from the master's embedded XMP dc:title\n", text)


def test_a_sheet_that_cannot_be_read(repo, tmp_path):
    (tmp_path / "drive").mkdir()
    (tmp_path / "latin.csv").write_bytes("file,title\nx.jpg,Caf\xe9\n".encode("cp1252"))
    with pytest.raises(IngestError, match="not utf-8-sig text.*`encoding:` in the mapping, e.g. cp1252"):
        import_sheet(repo, tmp_path / "latin.csv", tmp_path / "drive", collection=COLLECTION, dry_run=True)
    (tmp_path / "nofile.csv").write_text("name,title\nx.jpg,X\n")
    with pytest.raises(IngestError, match="no column names the files"):
        import_sheet(repo, tmp_path / "nofile.csv", tmp_path / "drive", collection=COLLECTION, dry_run=True)
    assert Mapping(file="f").column("tags").split is None

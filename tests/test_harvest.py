"""Embedded metadata: IPTC-IIM, XMP and EXIF written into real JPEGs, read back by harvest."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image

from builder.harvest import harvest, parse_xmp

XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    {attributes}>
   {elements}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def alt(prop: str, text: str) -> str:
    return (f'<{prop}><rdf:Alt><rdf:li xml:lang="de">nicht das</rdf:li>'
            f'<rdf:li xml:lang="x-default">{text}</rdf:li></rdf:Alt></{prop}>')


def bag(prop: str, items: list[str], kind: str = "Bag") -> str:
    lis = "".join(f"<rdf:li>{item}</rdf:li>" for item in items)
    return f"<{prop}><rdf:{kind}>{lis}</rdf:{kind}></{prop}>"


def xmp_packet(title=None, description=None, alt_text=None, keywords=(), creator=None, credit=None,
               rights=None) -> bytes:
    elements = []
    if title:
        elements.append(alt("dc:title", title))
    if description:
        elements.append(alt("dc:description", description))
    if alt_text:
        elements.append(alt("Iptc4xmpCore:AltTextAccessibility", alt_text))
    if keywords:
        elements.append(bag("dc:subject", list(keywords)))
    if creator:
        elements.append(bag("dc:creator", [creator], "Seq"))
    if rights:
        elements.append(alt("dc:rights", rights))
    attributes = f'photoshop:Credit="{credit}"' if credit else ""
    return XMP_TEMPLATE.format(attributes=attributes, elements="\n   ".join(elements)).encode("utf-8")


def iptc_segment(datasets: list[tuple[int, int, str]], utf8: bool = True) -> bytes:
    """An APP13 'Photoshop 3.0' segment holding an IPTC-IIM block (8BIM resource 0x0404)."""
    iim = b""
    if utf8:
        iim += b"\x1c\x01\x5a" + struct.pack(">H", 3) + b"\x1b%G"
    for record, dataset, text in datasets:
        data = text.encode("utf-8" if utf8 else "latin-1")
        iim += bytes([0x1C, record, dataset]) + struct.pack(">H", len(data)) + data
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    if len(iim) % 2:
        resource += b"\x00"
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def tagged_jpeg(path: Path, image: Image.Image | None = None, *, xmp: bytes | None = None,
                iptc: list[tuple[int, int, str]] | None = None, exif: dict[int, object] | None = None) -> Path:
    """A real JPEG carrying the given XMP packet, IPTC datasets and EXIF tags."""
    image = image or Image.effect_noise((64, 48), 40).convert("RGB")
    kwargs = {}
    if xmp:
        kwargs["xmp"] = xmp
    if exif:
        tags = Image.Exif()
        for tag, value in exif.items():
            tags[tag] = value
        kwargs["exif"] = tags
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90, **kwargs)
    if iptc:
        data = path.read_bytes()
        path.write_bytes(data[:2] + iptc_segment(iptc) + data[2:])  # right after SOI
    return path


def test_xmp_fields_and_where_they_came_from(tmp_path):
    packet = xmp_packet(title="Beach at dusk", description="Two people on a beach.",
                        alt_text="Two people walking along a beach at sunset", keywords=["Beach", "Sunset"],
                        creator="Jane Doe", credit="Acme Studio", rights="(c) Acme 2026")
    found = harvest(tagged_jpeg(tmp_path / "a.jpg", xmp=packet))
    assert found.title == "Beach at dusk"  # x-default wins over the German alternative
    assert found.description == "Two people on a beach."
    assert found.alt == "Two people walking along a beach at sunset"
    assert found.keywords == ("Beach", "Sunset")
    assert (found.creator, found.credit, found.copyright) == ("Jane Doe", "Acme Studio", "(c) Acme 2026")
    assert found.origin["alt"] == "XMP Iptc4xmpCore:AltTextAccessibility"
    assert found.origin["credit"] == "XMP photoshop:Credit"  # the attribute shorthand


def test_iptc_fields(tmp_path):
    datasets = [(2, 5, "Fjord morning"), (2, 120, "Mist over the fjord."), (2, 25, "fjord"), (2, 25, "Mist"),
                (2, 80, "Åsa Berg"), (2, 110, "Northwind"), (2, 116, "© Northwind 2025"), (2, 115, "Studio")]
    found = harvest(tagged_jpeg(tmp_path / "b.jpg", iptc=datasets))
    assert found.title == "Fjord morning"
    assert found.description == "Mist over the fjord."
    assert found.keywords == ("fjord", "Mist")
    assert found.creator == "Åsa Berg"
    assert (found.credit, found.copyright, found.source) == ("Northwind", "© Northwind 2025", "Studio")
    assert found.origin["title"] == "IPTC 2:05 Object Name"


def test_exif_fields_including_windows_keywords(tmp_path):
    exif = {0x010E: "Harbour at noon", 0x013B: "Bo Lind", 0x8298: "(c) Bo Lind",
            0x9C9E: "harbour;boats".encode("utf-16-le") + b"\x00\x00"}
    found = harvest(tagged_jpeg(tmp_path / "c.jpg", exif=exif))
    assert found.description == "Harbour at noon"
    assert found.creator == "Bo Lind"
    assert found.copyright == "(c) Bo Lind"
    assert found.keywords == ("harbour", "boats")
    assert found.origin == {"description": "EXIF ImageDescription", "creator": "EXIF Artist",
                            "copyright": "EXIF Copyright", "keywords": "EXIF XPKeywords"}


def test_xmp_wins_over_iptc_and_exif(tmp_path):
    path = tagged_jpeg(tmp_path / "d.jpg", xmp=xmp_packet(title="From XMP"), iptc=[(2, 5, "From IPTC"), (2, 80, "IPTC Creator")],
                       exif={0x013B: "EXIF Artist", 0x010E: "EXIF description"})
    found = harvest(path)
    assert found.title == "From XMP"
    assert found.creator == "IPTC Creator"
    assert found.description == "EXIF description"


def test_nothing_embedded_and_not_an_image(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "plain.png")
    assert not harvest(tmp_path / "plain.png")
    (tmp_path / "notes.txt").write_text("hello")
    assert not harvest(tmp_path / "notes.txt")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol2;</x:xmpmeta>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">&secret;</x:xmpmeta>"""


@pytest.mark.parametrize("packet", [BOMB, XXE, BOMB.decode().encode("utf-16-le")])
def test_entity_attacks_are_refused(packet):
    with pytest.raises(ValueError, match="DTD"):
        parse_xmp(packet)


def test_hostile_xmp_in_a_master_is_reported_not_fatal(tmp_path):
    path = tagged_jpeg(tmp_path / "evil.jpg", xmp=XXE, exif={0x013B: "Still read"})
    found = harvest(path)
    assert found.creator == "Still read"  # the other sources are still used
    assert found.problems and "DTD" in found.problems[0]
    garbled = tagged_jpeg(tmp_path / "garbled.jpg", xmp=b"<x:xmpmeta><unclosed>")
    assert harvest(garbled).problems

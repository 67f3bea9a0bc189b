"""XMP sidecars (x.jpg.xmp, x.xmp): keywords become user labels found by `q` and `label`, title, description,
rating and GPS; hostile or broken XMP is named and the photo imported without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cloudalbum.entrypoints.api.search_params import parse_search_params
from cloudalbum.services.search import SearchService
from cloudalbum.services.sidecars import SidecarError, parse_xmp, xmp_coordinate
from moving.conftest import by_name, run_import
from support import make_jpeg

XMP = b"""<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/" xmp:Rating="4"
    exif:GPSLatitude="48,51.5040N" exif:GPSLongitude="2,17.6700E">
   <dc:subject><rdf:Bag><rdf:li>Lighthouse</rdf:li><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Evening light</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">From the pier</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""

XMP_ELEMENTS = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/">
<xmp:Rating>2</xmp:Rating><exif:GPSLatitude>33,51,24.5S</exif:GPSLatitude>
<exif:GPSLongitude>151,12,55W</exif:GPSLongitude></rdf:Description></rdf:RDF></x:xmpmeta>"""

BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol2;</x:xmpmeta>"""


def test_parse_attributes_and_elements() -> None:
    meta = parse_xmp(XMP)
    assert meta.labels == ["Lighthouse", "holiday"] and meta.title == "Evening light"
    assert meta.description == "From the pier" and meta.rating == 4
    assert meta.lat == pytest.approx(48.8584) and meta.lon == pytest.approx(2.2945)
    other = parse_xmp(XMP_ELEMENTS)
    assert other.rating == 2
    assert other.lat == pytest.approx(-(33 + 51 / 60 + 24.5 / 3600))
    assert other.lon == pytest.approx(-(151 + 12 / 60 + 55 / 3600))


@pytest.mark.parametrize("value, refs, expected", [("48,51.5040N", "NS", 48.8584), ("2,17.67W", "EW", -2.2945),
                                                   ("10N", "NS", 10.0), ("48,51.5E", "NS", None), ("x", "NS", None),
                                                   (None, "NS", None)])
def test_xmp_coordinates(value: Any, refs: str, expected: Any) -> None:
    got = xmp_coordinate(value, refs)
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("data", [BOMB, b"<x:xmpmeta", b"not xml at all"])
def test_hostile_or_broken_xmp_is_refused(data: bytes) -> None:
    with pytest.raises(SidecarError):
        parse_xmp(data)


def test_xmp_import_both_names_and_search(container: Any, owner: Any, tmp_path: Path) -> None:
    folder = tmp_path / "lightroom"
    folder.mkdir()
    (folder / "pier.jpg").write_bytes(make_jpeg(color=(20, 40, 200)))
    (folder / "pier.jpg.xmp").write_bytes(XMP)
    (folder / "south.jpg").write_bytes(make_jpeg(color=(200, 40, 20)))
    (folder / "south.XMP").write_bytes(XMP_ELEMENTS)
    (folder / "bad.jpg").write_bytes(make_jpeg(color=(40, 200, 20)))
    (folder / "bad.xmp").write_bytes(BOMB)
    report = run_import(container, owner.id, folder)
    photos = by_name(container, owner.id)
    pier = photos["pier.jpg"]
    assert (pier.title, pier.description, pier.rating) == ("Evening light", "From the pier", 4)
    assert {(lbl.name, lbl.source) for lbl in pier.labels} == {("lighthouse", "user"), ("holiday", "user")}
    assert pier.location.lat == pytest.approx(48.8584) and pier.location.source == "user"
    assert {"title", "description", "location"} <= set(pier.user_fields)
    assert photos["south.jpg"].rating == 2 and photos["south.jpg"].location.lat < 0
    assert photos["bad.jpg"].rating is None
    assert [w for w, _ in report.failed] == ["lightroom:bad.xmp"]
    search = SearchService(container.store.index, container.store.faces)
    for params in ({"q": "lighthouse"}, {"label": ["lighthouse"]}):
        hits = search.search(owner.id, parse_search_params(params)).items
        assert [h.photo.id for h in hits] == [pier.id], params


def test_sidecar_values_are_held_to_the_limits_of_patch() -> None:
    from cloudalbum.services.metadata import UserMetadata

    dirty = UserMetadata(title="t" * 900, description=" d\x00 ", taken_at="yesterday", lat=91.0, lon=2.0,
                         labels=["ok", "", "x" * 300] + [f"k{i}" for i in range(300)], rating=9, people=[" Ann "])
    clean = dirty.cleaned()
    assert len(clean.title) == 500 and clean.description == "d" and clean.taken_at is None
    assert clean.lat is None and clean.lon is None  # a location out of range is no location
    assert clean.labels[:2] == ["ok", "x" * 100] and len(clean.labels) == 200
    assert clean.rating is None and clean.people == ["Ann"]
    assert UserMetadata(lat=float("nan"), lon=1.0).cleaned().has_location() is False
    assert UserMetadata(taken_at="2019-06-08T13:19:59+00:00").cleaned().taken_at == "2019-06-08T13:19:59+00:00"

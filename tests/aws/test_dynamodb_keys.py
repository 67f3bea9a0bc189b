"""The pure parts of the DynamoDB design: geohash, box covers, index entries, cursors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudalbum.adapters import dynamodb_keys as K
from cloudalbum.domain.errors import Invalid
from cloudalbum.domain.model import Label, Location, Photo, Place
from cloudalbum.domain.search import BBox


def test_geohash_known_values() -> None:
    assert K.geohash(57.64911, 10.40744, 11) == "u4pruydqqvj"  # the reference example of geohash.org
    assert K.geohash(-25.382708, -49.265506, 5) == "6gkzw"


lat = st.floats(-89.9, 89.9, allow_nan=False)
lon = st.floats(-179.9, 179.9, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(lat, lon, st.floats(0.001, 20), st.floats(0.001, 40), st.floats(0, 1), st.floats(0, 1))
def test_cover_contains_every_point_of_the_box(lat0: float, lon0: float, dlat: float, dlon: float,
                                               fy: float, fx: float) -> None:
    box = BBox(lon0, lat0, min(179.99, lon0 + dlon), min(89.99, lat0 + dlat))
    cells = K.best_cover(box)
    point = (box.min_lat + fy * (box.max_lat - box.min_lat), box.min_lon + fx * (box.max_lon - box.min_lon))
    if cells is None:
        return  # too big: the LOC list is used
    assert len(cells) <= K.MAX_GEO_CELLS
    assert K.geohash(point[0], point[1], len(cells[0])) in cells


def test_cover_across_the_antimeridian() -> None:
    box = BBox(179.5, -18.0, -179.5, -17.0)  # min_lon > max_lon
    cells = K.best_cover(box)
    assert cells is not None
    for la, lo in ((-17.5, 179.8), (-17.5, -179.8)):
        assert K.geohash(la, lo, len(cells[0])) in cells


def test_index_entries_of_a_photo() -> None:
    photo = Photo(id="p1", owner_id="u1", filename="a.jpg", content_type="image/jpeg", bytes=1, original_key="k",
                  uploaded_at="2024-01-01T00:00:00+00:00", taken_at="2020-05-01T10:00:00", title="Dogs at play",
                  labels=[Label("dog", 0.9), Label("cat", 0.6)], rejected_labels=["cat"], categories=["Animals"],
                  location=Location(48.85, 2.29, place=Place("Paris", "Île-de-France", "France", "FR")))
    entries = K.index_entries(photo, ["a1"])
    pks = {K.split_entry(e)[0] for e in entries}
    assert {"IX#u1#L#dog", "IX#u1#C#animals", "IX#u1#P#paris", "IX#u1#P#ile-de-france", "IX#u1#P#fr",
            "IX#u1#T#dog", "IX#u1#T#pla", "IX#u1#A#a1", "IX#u1#LOC#all"} <= pks
    assert "IX#u1#L#cat" not in pks  # rejected labels are not indexed
    assert sum(pk.startswith("IX#u1#G#") for pk in pks) == len(K.GEO_PRECISIONS)
    assert {K.split_entry(e)[1] for e in entries} == {"2020-05-01T10:00:00#p1"}
    assert entries["IX#u1#L#dog|2020-05-01T10:00:00#p1"] == {"conf": 0.9}


@pytest.mark.parametrize("cursor", ["", "not a cursor!", "e30", "W10", "bm9wZQ", "%%%", K.encode_cursor(12)])
def test_bad_cursors_are_invalid(cursor: str) -> None:
    with pytest.raises(Invalid):
        K.decode_position(cursor)


def test_cursor_round_trip() -> None:
    assert K.decode_position(K.encode_cursor("2020-05-01T10:00:00#p1")) == "2020-05-01T10:00:00#p1"

"""The pure search rule and the query-string parser (no I/O)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudalbum.domain.errors import Invalid
from cloudalbum.domain.search import BBox, Near, SearchQuery, haversine_km, label_key, match_reasons, stem, words
from cloudalbum.entrypoints.api.search_params import parse_search_params

from .conftest import AREZZO, FIJI, make_photo


@pytest.mark.parametrize("a, b", [("dogs", "dog"), ("horses", "horse"), ("buses", "bus"), ("glasses", "glass"),
                                  ("puppies", "puppy"), ("Zürich", "zurich"), ("DOG", "dog")])
def test_plurals_case_and_accents_compare_equal(a, b):
    assert stem(a) == stem(b)


def test_label_keys():
    assert label_key("Traffic Lights") == label_key("traffic light")
    assert words("Île-de-France, 2008") == ["ile", "de", "franc", "2008"]


def test_every_parameter_must_hold():
    photo = make_photo("p", taken="2008-10-22T16:28:39", labels={"car": 0.8, "person": 0.3}, at=AREZZO,
                       place=("Arezzo", "Tuscany", "Italy", "IT"), camera=("NIKON", "COOLPIX P6000"))
    assert match_reasons(photo, SearchQuery()) == []
    assert match_reasons(photo, SearchQuery(labels=("cars",), place="it")) == ["label car 0.80", "place IT"]
    assert match_reasons(photo, SearchQuery(labels=("car",), place="FR")) is None
    assert match_reasons(photo, SearchQuery(labels=("person",), min_confidence=0.5)) is None
    assert match_reasons(photo, SearchQuery(q="cars tuscany")) == ["text 'cars tuscany' in labels, place"]
    assert match_reasons(photo, SearchQuery(q="!!!")) == []  # no words: asks for nothing
    assert match_reasons(photo, SearchQuery(camera="coolpix")) == ["camera NIKON COOLPIX P6000"]
    assert match_reasons(photo, SearchQuery(date_from="2008-10-23")) is None
    assert match_reasons(photo, SearchQuery(album_id="a1")) is None
    photo.albums = ["a1"]
    assert match_reasons(photo, SearchQuery(album_id="a1"), album_name="Trip") == ["album Trip"]
    photo.rejected_labels = ["car"]
    assert match_reasons(photo, SearchQuery(labels=("car",))) is None
    assert match_reasons(photo, SearchQuery(q="car")) is None


def test_bbox_across_the_antimeridian_and_near():
    fiji = make_photo("f", at=FIJI)
    assert match_reasons(fiji, SearchQuery(bbox=BBox(170, -30, -170, 0))) == ["within bbox"]
    assert match_reasons(fiji, SearchQuery(bbox=BBox(-170, -30, 170, 0))) is None
    reasons = match_reasons(fiji, SearchQuery(near=Near(FIJI[0], FIJI[1] + 0.01, 5)))
    assert reasons and reasons[0].startswith("near 1.")
    box = Near(0.0, 179.99, 50).bbox()
    assert box.min_lon > box.max_lon  # the prefilter box wraps too
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=1)


def test_parser_reads_the_api_parameters():
    q = parse_search_params({"q": " dogs ", "label": ["dog", "cat", "dog"], "min_confidence": "0.5",
                             "from": "2008-10-22", "to": "2008-10-23", "bbox": "-6,49.5,2,56",
                             "near": "43.4675,11.8835", "radius_km": "2", "status": "done"})
    assert q.labels == ("dog", "cat") and q.min_confidence == 0.5 and q.q == "dogs"
    assert q.bbox == BBox(-6, 49.5, 2, 56) and q.near == Near(43.4675, 11.8835, 2)
    assert parse_search_params({}) == SearchQuery()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["q", "label", "min_confidence", "from", "to", "bbox", "near", "radius_km",
                                        "status", "place", "camera"]), st.text(max_size=30)))
def test_parser_never_fails_with_anything_but_invalid(params):
    try:
        query = parse_search_params(params)
    except Invalid as exc:
        assert exc.status == 422 and exc.message
        return
    assert 0 <= query.min_confidence <= 1
    photo = make_photo("p", labels={"dog": 0.9}, at=AREZZO, place=("Arezzo", "Tuscany", "Italy", "IT"))
    match_reasons(photo, query)  # never raises

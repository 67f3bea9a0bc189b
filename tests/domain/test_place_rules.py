"""The pure rules of inferred places (domain.places): roles, the estimate, what it changes, suggestions."""

from __future__ import annotations

import pytest

from cloudalbum.domain import places as P
from cloudalbum.domain.model import Location, Photo, Place, Question, Source
from cloudalbum.domain.search import haversine_km

AREZZO = (43.4632, 11.8796)
AREZZO_EAST = (43.4650, 11.8830)


def fix(pid: str, minutes: float, at: tuple[float, float]) -> P.Fix:
    return P.Fix(pid, minutes * 60, *at)


def photo(**kw: object) -> Photo:
    base: dict[str, object] = {"id": "p", "owner_id": "u", "filename": "a.jpg", "content_type": "image/jpeg",
                               "bytes": 1, "original_key": "k", "uploaded_at": "2026-01-01T00:00:00+00:00",
                               "taken_at": "2013-04-10T10:05:00", "status": "done"}
    return Photo(**{**base, **kw})  # type: ignore[arg-type]


def test_between_two_close_anchors_it_is_sure_and_on_the_line() -> None:
    est = P.estimate(5 * 60, fix("a", 0, AREZZO), fix("b", 10, AREZZO_EAST))
    assert est is not None and est.sure and est.anchors == ("a", "b")
    assert est.lat == pytest.approx((AREZZO[0] + AREZZO_EAST[0]) / 2, abs=1e-6)
    assert est.lon == pytest.approx((AREZZO[1] + AREZZO_EAST[1]) / 2, abs=1e-6)
    assert "5 minutes before and 5 minutes after" in est.reason and "m apart" in est.reason


def test_interpolation_follows_the_time() -> None:
    est = P.estimate(15 * 60, fix("a", 0, (43.0, 11.0)), fix("b", 60, (43.4, 11.4)))
    assert est is not None
    assert (est.lat, est.lon) == (pytest.approx(43.1), pytest.approx(11.1))


def test_confidence_falls_with_the_gap_and_the_distance() -> None:
    near = P.estimate(5 * 60, fix("a", 0, AREZZO), fix("b", 10, AREZZO_EAST))
    later = P.estimate(45 * 60, fix("a", 0, AREZZO), fix("b", 90, AREZZO_EAST))
    farther = P.estimate(20 * 60, fix("a", 0, AREZZO), fix("b", 40, (43.576, 11.871)))
    assert near and later and farther
    assert near.confidence > later.confidence and near.confidence > farther.confidence
    assert not farther.sure and farther.confidence >= P.SUGGEST_AT


def test_nothing_outside_the_window_or_at_an_implausible_speed() -> None:
    assert P.estimate(0, fix("a", -130, AREZZO), fix("b", 30, AREZZO_EAST)) is None
    rome, paris = (41.9, 12.5), (48.86, 2.35)
    assert haversine_km(*rome, *paris) > 1000
    assert P.estimate(30 * 60, fix("a", 0, rome), fix("b", 110, paris)) is None  # a flight: 600 km/h
    assert P.estimate(0, None, None) is None


def test_one_anchor_close_in_time_is_a_suggestion_only() -> None:
    est = P.estimate(5 * 60, fix("a", 0, AREZZO), None)
    assert est is not None and not est.sure and est.confidence >= P.SUGGEST_AT
    assert (est.lat, est.lon) == AREZZO and "5 minutes before" in est.reason
    assert P.estimate(0, None, fix("b", 30, AREZZO)) is None  # too far in time for one anchor


def test_across_the_antimeridian_the_short_way() -> None:
    est = P.estimate(30 * 60, fix("a", 0, (-17.0, 179.9)), fix("b", 60, (-17.0, -179.9)))
    assert est is not None and abs(abs(est.lon) - 180) < 1e-6


def test_roles() -> None:
    assert P.place_role(photo()) == P.OPEN
    assert P.place_role(photo(status="uploaded")) is None  # not processed yet
    assert P.place_role(photo(taken_at=None)) is None
    assert P.place_role(photo(location=Location(1, 2))) == P.ANCHOR  # exif
    assert P.place_role(photo(location=Location(1, 2, source=Source.TRACK.value))) == P.ANCHOR
    assert P.place_role(photo(location=Location(1, 2, source="inferred"))) == P.OPEN
    assert P.place_role(photo(location=Location(1, 2, source="inferred"), user_fields=["location"])) == P.ANCHOR
    assert P.place_role(photo(user_fields=["location"])) is None  # the user cleared it
    assert P.place_role(photo(trashed_at="2026-01-02T00:00:00+00:00")) is None


def test_an_inferred_place_never_replaces_a_measured_or_a_users() -> None:
    est = P.estimate(5 * 60, fix("a", 0, AREZZO), fix("b", 10, AREZZO_EAST))
    assert est is not None
    for kept in (photo(location=Location(1, 2)), photo(location=Location(1, 2, source="user"), user_fields=["location"]),
                 photo(user_fields=["location"])):
        before = kept.location
        assert not P.apply_inferred(kept, est, None) and kept.location == before
    p = photo()
    assert P.apply_inferred(p, est, Place(city="Arezzo"))
    assert p.location is not None and p.location.source == "inferred" and p.location.confidence == est.confidence
    assert not P.apply_inferred(p, est, Place(city="Arezzo"))  # the same again: nothing to write


def question(**kw: object) -> Question:
    base: dict[str, object] = {"id": "q", "owner_id": "u", "photo_id": "p", "kind": "location",
                               "text": "Where was this taken?", "reason": "r", "created_at": "2026-01-01"}
    return Question(**{**base, **kw})  # type: ignore[arg-type]


def test_a_suggestion_on_the_question_and_declining_it() -> None:
    est = P.estimate(20 * 60, fix("a", 0, AREZZO), fix("b", 40, (43.576, 11.871)))
    assert est is not None and not est.sure
    q = P.suggest(question(), est, Place(city="Arezzo", country_code="IT"))
    assert q is not None and q.text == "Taken in Arezzo?" and q.choices == ["yes", "no"]
    assert q.suggestion is not None and q.suggestion.confidence == est.confidence
    assert P.suggest(q, est, Place(city="Arezzo", country_code="IT")) is None  # unchanged
    declined = P.decline(q)
    assert (declined.suggestion, declined.choices, declined.text) == (None, None, "Where was this taken?")
    assert P.suggest(declined, est, Place(city="Arezzo")) is None
    assert P.suggest(question(status="answered"), est, None) is None
    loc = P.accepted_location(q.suggestion)
    assert (loc.source, loc.lat, loc.place) == ("user", est.lat, Place(city="Arezzo", country_code="IT"))

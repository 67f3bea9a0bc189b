"""Trips from an owner's photos (domain.trips), without a store: a made-up life at home in Bologna with
journeys away, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cloudalbum.domain.trips import Found, Point, Trip, find_trips, months_label, reconcile, title_of

BOLOGNA = (44.4949, 11.3426, "Bologna", "Emilia-Romagna", "Italy")
BOLOGNA_EAST = (44.5000, 11.4100, "San Lazzaro", "Emilia-Romagna", "Italy")  # 6 km: still home
FLORENCE = (43.7696, 11.2558, "Florence", "Tuscany", "Italy")  # ~80 km
SIENA = (43.3188, 11.3308, "Siena", "Tuscany", "Italy")
AREZZO = (43.4633, 11.8796, "Arezzo", "Tuscany", "Italy")
PARIS = (48.8566, 2.3522, "Paris", "Île-de-France", "France")
LYON = (45.7640, 4.8357, "Lyon", "Auvergne-Rhône-Alpes", "France")
MILAN = (45.4642, 9.1900, "Milan", "Lombardy", "Italy")  # ~200 km: the new home after a move

START = datetime(2013, 1, 1, 12, 0, tzinfo=UTC)
_seq = iter(range(1_000_000))


def photo(day: float, where: tuple[float, float, str, str, str] | None, *, hour: int = 12) -> Point:
    """A photo `day` days after START (fractions allowed) at `where` (None: no location)."""
    when = START + timedelta(days=day, hours=hour - 12)
    pid = f"p{next(_seq):06d}"
    taken = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if where is None:
        return Point(pid, when.timestamp(), taken)
    lat, lon, city, region, country = where
    return Point(pid, when.timestamp(), taken, lat, lon, city, region, country)


def at_home(first: int, last: int, where: tuple[float, float, str, str, str] = BOLOGNA) -> list[Point]:
    """A photo a day at home (alternating two spots of the same town)."""
    return [photo(d, where if d % 2 else BOLOGNA_EAST if where is BOLOGNA else where) for d in range(first, last)]


def weekend_away() -> list[Point]:
    return [*at_home(0, 100), photo(100.1, FLORENCE), photo(100.5, FLORENCE), photo(101.2, SIENA),
            *at_home(103, 200)]


def return_in_the_middle() -> list[Point]:
    # Tuscany days 100-103, home one night (day 104), Tuscany again days 105-106: one trip
    return [*at_home(0, 100), photo(100, FLORENCE), photo(101, SIENA), photo(103.3, SIENA), photo(104.0, BOLOGNA),
            photo(104.6, AREZZO), photo(106, AREZZO), *at_home(108, 200)]


def home_for_long() -> list[Point]:
    # the same, but a week at home in between: two trips
    return [*at_home(0, 100), photo(100, FLORENCE), photo(101, SIENA), *at_home(102, 110), photo(110, AREZZO),
            photo(111, AREZZO), *at_home(112, 200)]


def a_b_a() -> list[Point]:
    return [*at_home(0, 100), photo(100, PARIS), photo(101, PARIS), photo(102, LYON), photo(103, LYON),
            photo(104, PARIS), photo(105, PARIS), *at_home(106, 200)]


def moving_house() -> list[Point]:
    # Bologna every day for 150 days, then Milan every day: no trip, before or after; a weekend in Paris later
    return [*at_home(0, 150), *at_home(150, 300, MILAN), photo(300.2, PARIS), photo(301, PARIS),
            *at_home(303, 400, MILAN)]


def unlocated_inside() -> list[Point]:
    return [*at_home(0, 100), photo(100, FLORENCE), photo(100.3, None), photo(100.6, None), photo(101, SIENA),
            photo(100.8, None), photo(101.5, None), *at_home(103, 200)]


CASES = {
    # name: (points, [(title, place count, photo count)])
    "weekend away": (weekend_away, [("Tuscany, April 2013", 2, 3)]),
    "return home in the middle": (return_in_the_middle, [("Tuscany, April 2013", 3, 6)]),
    "a week home in between": (home_for_long, [("Tuscany, April 2013", 2, 2), ("Tuscany, April 2013", 1, 2)]),
    "A -> B -> A": (a_b_a, [("Île-de-France, April 2013", 2, 6)]),
    "a move of house": (moving_house, [("Île-de-France, October 2013", 1, 2)]),
    "photos without location inside": (unlocated_inside, [("Tuscany, April 2013", 2, 5)]),
    "home only": (lambda: at_home(0, 120), []),
    "nothing located": (lambda: [photo(d, None) for d in range(10)], []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_trips_found(name: str) -> None:
    make, expected = CASES[name]
    trips = find_trips(make())
    assert [(t.title, len(t.places), len(t.photo_ids)) for t in trips] == expected


def test_order_of_input_does_not_matter() -> None:
    points = return_in_the_middle()
    assert find_trips(list(reversed(points))) == find_trips(points)


def test_a_trip_has_its_places_and_times() -> None:
    points = return_in_the_middle()
    (trip,) = find_trips(points)
    assert trip.places[0] in ("Siena, Italy", "Arezzo, Italy")
    assert set(trip.places) == {"Florence, Italy", "Siena, Italy", "Arezzo, Italy"}
    assert trip.start.startswith("2013-04-11") and trip.end.startswith("2013-04-17")
    assert trip.cover_photo_id in trip.photo_ids
    # the night at home is inside the trip's time: it belongs to the trip too
    home_night = next(p for p in points if p.city == "Bologna" and p.instant > trip.start_s)
    assert home_night.photo_id in trip.photo_ids


def test_one_far_photo_is_not_a_trip() -> None:
    assert find_trips([*at_home(0, 100), photo(100, PARIS), *at_home(101, 200)]) == []


@pytest.mark.parametrize(("first", "last", "label"), [
    ("2013-04-02T10:00:00", "2013-04-09T10:00:00+02:00", "April 2013"),
    ("2013-04-28T10:00:00", "2013-05-02T10:00:00", "April – May 2013"),
    ("2013-12-30T10:00:00", "2014-01-02T10:00:00", "December 2013 – January 2014"),
    ("garbage", "2014-01-02", None),
])
def test_months_label(first: str, last: str, label: str | None) -> None:
    assert months_label(first, last) == label


def test_title_falls_back_to_countries_then_the_months() -> None:
    spread = [photo(0, PARIS), photo(1, LYON), photo(2, FLORENCE), photo(3, MILAN)]
    assert title_of(spread).startswith("Italy & France") or title_of(spread).startswith("France & Italy")
    assert title_of([photo(0, None)]) == "January 2013"


def _stored(trip_id: str, start_s: float, end_s: float, *, named: bool = False) -> Trip:
    return Trip(id=trip_id, owner_id="o", title="x", start="", end="", start_s=start_s, end_s=end_s, named=named)


def _found(start_s: float, end_s: float) -> Found:
    return Found(title="t", start="", end="", start_s=start_s, end_s=end_s, places=(), photo_ids=("a",),
                 cover_photo_id="a")


def test_reconcile_keeps_ids_by_the_largest_overlap() -> None:
    stored = [_stored("old1", 0, 100), _stored("old2", 200, 300)]
    found = [_found(50, 250), _found(260, 400), _found(500, 600)]
    pairs = reconcile(stored, found)
    assert [t.id if t else None for _, t in pairs] == ["old1", "old2", None]

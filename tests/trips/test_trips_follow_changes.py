"""Trips follow every way a photo's time or place changes, not only processing and a single PATCH: a batch that
places photos (and its undo), the trash (a photo that leaves and comes back) and a GPS track. Each sends its
months' recompute once, however many photos it changed (embedded shape, real worker path)."""

from __future__ import annotations

import io
from typing import Any

from support import drain

from .conftest import BOLOGNA, SIENA, upload

HOME_DAYS = ["2013:03:01", "2013:03:12", "2013:03:24", "2013:04:05", "2013:04:26", "2013:05:08"]
AWAY = ["2013:04:11 10:00:00", "2013:04:11 16:00:00", "2013:04:12 12:00:00"]  # no GPS: placed later


def trips_of(user: Any) -> list[dict[str, Any]]:
    r = user.request("GET", "/api/trips")
    assert r.status_code == 200, r.get_json()
    return list(r.get_json()["items"])


def library(user: Any) -> list[str]:
    """A life at home in Bologna with GPS, and three photos without GPS taken in April; all processed."""
    for day in HOME_DAYS:
        upload(user, f"{day} 19:00:00", BOLOGNA)
    return [upload(user, taken, None) for taken in AWAY]


def test_a_batch_place_makes_a_trip_and_its_undo_removes_it(container: Any, alice: Any) -> None:
    away = library(alice)
    drain(container)
    assert trips_of(alice) == []

    r = alice.request("POST", "/api/photos/batch",
                      json={"photo_ids": away, "set": {"location": {"lat": SIENA[0], "lon": SIENA[1]}}})
    assert r.status_code == 200, r.get_json()
    assert drain(container).count("recompute_trips") == 1  # three photos of one month: one job
    (trip,) = trips_of(alice)
    assert trip["photo_count"] == 3 and trip["places"] == ["Siena, Italy"]

    r = alice.request("POST", f"/api/batches/{r.get_json()['batch_id']}/undo")
    assert r.status_code == 200, r.get_json()
    assert drain(container).count("recompute_trips") == 1
    assert trips_of(alice) == []


def test_a_batch_time_shift_moves_a_trip_to_its_new_month(container: Any, alice: Any) -> None:
    away = library(alice)
    drain(container)
    alice.request("POST", "/api/photos/batch",
                  json={"photo_ids": away, "set": {"location": {"lat": SIENA[0], "lon": SIENA[1]}}})
    drain(container)
    assert trips_of(alice)[0]["start"].startswith("2013-04-11")

    r = alice.request("POST", "/api/photos/batch", json={"photo_ids": away, "shift_taken_at_s": 7 * 86400})
    assert r.status_code == 200, r.get_json()
    drain(container)
    (trip,) = trips_of(alice)
    assert trip["start"].startswith("2013-04-18") and trip["photo_count"] == 3


def test_the_trash_takes_a_photo_out_of_its_trip_and_a_restore_puts_it_back(container: Any, alice: Any) -> None:
    away = library(alice)
    drain(container)
    alice.request("POST", "/api/photos/batch",
                  json={"photo_ids": away, "set": {"location": {"lat": SIENA[0], "lon": SIENA[1]}}})
    drain(container)
    assert trips_of(alice)[0]["photo_count"] == 3

    assert alice.request("DELETE", f"/api/photos/{away[0]}").status_code == 204
    assert drain(container) == ["recompute_trips"]
    assert trips_of(alice)[0]["photo_count"] == 2

    r = alice.request("POST", f"/api/trash/{away[0]}/restore")
    assert r.status_code == 200, r.get_json()
    assert drain(container) == ["recompute_trips"]
    assert trips_of(alice)[0]["photo_count"] == 3


def test_a_gps_track_that_places_photos_makes_their_trip(container: Any, alice: Any) -> None:
    library(alice)
    drain(container)
    # a day's walk in Siena, a point a minute, in UTC: the photos' naive times are read in the account's zone
    assert alice.request("PATCH", "/api/me/settings", json={"timezone": "Europe/Rome"}).status_code == 200
    points = "".join(f'<trkpt lat="{SIENA[0] + m * 1e-5}" lon="{SIENA[1]}"><time>2013-04-{day}T{h:02d}:{m:02d}:00Z'
                     "</time></trkpt>" for day, hours in (("11", range(7, 16)), ("12", range(9, 12)))
                     for h in hours for m in range(0, 60, 1))
    gpx = ('<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test" '
           f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}</trkseg></trk></gpx>').encode()
    r = alice.request("POST", "/api/tracks", data={"file": (io.BytesIO(gpx), "walk.gpx")},
                      content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["photos_located"] == 3
    assert drain(container).count("recompute_trips") == 1
    (trip,) = trips_of(alice)
    assert trip["photo_count"] == 3 and trip["places"] == ["Siena, Italy"]


def test_a_place_answered_makes_a_trip_and_a_permanent_delete_shrinks_it(container: Any, alice: Any) -> None:
    away = library(alice)
    drain(container)
    questions = alice.request("GET", "/api/questions?limit=200").get_json()["items"]
    asks = [q for q in questions if q["kind"] == "location" and q["photo_id"] in away]
    assert asks, questions
    r = alice.request("POST", f"/api/questions/{asks[0]['id']}/answer", json={"answer": "Siena, Italy"})
    assert r.status_code == 200, r.get_json()
    placed = [p["id"] for p in r.get_json()["photos"]]
    for q in asks[1:]:  # the answer may have covered the run already; answer what is left
        if q["photo_id"] not in placed:
            assert alice.request("POST", f"/api/questions/{q['id']}/answer",
                                 json={"answer": "Siena, Italy"}).status_code == 200
    assert drain(container).count("recompute_trips") == 1
    (trip,) = trips_of(alice)
    assert trip["photo_count"] == 3 and trip["places"] == ["Siena, Italy"]

    assert alice.request("DELETE", f"/api/photos/{away[0]}?permanent=true").status_code == 204
    assert drain(container) == ["recompute_trips"]
    assert trips_of(alice)[0]["photo_count"] == 2

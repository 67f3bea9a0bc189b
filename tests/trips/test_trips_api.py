"""Trips over the API (embedded shape): a life at home in Bologna and a trip to Tuscany with a night at home in
the middle, uploaded out of order and processed by the worker; the trip is found once, keeps its id as more
photos arrive, is opened, named by answering "Name this trip?" (then found by q), and made into an album.
Another user's trip is missing; bad input is a 4xx that changes nothing."""

from __future__ import annotations

from typing import Any

from support import drain

from .conftest import AREZZO, BOLOGNA, FLORENCE, SIENA, upload

HOME_DAYS = ["2013:03:01", "2013:03:06", "2013:03:12", "2013:03:18", "2013:03:24", "2013:03:30", "2013:04:05",
             "2013:04:20", "2013:04:26", "2013:05:02", "2013:05:08"]
TRIP = [("2013:04:11 10:00:00", FLORENCE), ("2013:04:11 16:00:00", FLORENCE), ("2013:04:11 18:30:00", None),
        ("2013:04:12 12:00:00", SIENA), ("2013:04:13 09:00:00", BOLOGNA), ("2013:04:13 20:00:00", AREZZO)]


def trips_of(user: Any) -> list[dict[str, Any]]:
    r = user.request("GET", "/api/trips")
    assert r.status_code == 200, r.get_json()
    return list(r.get_json()["items"])


def test_a_trip_is_found_opened_named_and_made_an_album(container: Any, alice: Any, bob: Any) -> None:
    trip_ids = [upload(alice, t, w) for t, w in reversed(TRIP)]  # out of order
    for day in HOME_DAYS:
        upload(alice, f"{day} 19:00:00", BOLOGNA)
    upload(bob, "2013:04:11 12:00:00", FLORENCE)
    kinds = drain(container)
    assert kinds.count("recompute_trips") == 4  # 18 photos: one job per owner and month (alice: 3, bob: 1)

    (trip,) = trips_of(alice)
    assert trip["title"] == "Tuscany, April 2013"
    # processing gave the camera times the offset of the zone at their GPS position (Tuscany: CEST)
    assert trip["start"] == "2013-04-11T10:00:00+02:00" and trip["end"] == "2013-04-13T20:00:00+02:00"
    assert set(trip["places"]) == {"Florence, Italy", "Siena, Italy", "Arezzo, Italy"}
    assert trip["photo_count"] == 6 and trip["cover_photo_id"] in trip_ids
    assert trips_of(bob) == []  # one photo away is not a trip

    r = alice.request("GET", f"/api/trips/{trip['id']}/photos?limit=4")
    assert r.status_code == 200
    first = r.get_json()
    rest = alice.request("GET", f"/api/trips/{trip['id']}/photos?limit=4&cursor={first['next_cursor']}").get_json()
    assert [p["id"] for p in first["items"] + rest["items"]] == list(reversed(trip_ids))  # oldest first
    assert rest["next_cursor"] is None

    # more photos of the trip arrive later: the same trip (same id), grown
    later = upload(alice, "2013:04:14 11:00:00", AREZZO)
    assert drain(container) == ["process_photo", "recompute_trips"]
    (grown,) = trips_of(alice)
    assert grown["id"] == trip["id"] and grown["photo_count"] == 7 and grown["end"] == "2013-04-14T11:00:00+02:00"

    # "Name this trip?": its answer titles the trip and finds its photos
    questions = alice.request("GET", "/api/questions?limit=200").get_json()["items"]
    (ask,) = [q for q in questions if q["kind"] == "trip"]
    assert ask["text"] == "Name this trip?" and ask["photo_id"] == trip["cover_photo_id"]
    assert "Tuscany, April 2013" in ask["reason"]
    r = alice.request("POST", f"/api/questions/{ask['id']}/answer", json={"answer": "Anna's wedding"})
    assert r.status_code == 200, r.get_json()
    assert {p["id"] for p in r.get_json()["photos"]} == {*trip_ids, later}
    assert trips_of(alice)[0]["title"] == "Anna's wedding"
    found = alice.request("GET", "/api/search?q=wedding").get_json()["items"]
    assert {p["id"] for p in found} == {*trip_ids, later}
    assert bob.request("GET", "/api/search?q=wedding").get_json()["items"] == []
    assert not [q for q in alice.request("GET", "/api/questions?limit=200").get_json()["items"] if q["kind"] == "trip"]
    upload(alice, "2013:04:14 12:00:00", AREZZO)  # a recompute keeps the name
    drain(container)
    assert trips_of(alice)[0]["title"] == "Anna's wedding" and trips_of(alice)[0]["photo_count"] == 8

    # a place set by hand counts too: two photos with no GPS, placed in Siena by the user, are a trip
    placed = [upload(alice, "2013:03:20 10:00:00", None), upload(alice, "2013:03:21 10:00:00", None)]
    drain(container)
    assert len(trips_of(alice)) == 1
    for pid in placed:
        r = alice.request("PATCH", f"/api/photos/{pid}", json={"location": {"lat": SIENA[0], "lon": SIENA[1]}})
        assert r.status_code == 200, r.get_json()
    assert drain(container) == ["recompute_trips"]  # two edits of one month: one job
    newest, march = trips_of(alice)
    assert newest["id"] == trip["id"] and march["title"] == "Tuscany, March 2013" and march["photo_count"] == 2
    # moved to another month by hand: both months are found again (March's trip is gone)
    r = alice.request("PATCH", f"/api/photos/{placed[0]}", json={"taken_at": "2013-06-20T10:00:00"})
    assert r.status_code == 200
    assert sorted(drain(container)) == ["recompute_trips", "recompute_trips"]
    assert [t["id"] for t in trips_of(alice)] == [trip["id"]]

    # an album in one click
    r = alice.request("POST", f"/api/trips/{trip['id']}/album", json={})
    assert r.status_code == 201, r.get_json()
    album = r.get_json()
    assert album["name"] == "Anna's wedding" and album["photo_count"] == 8
    r = alice.request("POST", f"/api/trips/{trip['id']}/album", json={"name": "Tuscany"})
    assert r.status_code == 201 and r.get_json()["name"] == "Tuscany"


def test_another_users_trip_is_missing_and_bad_input_changes_nothing(container: Any, alice: Any, bob: Any) -> None:
    for t, w in TRIP:
        upload(alice, t, w)
    for day in HOME_DAYS:
        upload(alice, f"{day} 19:00:00", BOLOGNA)
    drain(container)
    (trip,) = trips_of(alice)
    for method, path in (("GET", f"/api/trips/{trip['id']}"), ("GET", f"/api/trips/{trip['id']}/photos"),
                         ("POST", f"/api/trips/{trip['id']}/album"), ("GET", "/api/trips/nope/photos")):
        r = bob.request(method, path, json={} if method == "POST" else None)
        assert r.status_code == 404, (path, r.get_json())
        assert r.get_json()["error"]["code"] == "trip_not_found"
    albums_before = alice.request("GET", "/api/albums").get_json()["items"]
    for body in ({"name": ""}, {"name": "x" * 201}, {"name": 7}):
        r = alice.request("POST", f"/api/trips/{trip['id']}/album", json=body)
        assert r.status_code in (400, 422), body
    assert alice.request("GET", "/api/albums").get_json()["items"] == albums_before
    for query in ("limit=0", "limit=201", "cursor=%%%"):
        assert alice.request("GET", f"/api/trips?{query}").status_code in (400, 422), query
        assert alice.request("GET", f"/api/trips/{trip['id']}/photos?{query}").status_code in (400, 422), query
    assert bob.request("GET", "/api/trips").get_json() == {"items": [], "next_cursor": None}
    assert alice.request("GET", f"/api/trips/{trip['id']}").get_json() == trip


def test_trips_need_a_token(client: Any) -> None:
    for path in ("/api/trips", "/api/trips/x", "/api/trips/x/photos"):
        assert client.get(path).status_code == 401
    assert client.post("/api/trips/x/album", json={}).status_code == 401

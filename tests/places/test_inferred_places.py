"""Inferred places end to end on the embedded shape (issue 16 item 2): photos without GPS between located ones
are placed ("inferred", with a confidence), or get a suggestion on their location question answered with one
click; a neighbour that arrives later places the photos before it; EXIF and user places are never touched."""

from __future__ import annotations

from typing import Any

from .journey import AREZZO, AREZZO_EAST, SUBBIANO, drain, location_questions, photo, upload


def in_rome(user: Any) -> None:
    """The user's camera has no zone and only some of the photos have GPS: those get the offset of the zone at
    their position (Tuscany, +02:00), so the others need the account's time zone to be read in the same one
    (issue 16 item 1; docs/time.md). Without it, a naive time is read as UTC, two hours from its neighbours."""
    r = user.request("PATCH", "/api/me/settings", json={"timezone": "Europe/Rome"})
    assert r.status_code == 200, r.get_data(as_text=True)


def get(user: Any, photo_id: str) -> dict[str, Any]:
    r = user.request("GET", f"/api/photos/{photo_id}")
    assert r.status_code == 200
    return dict(r.get_json())


def test_a_photo_between_two_located_ones_ten_minutes_apart_is_inferred(container: Any, alice: Any) -> None:
    in_rome(alice)
    first = upload(alice, photo("2013:04:10 10:00:00", AREZZO))
    middle = upload(alice, photo("2013:04:10 10:05:00"))
    last = upload(alice, photo("2013:04:10 10:10:00", AREZZO_EAST))
    drain(container)
    loc = get(alice, middle)["location"]
    assert loc["source"] == "inferred" and 0.5 <= loc["confidence"] < 1
    assert abs(loc["lat"] - (AREZZO[0] + AREZZO_EAST[0]) / 2) < 1e-4
    assert abs(loc["lon"] - (AREZZO[1] + AREZZO_EAST[1]) / 2) < 1e-4
    assert loc["place"]["city"] == "Arezzo"
    assert location_questions(alice, middle) == []  # nothing left to ask about where
    assert get(alice, middle)["status"] == "done"
    for pid in (first, last):  # EXIF places are what they were
        assert get(alice, pid)["location"]["source"] == "exif"
    assert alice.request("GET", "/api/search?place=Arezzo").get_json()["items"][1]["id"] == middle


def test_a_late_neighbour_places_the_photo_taken_before_it(container: Any, alice: Any) -> None:
    in_rome(alice)
    upload(alice, photo("2013:04:10 10:00:00", AREZZO))
    middle = upload(alice, photo("2013:04:10 10:05:00"))
    assert drain(container) == ["process_photo", "process_photo"]
    assert get(alice, middle)["location"] is None  # one anchor five minutes away: at most a suggestion
    (q,) = location_questions(alice, middle)
    assert q["suggestion"] is not None and q["choices"] == ["yes", "no"]
    upload(alice, photo("2013:04:10 10:10:00", AREZZO_EAST))
    assert drain(container) == ["process_photo", "infer_places"]
    assert get(alice, middle)["location"]["source"] == "inferred"
    assert location_questions(alice, middle) == []
    assert get(alice, middle)["status"] == "done"


def test_a_far_apart_pair_gives_a_suggestion_answered_yes(container: Any, alice: Any) -> None:
    in_rome(alice)
    upload(alice, photo("2013:04:11 12:00:00", AREZZO))
    upload(alice, photo("2013:04:11 12:40:00", SUBBIANO))
    between = upload(alice, photo("2013:04:11 12:20:00"))
    drain(container)
    assert get(alice, between)["location"] is None
    (q,) = location_questions(alice, between)
    sug = q["suggestion"]
    assert q["choices"] == ["yes", "no"] and q["text"].startswith("Taken in ")
    assert 0 < sug["confidence"] < 0.5 and sug["reason"] and sug["place"]["country_code"] == "IT"
    assert abs(sug["lat"] - (AREZZO[0] + SUBBIANO[0]) / 2) < 1e-3
    r = alice.request("POST", f"/api/questions/{q['id']}/answer", json={"choice": "yes"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["question"]["status"] == "answered"
    loc = get(alice, between)["location"]
    assert (loc["source"], loc["lat"], loc["lon"]) == ("user", sug["lat"], sug["lon"])
    assert loc["place"] == sug["place"]
    assert location_questions(alice, between) == []


def test_no_declines_the_suggestion_and_a_place_name_overrides_it(container: Any, alice: Any) -> None:
    in_rome(alice)
    upload(alice, photo("2013:04:11 12:00:00", AREZZO))
    upload(alice, photo("2013:04:11 12:40:00", SUBBIANO))
    one = upload(alice, photo("2013:04:11 12:20:00"))
    two = upload(alice, photo("2013:04:11 12:21:00"))
    drain(container)
    (q1,) = location_questions(alice, one)
    r = alice.request("POST", f"/api/questions/{q1['id']}/answer", json={"choice": "no"})
    assert r.status_code == 200 and r.get_json()["photos"] == []
    (q1,) = location_questions(alice, one)  # still asked, without a suggestion, and none comes back
    assert (q1["suggestion"], q1["choices"], q1["text"]) == (None, None, "Where was this taken?")
    (q2,) = location_questions(alice, two)
    assert q2["suggestion"] is not None
    r = alice.request("POST", f"/api/questions/{q2['id']}/answer", json={"answer": "Siena"})
    assert r.status_code == 200, r.get_json()
    loc = get(alice, two)["location"]
    assert loc["source"] == "user" and loc["place"]["city"] == "Siena"
    r = alice.request("POST", f"/api/questions/{q1['id']}/answer", json={"choice": "maybe"})
    assert r.status_code == 422


def test_exif_and_user_places_are_never_overwritten(container: Any, alice: Any) -> None:
    in_rome(alice)
    upload(alice, photo("2013:04:10 10:00:00", AREZZO))
    mine = upload(alice, photo("2013:04:10 10:05:00"))
    gps = upload(alice, photo("2013:04:10 10:06:00", SUBBIANO))  # far off the path: its own EXIF place stays
    drain(container)
    r = alice.request("PATCH", f"/api/photos/{mine}", json={"location": {"lat": 41.9, "lon": 12.5}})
    assert r.status_code == 200
    upload(alice, photo("2013:04:10 10:10:00", AREZZO_EAST))
    drain(container)
    assert get(alice, mine)["location"]["source"] == "user"
    assert (get(alice, mine)["location"]["lat"], get(alice, mine)["location"]["lon"]) == (41.9, 12.5)
    assert get(alice, gps)["location"]["source"] == "exif"


def test_an_inferred_place_the_user_corrects_stays_the_users(container: Any, alice: Any) -> None:
    in_rome(alice)
    upload(alice, photo("2013:04:10 10:00:00", AREZZO))
    middle = upload(alice, photo("2013:04:10 10:05:00"))
    upload(alice, photo("2013:04:10 10:10:00", AREZZO_EAST))
    drain(container)
    assert get(alice, middle)["location"]["source"] == "inferred"
    assert alice.request("PATCH", f"/api/photos/{middle}",
                         json={"location": {"lat": 43.3188, "lon": 11.3308}}).status_code == 200
    upload(alice, photo("2013:04:10 10:06:00", AREZZO))  # a new neighbour re-examines the photos around
    drain(container)
    loc = get(alice, middle)["location"]
    assert (loc["source"], loc["lat"]) == ("user", 43.3188)


def test_other_owners_photos_never_place_mine(container: Any, alice: Any, bob: Any) -> None:
    in_rome(alice)
    upload(bob, photo("2013:04:10 10:00:00", AREZZO))
    mine = upload(alice, photo("2013:04:10 10:05:00"))
    upload(bob, photo("2013:04:10 10:10:00", AREZZO_EAST))
    drain(container)
    assert get(alice, mine)["location"] is None
    assert location_questions(alice, mine)[0]["suggestion"] is None


def test_a_place_the_user_gives_places_the_photos_around_it(container: Any, alice: Any) -> None:
    in_rome(alice)
    upload(alice, photo("2013:04:10 10:00:00", AREZZO))
    between = upload(alice, photo("2013:04:10 10:05:00"))
    answered = upload(alice, photo("2013:04:10 10:10:00"))
    drain(container)
    assert get(alice, between)["location"] is None  # one anchor only: a suggestion
    (q,) = location_questions(alice, answered)
    r = alice.request("POST", f"/api/questions/{q['id']}/answer", json={"answer": "Arezzo"})
    assert r.status_code == 200, r.get_json()
    assert drain(container) == ["infer_places"]  # the user's place is an anchor now
    assert get(alice, between)["location"]["source"] == "inferred"
    edited = upload(alice, photo("2013:04:10 15:00:00"))
    later = upload(alice, photo("2013:04:10 15:03:00"))
    upload(alice, photo("2013:04:10 15:06:00", AREZZO_EAST))
    drain(container)
    assert get(alice, later)["location"] is None  # 15:06 GPS alone: a suggestion
    assert alice.request("PATCH", f"/api/photos/{edited}",
                         json={"location": {"lat": AREZZO[0], "lon": AREZZO[1]}}).status_code == 200
    assert drain(container) == ["infer_places"]
    assert get(alice, later)["location"]["source"] == "inferred"

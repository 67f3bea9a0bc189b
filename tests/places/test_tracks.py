"""GPS tracks (issue 16 item 3), embedded shape: POST /api/tracks places the photos taken during a GPX track
(source "track"), across time zones (a photo's own offset, else the `tz` given), leaves photos across a gap
over 10 minutes alone, never changes a GPS or user place, and a bad file changes nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cloudalbum.config import Settings

from .journey import drain, location_questions, photo, upload

# A drive from Elvas (Portugal, UTC+1 in April) over the border to Badajoz (Spain, UTC+2): 12 km west to east.
ELVAS, BADAJOZ = (38.8810, -7.1628), (38.8794, -6.9707)
START = datetime(2013, 4, 10, 9, 0, tzinfo=UTC)


def gpx(points: list[tuple[datetime, float, float]], version: str = "1.1") -> bytes:
    pts = "".join(f'<trkpt lat="{la}" lon="{lo}"><time>{t.strftime("%Y-%m-%dT%H:%M:%SZ")}</time></trkpt>'
                  for t, la, lo in points)
    ns = "http://www.topografix.com/GPX/1/1" if version == "1.1" else "http://www.topografix.com/GPX/1/0"
    return (f'<?xml version="1.0" encoding="UTF-8"?><gpx version="{version}" creator="test" xmlns="{ns}">'
            f"<trk><name>drive</name><trkseg>{pts}</trkseg></trk></gpx>").encode()


def drive(minutes: int = 40, *, gap_after: int | None = None) -> list[tuple[datetime, float, float]]:
    """A point a minute from Elvas to Badajoz (optionally none for 15 minutes after minute gap_after)."""
    out = []
    for m in range(minutes + 1):
        if gap_after is not None and gap_after < m < gap_after + 15:
            continue
        f = m / minutes
        out.append((START + timedelta(minutes=m), ELVAS[0] + f * (BADAJOZ[0] - ELVAS[0]),
                    ELVAS[1] + f * (BADAJOZ[1] - ELVAS[1])))
    return out


def post_track(user: Any, data: bytes, **fields: str) -> Any:
    form = {"file": (io.BytesIO(data), "drive.gpx"), **fields}
    return user.request("POST", "/api/tracks", data=form, content_type="multipart/form-data")


def location(user: Any, pid: str) -> dict[str, Any] | None:
    return user.request("GET", f"/api/photos/{pid}").get_json()["location"]


def expected(minute: float) -> tuple[float, float]:
    f = minute / 40
    return ELVAS[0] + f * (BADAJOZ[0] - ELVAS[0]), ELVAS[1] + f * (BADAJOZ[1] - ELVAS[1])


def test_a_track_places_photos_across_a_time_zone(container: Any, alice: Any) -> None:
    # 09:10 UTC in Portugal (+01:00), 09:30 UTC in Spain (+02:00), and a camera without offsets set to Madrid time
    in_portugal = upload(alice, photo("2013:04:10 10:10:00", offset="+01:00"))
    in_spain = upload(alice, photo("2013:04:10 11:30:00", offset="+02:00"))
    naive = upload(alice, photo("2013:04:10 11:20:30"))  # 09:20:30 UTC
    gps = upload(alice, photo("2013:04:10 11:25:00", (38.0, -7.0), offset="+02:00"))
    after = upload(alice, photo("2013:04:10 13:00:00", offset="+02:00"))  # after the track
    drain(container)
    assert location_questions(alice, in_portugal)
    r = post_track(alice, gpx(drive()), tz="Europe/Madrid")
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"points": 41, "photos_located": 3}
    for pid, minute in ((in_portugal, 10), (in_spain, 30), (naive, 20.5)):
        loc = location(alice, pid)
        assert loc is not None and loc["source"] == "track"
        assert (loc["lat"], loc["lon"]) == pytest.approx(expected(minute), abs=1e-5)
        assert location_questions(alice, pid) == []
    assert location(alice, in_portugal)["place"]["country_code"] == "PT"
    assert location(alice, in_spain)["place"]["country_code"] == "ES"
    assert location(alice, gps)["source"] == "exif" and location(alice, after) is None
    r = post_track(alice, gpx(drive(), version="1.0"), tz="Europe/Madrid")  # GPX 1.0; nothing left to place
    assert r.status_code == 200 and r.get_json() == {"points": 41, "photos_located": 0}


def test_without_tz_a_time_without_offset_is_utc(container: Any, alice: Any) -> None:
    naive = upload(alice, photo("2013:04:10 09:20:00"))
    drain(container)
    assert post_track(alice, gpx(drive())).get_json()["photos_located"] == 1
    assert (location(alice, naive)["lat"], location(alice, naive)["lon"]) == pytest.approx(expected(20), abs=1e-5)


def test_anothers_track_never_places_my_photos(container: Any, alice: Any, bob: Any) -> None:
    mine = upload(alice, photo("2013:04:10 09:20:00"))
    drain(container)
    r = post_track(bob, gpx(drive()))
    assert r.status_code == 200 and r.get_json() == {"points": 41, "photos_located": 0}
    assert location(alice, mine) is None


def test_the_accounts_time_zone_is_the_tracks_default(container: Any, alice: Any) -> None:
    assert alice.request("GET", "/api/me/settings").get_json() == {"face_grouping": True, "timezone": None}
    r = alice.request("PATCH", "/api/me/settings", json={"timezone": "Europe/Madrid"})
    assert r.status_code == 200 and r.get_json() == {"face_grouping": True, "timezone": "Europe/Madrid"}
    for bad in ({"timezone": "Mars/Olympus", "face_grouping": False}, {"timezone": 7}, {}, {"timezone": "x" * 65}):
        assert alice.request("PATCH", "/api/me/settings", json=bad).status_code == 422
    assert alice.request("GET", "/api/me/settings").get_json() == {"face_grouping": True, "timezone": "Europe/Madrid"}
    naive = upload(alice, photo("2013:04:10 11:20:00"))  # Madrid time: 09:20 UTC
    drain(container)
    assert post_track(alice, gpx(drive())).get_json()["photos_located"] == 1
    assert (location(alice, naive)["lat"], location(alice, naive)["lon"]) == pytest.approx(expected(20), abs=1e-5)
    r = alice.request("PATCH", "/api/me/settings", json={"timezone": None})
    assert r.get_json() == {"face_grouping": True, "timezone": None}


def test_a_gap_over_ten_minutes_leaves_photos_alone(container: Any, alice: Any) -> None:
    in_gap = upload(alice, photo("2013:04:10 09:15:00"))  # points at 09:10 and 09:25 only around it
    on_track = upload(alice, photo("2013:04:10 09:05:00"))
    drain(container)
    r = post_track(alice, gpx(drive(gap_after=10)))
    assert r.status_code == 200 and r.get_json()["photos_located"] == 1
    assert location(alice, in_gap) is None and location(alice, on_track)["source"] == "track"


def test_a_track_never_changes_a_users_place_but_replaces_an_inferred_one(container: Any, alice: Any) -> None:
    # the located photos say their offset (UTC): without it they would get the zone's at their position (issue
    # 16.1) while the naive ones, like the track, are read as UTC
    upload(alice, photo("2013:04:10 09:00:00", ELVAS, offset="+00:00"))
    guessed = upload(alice, photo("2013:04:10 09:03:00"))
    upload(alice, photo("2013:04:10 09:06:00", expected(6), offset="+00:00"))
    mine = upload(alice, photo("2013:04:10 09:20:00"))
    drain(container)
    assert location(alice, guessed)["source"] == "inferred"
    assert alice.request("PATCH", f"/api/photos/{mine}", json={"location": {"lat": 40.0, "lon": -3.7}}).status_code == 200
    assert post_track(alice, gpx(drive())).get_json()["photos_located"] == 1
    assert location(alice, guessed)["source"] == "track"
    assert (location(alice, mine)["source"], location(alice, mine)["lat"]) == ("user", 40.0)


BAD = [
    (b"", 400), (b"not xml at all", 400), (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, 400),
    (b'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"></gpx>', 400),
    (b'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
     b'<trkpt lat="38.9" lon="-7.1"></trkpt></trkseg></trk></gpx>', 400),  # a point without a time
    (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
     b'<gpx version="1.1"><wpt lat="1" lon="1"><name>&b;</name></wpt></gpx>', 400),  # entities: refused
    (b'<?xml version="1.0"?><gpx version="1.1"><trk><trkseg><trkpt lat="38.9" lon="-7.1">', 400),  # cut short
    (b'<?xml version="1.0"?><html><body>hello</body></html>', 400),
]


@pytest.mark.parametrize(("data", "status"), BAD)
def test_bad_gpx_is_a_4xx_and_changes_nothing(container: Any, alice: Any, data: bytes, status: int) -> None:
    pid = upload(alice, photo("2013:04:10 09:20:00"))
    drain(container)
    r = post_track(alice, data)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["error"]["code"] in ("bad_track", "empty_track", "validation_error")
    assert location(alice, pid) is None


def test_unknown_zone_is_422_and_no_file_is_400ish(container: Any, alice: Any, client: Any) -> None:
    assert post_track(alice, gpx(drive()), tz="Mars/Olympus").status_code == 422
    r = alice.request("POST", "/api/tracks", data={}, content_type="multipart/form-data")
    assert 400 <= r.status_code < 500
    assert client.post("/api/tracks", data={"file": (io.BytesIO(gpx(drive())), "a.gpx")},
                       content_type="multipart/form-data").status_code == 401


@pytest.fixture
def small_settings(settings: Settings) -> Settings:
    import dataclasses

    return dataclasses.replace(settings, max_track_bytes=2000, max_track_points=30)


def test_too_large_is_413_and_changes_nothing(small_settings: Settings, make_user: Any) -> None:
    from cloudalbum import bootstrap
    from cloudalbum.entrypoints.api import create_app
    from conftest import ApiUser
    from support import fast_hashing

    c = bootstrap.build(small_settings)
    fast_hashing(c)
    try:
        user = ApiUser(create_app(c).test_client(), "big@example.com", "correct horse battery")
        pid = upload(user, photo("2013:04:10 09:20:00"))
        drain(c)
        for data in (gpx(drive(40)), gpx(drive(10)) + b" " * 2000):  # 41 points; over 2000 bytes
            r = post_track(user, data)
            assert r.status_code == 413 and r.get_json()["error"]["code"] == "track_too_large"
        assert location(user, pid) is None
        assert post_track(user, gpx(drive(10))).get_json()["photos_located"] == 0  # within both: fine
    finally:
        c.close()

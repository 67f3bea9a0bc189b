"""GET /api/timeline on the embedded shape: months newest first, undated apart, the search parameters narrowing
it, bad parameters a 422, another user's photos never counted."""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum.domain.model import Label


def put(container: Any, user: Any, taken_at: str | None, labels: tuple[str, ...] = ()) -> str:
    from support import make_jpeg

    pid = user.upload(make_jpeg()).get_json()["id"]
    photo = container.store.photos.get_photo(pid, user.id)
    photo.taken_at, photo.status = taken_at, "done"
    photo.labels = [Label(name=name, confidence=0.9) for name in labels]
    container.store.photos.save_photo(photo)
    return pid


def test_timeline_months_and_filters(alice: Any, bob: Any, container: Any) -> None:
    put(container, alice, "2014-09-03T10:00:00+02:00", ("dog",))
    put(container, alice, "2014-09-28T10:00:00")
    put(container, alice, "2018-01-01T00:30:00-08:00", ("dog",))
    put(container, alice, None)
    put(container, bob, "2001-01-01T00:00:00")
    r = alice.request("GET", "/api/timeline")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.get_json() == {"buckets": [{"month": "2018-01", "count": 1}, {"month": "2014-09", "count": 2}],
                            "undated": 1}
    r = alice.request("GET", "/api/timeline?label=dog")
    assert r.get_json()["buckets"] == [{"month": "2018-01", "count": 1}, {"month": "2014-09", "count": 1}]
    assert alice.request("GET", "/api/timeline?q=dog in 2014").get_json()["buckets"] == \
        [{"month": "2014-09", "count": 1}]
    assert alice.request("GET", "/api/timeline?undated=true").get_json() == {"buckets": [], "undated": 1}
    assert alice.request("GET", "/api/timeline?undated=true&from=2014-01-01").get_json() == \
        {"buckets": [], "undated": 0}
    undated = alice.request("GET", "/api/search?undated=true").get_json()["items"]
    assert len(undated) == 1 and undated[0]["taken_at"] is None
    assert bob.request("GET", "/api/timeline").get_json() == {"buckets": [{"month": "2001-01", "count": 1}],
                                                              "undated": 0}


@pytest.mark.parametrize("query", ["from=2014-13-01", "bbox=1,2,3", "min_confidence=7", "near=abc", "from=2010-01-02&to=2010-01-01",
                                   "undated=maybe"])
def test_bad_parameters_are_422(alice: Any, query: str) -> None:
    assert alice.request("GET", f"/api/timeline?{query}").status_code == 422


def test_needs_a_token(client: Any) -> None:
    assert client.get("/api/timeline").status_code == 401


def test_memories_on_this_day_and_29_february(alice: Any, bob: Any, container: Any) -> None:
    leap = put(container, alice, "2020-02-29T10:00:00+01:00")
    older = put(container, alice, "2016-02-28T09:00:00")
    put(container, alice, "2025-02-28T09:00:00")  # the same year: not a memory
    put(container, alice, "2019-03-01T09:00:00")
    put(container, bob, "2018-02-28T09:00:00")
    body = alice.request("GET", "/api/memories?date=2025-02-28").get_json()
    assert [(m["years_ago"], m["date"], [p["id"] for p in m["photos"]]) for m in body["items"]] == \
        [(5, "2020-02-29", [leap]), (9, "2016-02-28", [older])]
    body = alice.request("GET", "/api/memories?date=2024-02-28").get_json()
    assert [m["date"] for m in body["items"]] == ["2016-02-28"]  # a leap year's 28th is only the 28th
    assert alice.request("GET", "/api/memories?date=2030-07-14").get_json() == {"items": []}
    assert alice.request("GET", "/api/memories").status_code == 200
    for bad in ("2025-02-30", "yesterday", "2025-13-01"):
        assert alice.request("GET", f"/api/memories?date={bad}").status_code == 422

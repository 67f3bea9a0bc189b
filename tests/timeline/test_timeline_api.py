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
    assert bob.request("GET", "/api/timeline").get_json() == {"buckets": [{"month": "2001-01", "count": 1}],
                                                              "undated": 0}


@pytest.mark.parametrize("query", ["from=2014-13-01", "bbox=1,2,3", "min_confidence=7", "near=abc", "from=2010-01-02&to=2010-01-01"])
def test_bad_parameters_are_422(alice: Any, query: str) -> None:
    assert alice.request("GET", f"/api/timeline?{query}").status_code == 422


def test_needs_a_token(client: Any) -> None:
    assert client.get("/api/timeline").status_code == 401

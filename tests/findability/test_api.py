"""Search, map, albums and questions through the HTTP API (Flask test client, real SQLite, real geocoder).

Photos are put in the store as processing leaves them (the pipeline itself is exercised in test_corpus.py)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AREZZO, LONDON, PARIS, make_photo


def put(container: Any, user: Any, pid: str, **kw: Any) -> str:
    photo = make_photo(f"{user.id[:6]}-{pid}", user.id, **kw)
    container.store.photos.add_photo(photo)
    return photo.id


def items(resp: Any) -> list[dict]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["items"]


def walk(user: Any, path: str, limit: int = 2, **params: Any) -> list[dict]:
    """Every item of a paginated list, following next_cursor."""
    out, cursor = [], None
    while True:
        q = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        body = user.request("GET", path, query_string=q).get_json()
        out += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return out


@pytest.fixture
def photos(container, alice, bob):
    ids = {
        "arezzo": put(container, alice, "arezzo", taken="2008-10-22T16:28:39", labels={"car": 0.8}, at=AREZZO,
                      place=("Arezzo", "Tuscany", "Italy", "IT")),
        "paris": put(container, alice, "paris", taken="2012-07-14T22:00:00", labels={"dog": 0.91}, at=PARIS,
                     place=("Paris", "Île-de-France", "France", "FR")),
        "london": put(container, alice, "london", taken="2015-04-10T20:12:23", labels={"bus": 0.95}, at=LONDON,
                      place=("London", "England", "United Kingdom", "GB")),
        "nogps": put(container, alice, "nogps", taken=None, labels={"cat": 0.88}),
        "bob": put(container, bob, "bob", labels={"dog": 0.99}, at=PARIS, place=("Paris", "IDF", "France", "FR")),
    }
    return ids


def test_search_with_reasons(alice, photos):
    got = items(alice.request("GET", "/api/search", query_string={"label": "dog"}))
    assert [p["id"] for p in got] == [photos["paris"]]
    assert got[0]["match"]["reasons"] == ["label dog 0.91"]
    got = items(alice.request("GET", "/api/search", query_string=[("label", "car"), ("place", "IT")]))
    assert [p["id"] for p in got] == [photos["arezzo"]]
    got = items(alice.request("GET", "/api/search", query_string={"from": "2008-10-22", "to": "2008-10-22"}))
    assert [p["id"] for p in got] == [photos["arezzo"]]
    got = items(alice.request("GET", "/api/search", query_string={"near": "48.85,2.29", "radius_km": "5"}))
    assert [p["id"] for p in got] == [photos["paris"]]


BAD_PARAMS = [
    {"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"bbox": "0,60,10,50"}, {"near": "95,10"}, {"near": "x"},
    {"near": "1,1", "radius_km": "-3"}, {"radius_km": "3"}, {"from": "2008-13-40"}, {"to": "yesterday"},
    {"from": "2010-01-02", "to": "2010-01-01"}, {"min_confidence": "1.5"}, {"min_confidence": "x"},
    {"limit": "0"}, {"limit": "201"}, {"status": "happy"}, {"cursor": "not-a-cursor"},
]


def test_bad_search_parameters_are_clear_422s(alice, photos):
    for params in BAD_PARAMS:
        r = alice.request("GET", "/api/search", query_string=params)
        assert r.status_code == 422, (params, r.get_data(as_text=True))
        err = r.get_json()["error"]
        assert err["code"] and err["message"]
        map_params = {k: v for k, v in params.items() if k not in ("limit", "cursor")} or {"bbox": "bad"}
        assert alice.request("GET", "/api/map", query_string=map_params).status_code == 422, params


def test_lists_paginate_and_stay_private(alice, bob, photos):
    mine = walk(alice, "/api/search", limit=1)
    assert {p["id"] for p in mine} == {photos[k] for k in ("arezzo", "paris", "london", "nogps")}
    assert len(mine) == 4
    assert [p["id"] for p in walk(bob, "/api/search")] == [photos["bob"]]
    assert items(bob.request("GET", "/api/search", query_string={"label": "car"})) == []


def test_search_needs_a_token(client):
    assert client.get("/api/search").status_code == 401
    assert client.get("/api/map").status_code == 401
    assert client.get("/api/albums").status_code == 401
    assert client.get("/api/questions").status_code == 401


def test_map_is_geojson_of_located_photos(alice, bob, photos):
    r = alice.request("GET", "/api/map")
    assert r.status_code == 200
    body = r.get_json()
    assert body["type"] == "FeatureCollection"
    by_id = {f["properties"]["id"]: f for f in body["features"]}
    assert set(by_id) == {photos["arezzo"], photos["paris"], photos["london"]}
    paris = by_id[photos["paris"]]
    assert paris["type"] == "Feature" and paris["geometry"]["type"] == "Point"
    assert paris["geometry"]["coordinates"] == [PARIS[1], PARIS[0]]  # [lon, lat]
    assert paris["properties"] == {"id": photos["paris"], "thumbnail_url": f"/api/photos/{photos['paris']}/thumbnail?size=small",
                                   "taken_at": "2012-07-14T22:00:00", "labels": ["dog"]}
    r = alice.request("GET", "/api/map", query_string={"bbox": "-6,49.5,2,56"})
    assert [f["properties"]["id"] for f in r.get_json()["features"]] == [photos["london"]]
    r = alice.request("GET", "/api/map", query_string={"label": "dog"})
    assert [f["properties"]["id"] for f in r.get_json()["features"]] == [photos["paris"]]


def test_albums_crud_membership_and_privacy(alice, bob, photos):
    r = alice.request("POST", "/api/albums", json={"name": "Holidays", "description": "2008-2015"})
    assert r.status_code == 201, r.get_data(as_text=True)
    album = r.get_json()
    assert album["name"] == "Holidays" and album["photo_count"] == 0 and album["cover_photo_id"] is None
    aid = album["id"]
    r = alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": [photos["arezzo"], photos["paris"]]})
    assert r.status_code == 200 and r.get_json()["photo_count"] == 2
    assert r.get_json()["cover_photo_id"] == photos["paris"]  # the newest
    again = alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": [photos["paris"]]})
    assert again.get_json()["photo_count"] == 2  # idempotent
    # another user's photo, or a missing one: 404 and nothing added
    r = alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": [photos["london"], photos["bob"]]})
    assert r.status_code == 404
    assert alice.request("GET", f"/api/albums/{aid}").get_json()["photo_count"] == 2
    assert alice.request("GET", f"/api/photos/{photos['arezzo']}").get_json()["albums"] == [aid]
    in_album = walk(alice, f"/api/albums/{aid}/photos", limit=1)
    assert [p["id"] for p in in_album] == [photos["paris"], photos["arezzo"]]
    found = items(alice.request("GET", "/api/search", query_string={"album_id": aid, "label": "car"}))
    assert [p["id"] for p in found] == [photos["arezzo"]]
    assert found[0]["match"]["reasons"] == ["label car 0.80", "album Holidays"]
    # a photo in two albums
    second = alice.request("POST", "/api/albums", json={"name": "Best"}).get_json()["id"]
    alice.request("POST", f"/api/albums/{second}/photos", json={"photo_ids": [photos["arezzo"]]})
    assert alice.request("GET", f"/api/photos/{photos['arezzo']}").get_json()["albums"] == [aid, second]
    r = alice.request("PATCH", f"/api/albums/{aid}", json={"name": "Trips", "cover_photo_id": photos["arezzo"]})
    assert r.status_code == 200 and r.get_json()["name"] == "Trips"
    assert r.get_json()["cover_photo_id"] == photos["arezzo"]
    assert alice.request("PATCH", f"/api/albums/{aid}", json={"name": ""}).status_code == 422
    assert {a["id"] for a in walk(alice, "/api/albums", limit=1)} == {aid, second}
    # bob sees none of it
    assert items(bob.request("GET", "/api/albums")) == []
    for method, path, kw in [("GET", f"/api/albums/{aid}", {}), ("PATCH", f"/api/albums/{aid}", {"json": {"name": "x"}}),
                             ("DELETE", f"/api/albums/{aid}", {}), ("GET", f"/api/albums/{aid}/photos", {}),
                             ("POST", f"/api/albums/{aid}/photos", {"json": {"photo_ids": [photos["bob"]]}}),
                             ("DELETE", f"/api/albums/{aid}/photos/{photos['arezzo']}", {})]:
        assert bob.request(method, path, **kw).status_code == 404, (method, path)
    assert items(bob.request("GET", "/api/search", query_string={"album_id": aid})) == []
    # remove, delete: photos stay
    assert alice.request("DELETE", f"/api/albums/{aid}/photos/{photos['paris']}").status_code == 204
    assert alice.request("GET", f"/api/albums/{aid}").get_json()["photo_count"] == 1
    assert alice.request("DELETE", f"/api/albums/{aid}").status_code == 204
    assert alice.request("GET", f"/api/albums/{aid}").status_code == 404
    assert alice.request("GET", f"/api/photos/{photos['arezzo']}").get_json()["albums"] == [second]
    assert alice.request("GET", f"/api/photos/{photos['paris']}").status_code == 200


def test_album_bad_input(alice, photos):
    assert alice.request("POST", "/api/albums", json={}).status_code == 422
    assert alice.request("POST", "/api/albums", json={"name": "x" * 201}).status_code == 422
    aid = alice.request("POST", "/api/albums", json={"name": "A"}).get_json()["id"]
    assert alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": []}).status_code == 422
    assert alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": "x"}).status_code == 422
    assert alice.request("GET", "/api/albums/nope").status_code == 404


def test_upload_straight_into_an_album(alice):
    from support import make_jpeg

    aid = alice.request("POST", "/api/albums", json={"name": "Inbox"}).get_json()["id"]
    r = alice.upload(make_jpeg(), "a.jpg", album_id=aid)
    assert r.status_code == 202, r.get_data(as_text=True)
    assert r.get_json()["albums"] == [aid]
    assert alice.request("GET", f"/api/albums/{aid}").get_json()["photo_count"] == 1


def test_free_text_is_never_fts_syntax(alice, photos):
    for q in ['"', "*", "dog OR", "NEAR(dog car)", "d*g", "label:dog", "'; DROP TABLE photos; --", "-dog", "^"]:
        r = alice.request("GET", "/api/search", query_string={"q": q})
        assert r.status_code == 200, (q, r.get_data(as_text=True))
    assert [p["id"] for p in items(alice.request("GET", "/api/search", query_string={"q": "dog OR"}))] == []
    assert [p["id"] for p in items(alice.request("GET", "/api/search", query_string={"q": "(dog)"}))] == [photos["paris"]]

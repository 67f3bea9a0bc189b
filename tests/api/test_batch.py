"""Batch edit and undo through the HTTP API (API.md "Batch edit", issue 15.5): selection by ids and by camera,
every operation, all or nothing, undo that restores exactly what the batch changed, and other users."""

from __future__ import annotations

from typing import Any

from cloudalbum.domain.model import Camera, Label
from support import make_jpeg, unique_copy


def assert_error(resp: Any, status: int, code: str | None = None) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    if code:
        assert resp.get_json()["error"]["code"] == code, resp.get_json()


def seed(user: Any, container: Any, taken: list[str | None], camera: tuple[str, str] | None = ("Canon", "EOS 5D"),
         labels: dict[str, float] | None = None) -> list[str]:
    """Upload one photo per time and give each what processing would (a time, a camera, model labels)."""
    base = make_jpeg(32, 24)
    ids = []
    for when in taken:
        pid = user.upload(unique_copy(base), "p.jpg").get_json()["id"]
        photo = container.store.photos.get_photo(pid, user.id)
        photo.status, photo.taken_at = "done", when
        photo.camera = Camera(*camera) if camera else None
        photo.labels = [Label(name=n, confidence=c, model="yolov8n@t") for n, c in (labels or {}).items()]
        container.store.photos.save_photo(photo)
        ids.append(pid)
    return ids


def batch(user: Any, **body: Any) -> Any:
    return user.request("POST", "/api/photos/batch", json=body)


def get(user: Any, pid: str) -> dict[str, Any]:
    r = user.request("GET", f"/api/photos/{pid}")
    assert r.status_code == 200
    return dict(r.get_json())


def listed(user: Any) -> list[str]:
    return [p["id"] for p in user.request("GET", "/api/photos?limit=200").get_json()["items"]]


def searched(user: Any, query: str) -> list[str]:
    r = user.request("GET", f"/api/search?{query}&limit=200")
    assert r.status_code == 200, r.get_data(as_text=True)
    return [p["id"] for p in r.get_json()["items"]]


def undo(user: Any, batch_id: str) -> Any:
    return user.request("POST", f"/api/batches/{batch_id}/undo")


# --- selection and operations ------------------------------------------------------------------------------


def test_set_fields_by_ids_and_undo(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23", "2015-04-11T08:00:00"])
    r = batch(alice, photo_ids=ids, set={"title": "Lisbon", "description": "Spring trip"})
    assert r.status_code == 200, r.get_data(as_text=True)
    out = r.get_json()
    assert out["updated"] == 2 and sorted(out["photo_ids"]) == sorted(ids) and out["batch_id"]
    assert all(get(alice, pid)["title"] == "Lisbon" for pid in ids)
    assert searched(alice, "q=lisbon") and set(searched(alice, "q=lisbon")) == set(ids)
    r = undo(alice, out["batch_id"])
    assert r.status_code == 200 and r.get_json() == {"restored": 2}
    for pid in ids:
        p = get(alice, pid)
        assert p["title"] is None and p["description"] is None
    assert searched(alice, "q=lisbon") == []


def test_set_location_by_coordinates_and_by_place_name(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23", "2015-04-11T08:00:00"])
    r = batch(alice, photo_ids=ids[:1], set={"location": {"lat": 48.8583, "lon": 2.2945}})
    assert r.status_code == 200, r.get_data(as_text=True)
    loc = get(alice, ids[0])["location"]
    assert loc["source"] == "user" and loc["place"]["country_code"] == "FR"
    r = batch(alice, photo_ids=ids[1:], set={"place": "Dublin"})
    assert r.status_code == 200, r.get_data(as_text=True)
    loc = get(alice, ids[1])["location"]
    assert loc["source"] == "user" and loc["place"]["city"] == "Dublin"
    assert searched(alice, "place=Dublin") == ids[1:]
    assert_error(batch(alice, photo_ids=ids, set={"place": "Nowhereville Qzx"}), 422, "unknown_place")
    assert get(alice, ids[0])["location"]["place"]["country_code"] == "FR"  # nothing changed


def test_shift_by_camera_moves_list_order_and_date_search_and_undo_moves_back(alice: Any, bob: Any,
                                                                              container: Any) -> None:
    canon = seed(alice, container, ["2014-09-01T10:00:00", "2014-09-01T12:00:00"])
    sony = seed(alice, container, ["2014-09-01T11:00:00"], camera=("SONY", "ILCE-7"))
    undated = seed(alice, container, [None])
    bobs = seed(bob, container, ["2014-09-01T09:00:00"])

    def dated() -> list[str]:  # newest taken first (the undated photo sorts by its upload, today)
        return [pid for pid in listed(alice) if pid not in undated]

    assert dated() == [canon[1], sony[0], canon[0]]
    r = batch(alice, camera={"make": "canon", "model": "eos 5d"}, shift_taken_at_s=-2 * 86400 - 3600)
    assert r.status_code == 200, r.get_data(as_text=True)
    out = r.get_json()
    assert set(out["photo_ids"]) == {*canon, *undated} and out["updated"] == 2  # no time: not shifted
    assert get(alice, canon[0])["taken_at"] == "2014-08-30T09:00:00"
    assert get(alice, canon[1])["taken_at"] == "2014-08-30T11:00:00"
    assert get(alice, sony[0])["taken_at"] == "2014-09-01T11:00:00"
    assert dated() == [sony[0], canon[1], canon[0]]
    assert set(searched(alice, "from=2014-08-30&to=2014-08-30")) == set(canon)
    assert searched(alice, "from=2014-09-01&to=2014-09-01") == sony
    assert get(bob, bobs[0])["taken_at"] == "2014-09-01T09:00:00"
    assert undated[0] in listed(alice)
    assert undo(alice, out["batch_id"]).get_json() == {"restored": 2}
    assert dated() == [canon[1], sony[0], canon[0]]
    assert set(searched(alice, "from=2014-09-01&to=2014-09-01")) == {*canon, *sony}


def test_shift_keeps_the_offset_and_skips_photos_without_a_time(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T23:30:00+02:00", None])
    r = batch(alice, photo_ids=ids, shift_taken_at_s=3600)
    assert r.status_code == 200 and r.get_json()["updated"] == 1
    assert get(alice, ids[0])["taken_at"] == "2015-04-11T00:30:00+02:00"
    assert get(alice, ids[1])["taken_at"] is None


def test_labels_added_and_removed_and_undone(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23"] * 2, labels={"dog": 0.9, "car": 0.5})
    r = batch(alice, photo_ids=ids, add_labels=["Rex"], remove_labels=["car"])
    assert r.status_code == 200, r.get_data(as_text=True)
    for pid in ids:
        names = {lbl["name"]: lbl["source"] for lbl in get(alice, pid)["labels"]}
        assert names == {"dog": "model", "Rex": "user"}
    assert set(searched(alice, "q=rex")) == set(ids) and searched(alice, "label=car") == []
    assert undo(alice, r.get_json()["batch_id"]).status_code == 200
    for pid in ids:
        names = {lbl["name"]: lbl["source"] for lbl in get(alice, pid)["labels"]}
        assert names == {"dog": "model", "car": "model"}
    assert set(searched(alice, "label=car")) == set(ids) and searched(alice, "q=rex") == []


def test_add_to_album_and_undo_takes_out_only_the_photos_it_added(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23", "2015-04-11T20:12:23", "2015-04-12T20:12:23"])
    album = alice.request("POST", "/api/albums", json={"name": "Best"}).get_json()["id"]
    alice.request("POST", f"/api/albums/{album}/photos", json={"photo_ids": ids[:1]})
    r = batch(alice, photo_ids=ids, add_to_album=album)
    assert r.status_code == 200 and r.get_json()["updated"] == 2
    assert alice.request("GET", f"/api/albums/{album}").get_json()["photo_count"] == 3
    assert undo(alice, r.get_json()["batch_id"]).get_json() == {"restored": 2}
    got = [p["id"] for p in alice.request("GET", f"/api/albums/{album}/photos").get_json()["items"]]
    assert got == ids[:1]


# --- undo exactness ----------------------------------------------------------------------------------------


def test_undo_restores_only_what_the_batch_changed_after_a_user_edit(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23", "2015-04-11T20:12:23"])
    alice.request("PATCH", f"/api/photos/{ids[0]}", json={"title": "Before"})
    r = batch(alice, photo_ids=ids, set={"title": "Batch title"}, shift_taken_at_s=600)
    batch_id = r.get_json()["batch_id"]
    # the user edits another field on one photo, and the batch's field on the other
    alice.request("PATCH", f"/api/photos/{ids[0]}", json={"description": "Written after the batch"})
    alice.request("PATCH", f"/api/photos/{ids[1]}", json={"location": {"lat": 53.35, "lon": -6.26}})
    assert undo(alice, batch_id).status_code == 200
    first, second = get(alice, ids[0]), get(alice, ids[1])
    assert first["title"] == "Before" and first["taken_at"] == "2015-04-10T20:12:23"
    assert first["description"] == "Written after the batch"
    assert second["title"] is None and second["taken_at"] == "2015-04-11T20:12:23"
    assert second["location"]["lat"] == 53.35
    stored = container.store.photos.get_photo(ids[1], alice.id)
    assert "title" not in stored.user_fields and "taken_at" not in stored.user_fields
    assert "location" in stored.user_fields


def test_a_second_undo_is_409_and_changes_nothing(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23"])
    batch_id = batch(alice, photo_ids=ids, set={"title": "One"}).get_json()["batch_id"]
    assert undo(alice, batch_id).status_code == 200
    alice.request("PATCH", f"/api/photos/{ids[0]}", json={"title": "Two"})
    assert_error(undo(alice, batch_id), 409, "batch_already_undone")
    assert get(alice, ids[0])["title"] == "Two"


# --- all or nothing, bad input, other users ------------------------------------------------------------------


def test_any_photo_not_the_users_is_404_and_nothing_changes(alice: Any, bob: Any, container: Any) -> None:
    mine = seed(alice, container, ["2015-04-10T20:12:23", "2015-04-11T20:12:23"])
    theirs = seed(bob, container, ["2015-04-10T20:12:23"])
    for ids in ([*mine, theirs[0]], [*mine, "no-such-photo"]):
        assert_error(batch(alice, photo_ids=ids, set={"title": "X"}, add_labels=["x"]), 404, "photo_not_found")
    assert all(get(alice, pid)["title"] is None for pid in mine)
    assert get(bob, theirs[0])["title"] is None
    bobs_album = bob.request("POST", "/api/albums", json={"name": "Bob's"}).get_json()["id"]
    assert_error(batch(alice, photo_ids=mine, add_to_album=bobs_album, set={"title": "X"}), 404, "album_not_found")
    assert all(get(alice, pid)["title"] is None for pid in mine)


def test_bad_input_is_4xx_and_changes_nothing(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23"])
    bad: list[dict[str, Any]] = [
        {"set": {"title": "x"}},  # no selection
        {"photo_ids": ids, "camera": {"make": "Canon"}, "set": {"title": "x"}},  # two selections
        {"photo_ids": [], "set": {"title": "x"}},
        {"photo_ids": ids},  # no operation
        {"photo_ids": ids, "set": {"taken_at": "yesterday"}},
        {"photo_ids": ids, "set": {"location": {"lat": 91, "lon": 0}}},
        {"photo_ids": ids, "set": {"rating": 3}},
        {"photo_ids": ids, "set": {"taken_at": "2015-01-01T00:00:00"}, "shift_taken_at_s": 60},
        {"photo_ids": ids, "shift_taken_at_s": "an hour"},
        {"photo_ids": ids, "shift_taken_at_s": 10 ** 12},
        {"photo_ids": ids, "add_labels": ["x"], "remove_labels": ["x"]},
        {"photo_ids": ids, "add_labels": [""]},
        {"photo_ids": [f"p{i}" for i in range(1001)], "set": {"title": "x"}},
        {"camera": {"make": "", "model": None}, "set": {"title": "x"}},
        {"photo_ids": ids, "set": {"title": "x"}, "surprise": 1},
    ]
    for body in bad:
        r = batch(alice, **body)
        assert r.status_code in (400, 422), (body, r.status_code, r.get_data(as_text=True)[:200])
    p = get(alice, ids[0])
    assert p["title"] is None and p["taken_at"] == "2015-04-10T20:12:23" and p["location"] is None


def test_another_users_batch_is_404_and_stays_undoable(alice: Any, bob: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23"])
    batch_id = batch(alice, photo_ids=ids, set={"title": "Mine"}).get_json()["batch_id"]
    assert_error(undo(bob, batch_id), 404, "batch_not_found")
    assert_error(undo(alice, "no-such-batch"), 404, "batch_not_found")
    assert get(alice, ids[0])["title"] == "Mine"
    assert undo(alice, batch_id).status_code == 200
    assert alice.client.post(f"/api/batches/{batch_id}/undo").status_code == 401


def test_camera_selection_is_only_the_users_and_exact(alice: Any, bob: Any, container: Any) -> None:
    mine = seed(alice, container, ["2015-04-10T20:12:23"], camera=("Apple", "iPhone 6"))
    seed(alice, container, ["2015-04-10T20:12:23"], camera=("Apple", "iPhone 6 Plus"))
    seed(bob, container, ["2015-04-10T20:12:23"], camera=("Apple", "iPhone 6"))
    r = batch(alice, camera={"make": "APPLE", "model": "iphone 6"}, add_labels=["holiday"])
    assert r.status_code == 200 and r.get_json()["photo_ids"] == mine
    r = batch(alice, camera={"make": "Nikon", "model": "D90"}, add_labels=["holiday"])
    assert r.status_code == 200 and r.get_json() | {"batch_id": ""} == {"batch_id": "", "updated": 0,
                                                                         "photo_ids": []}


def test_an_expired_batch_is_404(alice: Any, container: Any) -> None:
    from datetime import timedelta

    from cloudalbum.domain.model import utcnow

    ids = seed(alice, container, ["2015-04-10T20:12:23"])
    batch_id = batch(alice, photo_ids=ids, set={"title": "Old"}).get_json()["batch_id"]
    container.batches._now = lambda: utcnow() + timedelta(days=31)
    assert_error(undo(alice, batch_id), 404, "batch_not_found")
    assert get(alice, ids[0])["title"] == "Old"


def test_a_shift_past_year_one_is_422_and_nothing_moves(alice: Any, container: Any) -> None:
    ids = seed(alice, container, ["2015-04-10T20:12:23", "0010-01-01T00:00:00"])
    assert_error(batch(alice, photo_ids=ids, shift_taken_at_s=-50 * 366 * 86400), 422, "validation_error")
    assert get(alice, ids[0])["taken_at"] == "2015-04-10T20:12:23"

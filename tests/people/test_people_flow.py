"""People end to end on real photos and real models: faces found, grouped into people as photos arrive, one
"Who is this?" question per person, the name found by search on every photo of that person (also on photos
added after the answer), corrections (not the same person, merge), privacy (deletion, the setting)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support import unique_copy

from .conftest import astronaut, drain, hopper, variants


def people(user: Any) -> list[dict[str, Any]]:
    r = user.request("GET", "/api/people")
    assert r.status_code == 200
    return r.get_json()["items"]


def person_questions(user: Any) -> list[dict[str, Any]]:
    r = user.request("GET", "/api/questions")
    assert r.status_code == 200
    return [q for q in r.get_json()["items"] if q.get("person_id")]


def search(user: Any, **params: Any) -> list[str]:
    r = user.request("GET", "/api/search", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return [p["id"] for p in r.get_json()["items"]]


def only_face(photo: dict[str, Any]) -> dict[str, Any]:
    assert len(photo["faces"]) == 1, photo["faces"]
    return photo["faces"][0]


def test_one_face_per_portrait_with_its_box_and_crop(alice: Any, upload_and_process: Any) -> None:
    photo = upload_and_process(alice, variants(astronaut())["original"])
    face = only_face(photo)
    box = face["box"]
    assert box["confidence"] >= 0.8
    assert 0 <= box["x"] and box["x"] + box["w"] <= photo["width"] and box["y"] + box["h"] <= photo["height"]
    assert 60 <= box["w"] <= 300  # the astronaut's face in a 512 px image
    assert face["person"] is not None and face["person"]["name"] is None
    assert re.fullmatch(r"yunet_2023mar@[0-9a-f]{12}\+sface_2021dec@[0-9a-f]{12}", face["model"]), face["model"]
    crop = alice.request("GET", face["thumbnail_url"])
    assert crop.status_code == 200 and crop.mimetype == "image/jpeg"
    assert crop.data[:2] == b"\xff\xd8" and b"Exif" not in crop.data[:200]


def test_the_same_face_mirrored_rescaled_and_darkened_is_one_person(alice: Any, upload_and_process: Any) -> None:
    photos = {name: upload_and_process(alice, data) for name, data in variants(astronaut()).items()}
    person_ids = {name: only_face(p)["person"]["id"] for name, p in photos.items()}
    assert len(set(person_ids.values())) == 1, person_ids
    [person] = people(alice)
    assert person["photo_count"] == 5 and person["face_count"] == 5 and person["name"] is None
    r = alice.request("GET", f"/api/people/{person['id']}/photos")
    assert sorted(p["id"] for p in r.get_json()["items"]) == sorted(p["id"] for p in photos.values())


def test_one_question_per_person_ranked_by_photos_then_the_name_finds_every_photo(
        alice: Any, upload_and_process: Any) -> None:
    astro = [upload_and_process(alice, data) for data in variants(astronaut()).values()]
    grace = [upload_and_process(alice, data) for name, data in variants(hopper()).items() if name != "larger"]
    assert len(people(alice)) == 2, "two different people never merge"
    questions = person_questions(alice)
    assert len(questions) == 2, "one question per person, not per photo"
    assert questions[0]["person_id"] == only_face(astro[0])["person"]["id"], "the person in more photos first"
    assert questions[0]["text"] == "Who is this?" and "5 photos" in questions[0]["reason"]
    crop = alice.request("GET", questions[0]["face_thumbnail_url"])
    assert crop.status_code == 200 and crop.mimetype == "image/jpeg"

    r = alice.request("POST", f"/api/questions/{questions[0]['id']}/answer", json={"answer": "Eileen Collins"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["question"]["status"] == "answered"
    assert len(r.get_json()["photos"]) == 5
    assert sorted(search(alice, person="eileen collins")) == sorted(p["id"] for p in astro)
    assert sorted(search(alice, q="eileen")) == sorted(p["id"] for p in astro)
    assert search(alice, person="Grace") == []
    assert [q["person_id"] for q in person_questions(alice)] == [only_face(grace[0])["person"]["id"]]

    later = upload_and_process(alice, variants(astronaut().rotate(8, expand=True, fillcolor=(20, 20, 20)))["original"])
    assert only_face(later)["person"]["name"] == "Eileen Collins"
    assert later["id"] in search(alice, person="Eileen Collins")
    assert all(q["photo_id"] != later["id"] for q in person_questions(alice)), "a named person raises no question"
    r = alice.request("GET", "/api/search", query_string={"person": "Eileen Collins"})
    assert all("person Eileen Collins" in p["match"]["reasons"] for p in r.get_json()["items"])


def test_not_the_same_person_splits_a_face_off_for_good(alice: Any, upload_and_process: Any) -> None:
    photos = [upload_and_process(alice, data) for data in variants(astronaut()).values()]
    [question] = person_questions(alice)
    wrong = only_face(photos[-1])
    r = alice.request("POST", f"/api/questions/{question['id']}/answer",
                      json={"choice": "not the same person", "face_ids": [wrong["id"]]})
    assert r.status_code == 200, r.get_data(as_text=True)
    split = {p["id"]: p for p in people(alice)}
    assert len(split) == 2
    moved = alice.request("GET", f"/api/photos/{photos[-1]['id']}").get_json()
    assert only_face(moved)["person"]["id"] != question["person_id"]
    assert split[question["person_id"]]["photo_count"] == 4
    # a new photo of the same face joins the group of four, never the face that was split off
    again = upload_and_process(alice, unique_copy(variants(astronaut())["mirrored"]))  # new bytes: a new photo
    assert only_face(again)["person"]["id"] == question["person_id"]
    assert len(people(alice)) == 2
    assert len(person_questions(alice)) == 2, "the smaller group is asked about afresh, the split face too"


def test_delete_a_face_from_a_person_and_merge_people(alice: Any, upload_and_process: Any) -> None:
    photos = [upload_and_process(alice, data) for data in list(variants(astronaut()).values())[:3]]
    [person] = people(alice)
    face = only_face(photos[0])
    r = alice.request("DELETE", f"/api/people/{person['id']}/faces/{face['id']}")
    assert r.status_code == 204
    assert alice.request("DELETE", f"/api/people/{person['id']}/faces/{face['id']}").status_code == 404
    by_id = {p["id"]: p for p in people(alice)}
    assert len(by_id) == 2 and by_id[person["id"]]["photo_count"] == 2
    other = next(i for i in by_id if i != person["id"])
    r = alice.request("POST", f"/api/people/{person['id']}/merge", json={"person_ids": [other]})
    assert r.status_code == 200 and r.get_json()["photo_count"] == 3
    assert [p["id"] for p in people(alice)] == [person["id"]]
    assert alice.request("GET", f"/api/people/{other}").status_code == 404


def test_naming_with_a_name_already_used_merges_the_two(alice: Any, upload_and_process: Any) -> None:
    first = upload_and_process(alice, variants(astronaut())["original"])
    pid = only_face(first)["person"]["id"]
    split = upload_and_process(alice, variants(astronaut())["darker"])
    assert alice.request("DELETE", f"/api/people/{pid}/faces/{only_face(split)['id']}").status_code == 204
    other = only_face(alice.request("GET", f"/api/photos/{split['id']}").get_json())["person"]["id"]
    assert alice.request("PATCH", f"/api/people/{pid}", json={"name": "Eileen"}).status_code == 200
    # The owner said these two are different people: the same name does not merge them.
    r = alice.request("PATCH", f"/api/people/{other}", json={"name": "eileen"})
    assert r.status_code == 200 and r.get_json()["id"] == other
    assert len(people(alice)) == 2
    assert sorted(search(alice, person="Eileen")) == sorted([first["id"], split["id"]])


def test_dont_ask_again_is_kept_when_the_person_grows(alice: Any, upload_and_process: Any) -> None:
    upload_and_process(alice, variants(astronaut())["original"])
    [question] = person_questions(alice)
    assert alice.request("POST", f"/api/questions/{question['id']}/dismiss").status_code == 204
    upload_and_process(alice, variants(astronaut())["mirrored"])
    assert person_questions(alice) == []


def test_reprocessing_finds_the_same_faces_and_counts_nothing_twice(alice: Any, container: Any,
                                                                     upload_and_process: Any) -> None:
    photo = upload_and_process(alice, variants(astronaut())["original"])
    before = only_face(photo)
    container.processing.process(photo["id"], force=True)
    after = only_face(alice.request("GET", f"/api/photos/{photo['id']}").get_json())
    assert after["id"] == before["id"] and after["person"] == before["person"]
    [person] = people(alice)
    assert person["face_count"] == 1 and person["photo_count"] == 1


def test_deleting_photos_deletes_their_faces_and_empty_people(alice: Any, upload_and_process: Any,
                                                              container: Any) -> None:
    a, b = (upload_and_process(alice, variants(astronaut())[n]) for n in ("original", "mirrored"))
    [person] = people(alice)
    face_a = only_face(a)
    assert alice.request("DELETE", f"/api/photos/{a['id']}?permanent=true").status_code == 204
    assert alice.request("GET", face_a["thumbnail_url"]).status_code == 404
    assert container.store.faces.faces_of_photo(a["id"]) == []
    [left] = people(alice)
    assert left["id"] == person["id"] and left["photo_count"] == 1 and left["cover_photo_id"] == b["id"]
    assert [q["photo_id"] for q in person_questions(alice)] == [b["id"]], "the question moved with the cover"
    assert alice.request("DELETE", f"/api/photos/{b['id']}?permanent=true").status_code == 204
    assert people(alice) == [] and person_questions(alice) == []


def test_the_trash_leaves_people_counts_and_a_restore_brings_them_back(alice: Any, upload_and_process: Any,
                                                                       container: Any) -> None:
    a, b = (upload_and_process(alice, variants(astronaut())[n]) for n in ("original", "mirrored"))
    [person] = people(alice)
    assert person["photo_count"] == 2
    assert alice.request("DELETE", f"/api/photos/{a['id']}").status_code == 204
    [left] = people(alice)
    assert left["id"] == person["id"] and left["photo_count"] == 1 and left["face_count"] == 1
    assert left["cover_photo_id"] == b["id"]
    photos = alice.request("GET", f"/api/people/{person['id']}/photos").get_json()["items"]
    assert [p["id"] for p in photos] == [b["id"]]
    assert len(container.store.faces.faces_of_photo(a["id"])) == 1  # kept for the restore
    assert alice.request("POST", f"/api/trash/{a['id']}/restore").status_code == 200
    [back] = people(alice)
    assert back["id"] == person["id"] and back["photo_count"] == 2 and back["face_count"] == 2


def test_turning_face_grouping_off_deletes_all_face_data(alice: Any, upload_and_process: Any,
                                                          container: Any) -> None:
    photo = upload_and_process(alice, variants(astronaut())["original"])
    face = only_face(photo)
    assert alice.request("GET", "/api/me/settings").get_json() == {"face_grouping": True, "timezone": None}
    r = alice.request("PATCH", "/api/me/settings", json={"face_grouping": False})
    assert r.status_code == 200 and r.get_json() == {"face_grouping": False, "timezone": None}
    assert people(alice) == [] and person_questions(alice) == []
    after = alice.request("GET", f"/api/photos/{photo['id']}").get_json()
    assert after["faces"] == []
    assert alice.request("GET", face["thumbnail_url"]).status_code == 404
    assert not any(k.rsplit("/", 1)[-1].startswith("face-") for k in container.blobs.keys("thumbnails/"))
    again = upload_and_process(alice, unique_copy(variants(astronaut())["mirrored"]))  # new bytes: a new photo
    assert again["faces"] == [] and people(alice) == []
    assert alice.request("PATCH", "/api/me/settings", json={"face_grouping": "maybe"}).status_code == 422


def test_people_and_faces_are_private(alice: Any, bob: Any, upload_and_process: Any) -> None:
    photo = upload_and_process(alice, variants(astronaut())["original"])
    face = only_face(photo)
    pid = face["person"]["id"]
    mine = upload_and_process(bob, variants(astronaut())["mirrored"])
    assert only_face(mine)["person"]["id"] != pid, "faces of different owners are never grouped together"
    for method, path, body in [("GET", f"/api/people/{pid}", None), ("GET", f"/api/people/{pid}/photos", None),
                               ("GET", f"/api/people/{pid}/faces", None),
                               ("PATCH", f"/api/people/{pid}", {"name": "x"}),
                               ("POST", f"/api/people/{pid}/merge", {"person_ids": [only_face(mine)["person"]["id"]]}),
                               ("DELETE", f"/api/people/{pid}/faces/{face['id']}", None),
                               ("GET", face["thumbnail_url"], None)]:
        r = bob.request(method, path, json=body)
        assert r.status_code == 404, (method, path, r.status_code)
    assert [p["id"] for p in people(alice)] == [pid]
    assert alice.request("GET", f"/api/people/{pid}").get_json()["name"] is None


@pytest.mark.parametrize("body", [{"name": 5}, {"name": "x" * 101}, {"name": "a\x00b"}, {}])
def test_bad_names_are_422_and_change_nothing(alice: Any, upload_and_process: Any, body: Any) -> None:
    upload_and_process(alice, variants(astronaut())["original"])
    [person] = people(alice)
    r = alice.request("PATCH", f"/api/people/{person['id']}", json=body)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert people(alice) == [person]


def test_turning_face_grouping_back_on_scans_the_library(alice: Any, bob: Any, upload_and_process: Any,
                                                          container: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import cloudalbum.services.people.switch as people_service

    monkeypatch.setattr(people_service, "SCAN_PAGE", 2)  # several scan steps for three photos
    drain(container)
    photos = [upload_and_process(alice, data) for data in list(variants(astronaut()).values())[:3]]
    theirs = upload_and_process(bob, variants(astronaut())["original"])
    assert alice.request("PATCH", "/api/me/settings", json={"face_grouping": False}).status_code == 200
    drain(container)
    assert people(alice) == []
    assert alice.request("PATCH", "/api/me/settings", json={"face_grouping": True}).get_json() == {
        "face_grouping": True, "timezone": None}
    # two scan steps, three photos, and each photo's read_text job (its text is already read by these models:
    # the job reads nothing again)
    assert drain(container) == 2 + 3 + 3, "two scan steps, three photos, three read_text jobs"
    [person] = people(alice)
    assert person["photo_count"] == 3
    for photo in photos:
        assert only_face(alice.request("GET", f"/api/photos/{photo['id']}").get_json())["person"]["id"] == person["id"]
    assert only_face(bob.request("GET", f"/api/photos/{theirs['id']}").get_json())["person"] is not None
    assert alice.request("PATCH", "/api/me/settings", json={"face_grouping": True}).status_code == 200
    assert drain(container) == 0, "turning on what is on scans nothing"


def test_a_scan_stops_when_face_grouping_is_turned_off_meanwhile(alice: Any, upload_and_process: Any,
                                                                  container: Any) -> None:
    upload_and_process(alice, variants(astronaut())["original"])
    drain(container)  # the upload's own job
    container.people.start_scan(alice.id)
    assert alice.request("PATCH", "/api/me/settings", json={"face_grouping": False}).status_code == 200
    assert drain(container) == 1 and people(alice) == []

"""Follow-up questions: the pure rules, ask_about idempotency, and answers that become searchable metadata
(real SQLite store, real offline geocoder)."""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum.domain import questions as rules
from cloudalbum.domain.model import Label

from .conftest import AREZZO, make_photo


def ask(container: Any, photo_id: str, owner: str) -> int:
    """What processing does after it processed a photo: ask, then settle the status."""
    photo = container.store.photos.get_photo(photo_id, owner)
    n = container.questions.ask_about(photo)
    photo.status = "needs_input" if n else "done"
    container.store.photos.save_photo(photo)
    return n


def open_questions(user: Any, **params: Any) -> list[dict]:
    r = user.request("GET", "/api/questions", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["items"]


def search_ids(user: Any, **params: Any) -> list[str]:
    r = user.request("GET", "/api/search", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return [p["id"] for p in r.get_json()["items"]]


def test_rules_ask_only_where_it_helps():
    placed = make_photo("a", labels={"car": 0.9}, at=AREZZO)
    assert rules.propose(placed, confirm_low=0.3, confirm_high=0.6) == []
    bare = make_photo("b", taken=None, labels={"dog": 0.45, "cat": 0.9, "person": 0.95})
    kinds = [(p.kind, p.subject) for p in rules.propose(bare, confirm_low=0.3, confirm_high=0.6)]
    assert kinds[:2] == [("location", None), ("date", None)]
    assert set(kinds) == {("location", None), ("date", None), ("label_confirm", "dog"), ("people", "person"),
                          ("label_name", "cat")}
    assert all(p.reason for p in rules.propose(bare, confirm_low=0.3, confirm_high=0.6))
    user_placed = make_photo("c", user_fields=["location"])
    assert "location" not in [p.kind for p in rules.propose(user_placed, confirm_low=0.3, confirm_high=0.6)]


def test_burst_gets_one_event_question_scored_by_its_size(container, alice):
    ids = []
    for minute in (0, 5, 10, 15):
        p = make_photo(f"burst{minute}", alice.id, taken=f"2008-10-22T16:{minute:02d}:00", at=AREZZO)
        container.store.photos.add_photo(p)
        ids.append(p.id)
    for pid in ids:
        ask(container, pid, alice.id)
    events = [q for q in open_questions(alice) if q["kind"] == "event"]
    assert len(events) == 1
    assert set(events[0]["related_photo_ids"]) | {events[0]["photo_id"]} == set(ids)
    assert events[0]["score"] >= 4
    r = alice.request("POST", f"/api/questions/{events[0]['id']}/answer",
                      json={"answer": "Tuscany trip", "apply_to": [i for i in ids if i != events[0]["photo_id"]]})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert len(r.get_json()["photos"]) == 4
    assert set(search_ids(alice, q="tuscany trip")) == set(ids)
    for pid in ids:  # answered: never asked again when processing runs again
        assert ask(container, pid, alice.id) == 0


def test_location_answer_by_place_name_makes_it_findable(container, alice):
    p = make_photo("nogps", alice.id, taken=None, labels={"cat": 0.88})
    container.store.photos.add_photo(p)
    n = ask(container, p.id, alice.id)
    assert n == 3  # capped at settings.max_questions_per_photo
    assert container.store.photos.get_photo(p.id, alice.id).status == "needs_input"
    assert ask(container, p.id, alice.id) == 3  # idempotent: processing may run again
    qs = open_questions(alice)
    assert len(qs) == 3 and all(q["reason"] for q in qs)
    loc = next(q for q in qs if q["kind"] == "location" and q["photo_id"] == p.id)
    assert loc["text"] == "Where was this taken?"
    r = alice.request("POST", f"/api/questions/{loc['id']}/answer", json={"answer": "Dublin"})
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["question"]["id"] == loc["id"]
    place = body["photos"][0]["location"]["place"]
    assert body["photos"][0]["location"]["source"] == "user"
    assert place["city"] == "Dublin" and place["country_code"] == "IE"
    assert body["photos"][0]["answers"] == [{"question": "Where was this taken?", "answer": "Dublin"}]
    assert search_ids(alice, place="Dublin") == [p.id]
    assert search_ids(alice, q="dublin") == [p.id]
    assert loc["id"] not in [q["id"] for q in open_questions(alice)]
    again = alice.request("POST", f"/api/questions/{loc['id']}/answer", json={"answer": "Cork"})
    assert again.status_code == 409
    # the other questions dismissed: nothing left open, so the photo is done
    for q in open_questions(alice, photo_id=p.id):
        assert alice.request("POST", f"/api/questions/{q['id']}/dismiss").status_code == 204
    assert container.store.photos.get_photo(p.id, alice.id).status == "done"
    assert ask(container, p.id, alice.id) == 0  # dismissed questions are not asked again


def test_location_answer_as_coordinates_and_bad_places(container, alice):
    p = make_photo("nogps2", alice.id, labels={})
    container.store.photos.add_photo(p)
    ask(container, p.id, alice.id)
    q = next(q for q in open_questions(alice) if q["kind"] == "location")
    for bad in ({"answer": "Xyzzyqwv Nowhere"}, {"answer": "95,10"}, {"answer": ""}, {}):
        r = alice.request("POST", f"/api/questions/{q['id']}/answer", json=bad)
        assert r.status_code == 422, (bad, r.get_data(as_text=True))
        assert r.get_json()["error"]["message"]
    r = alice.request("POST", f"/api/questions/{q['id']}/answer", json={"answer": "53.35,-6.26"})
    assert r.status_code == 200
    loc = r.get_json()["photos"][0]["location"]
    assert (loc["lat"], loc["lon"], loc["source"]) == (53.35, -6.26, "user")
    assert search_ids(alice, near="53.35,-6.26", radius_km=1) == [p.id]


def test_confirm_and_reject_labels(container, alice):
    p = make_photo("unsure", alice.id, labels={"dog": 0.45, "horse": 0.40, "car": 0.9}, at=AREZZO)
    container.store.photos.add_photo(p)
    ask(container, p.id, alice.id)
    qs = {q["text"]: q for q in open_questions(alice, photo_id=p.id)}
    assert qs["Is this a dog?"]["choices"] == ["yes", "no"]
    bad = alice.request("POST", f"/api/questions/{qs['Is this a dog?']['id']}/answer", json={"choice": "maybe"})
    assert bad.status_code == 422
    r = alice.request("POST", f"/api/questions/{qs['Is this a dog?']['id']}/answer", json={"choice": "yes"})
    dog = next(lbl for lbl in r.get_json()["photos"][0]["labels"] if lbl["name"] == "dog")
    assert (dog["confidence"], dog["source"]) == (1.0, "user")
    assert search_ids(alice, label="dog", min_confidence="0.99") == [p.id]
    r = alice.request("POST", f"/api/questions/{qs['Is this a horse?']['id']}/answer", json={"choice": "No"})
    assert r.status_code == 200
    assert "horse" not in [lbl["name"] for lbl in r.get_json()["photos"][0]["labels"]]
    assert search_ids(alice, label="horse") == []
    assert search_ids(alice, q="horse") == []
    photo_json = alice.request("GET", f"/api/photos/{p.id}").get_json()
    assert "horse" not in [lbl["name"] for lbl in photo_json["labels"]]
    # processing again keeps the rejection and asks nothing new about it
    photo = container.store.photos.get_photo(p.id, alice.id)
    photo.labels.append(Label("horse", 0.41))
    container.store.photos.save_photo(photo)
    assert "Is this a horse?" not in [q["text"] for q in open_questions(alice, photo_id=p.id)]
    ask(container, p.id, alice.id)
    assert search_ids(alice, label="horse") == []


def test_naming_a_pet_or_person_is_searchable(container, alice):
    p = make_photo("rex", alice.id, labels={"dog": 0.95}, at=AREZZO)
    container.store.photos.add_photo(p)
    ask(container, p.id, alice.id)
    q = next(q for q in open_questions(alice) if q["kind"] == "label_name")
    assert q["text"] == "What is this dog's name?"
    alice.request("POST", f"/api/questions/{q['id']}/answer", json={"answer": "Rex"})
    assert search_ids(alice, q="rex") == [p.id]
    assert search_ids(alice, label="Rex") == [p.id]


def test_questions_are_private_and_paginated(container, alice, bob):
    for i in range(5):
        container.store.photos.add_photo(make_photo(f"q{i}", alice.id, labels={}, taken=f"20{10 + i}-01-01T00:00:00"))
        ask(container, f"q{i}", alice.id)
    seen, cursor = [], None
    while True:
        r = alice.request("GET", "/api/questions", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = r.get_json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len({q["id"] for q in seen}) == 5
    assert [q["score"] for q in seen] == sorted((q["score"] for q in seen), reverse=True)
    assert open_questions(bob) == []
    qid = seen[0]["id"]
    assert bob.request("POST", f"/api/questions/{qid}/answer", json={"answer": "Paris"}).status_code == 404
    assert bob.request("POST", f"/api/questions/{qid}/dismiss").status_code == 404
    assert bob.request("GET", "/api/questions", query_string={"photo_id": "q0"}).status_code == 404
    # apply_to with another user's photo: 404, nothing changes
    bobs = make_photo("bobs", bob.id)
    container.store.photos.add_photo(bobs)
    r = alice.request("POST", f"/api/questions/{qid}/answer", json={"answer": "Paris", "apply_to": ["bobs"]})
    assert r.status_code == 404
    assert container.store.photos.get_photo("bobs", bob.id).location is None
    assert qid in [q["id"] for q in open_questions(alice)]


@pytest.mark.parametrize("answer", ["2008-10-22", "2008-10-22T16:28:39"])
def test_date_answer(container, alice, answer):
    p = make_photo("undated", alice.id, taken=None, at=AREZZO)
    container.store.photos.add_photo(p)
    ask(container, p.id, alice.id)
    q = next(q for q in open_questions(alice) if q["kind"] == "date")
    assert alice.request("POST", f"/api/questions/{q['id']}/answer", json={"answer": "22/10/2008"}).status_code == 422
    r = alice.request("POST", f"/api/questions/{q['id']}/answer", json={"answer": answer})
    assert r.get_json()["photos"][0]["taken_at"] == answer
    assert search_ids(alice, **{"from": "2008-10-22", "to": "2008-10-22"}) == [p.id]

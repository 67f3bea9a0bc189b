"""GET /api/questions lists what is worth answering (issue 16 item 7), real SQLite store: one location question
per run of photos without a place (its answer applied to the run places all of them), a cap per library with
the next questions coming as these are answered, its own cursor, a bad cursor a 422."""

from __future__ import annotations

from typing import Any

from .conftest import make_photo
from .test_questions import ask, open_questions


def test_one_question_per_run_and_one_answer_places_the_run(container: Any, alice: Any) -> None:
    run = [f"run{i}" for i in range(4)]
    for i, pid in enumerate(run):  # four photos within the hour, none with a place
        container.store.photos.add_photo(make_photo(pid, alice.id, taken=f"2019-06-01T10:{i * 10:02d}:00"))
    for pid in run:
        ask(container, pid, alice.id)
    stored = container.store.questions.open_questions(alice.id, limit=50).items
    assert len([s for s in stored if s.kind == "location"]) == 4  # each photo was asked about ...
    (where,) = [x for x in open_questions(alice) if x["kind"] == "location"]  # ... one is listed
    assert set(where["related_photo_ids"]) | {where["photo_id"]} == set(run)
    r = alice.request("POST", f"/api/questions/{where['id']}/answer",
                      json={"answer": "Dublin", "apply_to": where["related_photo_ids"]})
    assert r.status_code == 200, r.get_json()
    assert {p["id"] for p in r.get_json()["photos"]} == set(run)
    assert not [x for x in open_questions(alice) if x["kind"] == "location"]  # the run's others were closed
    r = alice.request("GET", "/api/search", query_string={"place": "Dublin"})
    assert {p["id"] for p in r.get_json()["items"]} == set(run)


def test_a_cap_per_library_and_its_cursor(container: Any, alice: Any) -> None:
    cap = container.settings.max_open_questions
    for i in range(cap + 5):  # a photo a year apart each: no runs
        container.store.photos.add_photo(make_photo(f"y{i}", alice.id, taken=f"{1950 + i}-01-01T00:00:00"))
        ask(container, f"y{i}", alice.id)
    seen, cursor = [], None
    while True:
        r = alice.request("GET", "/api/questions", query_string={"limit": 7, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        seen += r.get_json()["items"]
        cursor = r.get_json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len({x["id"] for x in seen}) == cap
    assert [x["score"] for x in seen] == sorted((x["score"] for x in seen), reverse=True)
    dismissed = seen[0]
    assert alice.request("POST", f"/api/questions/{dismissed['id']}/dismiss").status_code == 204
    after = open_questions(alice, limit=200)
    assert len(after) == cap and dismissed["id"] not in {x["id"] for x in after}  # the next one comes in
    for bad in ("o", "x12", "o-1", "%%%", "o1234567"):
        r = alice.request("GET", "/api/questions", query_string={"cursor": bad})
        assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_cursor", bad
    # a photo's own questions are all listed, whatever the cap: one the cap left out of the library's list (not
    # the one dismissed: which photo that is depends on how equal scores are ordered)
    listed = {x["photo_id"] for x in after} | {dismissed["photo_id"]}
    left_out = [f"y{i}" for i in range(cap + 5) if f"y{i}" not in listed]
    assert left_out
    assert len(open_questions(alice, photo_id=left_out[0])) >= 1

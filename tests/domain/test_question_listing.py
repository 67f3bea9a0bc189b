"""Which open questions are listed (domain.questions.worth_asking, issue 16 item 7), without a store: one
location question per run of photos, a few of the minor kinds, a cap per library, the store's order kept."""

from __future__ import annotations

import pytest

from cloudalbum.domain.model import Question
from cloudalbum.domain.questions import LISTED_PER_KIND, worth_asking


def q(qid: str, kind: str, photo: str, *, related: tuple[str, ...] = (), person: str | None = None,
      score: float = 1.0) -> Question:
    return Question(id=qid, owner_id="o", photo_id=photo, kind=kind, text="?", reason="why", created_at="",
                    related_photo_ids=list(related), score=score, person_id=person)


CASES = {
    # name: (stored questions most useful first, cap, ids listed)
    "a run of photos without a place is asked once": (
        [q("run", "location", "p1", related=("p2", "p3"), score=3.4), q("l2", "location", "p2", related=("p1",)),
         q("l3", "location", "p3"), q("l4", "location", "p4")], 20, ["run", "l4"]),
    "other kinds about a photo of the run are still listed": (
        [q("run", "location", "p1", related=("p2",), score=2.4), q("d2", "date", "p2"), q("l2", "location", "p2")],
        20, ["run", "d2"]),
    "minor kinds a few at a time": (
        [q(f"c{i}", "label_confirm", f"p{i}") for i in range(6)] + [q("n1", "label_name", "p9")], 20,
        ["c0", "c1", "c2", "n1"]),
    "questions about people (grouped faces) are not minor": (
        [q(f"who{i}", "people", f"p{i}", person=f"person{i}") for i in range(5)] +
        [q(f"w{i}", "people", f"x{i}") for i in range(5)], 20,
        ["who0", "who1", "who2", "who3", "who4", "w0", "w1", "w2"]),
    "the cap per library": ([q(f"l{i}", "location", f"p{i}") for i in range(30)], 12, [f"l{i}" for i in range(12)]),
    "nothing open": ([], 20, []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_worth_asking(name: str) -> None:
    stored, cap, expected = CASES[name]
    assert [x.id for x in worth_asking(stored, cap=cap)] == expected


def test_the_minor_kinds_are_the_one_photo_kinds() -> None:
    assert set(LISTED_PER_KIND) == {"label_confirm", "label_name", "people", "date"}

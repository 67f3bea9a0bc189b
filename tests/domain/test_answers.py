"""What an answer to a follow-up question changes on a photo (domain.questions.apply_answer), without a store."""

from __future__ import annotations

import pytest

from cloudalbum.domain import questions as q
from cloudalbum.domain.model import Answer, Label, Location, Source

from .test_photo_rules import photo


def test_a_place_becomes_the_users_location_and_the_answer_is_recorded() -> None:
    where = Location(lat=43.47, lon=11.88, source=Source.USER.value)
    p = photo()
    answer = Answer("Where was this taken?", "Arezzo")
    q.apply_answer(p, q.LOCATION, None, answer, location=where)
    assert p.location == where and p.location is not where  # each photo gets its own copy
    assert p.user_fields == ["location"] and p.answers == [answer]


def test_a_place_answer_needs_the_place() -> None:
    with pytest.raises(ValueError):
        q.apply_answer(photo(), q.LOCATION, None, Answer("Where was this taken?", "Nowhere"))


def test_a_date_becomes_the_users_time() -> None:
    p = photo()
    q.apply_answer(p, q.DATE, None, Answer("When was this taken?", "2008-10-22"), taken_at="2008-10-22")
    assert p.taken_at == "2008-10-22" and p.user_fields == ["taken_at"] and len(p.answers) == 1


def test_yes_confirms_and_no_rejects_the_label_without_recording_an_answer() -> None:
    yes, no = photo(labels=[Label("dog", 0.4)]), photo(labels=[Label("dog", 0.4)])
    q.apply_answer(yes, q.LABEL_CONFIRM, "dog", Answer("Is this a dog?", q.YES))
    q.apply_answer(no, q.LABEL_CONFIRM, "dog", Answer("Is this a dog?", q.NO))
    assert yes.labels == [Label("dog", 1.0, source=Source.USER.value)] and yes.answers == []
    assert no.rejected_labels == ["dog"] and no.answers == []


@pytest.mark.parametrize("kind", [q.PEOPLE, q.LABEL_NAME])
def test_a_name_becomes_a_user_label(kind: str) -> None:
    p = photo()
    q.apply_answer(p, kind, "dog", Answer("What is this dog's name?", "Rex"))
    assert p.labels == [Label("Rex", 1.0, source=Source.USER.value)] and len(p.answers) == 1


def test_any_other_answer_is_recorded_as_it_is() -> None:
    p = photo()
    q.apply_answer(p, q.EVENT, "event", Answer("What was the event?", "Trip to Tuscany"))
    assert p.answers == [Answer("What was the event?", "Trip to Tuscany")] and p.labels == []

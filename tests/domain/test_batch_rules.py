"""The rules of a batch edit and its undo (domain.photo_rules.apply_batch_edit / restore_batch_fields and
domain.batches), without a store."""

from __future__ import annotations

import copy

import pytest

from cloudalbum.domain import photo_rules as rules
from cloudalbum.domain.batches import BatchEdit, same_camera, shift_time
from cloudalbum.domain.model import Camera, Label, Location, Photo, Place


def photo(**fields: object) -> Photo:
    base = Photo(id="p1", owner_id="u1", filename="a.jpg", content_type="image/jpeg", bytes=10,
                 original_key="originals/u1/p1", uploaded_at="2024-01-01T00:00:00+00:00",
                 taken_at="2015-04-10T20:12:23", labels=[Label("dog", 0.9, model="yolov8n@1"),
                                                         Label("car", 0.4, model="yolov8n@1")])
    for name, value in fields.items():
        setattr(base, name, value)
    return base


@pytest.mark.parametrize(("taken", "seconds", "after"), [
    ("2015-04-10T20:12:23", 3600, "2015-04-10T21:12:23"),
    ("2015-04-10T23:30:00+02:00", 3600, "2015-04-11T00:30:00+02:00"),
    ("2015-04-10T20:12:23Z", -86400, "2015-04-09T20:12:23Z"),
    ("2015-04-10 20:12:23.250000", 1, "2015-04-10T20:12:24.250000"),
    ("2016-03-01T00:00:00", -86400, "2016-02-29T00:00:00"),
])
def test_shift_time_keeps_the_form_it_was_given(taken: str, seconds: int, after: str) -> None:
    assert shift_time(taken, seconds) == after


def test_shift_time_out_of_range_or_not_a_time_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        shift_time("0001-01-01T00:00:00", -1)
    with pytest.raises(ValueError):
        shift_time("yesterday", 60)


def test_same_camera_ignores_case_accents_and_spacing_and_none_matches_any() -> None:
    cam = Camera("Canon", "Canon EOS 5D  Mark II")
    assert same_camera(cam, "CANON", "canon eos 5d mark ii")
    assert same_camera(cam, None, "Canon EOS 5D Mark II") and same_camera(cam, "canon", None)
    assert not same_camera(cam, "Canon", "Canon EOS 5D")
    assert not same_camera(None, "Canon", None)


def test_set_and_shift_record_the_before_values_of_exactly_those_fields() -> None:
    p = photo(title="Mine", user_fields=["title"])
    loc = Location(lat=53.35, lon=-6.26, source="user", place=Place(city="Dublin"))
    snap = rules.apply_batch_edit(p, BatchEdit(values={"title": "Batch", "location": loc}, shift_s=60))
    assert (p.title, p.location, p.taken_at) == ("Batch", loc, "2015-04-10T20:13:23")
    assert set(p.user_fields) == {"title", "location", "taken_at"}
    assert snap == {"fields": {"title": "Mine", "location": None, "taken_at": "2015-04-10T20:12:23"},
                    "user": ["title"], "labels": {}}


def test_undo_puts_back_the_fields_and_whose_they_were_and_nothing_else() -> None:
    p = photo(title="Mine", user_fields=["title"], location=Location(lat=1.0, lon=2.0, place=Place(city="X")))
    original = copy.deepcopy(p)
    snap = rules.apply_batch_edit(p, BatchEdit(values={"title": "Batch", "location": None}, shift_s=-3600,
                                               add_labels=("Rex",), remove_labels=("car",)))
    p.description = "written meanwhile"  # the user edits a field the batch did not touch
    assert rules.restore_batch_fields(p, copy.deepcopy(snap)) is True
    assert p.description == "written meanwhile"
    p.description = None
    assert p == original


def test_labels_added_are_the_users_and_a_removed_model_label_is_rejected() -> None:
    p = photo(rejected_labels=["Rex"])
    snap = rules.apply_batch_edit(p, BatchEdit(add_labels=("Rex", "dog"), remove_labels=("car",)))
    visible = {lbl.name: lbl.source for lbl in p.visible_labels()}
    assert visible == {"dog": "user", "Rex": "user"}
    assert "car" in p.rejected_labels and "Rex" not in p.rejected_labels
    assert set(snap["labels"]) == {"Rex", "dog", "car"}
    assert snap["labels"]["Rex"] == {"labels": [], "rejected": True}


def test_a_batch_that_changes_nothing_returns_an_empty_snapshot() -> None:
    p = photo(title="Same", user_fields=["title"], taken_at=None, labels=[Label("Rex", 1.0, source="user")])
    assert rules.apply_batch_edit(p, BatchEdit(values={"title": "Same"}, shift_s=60, add_labels=("Rex",),
                                               remove_labels=("cat",))) == {}
    assert rules.restore_batch_fields(p, {}) is False


def test_a_change_applied_twice_to_fresh_copies_records_the_same_snapshot() -> None:
    """The change helper applies the rule again after a lost race: the rule is a function of the photo."""
    edit = BatchEdit(values={"title": "T"}, shift_s=5, add_labels=("x",))
    assert rules.apply_batch_edit(photo(), edit) == rules.apply_batch_edit(photo(), edit)


def test_restoring_a_field_a_batch_never_changes_is_refused() -> None:
    with pytest.raises(ValueError):
        rules.restore_batch_fields(photo(), {"fields": {"status": "done"}, "user": [], "labels": {}})

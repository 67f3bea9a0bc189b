"""The rules of changing a photo (domain.photo_rules), without a store: each is a function of the photo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from cloudalbum.domain import photo_rules as rules
from cloudalbum.domain.model import Answer, Box, Label, Location, ModelInfo, Photo, Place, Source


def photo(**fields: object) -> Photo:
    base = Photo(id="p1", owner_id="u1", filename="a.jpg", content_type="image/jpeg", bytes=10,
                 original_key="originals/u1/p1", uploaded_at="2024-01-01T00:00:00+00:00")
    for name, value in fields.items():
        setattr(base, name, value)
    return base


# --- status ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "open_questions", "after", "changed"), [
    ("done", True, "needs_input", True),
    ("needs_input", False, "done", True),
    ("done", False, "done", False),
    ("needs_input", True, "needs_input", False),
    ("uploaded", True, "uploaded", False),
    ("processing", False, "processing", False),
    ("failed", True, "failed", False),
])
def test_settle_moves_a_processed_photo_between_done_and_needs_input(status: str, open_questions: bool,
                                                                      after: str, changed: bool) -> None:
    p = photo(status=status)
    assert rules.settle(p, open_questions=open_questions) is changed
    assert p.status == after


def test_finishing_processing_clears_an_earlier_error() -> None:
    p = photo(status="failed", error="could not decode the image")
    rules.finish_processing(p, open_questions=True)
    assert (p.status, p.error) == ("needs_input", None)
    rules.finish_processing(p, open_questions=False)
    assert (p.status, p.error) == ("done", None)


def test_start_and_fail() -> None:
    p = photo(status="failed", error="old")
    rules.start_processing(p)
    assert (p.status, p.error) == ("processing", None)
    rules.fail(p, "the original file is missing")
    assert (p.status, p.error) == ("failed", "the original file is missing")


# --- what the user says ---------------------------------------------------------------------------------------


def test_a_user_edit_sets_the_fields_and_remembers_them_once() -> None:
    p = photo(user_fields=["title"])
    where = Location(lat=1.0, lon=2.0, source=Source.USER.value)
    rules.apply_user_edit(p, {"title": "Dusk", "location": where, "rating": 4})
    rules.apply_user_edit(p, {"title": "Dawn"})
    assert (p.title, p.location, p.rating) == ("Dawn", where, 4)
    assert p.user_fields == ["title", "location", "rating"]


def test_a_user_edit_refuses_fields_that_are_not_the_users() -> None:
    p = photo()
    with pytest.raises(ValueError, match="not editable: labels, status"):
        rules.apply_user_edit(p, {"status": "done", "labels": []})
    assert p.status == "uploaded" and p.user_fields == []


def test_an_answer_replaces_an_earlier_answer_to_the_same_question() -> None:
    p = photo(answers=[Answer("Where was this taken?", "Rome"), Answer("What was the event?", "Trip")])
    rules.add_answer(p, Answer("Where was this taken?", "Arezzo"))
    assert p.answers == [Answer("What was the event?", "Trip"), Answer("Where was this taken?", "Arezzo")]


def test_confirming_a_label_makes_it_certain_and_the_users() -> None:
    box = Box(1, 2, 3, 4, 0.4)
    p = photo(labels=[Label("dog", 0.4, boxes=[box], model="yolov8n@1")], rejected_labels=["dog"])
    rules.confirm_label(p, "dog")
    assert p.labels == [Label("dog", 1.0, source=Source.USER.value, boxes=[box], model="yolov8n@1")]
    assert p.rejected_labels == []
    rules.confirm_label(p, "cat")  # not there: added as the user's
    assert p.labels[-1] == Label("cat", 1.0, source=Source.USER.value)


def test_rejecting_a_label_hides_it_once() -> None:
    p = photo(labels=[Label("dog", 0.4)])
    rules.reject_label(p, "dog")
    rules.reject_label(p, "dog")
    assert p.rejected_labels == ["dog"] and p.visible_labels() == []


def test_a_user_label_replaces_one_of_that_name_and_is_no_longer_rejected() -> None:
    p = photo(labels=[Label("rex", 0.3), Label("dog", 0.9)], rejected_labels=["rex"])
    rules.add_user_label(p, "rex")
    assert p.labels == [Label("dog", 0.9), Label("rex", 1.0, source=Source.USER.value)]
    assert p.rejected_labels == []


# --- what processing found ------------------------------------------------------------------------------------


@dataclass
class Reading:
    taken_at: str | None = "2008-10-22T16:28:39"
    make: str | None = "NIKON"
    model: str | None = "COOLPIX P6000"
    orientation: int | None = 1
    lat: float | None = 43.47
    lon: float | None = 11.88
    alt_m: float | None = None
    width: int | None = 640
    height: int | None = 480


@dataclass
class Analysis:
    exif: Reading = field(default_factory=Reading)
    place: Place | None = field(default_factory=lambda: Place(city="Arezzo", country_code="IT"))
    width: int | None = 640
    height: int | None = 480
    labels: list[Label] = field(default_factory=lambda: [Label("dog", 0.9, model="yolov8n@2")])
    error: str | None = None
    fingerprint: Any = None
    taken_offset_source: str | None = None

    @property
    def taken_at(self) -> str | None:
        return self.exif.taken_at


MODEL = ModelInfo("yolov8n", "2")


def test_an_analysis_sets_what_the_camera_and_the_model_say() -> None:
    p = photo()
    rules.apply_analysis(p, Analysis(), model=MODEL, thumbnail_keys={"small": "thumbnails/u1/p1/small.jpg"})
    assert p.taken_at == "2008-10-22T16:28:39" and p.camera is not None and p.camera.make == "NIKON"
    assert p.location is not None and p.location.source == "exif" and p.location.place is not None
    assert p.location.place.city == "Arezzo"
    assert (p.width, p.height) == (640, 480)
    assert [lbl.name for lbl in p.labels] == ["dog"] and "animals" in p.categories
    assert p.thumbnail_keys == {"small": "thumbnails/u1/p1/small.jpg"}
    assert p.model == MODEL and p.processed_version == "yolov8n@2"


def test_an_analysis_never_overwrites_what_the_user_set() -> None:
    mine = Location(lat=1.0, lon=2.0, source=Source.USER.value)
    p = photo(taken_at="1999-12-31T23:59:00", location=mine, user_fields=["taken_at", "location"],
              labels=[Label("dog", 1.0, source=Source.USER.value), Label("cat", 0.5, model="yolov8n@1")],
              rejected_labels=["person"])
    analysis = Analysis(labels=[Label("dog", 0.9, model="yolov8n@2"), Label("person", 0.8, model="yolov8n@2")])
    rules.apply_analysis(p, analysis, model=MODEL, thumbnail_keys={})
    assert p.taken_at == "1999-12-31T23:59:00" and p.location is mine
    # the old model label goes, the user's "dog" stays the user's, the rejected "person" stays hidden
    assert [(lbl.name, lbl.source) for lbl in p.labels] == [("dog", "user"), ("person", "model")]
    assert [lbl.name for lbl in p.visible_labels()] == ["dog"] and "people" not in p.categories


def test_an_analysis_applied_twice_gives_the_same_photo() -> None:
    once, twice = photo(), photo()
    rules.apply_analysis(once, Analysis(), model=MODEL, thumbnail_keys={})
    rules.apply_analysis(twice, Analysis(), model=MODEL, thumbnail_keys={})
    rules.apply_analysis(twice, Analysis(), model=MODEL, thumbnail_keys={})
    assert once == twice


def test_an_undecodable_image_keeps_its_labels_and_takes_the_headers_size() -> None:
    p = photo(labels=[Label("dog", 0.9, model="yolov8n@1")], processed_version="yolov8n@1")
    reading = Reading(orientation=6, width=4000, height=3000)
    rules.apply_analysis(p, Analysis(exif=reading, width=None, height=None, labels=[], error="could not decode"),
                         model=MODEL, thumbnail_keys={})
    assert (p.width, p.height) == (3000, 4000)  # rotated by EXIF
    assert [lbl.name for lbl in p.labels] == ["dog"] and p.processed_version == "yolov8n@1"


def test_trash_notes_the_time_once_and_keeps_everything_for_a_restore() -> None:
    p = photo(albums=["a1"], answers=[Answer(question="Where?", answer="Rome")], title="Trip")
    assert rules.trash(p, "2026-03-01T10:00:00+00:00") is True
    assert p.trashed_at == "2026-03-01T10:00:00+00:00"
    assert rules.trash(p, "2026-03-02T10:00:00+00:00") is False  # the first time stays: the purge counts from it
    assert p.trashed_at == "2026-03-01T10:00:00+00:00"
    assert p.albums == ["a1"] and p.answers and p.title == "Trip"
    assert rules.restore(p) is True and p.trashed_at is None
    assert rules.restore(p) is False


def test_purge_is_due_only_for_photos_trashed_before_the_cutoff() -> None:
    p = photo()
    assert not rules.purge_due(p, before="2026-03-01T00:00:00+00:00")  # not in the trash
    rules.trash(p, "2026-02-01T00:00:00+00:00")
    assert rules.purge_due(p, before="2026-03-01T00:00:00+00:00")
    assert not rules.purge_due(p, before="2026-01-01T00:00:00+00:00")

"""The rules of changing a photo: its status, what the user's edits and answers do, what an analysis sets.

Plain functions over `model.Photo`, without storage: a service loads a photo, applies one of these, and saves
it through `services.changes.PhotoChanges`, which applies the same function again to a fresh copy when another
writer saved first. So each rule is written once, here, and tested without a store (tests/domain/).

Principle 3 of DESIGN.md ("machines propose, people decide") is what most of them keep: a field the user set
(listed in `photo.user_fields`) is never overwritten by an analysis, a label the user rejected stays hidden,
and a user label is never replaced by a model's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .categories import categories_for
from .model import Answer, Camera, Label, Location, ModelInfo, Photo, PhotoStatus, Place, Source

PROCESSED = (PhotoStatus.DONE.value, PhotoStatus.NEEDS_INPUT.value)
USER_EDITABLE = ("title", "description", "taken_at", "location", "rating")
ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height


# --- the trash -------------------------------------------------------------------------------------------


def trash(photo: Photo, now: str) -> bool:
    """Move the photo to the trash at `now` (UTC ISO). Nothing else changes: albums, answers, labels and faces
    stay on the record so a restore is exact. False (nothing to write) when it is already in the trash, so a
    repeated delete keeps the first time (the purge counts from it)."""
    if photo.trashed_at is not None:
        return False
    photo.trashed_at = now
    return True


def restore(photo: Photo) -> bool:
    """Bring the photo back from the trash; False when it is not in the trash."""
    if photo.trashed_at is None:
        return False
    photo.trashed_at = None
    return True


def purge_due(photo: Photo, *, before: str) -> bool:
    """Whether a trashed photo is due for purging: trashed before `before` (same ISO format). A photo restored
    since (or never trashed) is not."""
    return photo.trashed_at is not None and photo.trashed_at < before


# --- status -----------------------------------------------------------------------------------------------


def processed_status(open_questions: bool) -> str:
    """The status of a processed photo: needs_input while a question about it is open, done otherwise."""
    return PhotoStatus.NEEDS_INPUT.value if open_questions else PhotoStatus.DONE.value


def settle(photo: Photo, *, open_questions: bool) -> bool:
    """Settle a processed photo's status from its open questions (an answer, a dismissal or a new question
    moves it between done and needs_input). A photo that is not processed (uploaded, processing, failed) keeps
    its status. True when the status changed."""
    if photo.status not in PROCESSED:
        return False
    before = photo.status
    photo.status = processed_status(open_questions)
    return photo.status != before


def start_processing(photo: Photo) -> None:
    photo.status, photo.error = PhotoStatus.PROCESSING.value, None


def finish_processing(photo: Photo, *, open_questions: bool) -> None:
    """Processing succeeded: done or needs_input, and no error left from an earlier attempt."""
    photo.status, photo.error = processed_status(open_questions), None


def fail(photo: Photo, reason: str) -> None:
    """Failed with a reason a person can read; the photo itself stays viewable."""
    photo.status, photo.error = PhotoStatus.FAILED.value, reason


# --- what the user says -----------------------------------------------------------------------------------


def mark_user_field(photo: Photo, name: str) -> None:
    """Remember that the user set this field: processing never overwrites it."""
    if name not in photo.user_fields:
        photo.user_fields = [*photo.user_fields, name]


def apply_user_edit(photo: Photo, values: Mapping[str, Any]) -> None:
    """Set edited fields (already validated) and remember each as the user's. ValueError for a field that is not
    the user's to edit."""
    unknown = sorted(set(values) - set(USER_EDITABLE))
    if unknown:
        raise ValueError(f"not editable: {', '.join(unknown)}")
    for name, value in values.items():
        setattr(photo, name, value)
        mark_user_field(photo, name)


def add_answer(photo: Photo, answer: Answer) -> None:
    """Record an answer; a later answer to the same question replaces the earlier one."""
    photo.answers = [a for a in photo.answers if a.question != answer.question] + [answer]


def add_user_label(photo: Photo, name: str) -> None:
    """A label the user gave (a pet's name, a person's name): certain, replaces a label of that name, and
    is no longer rejected."""
    photo.rejected_labels = [r for r in photo.rejected_labels if r != name]
    photo.labels = [lbl for lbl in photo.labels if lbl.name != name] + [
        Label(name=name, confidence=1.0, count=1, source=Source.USER.value)]


def confirm_label(photo: Photo, name: str) -> None:
    """The user says the label is right: it becomes certain and the user's (its boxes are kept)."""
    photo.rejected_labels = [r for r in photo.rejected_labels if r != name]
    for lbl in photo.labels:
        if lbl.name == name:
            lbl.confidence, lbl.source = 1.0, Source.USER.value
            return
    photo.labels.append(Label(name=name, confidence=1.0, count=1, source=Source.USER.value))


def reject_label(photo: Photo, name: str) -> None:
    """The user says the label is wrong: it is hidden for good (reprocessing keeps it hidden)."""
    if name not in photo.rejected_labels:
        photo.rejected_labels.append(name)


# --- what processing found --------------------------------------------------------------------------------


class Reading(Protocol):
    """What a file's metadata said (media.exif.ExifData). width and height are the stored pixels, before
    the EXIF rotation."""

    taken_at: str | None
    make: str | None
    model: str | None
    orientation: int | None
    lat: float | None
    lon: float | None
    alt_m: float | None
    width: int | None
    height: int | None


class Analysed(Protocol):
    """What processing made of one original (services.processing.Analysis). error: the image could not be
    decoded (then only the reading counts)."""

    @property
    def exif(self) -> Reading: ...

    @property
    def place(self) -> Place | None: ...

    @property
    def width(self) -> int | None: ...

    @property
    def height(self) -> int | None: ...

    @property
    def labels(self) -> Sequence[Label]: ...

    @property
    def error(self) -> str | None: ...


def apply_analysis(photo: Photo, result: Analysed, *, model: ModelInfo, thumbnail_keys: Mapping[str, str]) -> None:
    """Put the analysis on the photo without touching what the user set. Idempotent: applied again to a fresh
    copy when the save loses a race, and a redelivered job replaces model labels instead of adding them."""
    meta = result.exif
    user = set(photo.user_fields)
    if "taken_at" not in user:
        photo.taken_at = meta.taken_at
    if "camera" not in user:
        photo.camera = Camera(meta.make, meta.model) if (meta.make or meta.model) else None
    if "location" not in user:
        photo.location = (Location(lat=meta.lat, lon=meta.lon, alt_m=meta.alt_m, source=Source.EXIF.value,
                                   place=result.place)
                          if meta.lat is not None and meta.lon is not None else None)
    photo.orientation = meta.orientation
    if result.width and result.height:
        photo.width, photo.height = result.width, result.height
    elif meta.width and meta.height and photo.width is None:  # undecodable: the header's size, if any
        swapped = meta.orientation in ROTATED
        photo.width, photo.height = (meta.height, meta.width) if swapped else (meta.width, meta.height)
    if result.error is None:
        kept = [lbl for lbl in photo.labels if lbl.source != Source.MODEL.value]
        user_names = {lbl.name for lbl in kept}
        photo.labels = kept + [lbl for lbl in result.labels if lbl.name not in user_names]
        photo.categories = categories_for(photo.labels, rejected=photo.rejected_labels)
        photo.thumbnail_keys = dict(thumbnail_keys)
        photo.model = model
        photo.processed_version = f"{model.name}@{model.version}"

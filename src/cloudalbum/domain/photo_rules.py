"""The rules of changing a photo: its status, what the user's edits and answers do, what an analysis sets.

Plain functions over `model.Photo`, without storage: a service loads a photo, applies one of these, and saves
it through `services.changes.PhotoChanges`, which applies the same function again to a fresh copy when another
writer saved first. So each rule is written once, here, and tested without a store (tests/domain/).

Principle 3 of DESIGN.md ("machines propose, people decide") is what most of them keep: a field the user set
(listed in `photo.user_fields`) is never overwritten by an analysis, a label the user rejected stays hidden,
and a user label is never replaced by a model's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .batches import BatchEdit, shift_time
from .categories import categories_for
from .duplicates import Fingerprint
from .model import (
    Answer,
    Box,
    Camera,
    Label,
    Location,
    ModelInfo,
    Photo,
    PhotoStatus,
    PhotoText,
    Place,
    Source,
    TextLine,
)

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


# --- duplicates (issue 15 item 3) ----------------------------------------------------------------------------


def merge_duplicates(keeper: Photo, others: Sequence[Photo]) -> bool:
    """Resolving a duplicate group: what the others carry that the keeper lacks moves to it, as the user's own
    (the user chose to keep it): their answers (to questions the keeper has no answer to), user labels, and the
    title, description and location when the keeper has none (the first of the others that has one, in the
    group's order). Album memberships are the album store's (services.duplicates adds the keeper to them).
    False when nothing changed."""
    before = (list(keeper.answers), list(keeper.labels), keeper.title, keeper.description,
              keeper.location)
    for other in others:
        asked = {a.question for a in keeper.answers}
        keeper.answers = [*keeper.answers, *(a for a in other.answers if a.question not in asked)]
        mine = {lbl.name for lbl in keeper.labels if lbl.source == Source.USER.value}
        for lbl in other.labels:
            if lbl.source == Source.USER.value and lbl.name not in mine:
                add_user_label(keeper, lbl.name)
        for name in ("title", "description", "location"):
            if not getattr(keeper, name) and getattr(other, name):
                setattr(keeper, name, getattr(other, name))
                mark_user_field(keeper, name)
    after = (keeper.answers, keeper.labels, keeper.title, keeper.description, keeper.location)
    return after != before


# --- status -----------------------------------------------------------------------------------------------


def add_fingerprint(photo: Photo, fingerprint: Fingerprint) -> bool:
    """A photo processed before duplicate fingerprints existed gets one (the backfill); one it has stays."""
    if photo.fingerprint is not None:
        return False
    photo.fingerprint = fingerprint
    return True


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
    if "taken_at" in values:  # the user's time is kept as given: no source of processing's offset applies
        photo.taken_offset_source = None


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

    @property
    def fingerprint(self) -> Fingerprint | None: ...

    @property
    def taken_at(self) -> str | None:
        """The camera's time with the offset processing found for it (domain.times.local_time)."""

    @property
    def taken_offset_source(self) -> str | None: ...


def apply_analysis(photo: Photo, result: Analysed, *, model: ModelInfo, thumbnail_keys: Mapping[str, str]) -> None:
    """Put the analysis on the photo without touching what the user set. Idempotent: applied again to a fresh
    copy when the save loses a race, and a redelivered job replaces model labels instead of adding them."""
    meta = result.exif
    user = set(photo.user_fields)
    if "taken_at" not in user:
        photo.taken_at, photo.taken_offset_source = result.taken_at, result.taken_offset_source
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
        photo.fingerprint = result.fingerprint
        photo.model = model
        photo.processed_version = f"{model.name}@{model.version}"


# --- batch edits (issue 15.5) -------------------------------------------------------------------------------


def apply_batch_edit(photo: Photo, edit: BatchEdit) -> dict[str, Any]:
    """Apply one batch's operations to a photo, as user input (set fields and a shifted time become the user's;
    added labels are user labels; a removed label goes, and a model's label of that name is rejected). Returns
    the snapshot undo needs: the before-values of exactly the fields this changed ({} when it changed nothing).
    A photo without a time is not shifted. Idempotent per fresh copy (the change helper may run it again)."""
    fields: dict[str, Any] = {}
    was_user = set(photo.user_fields)
    values = dict(edit.values)
    if "taken_at" in values and photo.taken_at != values["taken_at"]:
        photo.taken_offset_source = None  # the user's time, as given (a shift keeps the offset and its source)
    if edit.shift_s and photo.taken_at:
        values["taken_at"] = shift_time(photo.taken_at, edit.shift_s)
    for name, value in values.items():
        current = getattr(photo, name)
        if current == value and name in was_user:
            continue
        fields[name] = _field_json(current)
        setattr(photo, name, value)
        mark_user_field(photo, name)
    labels: dict[str, Any] = {}
    for name in edit.add_labels:
        mine = [lbl for lbl in photo.labels if lbl.name == name]
        if name not in photo.rejected_labels and len(mine) == 1 and mine[0].source == Source.USER.value:
            continue
        labels[name] = _label_snapshot(photo, name)
        add_user_label(photo, name)
    for name in edit.remove_labels:
        if name not in {lbl.name for lbl in photo.visible_labels()}:
            continue
        labels.setdefault(name, _label_snapshot(photo, name))
        photo.labels = [lbl for lbl in photo.labels if lbl.name != name or lbl.source != Source.USER.value]
        if any(lbl.name == name for lbl in photo.labels):
            reject_label(photo, name)
    if not fields and not labels:
        return {}
    return {"fields": fields, "user": sorted(n for n in fields if n in was_user), "labels": labels}


def restore_batch_fields(photo: Photo, before: Mapping[str, Any]) -> bool:
    """Undo: put back the fields a batch changed (apply_batch_edit's snapshot), and only those: whether each was
    the user's, and each touched label name's labels and rejection. False when the snapshot is empty."""
    fields: Mapping[str, Any] = before.get("fields", {})
    labels: Mapping[str, Any] = before.get("labels", {})
    for name, value in fields.items():
        if name not in BATCH_FIELDS:
            raise ValueError(f"a batch does not change {name}")
        setattr(photo, name, _location(value) if name == "location" else value)
        if name in before.get("user", []):
            mark_user_field(photo, name)
        else:
            photo.user_fields = [f for f in photo.user_fields if f != name]
    for name, snap in labels.items():
        photo.labels = [lbl for lbl in photo.labels if lbl.name != name] + [_label(d) for d in snap["labels"]]
        photo.rejected_labels = [r for r in photo.rejected_labels if r != name] + ([name] if snap["rejected"] else [])
    return bool(fields or labels)


BATCH_FIELDS = ("title", "description", "taken_at", "location")


def _field_json(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


def _label_snapshot(photo: Photo, name: str) -> dict[str, Any]:
    return {"labels": [dataclasses.asdict(lbl) for lbl in photo.labels if lbl.name == name],
            "rejected": name in photo.rejected_labels}


def _label(d: Mapping[str, Any]) -> Label:
    return Label(**{**d, "boxes": [Box(**b) for b in d.get("boxes", [])]})


def _location(d: Mapping[str, Any] | None) -> Location | None:
    if d is None:
        return None
    place = d.get("place")
    return Location(**{**d, "place": Place(**place) if place is not None else None})


# --- what the text reader found ---------------------------------------------------------------------------


def wants_text(photo: Photo, model: str) -> bool:
    """Whether reading the photo's text with `model` would change anything: it is processed (final) and was not
    read by these very models (a redelivered job or a re-run does nothing)."""
    return photo.status in PROCESSED and (photo.text is None or photo.text.model != model)


def apply_text(photo: Photo, lines: Sequence[TextLine], *, model: str) -> bool:
    """Put the lines read (boxes already in pixels of the upright original) on the photo, replacing an earlier
    reading by other models. False (nothing to write) when the photo is not final or already read by `model`."""
    if not wants_text(photo, model):
        return False
    photo.text = PhotoText(lines=[TextLine(text=ln.text, confidence=round(float(ln.confidence), 3),
                                           x=round(float(ln.x), 1), y=round(float(ln.y), 1),
                                           w=round(float(ln.w), 1), h=round(float(ln.h), 1)) for ln in lines],
                           model=model)
    return True

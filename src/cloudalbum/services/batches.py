"""Batch edits and their undo (issue 15.5; API.md "Batch edit").

A batch selects the owner's photos by id (at most MAX_BATCH_PHOTOS) or by camera (through the search index,
SearchIndex.photos_by_camera), checks everything before it writes anything (any id not the owner's: 404; a bad
value: 422), records itself, then changes each photo through PhotoChanges with domain.photo_rules.apply_batch_edit
and records, per photo, the before-values of the fields it changed. Undo applies them back through the same
helper (photo_rules.restore_batch_fields), so a field the user edited meanwhile and the batch did not touch stays
as the user left it.

Photos whose time or place a batch (or its undo) changed are passed on as a single PATCH's are
(PhotoService.placed: the open photos around the first and last placed one may follow; PhotoService.moved: the
trips of each month they left or joined are found again), once per month rather than once per photo.

Not one transaction: photos are written one by one (as PATCH writes them) and recorded in chunks. A crash in the
middle leaves the photos changed so far changed and recorded (but for the chunk in flight), and their undo works.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..domain import photo_rules
from ..domain.batches import KEEP_DAYS, MAX_BATCH_PHOTOS, MAX_SHIFT_S, Batch, BatchEdit, BatchPhoto, shift_time
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.model import Location, Photo, Source, iso, new_id, utcnow
from ..domain.search import words
from ..domain.timeline import month_of
from ..ports import AlbumStore, BatchStore, Geocoder, SearchIndex
from .photos import PhotoService

CHUNK = 100  # photos changed between two writes of their before-values
MAX_LABELS = 50
MAX_LABEL = 100
SETTABLE = ("title", "description", "taken_at", "location", "place")


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    updated: int
    photo_ids: list[str]


class BatchService:
    def __init__(self, photos: PhotoService, albums: AlbumStore, index: SearchIndex, batches: BatchStore,
                 geocoder: Callable[[], Geocoder] | None = None, now: Callable[[], datetime] = utcnow) -> None:
        self.photos, self.albums, self.index, self.batches = photos, albums, index, batches
        self._geocoder, self._now = geocoder, now

    # --- a batch --------------------------------------------------------------------------------------------

    def edit(self, owner_id: str, body: dict[str, Any]) -> BatchResult:
        """Select, check, then change (see module docstring). Invalid for bad values, NotFound for a photo or
        album that is not the owner's; nothing is written before every check has passed."""
        edit = self._edit(body)
        album_id = body.get("add_to_album")
        if album_id is not None and self.albums.get_album(album_id, owner_id) is None:
            raise NotFound("No such album.", code="album_not_found")
        if not edit.changes_photos() and album_id is None:
            raise Invalid("Name at least one change: set, shift_taken_at_s, add_labels, remove_labels or "
                          "add_to_album.", code="validation_error")
        selected = self._select(owner_id, body)
        _check_shift(selected, edit.shift_s)
        now = self._now()
        batch = Batch(id=new_id(), owner_id=owner_id, created_at=iso(now),
                      expires_at=iso(now + timedelta(days=KEEP_DAYS)), photo_ids=[p.id for p in selected],
                      album_id=album_id, operations=_operations(body))
        self.batches.add_batch(batch)
        updated = 0
        moves = _Moves(self.photos)
        for start in range(0, len(selected), CHUNK):
            entries = [e for e in (self._apply(p, edit, album_id, moves) for p in selected[start:start + CHUNK]) if e]
            self.batches.add_batch_photos(batch.id, owner_id, entries)
            joined = [e.photo_id for e in entries if e.added_to_album]
            if album_id is not None and joined:
                self.albums.add_to_album(album_id, joined)
            updated += len(entries)
        moves.tell()
        return BatchResult(batch.id, updated, batch.photo_ids)

    def _apply(self, photo: Photo, edit: BatchEdit, album_id: str | None, moves: _Moves) -> BatchPhoto | None:
        """Change one photo; its entry (before-values, album joined), or None when nothing changed."""
        before: dict[str, Any] = {}

        def change(p: Photo) -> bool:
            before.clear()
            before.update(photo_rules.apply_batch_edit(p, edit))
            return bool(before)

        saved = self.photos.changes.change(photo.id, photo.owner_id, change, loaded=photo) if edit.changes_photos() \
            else photo
        if saved is None:  # deleted meanwhile
            return None
        moves.add(saved, before.get("fields", {}), photo.taken_at)
        joins = album_id is not None and album_id not in saved.albums
        return BatchPhoto(photo.id, dict(before), joins) if before or joins else None

    def _select(self, owner_id: str, body: dict[str, Any]) -> list[Photo]:
        ids, camera = body.get("photo_ids"), body.get("camera")
        if (ids is None) == (camera is None):
            raise Invalid("Select photos by photo_ids or by camera (one of the two).", code="validation_error")
        if camera is not None:
            make, model = camera.get("make"), camera.get("model")
            if not words(" ".join(v for v in (make, model) if v)):
                raise Invalid("camera needs a make or a model.", code="validation_error")
            found = self.index.photos_by_camera(owner_id, make, model, limit=MAX_BATCH_PHOTOS + 1)
            if len(found) > MAX_BATCH_PHOTOS:
                raise Invalid(f"More than {MAX_BATCH_PHOTOS} photos are of that camera; select them by photo_ids "
                              "in parts.", code="too_many_photos")
            return found
        unique = list(dict.fromkeys(ids or []))
        if not 1 <= len(unique) <= MAX_BATCH_PHOTOS:
            raise Invalid(f"photo_ids lists 1 to {MAX_BATCH_PHOTOS} photo ids.", code="validation_error")
        photos = []
        for pid in unique:
            photo = self.photos.photos.get_photo(pid, owner_id)
            if photo is None:
                raise NotFound(f"No such photo: {pid}", code="photo_not_found")
            photos.append(photo)
        return photos

    def _edit(self, body: dict[str, Any]) -> BatchEdit:
        values = dict(body.get("set") or {})
        unknown = sorted(set(values) - set(SETTABLE))
        if unknown:
            raise Invalid(f"set cannot change {', '.join(unknown)}; it sets {', '.join(SETTABLE)}.",
                          code="validation_error")
        place = values.pop("place", None)
        if place is not None and "location" in values:
            raise Invalid("Set location or place, not both.", code="validation_error")
        values = self.photos.validated(values)
        if place is not None:
            values["location"] = self._place(place)
        shift = int(body.get("shift_taken_at_s") or 0)
        if shift and "taken_at" in values:
            raise Invalid("Set taken_at or shift it, not both.", code="validation_error")
        if abs(shift) > MAX_SHIFT_S:
            raise Invalid("shift_taken_at_s is at most a century either way.", code="validation_error")
        add, remove = _labels(body.get("add_labels"), "add_labels"), _labels(body.get("remove_labels"), "remove_labels")
        if set(add) & set(remove):
            raise Invalid("A label cannot be both added and removed.", code="validation_error")
        return BatchEdit(values=values, shift_s=shift, add_labels=add, remove_labels=remove)

    def _place(self, name: Any) -> Location:
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise Invalid("place must be a place name such as 'Dublin' or 'Paris, France'.", code="validation_error")
        found = self._geocoder().forward(name.strip()) if self._geocoder is not None else None
        if found is None:
            raise Invalid(f"No place called {name.strip()!r} is known. Try a town or city, or 'Town, Country'.",
                          code="unknown_place")
        lat, lon, place = found
        return Location(lat=lat, lon=lon, source=Source.USER.value, place=place)

    # --- undo -----------------------------------------------------------------------------------------------

    def undo(self, owner_id: str, batch_id: str) -> int:
        """Put back what the batch changed, once. NotFound for a missing, expired or another owner's batch;
        Conflict (batch_already_undone) the second time. Returns how many photos were restored."""
        batch = self.batches.get_batch(batch_id, owner_id, now=iso(self._now()))
        if batch is None:
            raise NotFound("No such batch (or it expired).", code="batch_not_found")
        if batch.undone_at is not None or not self.batches.mark_undone(batch_id, owner_id, at=iso(self._now())):
            raise Conflict("This batch was already undone.", code="batch_already_undone")
        album_ok = batch.album_id is not None and self.albums.get_album(batch.album_id, owner_id) is not None
        restored = 0
        moves = _Moves(self.photos)
        for entry in self.batches.batch_photos(batch_id, owner_id):
            saved = self._restore(owner_id, entry, moves) if entry.before else None
            if entry.added_to_album and album_ok and batch.album_id is not None:
                self.albums.remove_from_album(batch.album_id, entry.photo_id)
            restored += 1 if saved is not None or (entry.added_to_album and album_ok) else 0
        moves.tell()
        return restored

    def _restore(self, owner_id: str, entry: BatchPhoto, moves: _Moves) -> Photo | None:
        taken_before: list[str | None] = []

        def change(photo: Photo) -> bool:
            taken_before[:] = [photo.taken_at]
            return photo_rules.restore_batch_fields(photo, entry.before)

        saved = self.photos.changes.change(entry.photo_id, owner_id, change)
        if saved is not None:
            moves.add(saved, entry.before.get("fields", {}), taken_before[0] if taken_before else None)
        return saved


class _Moves:
    """The photos of one batch (or undo) whose time or place changed, told to PhotoService's followers at the
    end: placed photos in one call, and one `moved` per month left or joined (the trips' recompute of a month
    is one job however many of its photos moved)."""

    def __init__(self, photos: PhotoService) -> None:
        self.photos = photos
        self.located: list[Photo] = []
        self.moved: dict[tuple[str | None, str | None], tuple[Photo, str | None]] = {}

    def add(self, saved: Photo, fields: dict[str, Any], taken_before: str | None) -> None:
        """One photo changed; fields: the batch's before-values of the fields it changed."""
        if "location" in fields and saved.location is not None:
            self.located.append(saved)
        if "taken_at" in fields or "location" in fields:
            months = (month_of(saved.taken_at), month_of(taken_before))
            self.moved.setdefault(months, (saved, taken_before))

    def tell(self) -> None:
        if self.located and self.photos.placed is not None:
            self.photos.placed(self.located)
        moved = self.photos.moved
        if moved is None:
            return
        for photo, taken_before in self.moved.values():
            moved(photo, taken_before)


def _check_shift(photos: list[Photo], seconds: int) -> None:
    """Every selected time can be shifted (checked before anything is written)."""
    for photo in photos if seconds else []:
        try:
            if photo.taken_at:
                shift_time(photo.taken_at, seconds)
        except ValueError as exc:
            raise Invalid(f"The time of photo {photo.id} ({photo.taken_at}) cannot be shifted by {seconds} s.",
                          code="validation_error") from exc


def _labels(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_LABELS:
        raise Invalid(f"{name} is a list of at most {MAX_LABELS} label names.", code="validation_error")
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > MAX_LABEL:
            raise Invalid(f"{name}: each label is a name of 1 to {MAX_LABEL} characters.", code="validation_error")
        out.append(item.strip())
    return tuple(dict.fromkeys(out))


def _operations(body: dict[str, Any]) -> dict[str, Any]:
    """What the batch was asked to do, as recorded with it (the selection is recorded as photo ids)."""
    keys: Sequence[str] = ("set", "shift_taken_at_s", "add_labels", "remove_labels", "add_to_album", "camera")
    return {k: body[k] for k in keys if body.get(k) is not None}

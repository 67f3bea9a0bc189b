"""Photos: upload, list, get, edit, delete, download, reprocess.

An upload is stored and recorded by services/uploads.py (see its docstring for the crash-safe order), then its
processing is queued here. A crash between the record and the queue leaves a record in "uploaded", which the
maintenance sweep re-enqueues. A delete notes the photo as pending work before it removes the record, so blobs
a crash leaves behind (or a worker writes after the delete) are found the same way as an upload's.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from ..config import Settings
from ..domain import photo_rules
from ..domain.blob_keys import shared_original_key
from ..domain.errors import Invalid, NotFound, StorageUnavailable
from ..domain.jobs import ProcessPhoto
from ..domain.model import Location, Page, Photo, PhotoStatus, Place, Source
from ..ports import AlbumStore, BlobStore, Geocoder, JobQueue, PhotoStore
from .changes import PhotoChanges, retry_lost_races
from .metadata import Added, UserMetadata, valid_rating
from .uploads import Uploads, note_pending, pending_stamp, safe_filename

if TYPE_CHECKING:  # pragma: no cover
    from ..domain.people import Face
    from .limits import LimitsService
    from .people import PeopleService

log = logging.getLogger("cloudalbum.photos")

MAX_TITLE = 500
MAX_DESCRIPTION = 10_000
THUMBNAIL_SIZES = ("small", "large")
EDITABLE = photo_rules.USER_EDITABLE
STATUSES = tuple(s.value for s in PhotoStatus)


def parse_taken_at(value: Any) -> str | None:
    """An ISO 8601 date-time (with or without offset), returned trimmed as given; Invalid otherwise."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise Invalid("taken_at must be an ISO 8601 date-time such as 2015-04-10T20:12:23 or "
                      "2015-04-10T20:12:23+02:00.", code="validation_error")
    text = value.strip()
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError as exc:
        raise Invalid(f"taken_at {text!r} is not an ISO 8601 date-time (e.g. 2015-04-10T20:12:23).",
                      code="validation_error") from exc
    return text


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Invalid(f"location.{name} must be a number.", code="validation_error")
    if not low <= value <= high:
        raise Invalid(f"location.{name} must be between {low:g} and {high:g}.", code="validation_error")
    return float(value)


def _text(value: Any, name: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string or null.", code="validation_error")
    if len(value) > limit:
        raise Invalid(f"{name} must be at most {limit} characters.", code="validation_error")
    return value.replace("\x00", "")


class PhotoService:
    def __init__(self, photos: PhotoStore, albums: AlbumStore, blobs: BlobStore, queue: JobQueue, settings: Settings,
                 geocoder: Callable[[], Geocoder] | None = None, people: PeopleService | None = None,
                 limits: LimitsService | None = None, restored: Callable[[Photo], None] | None = None,
                 placed: Callable[[list[Photo]], object] | None = None,
                 moved: Callable[[Photo, str | None], object] | None = None,
                 deleted: Callable[[Photo], None] | None = None) -> None:
        """geocoder: a factory, called when a user first sets a location by hand (the offline geocoder loads
        its data then). restored: after an upload of its bytes brought a photo back out of the trash. placed:
        after the user set a photo's location (it may place the photos around it: services.places). moved:
        after an edit of a photo's time or place, with its taken_at before (its trips are found again). deleted:
        after a permanent delete (DuplicateService.photo_left: its duplicate group and dismissals)."""
        self.photos = photos
        self.changes = PhotoChanges(photos)
        self.blobs = blobs
        self.queue = queue
        self.settings = settings
        self._geocoder = geocoder
        self.people = people
        self.placed = placed
        self.moved = moved
        self._deleted = deleted
        self.uploads = Uploads(photos, albums, blobs, settings, self._place, limits, restored)

    # --- upload -------------------------------------------------------------------------------------------

    def upload(self, owner_id: str, stream: BinaryIO, filename: str | None, album_id: str | None = None) -> Photo:
        """Check, store and record one uploaded photo, and queue its processing (see module docstring)."""
        return self.add(owner_id, stream, filename, album_id).photo

    def add(self, owner_id: str, stream: BinaryIO, filename: str | None, album_id: str | None = None, *,
            metadata: UserMetadata | None = None) -> Added:
        """upload() telling whether the bytes were already the owner's (then nothing is stored and nothing
        queued: the existing photo joins the album and, when metadata is given, gains what it lacks of it).
        `metadata` is applied as user input, as PATCH applies it (import: sidecars)."""
        added = self.uploads.add(owner_id, stream, filename, album_id, metadata=metadata)
        if not added.duplicate:
            self._enqueue(added.photo, force=False, required=False)
        return added

    def _enqueue(self, photo: Photo, *, force: bool, required: bool) -> None:
        try:
            self.queue.send(ProcessPhoto(photo.id, photo.owner_id, force=force).to_body())
        except Exception as exc:
            if required:
                raise StorageUnavailable("Processing could not be queued right now; try again shortly.") from exc
            # The photo is safely recorded as "uploaded"; maintenance re-enqueues stale uploads.
            log.warning("queueing photo %s failed (maintenance will retry): %s", photo.id, exc)

    # --- reads --------------------------------------------------------------------------------------------

    def get(self, owner_id: str, photo_id: str) -> Photo:
        photo = self.photos.get_photo(photo_id, owner_id) if isinstance(photo_id, str) and photo_id else None
        if photo is None:
            raise NotFound("No such photo.")
        return photo

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None, status: str | None = None) -> Page:
        if not 1 <= limit <= 200:
            raise Invalid("limit must be between 1 and 200.", code="validation_error")
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}.", code="validation_error")
        return self.photos.list_photos(owner_id, status=status, limit=limit, cursor=cursor or None)

    def original(self, owner_id: str, photo_id: str) -> tuple[Photo, str | None]:
        """The photo and a signed URL for its original, or None when the store has none (stream it)."""
        photo = self.get(owner_id, photo_id)
        url = self.blobs.signed_url(photo.original_key, expires_s=self.settings.signed_url_expiry_s,
                                    filename=photo.filename, content_type=photo.content_type)
        return photo, url

    def thumbnail_key(self, owner_id: str, photo_id: str, size: str) -> tuple[Photo, str, str | None]:
        """(photo, blob key, signed URL or None) of a thumbnail. NotFound 'thumbnail_not_ready' before the
        worker made it."""
        if size not in THUMBNAIL_SIZES:
            raise Invalid(f"size must be one of {', '.join(THUMBNAIL_SIZES)}.", code="validation_error")
        photo = self.get(owner_id, photo_id)
        key = photo.thumbnail_keys.get(size)
        if not key:
            raise NotFound("The thumbnail is not ready yet: the photo is still being processed "
                           f"(status {photo.status}). Try again shortly.", code="thumbnail_not_ready")
        url = self.blobs.signed_url(key, expires_s=self.settings.signed_url_expiry_s, content_type="image/jpeg")
        return photo, key, url

    def open_blob(self, key: str) -> BinaryIO:
        return self.blobs.open(key)

    # --- writes -------------------------------------------------------------------------------------------

    def patch(self, owner_id: str, photo_id: str, changes: dict[str, Any]) -> Photo:
        """Apply user edits (title, description, taken_at, location, rating). Edited fields are remembered in
        user_fields so processing never overwrites them. Retried on a concurrent write."""
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise Invalid(f"These fields cannot be changed: {', '.join(unknown)}. "
                          f"Editable: {', '.join(EDITABLE)}.", code="validation_error")
        values = self.validated(changes)
        before: list[str | None] = []

        def edit(p: Photo) -> None:
            before[:] = [p.taken_at]
            photo_rules.apply_user_edit(p, values)

        saved = self.changes.change(photo_id, owner_id, edit)
        if saved is None:
            raise NotFound("No such photo.")
        if "location" in values and self.placed is not None:
            self.placed([saved])
        if self.moved is not None and ("taken_at" in values or "location" in values):
            self.moved(saved, before[0] if before else None)
        return saved

    def validated(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Editable fields checked and converted as PATCH takes them (a location placed offline); Invalid."""
        values: dict[str, Any] = {}
        if "title" in changes:
            values["title"] = _text(changes["title"], "title", MAX_TITLE)
        if "description" in changes:
            values["description"] = _text(changes["description"], "description", MAX_DESCRIPTION)
        if "taken_at" in changes:
            values["taken_at"] = parse_taken_at(changes["taken_at"])
        if "location" in changes:
            values["location"] = self._location(changes["location"])
        if "rating" in changes:
            rating = changes["rating"]
            if rating is not None and (isinstance(rating, bool) or valid_rating(rating) != rating):
                raise Invalid("rating must be a whole number from 0 to 5, or null.", code="validation_error")
            values["rating"] = rating
        return values

    def _location(self, value: Any) -> Location | None:
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) - {"lat", "lon"} or not {"lat", "lon"} <= set(value):
            raise Invalid('location must be {"lat": <-90..90>, "lon": <-180..180>} or null.',
                          code="validation_error")
        lat = _number(value["lat"], "lat", -90.0, 90.0)
        lon = _number(value["lon"], "lon", -180.0, 180.0)
        return Location(lat=lat, lon=lon, source=Source.USER.value, place=self._place(lat, lon))

    def _place(self, lat: float, lon: float) -> Place | None:
        if self._geocoder is None:
            return None
        try:
            return self._geocoder().reverse(lat, lon)
        except Exception as exc:
            log.warning("reverse geocoding %s,%s failed: %s", lat, lon, exc)
            return None

    def delete(self, owner_id: str, photo_id: str, *, only_trashed: bool = False) -> None:
        """Permanent delete (`?permanent=true`, emptying the trash, the purge), from the library or the trash;
        DELETE without it moves the photo to the trash (services/trash.py). The record first (the photo
        disappears at once), then the blobs. A pending entry written before lets the maintenance sweep find
        what is left (a blob delete that failed, a worker's late thumbnail).

        The faces read before the delete are the ones whose crops and people are cleaned up, so the delete is
        conditional on the version read before them: a worker that stored faces meanwhile also saved the photo
        (a new version), and the delete reads again. only_trashed (emptying, purging): a photo restored
        meanwhile stays (the delete is conditional on the version that was in the trash). A worker that saves
        after the delete finds the photo gone and removes what it wrote itself (PeopleService.still_wanted)."""
        def attempt() -> tuple[Photo, list[Face]]:
            photo = self.photos.get_photo(photo_id, owner_id, trashed=True) if isinstance(photo_id, str) else None
            if photo is None or (only_trashed and photo.trashed_at is None):  # restored since: it stays
                raise NotFound("No such photo.")
            faces = self.people.faces_of_photo(photo.id) if self.people is not None else []
            note_pending(self.photos, photo.owner_id, photo.id)  # stays: the sweep checks the keys after the grace
            self.photos.delete_photo(photo.id, version=photo.version)
            return photo, faces

        photo, faces = retry_lost_races(attempt, gave_up="The photo is being changed by someone else; try again.")
        if self._deleted is not None:
            self._deleted(photo)
        if self.people is not None and faces:
            self.people.forget_photo(photo, faces)  # crops go; the people it was in are rebuilt
        for key in [photo.original_key, *photo.thumbnail_keys.values(), shared_original_key(photo.owner_id, photo.id)]:
            try:
                self.blobs.delete(key)
            except Exception as exc:
                log.warning("deleting blob %s of photo %s failed (the sweep retries): %s", key, photo.id, exc)

    def requeue(self, photo: Photo) -> None:
        """Queue the photo's processing again (a restore of a photo whose processing never finished)."""
        self._enqueue(photo, force=False, required=False)

    def reprocess(self, owner_id: str, photo_id: str) -> Photo:
        photo = self.get(owner_id, photo_id)
        self._enqueue(photo, force=True, required=True)
        return photo


__all__ = ["PhotoService", "pending_stamp", "safe_filename", "parse_taken_at",
           "THUMBNAIL_SIZES"]

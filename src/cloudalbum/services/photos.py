"""Photos: upload, list, get, edit, delete, download, reprocess.

Upload order (crash safety): check the bytes -> note the photo as pending work (a PendingBlobs entry) -> store
the original under a server-made key -> write the record ("uploaded") -> forget the pending entry -> enqueue
processing. A crash between the pending entry and the record leaves an original without a record, which the
maintenance sweep finds through the entry and deletes after a grace period; a crash between the record and the
queue leaves a record in "uploaded", which the sweep re-enqueues. A user never sees a photo whose original is
missing. A delete notes the photo as pending work before it removes the record, so blobs a crash leaves behind
(or a worker writes after the delete) are found the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import re
import tempfile
import time
import unicodedata
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, ContextManager

from ..config import Settings
from ..domain.blob_keys import original_key, shared_original_key
from ..domain.errors import (ConcurrentUpdate, Conflict, DomainError, Invalid, NotFound, StorageUnavailable,
                             TooLarge)
from ..domain.jobs import ProcessPhoto
from ..domain.model import Location, Page, Photo, PhotoStatus, Source, iso, new_id, utcnow
from ..media import formats
from ..ports import BlobStore, Geocoder, JobQueue, MetadataStore, PendingBlobs
from .metadata import Added, UserMetadata, sha256_of, valid_rating

if TYPE_CHECKING:  # pragma: no cover
    from .limits import LimitsService
    from .people import PeopleService

log = logging.getLogger("cloudalbum.photos")

MAX_FILENAME = 200
MAX_TITLE = 500
MAX_DESCRIPTION = 10_000
SAVE_RETRIES = 5
SPOOL_IN_MEMORY = 1024 * 1024
COPY_CHUNK = 1024 * 1024
THUMBNAIL_SIZES = ("small", "large")
EDITABLE = ("title", "description", "taken_at", "location", "rating")
STATUSES = tuple(s.value for s in PhotoStatus)


def pending_stamp(epoch_s: float) -> str:
    """A PendingBlobs time: ISO UTC to the microsecond, fixed width, so entries sort by age as text."""
    return datetime.fromtimestamp(epoch_s, timezone.utc).isoformat(timespec="microseconds")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe_filename(name: Any, content_type: str) -> str:
    """The client's file name as display metadata: base name only, no control or format characters, capped
    in length (extension kept). Never used to build a path or a key."""
    raw = name if isinstance(name, str) else ""
    base = re.split(r"[/\\]", raw)[-1]
    base = "".join(ch for ch in _CONTROL.sub("", base) if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))
    base = base.strip().strip(".").strip()
    if not base:
        base = "photo" + formats.EXTENSIONS.get(content_type, "")
    if len(base) > MAX_FILENAME:
        stem, ext = os.path.splitext(base)
        ext = ext[:16]
        base = stem[: MAX_FILENAME - len(ext)] + ext
    return base


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
    def __init__(self, store: MetadataStore, blobs: BlobStore, queue: JobQueue, settings: Settings,
                 geocoder: Geocoder | Callable[[], Geocoder] | None = None,
                 people: PeopleService | None = None, limits: LimitsService | None = None) -> None:
        self.store = store
        self.limits = limits
        self.blobs = blobs
        self.queue = queue
        self.settings = settings
        self._geocoder = geocoder
        self.people = people

    # --- upload -------------------------------------------------------------------------------------------

    def upload(self, owner_id: str, stream: BinaryIO, filename: str | None, album_id: str | None = None) -> Photo:
        """Check, store and record one uploaded photo, and queue its processing (see module docstring)."""
        return self.add(owner_id, stream, filename, album_id).photo

    def add(self, owner_id: str, stream: BinaryIO, filename: str | None, album_id: str | None = None, *,
            metadata: UserMetadata | None = None) -> Added:
        """upload() telling whether the bytes were already the owner's (then nothing is stored: the existing
        photo joins the album and, when metadata is given, gains what it lacks of it). `metadata` is applied
        as user input, as PATCH applies it (import: sidecars)."""
        if album_id is not None:
            self._require_album(album_id, owner_id)
        metadata = metadata.cleaned() if metadata is not None else None
        spool, size, own = self._seekable(stream)
        try:
            info = formats.inspect(spool, max_pixels=self.settings.max_pixels,
                                   max_decode_bytes=self.settings.max_decode_bytes)
            sha = sha256_of(spool)
            existing = self.store.photos.photo_by_sha256(owner_id, sha)
            if existing is not None:
                return self._identical(existing, album_id, metadata)  # nothing stored, no quota taken
            with self._quota(owner_id, size) as reservation:  # held until the record counts the bytes (issue 12)
                photo_id = new_id()
                key = original_key(owner_id, photo_id)
                pending = self._note_pending(owner_id, photo_id)
                spool.seek(0)
                stored = self._put(key, spool, info.content_type)
                photo = Photo(
                    id=photo_id, owner_id=owner_id, filename=safe_filename(filename, info.content_type),
                    content_type=info.content_type, bytes=stored or size, original_key=key,
                    uploaded_at=iso(utcnow()), width=info.width, height=info.height, orientation=info.orientation,
                    sha256=sha,
                )
                if metadata is not None:
                    metadata.apply(photo, self._place)
                try:
                    self._record(photo, reservation)
                except Conflict as exc:
                    if exc.code != "duplicate_photo":
                        raise
                    return self._lost_race(photo, pending, album_id, metadata)
                self._forget_pending(pending)
        finally:
            if own:
                spool.close()
        if album_id is not None:
            photo = self._join_album(photo, album_id)
        self._enqueue(photo, force=False, required=False)
        return Added(photo, duplicate=False)

    def _lost_race(self, photo: Photo, pending: PendingBlobs, album_id: str | None,
                   metadata: UserMetadata | None) -> Added:
        """Another upload of the same bytes recorded its photo first: ours is removed and theirs answered."""
        try:
            self.blobs.delete(photo.original_key)
            self._forget_pending(pending)
        except Exception as exc:  # noqa: BLE001 - the pending entry stays: the sweep deletes the blob
            log.warning("could not delete the duplicate original %s; the sweep will: %s", photo.original_key, exc)
        existing = self.store.photos.photo_by_sha256(photo.owner_id, photo.sha256 or "")
        if existing is None:
            raise ConcurrentUpdate("The same file was being uploaded and deleted at once; try again.")
        return self._identical(existing, album_id, metadata)

    def _identical(self, photo: Photo, album_id: str | None, metadata: UserMetadata | None) -> Added:
        """The owner's photo with the uploaded bytes: joins the album, gains what it lacks of metadata."""
        merged = False
        if metadata is not None:
            photo, merged = self._merge(photo, metadata)
        if album_id is not None and album_id not in photo.albums:
            photo, merged = self._join_album(photo, album_id), True
        return Added(photo, duplicate=True, merged=merged)

    def _merge(self, photo: Photo, metadata: UserMetadata) -> tuple[Photo, bool]:
        for _attempt in range(SAVE_RETRIES):
            if not metadata.fill(photo, self._place):
                return photo, False
            try:
                return self.store.photos.save_photo(photo), True
            except ConcurrentUpdate:
                photo = self.get(photo.owner_id, photo.id)
        raise ConcurrentUpdate("The photo is being changed by someone else; try again.")

    def _quota(self, owner_id: str, nbytes: int) -> ContextManager[str | None]:
        return self.limits.reserved(owner_id, nbytes) if self.limits is not None else contextlib.nullcontext()

    def _seekable(self, stream: BinaryIO) -> tuple[BinaryIO, int, bool]:
        """(a seekable stream, its size, whether we made it). Werkzeug spools uploads to a temporary file
        already, so that stream is used as it is; anything else is copied to our own spool, counting bytes."""
        limit = self.settings.max_upload_bytes
        try:
            if stream.seekable():
                size = stream.seek(0, os.SEEK_END)
                stream.seek(0)
                self._check_size(size, limit)
                return stream, size, False
        except (AttributeError, OSError):
            pass
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        size = 0
        try:
            while chunk := stream.read(COPY_CHUNK):
                size += len(chunk)
                self._check_size(size, limit)
                spool.write(chunk)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool, size, True  # type: ignore[return-value]

    @staticmethod
    def _check_size(size: int, limit: int) -> None:
        if size > limit:
            raise TooLarge(f"The file is larger than the limit of {limit:,} bytes.")

    def _note_pending(self, owner_id: str, photo_id: str) -> PendingBlobs:
        """Before a blob that may lose its record is stored (or a record removed): maintenance's only way to
        find it (services/maintenance.py). No entry, no upload: a 503, nothing stored."""
        pending = PendingBlobs(photo_id=photo_id, owner_id=owner_id, since=pending_stamp(time.time()))
        try:
            self.store.photos.add_pending_blobs(pending)
        except DomainError:
            raise
        except Exception as exc:  # noqa: BLE001 - any store failure is a retryable 503, never a bare 500
            raise StorageUnavailable("The photo could not be stored right now; try again shortly.") from exc
        return pending

    def _forget_pending(self, pending: PendingBlobs) -> None:
        try:
            self.store.photos.remove_pending_blobs(pending)
        except Exception as exc:  # noqa: BLE001 - the sweep forgets it (the photo has its record)
            log.warning("could not forget the pending entry of photo %s: %s", pending.photo_id, exc)

    def _put(self, key: str, data: BinaryIO, content_type: str) -> int:
        try:
            return self.blobs.put(key, data, content_type=content_type)
        except DomainError:
            raise
        except Exception as exc:  # noqa: BLE001 - any store failure is a retryable 503, never a bare 500
            log.warning("storing %s failed: %s", key, exc)
            raise StorageUnavailable("The photo could not be stored right now; try again shortly.") from exc

    def _record(self, photo: Photo, reservation: str | None = None) -> None:
        """Write the record; if that fails, remove the original we just stored (the sweep would too). A
        Conflict "duplicate_photo" (the same bytes recorded meanwhile) is the caller's to settle."""
        try:
            self.store.photos.add_photo(photo, reservation=reservation)
        except Conflict as exc:
            if exc.code == "duplicate_photo":
                raise
            self._record_failed(photo, exc)
        except Exception as exc:  # noqa: BLE001
            self._record_failed(photo, exc)

    def _record_failed(self, photo: Photo, exc: Exception) -> None:
        log.warning("recording photo %s failed: %s", photo.id, exc)
        try:
            self.blobs.delete(photo.original_key)
        except Exception:  # noqa: BLE001 - the maintenance sweep deletes it later
            log.warning("could not delete orphan original %s; the sweep will", photo.original_key)
        if isinstance(exc, StorageUnavailable):
            raise exc
        raise StorageUnavailable("The photo could not be recorded right now; try again shortly.") from exc

    def _enqueue(self, photo: Photo, *, force: bool, required: bool) -> None:
        try:
            self.queue.send(ProcessPhoto(photo.id, photo.owner_id, force=force).to_body())
        except Exception as exc:  # noqa: BLE001
            if required:
                raise StorageUnavailable("Processing could not be queued right now; try again shortly.") from exc
            # The photo is safely recorded as "uploaded"; maintenance re-enqueues stale uploads.
            log.warning("queueing photo %s failed (maintenance will retry): %s", photo.id, exc)

    # --- albums (the album store is engineer 4's; guarded so uploads work before it exists) ---------------

    def _require_album(self, album_id: str, owner_id: str) -> None:
        if not isinstance(album_id, str) or not album_id or len(album_id) > 100:
            raise Invalid("album_id is not valid.", code="validation_error")
        try:
            album = self.store.albums.get_album(album_id, owner_id)
        except (AttributeError, NotImplementedError) as exc:
            raise Invalid("Albums are not available yet.", code="validation_error") from exc
        if album is None:
            raise NotFound("No such album.", code="album_not_found")

    def _join_album(self, photo: Photo, album_id: str) -> Photo:
        try:
            self.store.albums.add_to_album(album_id, [photo.id])
        except Exception as exc:  # noqa: BLE001 - the photo is stored; the user can add it to the album again
            log.warning("adding photo %s to album %s failed: %s", photo.id, album_id, exc)
            return photo
        return self.store.photos.get_photo(photo.id, photo.owner_id) or dataclasses.replace(photo, albums=[album_id])

    # --- reads --------------------------------------------------------------------------------------------

    def get(self, owner_id: str, photo_id: str) -> Photo:
        photo = self.store.photos.get_photo(photo_id, owner_id) if isinstance(photo_id, str) and photo_id else None
        if photo is None:
            raise NotFound("No such photo.")
        return photo

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None, status: str | None = None) -> Page:
        if not 1 <= limit <= 200:
            raise Invalid("limit must be between 1 and 200.", code="validation_error")
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}.", code="validation_error")
        return self.store.photos.list_photos(owner_id, status=status, limit=limit, cursor=cursor or None)

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
        """Apply user edits (title, description, taken_at, location). Edited fields are remembered in
        user_fields so processing never overwrites them. Retries on a concurrent write."""
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise Invalid(f"These fields cannot be changed: {', '.join(unknown)}. "
                          f"Editable: {', '.join(EDITABLE)}.", code="validation_error")
        values = self._validated(changes)
        for _attempt in range(SAVE_RETRIES):
            photo = self.get(owner_id, photo_id)
            for name, value in values.items():
                setattr(photo, name, value)
                if name not in photo.user_fields:
                    photo.user_fields = [*photo.user_fields, name]
            try:
                return self.store.photos.save_photo(photo)
            except ConcurrentUpdate:
                continue
            except NotFound as exc:
                raise NotFound("No such photo.") from exc
        raise ConcurrentUpdate("The photo is being changed by someone else; try again.")

    def _validated(self, changes: dict[str, Any]) -> dict[str, Any]:
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

    def _place(self, lat: float, lon: float) -> Any:
        geocoder = self._geocoder
        if geocoder is None:
            return None
        try:
            if not hasattr(geocoder, "reverse"):
                geocoder = geocoder()  # a factory: the offline geocoder loads its data on first use
            return geocoder.reverse(lat, lon)  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - a place name is a nicety; the coordinates are what counts
            log.warning("reverse geocoding %s,%s failed: %s", lat, lon, exc)
            return None

    def delete(self, owner_id: str, photo_id: str) -> None:
        """The record first (the photo disappears at once), then the blobs. A pending entry written before
        lets the maintenance sweep find what is left (a blob delete that failed, a worker's late thumbnail).

        The faces read before the delete are the ones whose crops and people are cleaned up, so the delete is
        conditional on the version read before them: a worker that stored faces meanwhile also saved the photo
        (a new version), and the delete reads again. A worker that saves after the delete finds the photo gone
        and removes what it wrote itself (PeopleService.still_wanted, issue 12 item 8)."""
        for _attempt in range(SAVE_RETRIES):
            photo = self.get(owner_id, photo_id)
            faces = self.store.faces.faces_of_photo(photo.id)
            try:
                self._note_pending(photo.owner_id, photo.id)  # stays: the sweep checks the keys after the grace
                self.store.photos.delete_photo(photo.id, version=photo.version)
                break
            except ConcurrentUpdate:
                continue
        else:
            raise ConcurrentUpdate("The photo is being changed by someone else; try again.")
        if self.people is not None and faces:
            self.people.forget_photo(photo, faces)  # crops go; the people it was in are rebuilt
        for key in [photo.original_key, *photo.thumbnail_keys.values(), shared_original_key(photo.owner_id, photo.id)]:
            try:
                self.blobs.delete(key)
            except Exception as exc:  # noqa: BLE001
                log.warning("deleting blob %s of photo %s failed (the sweep retries): %s", key, photo.id, exc)

    def reprocess(self, owner_id: str, photo_id: str) -> Photo:
        photo = self.get(owner_id, photo_id)
        self._enqueue(photo, force=True, required=True)
        return photo


__all__ = ["PhotoService", "safe_filename", "parse_taken_at", "THUMBNAIL_SIZES"]

"""Storing an uploaded (or imported) photo: check the bytes, keep identical files once, store the original, write
the record. PhotoService.add queues the processing afterwards (services/photos.py).

Order (crash safety): check the bytes -> note the photo as pending work (a PendingBlobs entry) -> store the
original under a server-made key -> write the record ("uploaded") -> forget the pending entry. A crash between
the pending entry and the record leaves an original without a record, which the maintenance sweep finds through
the entry and deletes after a grace period. A user never sees a photo whose original is missing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from ..config import Settings
from ..domain import photo_rules
from ..domain.blob_keys import original_key
from ..domain.errors import ConcurrentUpdate, Conflict, DomainError, Invalid, NotFound, StorageUnavailable, TooLarge
from ..domain.model import Photo, Place, iso, new_id, utcnow
from ..media import formats
from ..ports import AlbumStore, BlobStore, PendingBlobs, PhotoStore
from .changes import PhotoChanges
from .metadata import Added, UserMetadata, sha256_of

if TYPE_CHECKING:  # pragma: no cover
    from .limits import LimitsService

log = logging.getLogger("cloudalbum.photos")

MAX_FILENAME = 200
SPOOL_IN_MEMORY = 1024 * 1024
COPY_CHUNK = 1024 * 1024

PlaceOf = Callable[[float, float], Place | None]


def pending_stamp(epoch_s: float) -> str:
    """A PendingBlobs time: ISO UTC to the microsecond, fixed width, so entries sort by age as text."""
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="microseconds")


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


def note_pending(photos: PhotoStore, owner_id: str, photo_id: str) -> PendingBlobs:
    """Before a blob that may lose its record is stored (or a record removed): maintenance's only way to
    find it (services/maintenance.py). No entry, no upload: a 503, nothing stored."""
    pending = PendingBlobs(photo_id=photo_id, owner_id=owner_id, since=pending_stamp(time.time()))
    try:
        photos.add_pending_blobs(pending)
    except DomainError:
        raise
    except Exception as exc:
        raise StorageUnavailable("The photo could not be stored right now; try again shortly.") from exc
    return pending


class Uploads:
    """Stores uploaded bytes as a photo of their owner (see the module docstring)."""

    def __init__(self, photos: PhotoStore, albums: AlbumStore, blobs: BlobStore, settings: Settings,
                 place: PlaceOf, limits: LimitsService | None = None,
                 restored: Callable[[Photo], None] | None = None) -> None:
        """restored(photo): after an upload brought a photo back out of the trash (TrashService.restored)."""
        self.photos = photos
        self.changes = PhotoChanges(photos)
        self.albums = albums
        self.blobs = blobs
        self.settings = settings
        self.place = place
        self.limits = limits
        self.restored = restored

    def add(self, owner_id: str, stream: BinaryIO, filename: str | None, album_id: str | None = None, *,
            metadata: UserMetadata | None = None) -> Added:
        """Store and record the photo, telling whether the bytes were already the owner's (then nothing is
        stored: the existing photo joins the album and, when metadata is given, gains what it lacks of it).
        `metadata` is applied as user input, as PATCH applies it (import: sidecars)."""
        if album_id is not None:
            self.require_album(album_id, owner_id)
        metadata = metadata.cleaned() if metadata is not None else None
        spool, size, own = self._seekable(stream)
        try:
            info = formats.inspect(spool, max_pixels=self.settings.max_pixels,
                                   max_decode_bytes=self.settings.max_decode_bytes)
            sha = sha256_of(spool)
            existing = self.photos.photo_by_sha256(owner_id, sha)
            if existing is not None:
                return self._identical(existing, album_id, metadata)  # nothing stored, no quota taken
            with self._quota(owner_id, size) as reservation:  # held until the record counts the bytes
                photo_id = new_id()
                key = original_key(owner_id, photo_id)
                pending = note_pending(self.photos, owner_id, photo_id)
                spool.seek(0)
                stored = self._put(key, spool, info.content_type)
                photo = Photo(
                    id=photo_id, owner_id=owner_id, filename=safe_filename(filename, info.content_type),
                    content_type=info.content_type, bytes=stored or size, original_key=key,
                    uploaded_at=iso(utcnow()), width=info.width, height=info.height, orientation=info.orientation,
                    sha256=sha,
                )
                if metadata is not None:
                    metadata.apply(photo, self.place)
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
            photo = self.join_album(photo, album_id)
        return Added(photo, duplicate=False)

    def _lost_race(self, photo: Photo, pending: PendingBlobs, album_id: str | None,
                   metadata: UserMetadata | None) -> Added:
        """Another upload of the same bytes recorded its photo first: ours is removed and theirs answered."""
        try:
            self.blobs.delete(photo.original_key)
            self._forget_pending(pending)
        except Exception as exc:
            log.warning("could not delete the duplicate original %s; the sweep will: %s", photo.original_key, exc)
        existing = self.photos.photo_by_sha256(photo.owner_id, photo.sha256 or "")
        if existing is None:
            raise ConcurrentUpdate("The same file was being uploaded and deleted at once; try again.")
        return self._identical(existing, album_id, metadata)

    def _identical(self, photo: Photo, album_id: str | None, metadata: UserMetadata | None) -> Added:
        """The owner's photo with the uploaded bytes: back from the trash if it was there (API.md: the upload
        restores it), joins the album, gains what it lacks of metadata."""
        merged = False
        if photo.trashed_at is not None:
            restored = self.changes.change(photo.id, photo.owner_id, photo_rules.restore, loaded=photo, trashed=True)
            if restored is None:  # purged between the lookup and now: the caller may simply upload again
                raise ConcurrentUpdate("The same file was being uploaded and deleted at once; try again.")
            photo = restored
            if self.restored is not None:
                self.restored(photo)
        if metadata is not None:
            photo, merged = self._merge(photo, metadata)
        if album_id is not None and album_id not in photo.albums:
            photo, merged = self.join_album(photo, album_id), True
        return Added(photo, duplicate=True, merged=merged)

    def _merge(self, photo: Photo, metadata: UserMetadata) -> tuple[Photo, bool]:
        """The photo with what it lacked of metadata, and whether it gained anything."""
        filled: list[bool] = []

        def fill(p: Photo) -> bool:
            filled.append(metadata.fill(p, self.place))
            return filled[-1]

        saved = self.changes.change(photo.id, photo.owner_id, fill, loaded=photo)
        if saved is None:
            raise NotFound("No such photo.")
        return saved, filled[-1]

    def _quota(self, owner_id: str, nbytes: int) -> AbstractContextManager[str | None]:
        return self.limits.reserved(owner_id, nbytes) if self.limits is not None else contextlib.nullcontext()

    def _seekable(self, stream: BinaryIO) -> tuple[BinaryIO, int, bool]:
        """(a seekable stream, its size, whether we made it). Werkzeug spools uploads to a temporary file
        already, so that stream is used as it is; anything else is copied to our own spool, counting bytes."""
        limit = self.settings.max_upload_bytes
        try:
            if stream.seekable():
                size = stream.seek(0, os.SEEK_END)
                stream.seek(0)
                _check_size(size, limit)
                return stream, size, False
        except (AttributeError, OSError):
            pass
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        size = 0
        try:
            while chunk := stream.read(COPY_CHUNK):
                size += len(chunk)
                _check_size(size, limit)
                spool.write(chunk)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return cast(BinaryIO, spool), size, True  # a binary file; typeshed keeps SpooledTemporaryFile apart

    def _forget_pending(self, pending: PendingBlobs) -> None:
        try:
            self.photos.remove_pending_blobs(pending)
        except Exception as exc:
            log.warning("could not forget the pending entry of photo %s: %s", pending.photo_id, exc)

    def _put(self, key: str, data: BinaryIO, content_type: str) -> int:
        try:
            return self.blobs.put(key, data, content_type=content_type)
        except DomainError:
            raise
        except Exception as exc:
            log.warning("storing %s failed: %s", key, exc)
            raise StorageUnavailable("The photo could not be stored right now; try again shortly.") from exc

    def _record(self, photo: Photo, reservation: str | None = None) -> None:
        """Write the record; if that fails, remove the original we just stored (the sweep would too). A
        Conflict "duplicate_photo" (the same bytes recorded meanwhile) is the caller's to settle."""
        try:
            self.photos.add_photo(photo, reservation=reservation)
        except Conflict as exc:
            if exc.code == "duplicate_photo":
                raise
            self._record_failed(photo, exc)
        except Exception as exc:
            self._record_failed(photo, exc)

    def _record_failed(self, photo: Photo, exc: Exception) -> None:
        log.warning("recording photo %s failed: %s", photo.id, exc)
        try:
            self.blobs.delete(photo.original_key)
        except Exception:
            log.warning("could not delete orphan original %s; the sweep will", photo.original_key)
        if isinstance(exc, StorageUnavailable):
            raise exc
        raise StorageUnavailable("The photo could not be recorded right now; try again shortly.") from exc

    # --- albums ---------------------------------------------------------------------------------------------

    def require_album(self, album_id: str, owner_id: str) -> None:
        """The album an upload goes into must be the owner's (NotFound album_not_found otherwise)."""
        if not isinstance(album_id, str) or not album_id or len(album_id) > 100:
            raise Invalid("album_id is not valid.", code="validation_error")
        if self.albums.get_album(album_id, owner_id) is None:
            raise NotFound("No such album.", code="album_not_found")

    def join_album(self, photo: Photo, album_id: str) -> Photo:
        try:
            self.albums.add_to_album(album_id, [photo.id])
        except Exception as exc:
            log.warning("adding photo %s to album %s failed: %s", photo.id, album_id, exc)
            return photo
        return self.photos.get_photo(photo.id, photo.owner_id) or dataclasses.replace(photo, albums=[album_id])


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise TooLarge(f"The file is larger than the limit of {limit:,} bytes.")

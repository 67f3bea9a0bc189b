"""Users, photos, albums and questions: the records a library is made of, and MetadataStore, the whole of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..domain.model import Album, Page, Photo, Question, User
from ..domain.places import Fix
from ..domain.search import Marker, SearchQuery
from ..domain.timeline import Timeline
from .batches import BatchStore
from .duplicates import DuplicateStore
from .faces import FaceStore
from .limits import LimitStore
from .sharing import ShareStore
from .trips import TripStore


@dataclass
class Session:
    """A login. Access and refresh tokens carry its id (`sid`); revoking it ends both. expires_at is the
    absolute end (sign-in + session_max_s); refreshing never moves it."""

    id: str
    user_id: str
    created_at: str
    expires_at: str
    revoked: bool = False


@dataclass
class RefreshToken:
    jti: str
    session_id: str
    user_id: str
    expires_at: str
    used: bool = False


class UserStore(Protocol):
    def add_user(self, user: User) -> None:
        """Raises Conflict when the email (case-insensitive) is taken."""

    def user_by_email(self, email: str) -> User | None: ...

    def user_by_id(self, user_id: str) -> User | None: ...

    def add_session(self, session: Session) -> None: ...

    def get_session(self, session_id: str) -> Session | None: ...

    def revoke_session(self, session_id: str) -> None: ...

    def add_refresh_token(self, token: RefreshToken) -> None: ...

    def use_refresh_token(self, jti: str) -> RefreshToken | None:
        """Atomically mark the token used. Returns it if it existed and was unused; None otherwise (reuse)."""

    def hit(self, key: str, *, window_s: int, now: float) -> int:
        """Count one event under key (login throttling) and return the count within the last window_s."""

    def clear_hits(self, key: str) -> None: ...

    def hit_count(self, key: str, *, window_s: int, now: float) -> int:
        """The count within the last window_s without adding one."""

    # --- accounts (issue 12) ---
    # A counted window may reach back a little further than window_s (DynamoDB counts in buckets of a tenth
    # of it); never less.

    def unhit(self, key: str, *, window_s: int, now: float) -> None:
        """Take back one event that hit() counted at `now` (an attempt that proved not to be a failure)."""

    def set_password_hash(self, user_id: str, password_hash: str) -> None: ...

    def revoke_user_sessions(self, user_id: str, *, keep: str | None = None) -> None:
        """Revoke every session of the user but `keep` (None: every one)."""

    def delete_user(self, user_id: str) -> None:
        """The account (sign-in fails at once), its sessions and refresh tokens. Idempotent."""

    # --- the account's time zone (issue 16: PATCH /api/me/settings "timezone") ---

    def timezone_of(self, user_id: str) -> str | None:
        """The IANA zone the user set, or None (none set, or no such user)."""

    def set_timezone(self, user_id: str, timezone: str | None) -> None:
        """Set (None: clear) the user's zone, already validated. NotFound when there is no such user."""


@dataclass(frozen=True)
class PendingBlobs:
    """A photo whose blobs may outlive its record: written before an upload stores the original (removed once
    the record is written) and before a delete removes the record (removed by maintenance after the grace
    period, when it deletes what is left under the photo's keys). `since` is an ISO UTC time to the
    microsecond (services.photos.pending_stamp), so entries sort by age as text."""

    photo_id: str
    owner_id: str
    since: str


class PhotoStore(Protocol):
    def add_photo(self, photo: Photo, *, reservation: str | None = None) -> None:
        """With reservation (LimitStore.reserve_bytes): that reservation is released in the same atomic write that
        counts the photo's bytes, so the quota never counts them twice nor not at all."""

    def get_photo(self, photo_id: str, owner_id: str | None, *, trashed: bool = False) -> Photo | None:
        """owner_id None: any owner (the worker). Another owner's photo is None, as a missing one. A photo in
        the trash is None too unless `trashed` (restore, permanent delete): every ordinary read, the worker's
        included, treats it as missing, so nothing serves, changes or processes it back into the library."""

    def save_photo(self, photo: Photo) -> Photo:
        """Optimistic write: succeeds only if the stored version equals photo.version; returns the photo with
        the version bumped. Raises ConcurrentUpdate when someone else wrote first, NotFound when deleted.
        A save that sets `trashed_at` (domain.photo_rules.trash) takes the photo out of every list, search, the
        map, its albums' pages, counts and covers and the open questions, in the same write; one that clears it
        puts it back exactly (its albums, answers and questions were kept on the records)."""

    def delete_photo(self, photo_id: str, *, version: int | None = None) -> None:
        """Removes the photo and everything derived from it (labels, index rows, album membership,
        questions, faces). Idempotent: for a photo already gone it still removes questions or faces left under
        its id. With version: only if the stored version is that one, else ConcurrentUpdate (nothing changes)."""

    def list_photos(self, owner_id: str, *, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> Page:
        """Page of Photo, newest taken first (photos without a date by upload time), ties by id."""

    def usage(self, owner_id: str) -> tuple[int, int]:
        """(photo count, stored bytes of originals): the count leaves the trash out, the bytes count it."""

    def reposition(self, photo_id: str) -> bool:
        """Move the photo's places in its lists (list, status, album and search index entries) from the order key
        written before issue 16.1 (the wall clock of taken_at) to today's (its UTC instant,
        domain.times.instant_key), where they still carry the old one; True when the photo's own list entry
        moved. Idempotent; a photo in the trash or gone is left alone (False). SQLite: migration 0270 rewrote
        every key, so nothing is left to move (False)."""

    # The trash (issue 15 item 4): read through indexes of trashed photos only, so neither the library nor the
    # trash of other owners costs anything.
    def list_trash(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of the owner's trashed Photos, newest trashed first (ties by id, descending)."""

    def trashed_before(self, before: str, *, limit: int = 100) -> list[Photo]:
        """Trashed photos of every owner whose trashed_at is before `before` (ISO UTC, the same format), oldest
        first: the purge's work list."""

    def stale_photos(self, status: str, *, older_than: str, limit: int = 100) -> list[Photo]:
        """Photos in status whose upload is older than the ISO time, oldest first (maintenance: re-enqueue lost
        jobs). Served by an index of unfinished photos only: its cost follows the work, not the library."""

    # Pending blob cleanups (see PendingBlobs): maintenance's index of blobs that may have lost their record.
    def add_pending_blobs(self, pending: PendingBlobs) -> None: ...

    def remove_pending_blobs(self, pending: PendingBlobs) -> None:
        """Idempotent."""

    def pending_blobs(self, *, older_than: str, limit: int = 100) -> list[PendingBlobs]:
        """Entries whose `since` is before older_than (same format), oldest first."""

    # Identical files once (issue 19 / 15.1): add_photo of a photo whose sha256 the owner already has raises
    # Conflict(code="duplicate_photo") and writes nothing (SQLite: a unique index; DynamoDB: a SHA# item put
    # conditionally in the record's transaction); delete_photo frees the bytes for a new upload.
    def photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        """The owner's photo whose original has this SHA-256 (hex), read through that index, or None. A photo
        in the trash is returned too (its upload again restores it)."""


class AlbumStore(Protocol):
    def add_album(self, album: Album) -> None: ...

    def get_album(self, album_id: str, owner_id: str) -> Album | None:
        """With photo_count and cover_photo_id filled in."""

    def list_albums(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page: ...

    def save_album(self, album: Album) -> Album: ...

    def delete_album(self, album_id: str) -> None:
        """The album and its memberships; the photos stay."""

    def add_to_album(self, album_id: str, photo_ids: list[str]) -> None:
        """Idempotent per photo."""

    def remove_from_album(self, album_id: str, photo_id: str) -> None: ...

    def album_photos(self, album_id: str, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page: ...


class QuestionStore(Protocol):
    def add_question(self, question: Question) -> None: ...

    def get_question(self, question_id: str, owner_id: str) -> Question | None: ...

    def save_question(self, question: Question) -> None: ...

    def open_questions(self, owner_id: str, *, photo_id: str | None = None, limit: int = 50,
                       cursor: str | None = None) -> Page:
        """Open questions, highest score first."""

    def questions_for_photo(self, photo_id: str) -> list[Question]: ...


class SearchIndex(Protocol):
    """The search index over an owner's photos, written in the same transaction as each photo."""

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit (photo + match reasons)."""

    def map_points(self, owner_id: str, query: SearchQuery, *, limit: int = 10000) -> list[Photo]:
        """Located photos matching query (map markers)."""

    def map_markers(self, owner_id: str, query: SearchQuery, *, limit: int = 10000) -> list[Marker]:
        """The same photos as map_points, as markers only (no photo documents are built)."""

    def map_features_json(self, owner_id: str, query: SearchQuery, *, limit: int = 10000,
                          thumbnail_url: str = "{id}") -> str:
        """The JSON array of GeoJSON Point features of map_markers (domain.geojson.features_json),
        written by the store where it can do so without building objects."""

    def photos_near_in_time(self, owner_id: str, *, taken_at: str, window_s: int,
                            lat: float | None, lon: float | None, radius_km: float,
                            limit: int = 200) -> list[Photo]:
        """Photos of one owner close in time (and place, when given): events and bursts."""

    def photos_by_camera(self, owner_id: str, make: str | None, model: str | None, *, limit: int) -> list[Photo]:
        """The owner's photos whose camera is the one named (domain.batches.same_camera: each part given equals,
        ignoring case and accents; None matches any), newest first, at most `limit`. Served by the camera words
        of the search index (SQLite: the FTS camera column; DynamoDB: the text-prefix items), never a pass
        over the library. At least one of make and model has a word."""

    def timeline(self, owner_id: str, query: SearchQuery) -> Timeline:
        """Photos matching query per month of their local taken day, newest month first, and how many have no
        taken day. The unfiltered timeline comes from counters kept in each photo's write (its cost follows
        the number of months, never the library); a filtered one may count through the search path."""

    def photos_on_day(self, owner_id: str, month_day: str, *, before_year: str, limit: int = 200) -> list[Photo]:
        """The owner's photos whose local taken day is month_day ("MM-DD") of a year before before_year
        ("YYYY"), newest first, at most limit: "On this day", from an index of (owner, month and day)."""


class PlaceIndex(Protocol):
    """The owner's photos by instant in two indexes kept with each photo write (domain.places.place_role): anchors
    (a measured or said place) and open photos (a place may be inferred). Inferred places read nothing else, so
    their cost follows the photos around one instant, never the library (SQLite: partial indexes on
    search_doc; DynamoDB: index items in the owner's partitions, sorted by instant)."""

    def fixes_around(self, owner_id: str, ts: float, window_s: int) -> tuple[Fix | None, Fix | None]:
        """The owner's nearest anchor taken at or before ts and the nearest taken after it, each within window_s
        seconds (None where there is none)."""

    def open_between(self, owner_id: str, start: float, end: float, *, limit: int) -> list[str]:
        """Ids of the owner's open photos taken from start to end (epoch seconds, inclusive), oldest first."""


@runtime_checkable
class MetadataStore(Protocol):
    """Everything the services keep, as one repository per aggregate over one database (SQLite: one
    connection pool; DynamoDB: one table). Services take the narrow repositories they use; only the
    composition root and account deletion see the whole."""

    users: UserStore
    photos: PhotoStore
    index: SearchIndex
    albums: AlbumStore
    questions: QuestionStore
    faces: FaceStore
    limits: LimitStore
    shares: ShareStore
    batches: BatchStore
    duplicates: DuplicateStore
    trips: TripStore
    places: PlaceIndex

    def delete_owner_data(self, owner_id: str) -> None:
        """Every record of the owner's library: photos and their index, albums, questions, faces, people,
        usage counters, settings, shares and trips. Blobs are the caller's. Idempotent."""

    def close(self) -> None: ...

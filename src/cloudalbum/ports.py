"""Ports: what the services need from the outside world, as typing.Protocols.

Adapters (embedded: files + SQLite; AWS: S3 + DynamoDB + SQS; ML: onnxruntime; places: offline data) implement
them; services speak only to these. Every port has one contract test-suite in tests/contract/ that runs
against each of its adapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator, Protocol, runtime_checkable

from .domain.model import Album, Page, Photo, Place, Question, User
from .domain.people import Face, Person
from .domain.search import SearchHit, SearchQuery
from .domain.sharing import AlbumMember, Contribution, Share

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from PIL.Image import Image


# --- blobs ------------------------------------------------------------------------------------------------


class BlobStore(Protocol):
    """Originals and thumbnails under server-made keys."""

    def put(self, key: str, data: BinaryIO | bytes, *, content_type: str, durable: bool = True) -> int:
        """Store data (a stream is copied in chunks, never read whole). Returns the byte count.
        Raises StorageUnavailable when the store cannot take the write (disk full: insufficient_storage).
        durable=False: derived data that reprocessing rebuilds (thumbnails, face crops); a store may then skip
        flushing to stable storage (the write stays atomic and survives a process crash, not a power cut)."""

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the blob. Raises NotFound."""

    def get(self, key: str) -> bytes:
        """The whole blob (for small blobs such as thumbnails and for the worker). Raises NotFound."""

    def delete(self, key: str) -> None:
        """Idempotent."""

    def exists(self, key: str) -> bool: ...

    def signed_url(self, key: str, *, expires_s: int, filename: str | None = None,
                   content_type: str | None = None) -> str | None:
        """A short-lived URL a client can GET directly, or None when the store has none (the API streams)."""

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under prefix (maintenance: finding originals without a record)."""


# --- metadata ---------------------------------------------------------------------------------------------


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

    def delete_owner_data(self, owner_id: str) -> None:
        """Every record of the owner's library: photos and their index, albums, questions, faces, people,
        usage counters and settings. Blobs are the caller's. Idempotent."""


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

    def get_photo(self, photo_id: str, owner_id: str | None) -> Photo | None:
        """owner_id None: any owner (the worker). Another owner's photo is None, as a missing one."""

    def save_photo(self, photo: Photo) -> Photo:
        """Optimistic write: succeeds only if the stored version equals photo.version; returns the photo with
        the version bumped. Raises ConcurrentUpdate when someone else wrote first, NotFound when deleted."""

    def delete_photo(self, photo_id: str, *, version: int | None = None) -> None:
        """Removes the photo and everything derived from it (labels, index rows, album membership,
        questions, faces). Idempotent: for a photo already gone it still removes questions or faces left under
        its id. With version: only if the stored version is that one, else ConcurrentUpdate (nothing changes)."""

    def list_photos(self, owner_id: str, *, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> Page:
        """Page of Photo, newest taken first (photos without a date by upload time), ties by id."""

    def usage(self, owner_id: str) -> tuple[int, int]:
        """(photo count, stored bytes of originals)."""

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
        """The owner's photo whose original has this SHA-256 (hex), read through that index, or None."""

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit (photo + match reasons)."""

    def map_points(self, owner_id: str, query: SearchQuery, *, limit: int = 10000) -> list[Photo]:
        """Located photos matching query (map markers)."""

    # Optional faster map paths (not Protocol members; SearchService uses them when present, else map_points):
    #   def map_markers(self, owner_id, query, *, limit=10000) -> list[domain.search.Marker]
    #   def map_features_json(self, owner_id, query, *, limit=10000, thumbnail_url="...{id}...") -> str
    # the second returns the JSON array of GeoJSON Point features (see services/search.features_json).

    def photos_near_in_time(self, owner_id: str, *, taken_at: str, window_s: int,
                            lat: float | None, lon: float | None, radius_km: float,
                            limit: int = 200) -> list[Photo]:
        """Photos of one owner close in time (and place, when given): events and bursts."""


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


class FaceStore(Protocol):
    """Faces (with embeddings) and the people they are grouped into; per owner, never shared.

    delete_photo (PhotoStore) deletes the photo's faces too; the people service then updates the people."""

    def add_faces(self, faces: list[Face]) -> None: ...

    def get_face(self, face_id: str, owner_id: str) -> Face | None:
        """Another owner's face is None, as a missing one."""

    def save_face(self, face: Face) -> None:
        """Overwrite (person_id, not_person_ids change); last writer wins."""

    def delete_faces(self, face_ids: list[str]) -> None:
        """Idempotent."""

    def faces_of_photo(self, photo_id: str) -> list[Face]:
        """The photo's faces, left to right (box x, then id)."""

    def faces_of_person(self, person_id: str, owner_id: str, *, limit: int = 50,
                        cursor: str | None = None) -> Page:
        """Page of Face, oldest first (created_at, id)."""

    def add_person(self, person: Person) -> None: ...

    def get_person(self, person_id: str, owner_id: str) -> Person | None: ...

    def save_person(self, person: Person) -> Person:
        """Optimistic write on person.version (returned bumped). ConcurrentUpdate when someone else wrote
        first, NotFound when the person is gone."""

    def delete_person(self, person_id: str) -> None:
        """Idempotent. The person's faces are not touched (the service moves them first)."""

    def list_people(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Person, most photos first (photo_count descending, then id)."""

    def people_of_owner(self, owner_id: str) -> list[Person]:
        """Every person of the owner, with centroids."""

    def person_vectors(self, owner_id: str) -> tuple[list[str], "np.ndarray"]:
        """(ids, float32 matrix of their centroid sums, one row each) of every person of the owner: what
        grouping a new face compares it with, read without building Person objects."""

    def face_grouping_enabled(self, owner_id: str) -> bool:
        """The owner's setting; True until they turn it off."""

    def set_face_grouping(self, owner_id: str, enabled: bool) -> None: ...

    def delete_face_data(self, owner_id: str) -> None:
        """Every face and person of the owner (the photos' own face lists are the service's to clear)."""


# --- per-user limits (issue 12): atomic in every store --------------------------------------------------


@dataclass
class FaceScan:
    """The owner's library scan for faces: its id, when it last moved (a step ran) and whether it is done."""

    scan_id: str
    at: float
    done: bool = False


class LimitStore(Protocol):
    """What keeps one user from hurting the others: byte reservations against a quota, counted events per
    window, and at most one face scan in flight per owner. Every method is atomic (no check-then-act race
    between API processes or workers)."""

    def reserve_bytes(self, owner_id: str, nbytes: int, *, limit: int, now: float) -> str | None:
        """If the owner's stored bytes (originals) plus unexpired reservations plus nbytes fit in limit, record a
        reservation (expiring after RESERVATION_TTL_S) and return its id; None (nothing recorded) otherwise."""

    def release_bytes(self, owner_id: str, reservation_id: str) -> None:
        """Idempotent."""

    def take_slot(self, key: str, *, limit: int, window_s: int, now: float) -> float:
        """Count one event under key if fewer than limit were counted in the current window, returning 0; else
        count nothing and return the seconds until an event may be counted again (Retry-After)."""

    def claim_face_scan(self, owner_id: str, scan_id: str, *, now: float, stale_after_s: float) -> bool:
        """Make scan_id the owner's scan unless another one is in flight (not done, moved within
        stale_after_s)."""

    def face_scan(self, owner_id: str) -> FaceScan | None: ...

    def touch_face_scan(self, owner_id: str, scan_id: str, *, now: float, done: bool = False) -> bool:
        """Record that scan_id moved (or finished); False, changing nothing, when it is not the owner's scan."""

    def clear_face_scan(self, owner_id: str) -> None:
        """No scan any more (face grouping turned off): jobs of earlier scans do nothing."""

    def forget_slots(self, key: str) -> None:
        """Every event counted under key (the account it names is deleted). Idempotent."""

    def trash_count(self, owner_id: str) -> int:
        """Photos in the trash (the trash comes with a later issue: 0 until then)."""


RESERVATION_TTL_S = 3600  # an upload's reservation outlives any upload; a crashed one stops counting then


# --- sharing (issue 18) -------------------------------------------------------------------------------------


class ShareStore(Protocol):
    """Share links and album members. Not part of MetadataStore's isinstance check: both stores implement it."""

    def add_share(self, share: "Share") -> None: ...

    def get_share(self, share_id: str, owner_id: str) -> "Share | None":
        """Another owner's share is None, as a missing one."""

    def share_by_token_hash(self, token_hash: str) -> "Share | None":
        """One key lookup (DynamoDB: GetItem), never a scan."""

    def list_shares(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Share, newest first."""

    def delete_share(self, share_id: str, owner_id: str) -> bool:
        """True when it existed (and was the owner's)."""

    def put_member(self, member: "AlbumMember") -> bool:
        """Add or overwrite (role, show_location). True when the member is new."""

    def get_member(self, album_id: str, user_id: str) -> "AlbumMember | None": ...

    def remove_member(self, album_id: str, user_id: str) -> bool: ...

    def shared_with(self, user_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of AlbumMember of the albums shared with the user, newest first."""

    def add_contribution(self, contribution: "Contribution") -> None:
        """Idempotent per (album, photo)."""

    def contributions(self, album_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of Contribution of the album, newest added first."""

    def contributions_of_photo(self, photo_id: str) -> "list[Contribution]":
        """The albums a photo was contributed to (strongly consistent: a removed one is gone at once)."""

    def remove_contributions(self, album_id: str, contributor_id: str) -> None:
        """Every photo the contributor added to the album leaves it (the photos stay theirs)."""


@runtime_checkable
class MetadataStore(UserStore, PhotoStore, AlbumStore, QuestionStore, FaceStore, LimitStore,
                    Protocol):
    """Everything the services keep about users, photos, albums, questions, faces and people."""

    def close(self) -> None: ...


# --- queue ------------------------------------------------------------------------------------------------


@dataclass
class Message:
    id: str
    receipt_handle: str
    body: dict[str, Any]
    receive_count: int = 1
    # SQS system attributes as strings ("SentTimestamp", "ApproximateFirstReceiveTimestamp" in epoch ms), when
    # the queue knows them: the local worker copies them into the SQS-shaped event it builds.
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class QueueDepth:
    visible: int
    in_flight: int
    dead: int


def message_group(body: dict[str, Any]) -> str:
    """A job's fairness group: its owner (issue 12). Queues share delivery fairly between groups (SQS fair
    queues: the MessageGroupId of a standard queue), so one owner's backlog cannot starve another's job."""
    owner = body.get("owner_id")
    return owner if isinstance(owner, str) else ""


class JobQueue(Protocol):
    """At-least-once delivery with SQS semantics: a received message is invisible for the visibility timeout,
    comes back if not deleted in time, and moves to the dead-letter queue after max_receives receives.
    Delivery is fair between message groups (message_group: the job's owner)."""

    def send(self, body: dict[str, Any], *, delay_s: int = 0) -> str:
        """Returns the message id."""

    def receive(self, *, max_messages: int = 10, wait_s: float = 0.0,
                visibility_timeout_s: int | None = None) -> list[Message]: ...

    def delete(self, receipt_handle: str) -> None:
        """Acknowledge. A stale receipt handle (the message was received again since) is ignored."""

    def change_visibility(self, receipt_handle: str, timeout_s: int) -> None: ...

    def depth(self) -> QueueDepth: ...

    def receive_dead(self, *, max_messages: int = 10) -> list[Message]:
        """Messages in the dead-letter queue (delete them with delete_dead)."""

    def delete_dead(self, receipt_handle: str) -> None: ...


# --- machine learning and places --------------------------------------------------------------------------


@dataclass
class Detection:
    """One object, in pixels of the image given to detect()."""

    name: str
    confidence: float
    x: float
    y: float
    w: float
    h: float


class Detector(Protocol):
    name: str  # "yolov8n"
    version: str  # a stable digest of the weights: labels record it; idempotency keys on it

    def detect(self, image: "Image", *, threshold: float | None = None) -> list[Detection]:
        """Objects in an RGB PIL image (already upright), at the detector's own threshold or the one given."""


@dataclass
class FoundFace:
    """One face, in pixels of the image given to faces(): the box, the detector's score, five landmarks
    (eyes, nose tip, mouth corners) and the L2-normalised embedding of the aligned face."""

    x: float
    y: float
    w: float
    h: float
    confidence: float
    landmarks: list[tuple[float, float]]
    embedding: list[float]


class FaceAnalyzer(Protocol):
    name: str  # "yunet+sface"
    version: str  # a digest of both models' weights
    models: str  # each model with its version, as every face records it: "yunet_2023mar@<sha>+sface_2021dec@<sha>"

    def faces(self, image: "Image") -> list[FoundFace]:
        """The faces in an RGB PIL image (already upright) scoring at least the analyzer's threshold, each
        with its embedding."""


class Geocoder(Protocol):
    def reverse(self, lat: float, lon: float) -> Place | None:
        """Nearest populated place, offline."""

    def forward(self, name: str) -> tuple[float, float, Place] | None:
        """A place name ("Dublin", "Paris, France") to coordinates, offline."""


@dataclass
class Clock:
    """Injected time source, so tests can move time (token expiry, throttling windows)."""

    offset_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def now(self) -> float:
        import time

        return time.time() + self.offset_s

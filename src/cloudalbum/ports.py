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

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from PIL.Image import Image


# --- blobs ------------------------------------------------------------------------------------------------


class BlobStore(Protocol):
    """Originals and thumbnails under server-made keys."""

    def put(self, key: str, data: BinaryIO | bytes, *, content_type: str) -> int:
        """Store data (a stream is copied in chunks, never read whole). Returns the byte count.
        Raises StorageUnavailable when the store cannot take the write (disk full: insufficient_storage)."""

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
    """A login. Access and refresh tokens carry its id (`sid`); revoking it ends both."""

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

    # Optional (not a Protocol member, so isinstance checks ignore it), recommended for adapters:
    #   def hit_count(self, key: str, *, window_s: int, now: float) -> int
    # the count within the last window_s WITHOUT adding one. Login throttling reads failures with it before it
    # verifies a password; without it AuthService counts every attempt (hit) and clears on success.


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
    def add_photo(self, photo: Photo) -> None: ...

    def get_photo(self, photo_id: str, owner_id: str | None) -> Photo | None:
        """owner_id None: any owner (the worker). Another owner's photo is None, as a missing one."""

    def save_photo(self, photo: Photo) -> Photo:
        """Optimistic write: succeeds only if the stored version equals photo.version; returns the photo with
        the version bumped. Raises ConcurrentUpdate when someone else wrote first, NotFound when deleted."""

    def delete_photo(self, photo_id: str) -> None:
        """Removes the photo and everything derived from it (labels, index rows, album membership,
        questions). Idempotent."""

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


@runtime_checkable
class MetadataStore(UserStore, PhotoStore, AlbumStore, QuestionStore, FaceStore, Protocol):
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


class JobQueue(Protocol):
    """At-least-once delivery with SQS semantics: a received message is invisible for the visibility timeout,
    comes back if not deleted in time, and moves to the dead-letter queue after max_receives receives."""

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

    def detect(self, image: "Image") -> list[Detection]:
        """Objects in an RGB PIL image (already upright)."""


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

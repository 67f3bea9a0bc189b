"""The background jobs the queue carries, as typed values, and their wire format.

A job travels as a JSON object whose "type" names its kind; the other fields are the job's. The format is
the one the queue already holds (a message sent by an earlier version is read by this one):

* `{"type": "process_photo", "photo_id": ..., "owner_id": ...}`, plus `"force": true` to redo a photo already
  done by these models and `"scan_id"` when a face scan queued it. Messages queued before owners were
  recorded (issue 12) carry no owner_id.
* `{"type": "scan_faces", "owner_id": ...}`, plus `"cursor"` (the library page to go on from) and `"scan_id"`.
* `{"type": "read_text", "photo_id": ..., "owner_id": ...}`: read the text in a photo once it is processed
  (sent by processing, after the photo is final, so text reading never delays it).
* `{"type": "recompute_trips", "owner_id": ..., "month": "YYYY-MM"}`: find the owner's trips around a month
  again (sent when a photo taken that month becomes final; one waiting job per owner and month).
* `{"type": "infer_places", "photo_id": ..., "owner_id": ...}`: a located photo arrived; re-examine the owner's
  photos without a measured place taken around it (services.places), sent only when there are some.
* `{"type": "fingerprint_library", "owner_id": ...}`, plus `"cursor"`: one page of the owner's library, each
  processed photo without a duplicate fingerprint fingerprinted and grouped (services.duplicate_backfill).

The queue's fairness group is the body's owner_id (`ports.queue.message_group`), so every job of an owner
names it. Fields a job does not know are ignored, so a newer sender's message is still read.

`job_from_body` raises MalformedJob for a body that is not one of these (not an object, an unknown type, a
field missing or not valid): no retry can make sense of it, and the handler dead-letters it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias, TypeGuard

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_ID = 200  # photo, owner and scan ids are server-made and far shorter
MAX_CURSOR = 2000


class MalformedJob(ValueError):
    """A message body that is not a job we know (a poison message)."""


@dataclass(frozen=True)
class ProcessPhoto:
    """Process one photo: metadata, place, thumbnails, labels (and faces where the owner groups them)."""

    TYPE: ClassVar[str] = "process_photo"

    photo_id: str
    owner_id: str | None = None
    force: bool = False
    scan_id: str | None = None  # the face scan that queued it: the job does nothing once that scan is over

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.TYPE, "photo_id": self.photo_id}
        if self.owner_id is not None:
            body["owner_id"] = self.owner_id
        if self.force:
            body["force"] = True
        if self.scan_id is not None:
            body["scan_id"] = self.scan_id
        return body

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> ProcessPhoto:
        """The job of a body; raises MalformedJob. The owner is checked only where a scan id needs it: a
        photo's processing never reads it, and older messages have none."""
        _check_type(body, cls.TYPE)
        photo_id = body.get("photo_id")
        if not _is_text(photo_id):
            raise MalformedJob("the job has no valid photo_id")
        owner_id = body.get("owner_id")
        scan_id = _scan_id(body)
        return cls(photo_id=photo_id, owner_id=owner_id if isinstance(owner_id, str) else None,
                   force=bool(body.get("force", False)), scan_id=scan_id)


@dataclass(frozen=True)
class ScanFaces:
    """One step of a library scan for faces: queue a page of the owner's photos, then the next step."""

    TYPE: ClassVar[str] = "scan_faces"

    owner_id: str
    cursor: str | None = None  # None: the first page
    scan_id: str | None = None  # None: a scan queued before scans had ids (it always runs)

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.TYPE, "owner_id": self.owner_id}
        if self.cursor is not None:
            body["cursor"] = self.cursor
        if self.scan_id is not None:
            body["scan_id"] = self.scan_id
        return body

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> ScanFaces:
        """The job of a body; raises MalformedJob."""
        _check_type(body, cls.TYPE)
        owner_id, cursor = _owner_page(body, cls.TYPE)
        return cls(owner_id=owner_id, cursor=cursor, scan_id=_scan_id(body))


@dataclass(frozen=True)
class ReadText:
    """Read the text in one processed photo (issue 17): its own job, queued when the photo becomes final."""

    TYPE: ClassVar[str] = "read_text"

    photo_id: str
    owner_id: str

    def to_body(self) -> dict[str, Any]:
        return {"type": self.TYPE, "photo_id": self.photo_id, "owner_id": self.owner_id}

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> ReadText:
        """The job of a body; raises MalformedJob."""
        _check_type(body, cls.TYPE)
        photo_id, owner_id = body.get("photo_id"), body.get("owner_id")
        if not _is_text(photo_id) or not _is_text(owner_id):
            raise MalformedJob("the read_text job has no valid photo_id or owner_id")
        return cls(photo_id=photo_id, owner_id=owner_id)


@dataclass(frozen=True)
class RecomputeTrips:
    """Find the owner's trips again around one month (issue 16 item 5): sent when a photo taken that month
    becomes final, at most once per owner and month while one is waiting (services.trips)."""

    TYPE: ClassVar[str] = "recompute_trips"

    owner_id: str
    month: str  # "YYYY-MM" of the photo's local taken day

    def to_body(self) -> dict[str, Any]:
        return {"type": self.TYPE, "owner_id": self.owner_id, "month": self.month}

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> RecomputeTrips:
        """The job of a body; raises MalformedJob."""
        _check_type(body, cls.TYPE)
        owner_id, month = body.get("owner_id"), body.get("month")
        if not _is_text(owner_id) or not (isinstance(month, str) and _MONTH.match(month)):
            raise MalformedJob("the recompute_trips job has no valid owner_id or month (YYYY-MM)")
        return cls(owner_id=owner_id, month=month)



@dataclass(frozen=True)
class InferPlaces:
    """A photo with a measured or said place (an anchor) arrived: infer the places of the owner's photos taken
    around it that have none (issue 16): an import is rarely in order."""

    TYPE: ClassVar[str] = "infer_places"

    photo_id: str
    owner_id: str

    def to_body(self) -> dict[str, Any]:
        return {"type": self.TYPE, "photo_id": self.photo_id, "owner_id": self.owner_id}

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> InferPlaces:
        """The job of a body; raises MalformedJob."""
        _check_type(body, cls.TYPE)
        photo_id, owner_id = body.get("photo_id"), body.get("owner_id")
        if not _is_text(photo_id) or not _is_text(owner_id):
            raise MalformedJob("the infer_places job has no valid photo_id or owner_id")
        return cls(photo_id=photo_id, owner_id=owner_id)


@dataclass(frozen=True)
class FingerprintLibrary:
    """One page of the duplicate fingerprint backfill of an owner's library (issue 15): photos processed before
    fingerprints existed get one, and are grouped with their duplicates; then the next page is queued."""

    TYPE: ClassVar[str] = "fingerprint_library"

    owner_id: str
    cursor: str | None = None  # None: the first page

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.TYPE, "owner_id": self.owner_id}
        if self.cursor is not None:
            body["cursor"] = self.cursor
        return body

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> FingerprintLibrary:
        """The job of a body; raises MalformedJob."""
        _check_type(body, cls.TYPE)
        owner_id, cursor = _owner_page(body, cls.TYPE)
        return cls(owner_id=owner_id, cursor=cursor)


Job: TypeAlias = ProcessPhoto | ScanFaces | ReadText | InferPlaces | RecomputeTrips | FingerprintLibrary

JOB_TYPES: dict[str, type[Job]] = {kind.TYPE: kind for kind in (ProcessPhoto, ScanFaces, ReadText, InferPlaces,
                                                                 RecomputeTrips, FingerprintLibrary)}


def job_from_body(body: Any) -> Job:
    """The job a decoded message body holds. Raises MalformedJob when it is not one we know."""
    if not isinstance(body, Mapping):
        raise MalformedJob("the message body is not a JSON object")
    kind = body.get("type")
    if not isinstance(kind, str) or kind not in JOB_TYPES:
        raise MalformedJob(f"unknown job type {kind!r} (known: {', '.join(JOB_TYPES)})")
    return JOB_TYPES[kind].from_body(body)


def _check_type(body: Mapping[str, Any], expected: str) -> None:
    if body.get("type") != expected:
        raise MalformedJob(f"a {body.get('type')!r} body is not a {expected} job")


def _scan_id(body: Mapping[str, Any]) -> str | None:
    """The scan a job belongs to; a scan id comes with its owner (the scan is looked up by owner)."""
    scan_id = body.get("scan_id")
    if scan_id is None:
        return None
    if not (_is_text(scan_id) and _is_text(body.get("owner_id"))):
        raise MalformedJob("the job's scan_id or owner_id is not valid")
    return scan_id


def _owner_page(body: Mapping[str, Any], kind: str) -> tuple[str, str | None]:
    """The owner and the page cursor of a job that walks an owner's library page by page; raises MalformedJob."""
    owner_id, cursor = body.get("owner_id"), body.get("cursor")
    if not _is_text(owner_id) or not (cursor is None or _is_text(cursor, MAX_CURSOR)):
        raise MalformedJob(f"the {kind} job has no valid owner_id or cursor")
    return owner_id, cursor


def _is_text(value: Any, limit: int = MAX_ID) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= limit

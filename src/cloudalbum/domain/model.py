"""Photo, Label, Location, Album, Question, User: plain dataclasses.

Times are ISO 8601 strings. `taken_at` is the camera's (or the user's) wall time as given, with the offset
processing found for it when one is known (domain.times.local_time), naive otherwise; API.md says it is
"returned as stored". `uploaded_at` and every
other server-made time is UTC with an offset.
"""

from __future__ import annotations

import dataclasses
import enum
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .duplicates import Fingerprint


def new_id() -> str:
    """A URL-safe random id (128 bits): unguessable, so ids leak nothing about other users."""
    return secrets.token_urlsafe(16).replace("-", "a").replace("_", "b")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


class PhotoStatus(str, enum.Enum):
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    DONE = "done"
    NEEDS_INPUT = "needs_input"
    FAILED = "failed"


class Source(str, enum.Enum):
    EXIF = "exif"
    MODEL = "model"
    USER = "user"
    INFERRED = "inferred"  # a location estimated from the owner's photos taken before and after (domain.places)
    TRACK = "track"  # a location read off an uploaded GPS track


@dataclass
class User:
    id: str
    email: str
    password_hash: str
    created_at: str


@dataclass
class Camera:
    make: str | None = None
    model: str | None = None


@dataclass
class Place:
    city: str | None = None
    region: str | None = None
    country: str | None = None
    country_code: str | None = None


@dataclass
class Location:
    lat: float
    lon: float
    alt_m: float | None = None
    source: str = Source.EXIF.value
    place: Place | None = None
    confidence: float | None = None  # 0..1 for an inferred location; None for what was measured or said


@dataclass
class Suggestion:
    """A place the service proposes on a location question ("Taken in Arezzo?"): answered yes, it becomes the
    photo's location (the user's); confidence 0..1 and a reason a person can read."""

    lat: float
    lon: float
    place: Place | None
    confidence: float
    reason: str


@dataclass
class Box:
    """Pixels of the upright (EXIF-rotated) image."""

    x: int
    y: int
    w: int
    h: int
    confidence: float


@dataclass
class Label:
    name: str
    confidence: float
    count: int = 1
    source: str = Source.MODEL.value
    boxes: list[Box] = field(default_factory=list)
    model: str | None = None  # "yolov8n@<version>" for model labels; None for user labels


@dataclass
class FaceRef:
    """A face on the photo record (what {photo} shows): the box in upright pixels and who it is, if known.
    The embedding and the grouping live in the face store (domain.people.Face)."""

    id: str
    box: Box
    person_id: str | None = None
    person_name: str | None = None
    model: str | None = None  # the face models and their versions: "yunet_2023mar@<sha>+sface_2021dec@<sha>"


@dataclass
class Answer:
    question: str
    answer: str


@dataclass
class ModelInfo:
    name: str
    version: str


@dataclass
class TextLine:
    """One line of text read in a photo: its box (axis-aligned, around a line that may be slanted) in pixels of
    the image read (the text reader's input) or, on a photo, of the upright original. confidence: 0..1."""

    text: str
    confidence: float
    x: float
    y: float
    w: float
    h: float


@dataclass
class PhotoText:
    """The text read in a photo (issue 17): its lines in reading order ([] = read, none found) and the reader's
    models with their versions (a re-read with the same models changes nothing)."""

    lines: list[TextLine] = field(default_factory=list)
    model: str = ""

    def joined(self) -> str:
        return " ".join(line.text for line in self.lines)


@dataclass
class Photo:
    id: str
    owner_id: str
    filename: str
    content_type: str
    bytes: int
    original_key: str
    uploaded_at: str
    status: str = PhotoStatus.UPLOADED.value
    error: str | None = None
    width: int | None = None  # upright (after EXIF rotation)
    height: int | None = None
    taken_at: str | None = None
    camera: Camera | None = None
    location: Location | None = None
    labels: list[Label] = field(default_factory=list)
    faces: list[FaceRef] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    albums: list[str] = field(default_factory=list)
    title: str | None = None
    description: str | None = None
    model: ModelInfo | None = None
    thumbnail_keys: dict[str, str] = field(default_factory=dict)  # size name -> blob key
    orientation: int | None = None
    # Fields the user set by hand (taken_at, location, title, description): processing never overwrites them.
    user_fields: list[str] = field(default_factory=list)
    rejected_labels: list[str] = field(default_factory=list)
    processed_version: str | None = None  # "<model name>@<version>" of the last completed processing
    version: int = 0  # optimistic concurrency counter, bumped by every save
    # Import and export: the original's SHA-256 (identical files are one photo per owner), the
    # user's 0-5 rating (XMP, PATCH) and names of people a Takeout sidecar listed, suggestions for naming faces.
    sha256: str | None = None
    rating: int | None = None
    people_hint: list[str] = field(default_factory=list)
    text: PhotoText | None = None  # None: not read (read_text off, or not yet)
    # The trash (issue 15): when the owner deleted it (UTC ISO), None while in the library. A trashed photo keeps
    # everything (albums, answers, faces) so a restore brings it back whole; the stores hide it meanwhile.
    trashed_at: str | None = None
    # Duplicates (issue 15 item 2): the hashes processing computed from the upright pixels (domain.duplicates).
    fingerprint: Fingerprint | None = None
    # Time (issue 16 item 1): where processing got taken_at's offset (domain.times.OFFSET_SOURCES: exif,
    # gps_time, gps_zone, account); None for a naive time, a time the user set, or an offset of unknown origin.
    taken_offset_source: str | None = None

    def people_names(self) -> list[str]:
        """Names of the named people whose faces are in the photo (each once, in face order)."""
        return list(dict.fromkeys(f.person_name for f in self.faces if f.person_name))

    def visible_labels(self) -> list[Label]:
        """Labels the user has not rejected."""
        rejected = set(self.rejected_labels)
        return [lbl for lbl in self.labels if lbl.name not in rejected]


@dataclass
class Album:
    id: str
    owner_id: str
    name: str
    created_at: str
    updated_at: str
    description: str | None = None
    photo_count: int = 0
    cover_photo_id: str | None = None


class QuestionStatus(str, enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"
    DISMISSED = "dismissed"


@dataclass
class Question:
    id: str
    owner_id: str
    photo_id: str
    kind: str  # location | date | label_confirm | label_name | people | event | ...
    text: str
    reason: str
    created_at: str
    choices: list[str] | None = None
    status: str = QuestionStatus.OPEN.value
    answer: str | None = None
    subject: str | None = None  # e.g. the label a label_confirm question is about
    related_photo_ids: list[str] = field(default_factory=list)  # photos the answer could also apply to
    score: float = 0.0
    person_id: str | None = None  # "Who is this?" about a group of faces: the person and the face shown
    face_id: str | None = None  # rank: how many photos an answer improves
    suggestion: Suggestion | None = None  # a location question's proposed place (choices yes/no)
    suggestion_declined: bool = False  # the user said no: this question proposes no place again


@dataclass
class Page:
    """One page of a list and the opaque cursor of the next, or None at the end."""

    items: list[Any]
    next_cursor: str | None = None


# --- (de)serialisation helpers shared by adapters that store records as documents -------------------------


def to_dict(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)


def photo_from_dict(d: dict[str, Any]) -> Photo:
    d = dict(d)
    if d.get("camera") is not None:
        d["camera"] = Camera(**d["camera"])
    if d.get("location") is not None:
        loc = dict(d["location"])
        if loc.get("place") is not None:
            loc["place"] = Place(**loc["place"])
        d["location"] = Location(**loc)
    d["labels"] = [
        Label(**{**lbl, "boxes": [Box(**b) for b in lbl.get("boxes", [])]}) for lbl in d.get("labels", [])
    ]
    d["faces"] = [FaceRef(**{**f, "box": Box(**f["box"])}) for f in d.get("faces", [])]
    d["answers"] = [Answer(**a) for a in d.get("answers", [])]
    if d.get("model") is not None:
        d["model"] = ModelInfo(**d["model"])
    if d.get("text") is not None:
        t = d["text"]
        d["text"] = PhotoText(lines=[TextLine(**line) for line in t.get("lines", [])], model=t.get("model", ""))
    if d.get("fingerprint") is not None:
        d["fingerprint"] = Fingerprint.from_dict(d["fingerprint"])
    known = {f.name for f in dataclasses.fields(Photo)}
    return Photo(**{k: v for k, v in d.items() if k in known})


def album_from_dict(d: dict[str, Any]) -> Album:
    known = {f.name for f in dataclasses.fields(Album)}
    return Album(**{k: v for k, v in d.items() if k in known})


def question_from_dict(d: dict[str, Any]) -> Question:
    known = {f.name for f in dataclasses.fields(Question)}
    d = {k: v for k, v in d.items() if k in known}
    if d.get("suggestion") is not None:
        sug = dict(d["suggestion"])
        sug["place"] = Place(**sug["place"]) if sug.get("place") is not None else None
        d["suggestion"] = Suggestion(**sug)
    return Question(**d)

"""What a user (or their sidecar files) says about a photo, applied as PATCH applies user input.

Import (services/moving/importing.py) reads Takeout JSON and XMP sidecars into a UserMetadata; PhotoService.add applies
it to the new photo before its record is written, so the first record already carries it and processing never
overwrites it (every field set here is listed in `photo.user_fields`, labels are user labels). For a file the
owner already has, `fill` adds only what the photo lacks: an import never overwrites what is there.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from ..domain.model import Label, Location, Photo, Place, Source
from ..domain.photo_rules import mark_user_field

HASH_CHUNK = 1024 * 1024
MAX_RATING = 5
MAX_TITLE, MAX_DESCRIPTION, MAX_NAME = 500, 10_000, 100
MAX_LABELS, MAX_PEOPLE = 200, 100

PlaceOf = Callable[[float, float], Place | None]


def sha256_of(stream: BinaryIO) -> str:
    """The hex SHA-256 of a seekable stream, read in chunks (left at an arbitrary position)."""
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Added:
    """The outcome of PhotoService.add: the photo, whether the bytes were already the owner's (nothing was
    stored) and whether that existing photo gained something (an album, metadata it lacked)."""

    photo: Photo
    duplicate: bool = False
    merged: bool = False


@dataclass
class UserMetadata:
    """User-sourced values for one photo; None (or empty) means "nothing said"."""

    title: str | None = None
    description: str | None = None
    taken_at: str | None = None
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    labels: list[str] = field(default_factory=list)
    rating: int | None = None
    people: list[str] = field(default_factory=list)

    def cleaned(self) -> UserMetadata:
        """Within the limits PATCH applies (sidecars are untrusted input): text capped, a time that parses, a
        location in range, at most MAX_LABELS labels and MAX_PEOPLE names of sensible length."""
        lat, lon = _coordinate(self.lat, 90.0), _coordinate(self.lon, 180.0)
        located = lat is not None and lon is not None
        return UserMetadata(
            title=_capped(self.title, MAX_TITLE), description=_capped(self.description, MAX_DESCRIPTION),
            taken_at=_iso_time(self.taken_at), lat=lat if located else None, lon=lon if located else None,
            alt_m=_coordinate(self.alt_m, 1e6) if located else None,
            labels=[x for x in (_capped(n, MAX_NAME) for n in self.labels) if x][:MAX_LABELS],
            rating=valid_rating(self.rating) if self.rating is not None else None,
            people=[x for x in (_capped(n, MAX_NAME) for n in self.people) if x][:MAX_PEOPLE])

    def is_empty(self) -> bool:
        return not (self.title or self.description or self.taken_at or self.has_location() or self.labels
                    or self.rating is not None or self.people)

    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None

    def apply(self, photo: Photo, place_of: PlaceOf) -> None:
        """Set every value given, as user input (a new photo)."""
        for name in ("title", "description", "taken_at"):
            value = getattr(self, name)
            if value:
                setattr(photo, name, value)
                mark_user_field(photo, name)
        if self.has_location():
            photo.location = self._location(place_of)
            mark_user_field(photo, "location")
        if self.rating is not None:
            photo.rating = self.rating
        _add_labels(photo, self.labels)
        _add_people(photo, self.people)

    def fill(self, photo: Photo, place_of: PlaceOf) -> bool:
        """Set only what the photo lacks (an identical file imported again). True when something changed."""
        before = (photo.title, photo.description, photo.taken_at, photo.location, photo.rating,
                  len(photo.labels), len(photo.people_hint))
        missing = UserMetadata(
            title=self.title if not photo.title else None,
            description=self.description if not photo.description else None,
            taken_at=self.taken_at if not photo.taken_at else None,
            lat=self.lat if photo.location is None else None, lon=self.lon if photo.location is None else None,
            alt_m=self.alt_m, rating=self.rating if photo.rating is None else None,
            labels=self.labels, people=self.people)
        missing.apply(photo, place_of)
        after = (photo.title, photo.description, photo.taken_at, photo.location, photo.rating,
                 len(photo.labels), len(photo.people_hint))
        return before != after

    def _location(self, place_of: PlaceOf) -> Location:
        assert self.lat is not None and self.lon is not None
        return Location(lat=self.lat, lon=self.lon, alt_m=self.alt_m, source=Source.USER.value,
                        place=place_of(self.lat, self.lon))


def _add_labels(photo: Photo, names: list[str]) -> None:
    """User labels (keywords): found by `q` and `label`; processing keeps them (source user)."""
    have = {lbl.name for lbl in photo.labels}
    for name in dict.fromkeys(n.strip().lower() for n in names if n and n.strip()):
        if name not in have:
            photo.labels = [*photo.labels, Label(name=name, confidence=1.0, count=1, source=Source.USER.value)]
            have.add(name)


def _add_people(photo: Photo, names: list[str]) -> None:
    for name in names:
        name = name.strip()
        if name and name not in photo.people_hint:
            photo.people_hint = [*photo.people_hint, name]


def _capped(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value[:limit] or None


def _coordinate(value: Any, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value) if -limit <= value <= limit else None


def _iso_time(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    text = value.strip()
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    return text


def valid_rating(value: Any) -> int | None:
    """A 0-5 star rating, or None for anything else (XMP's -1 "rejected" included)."""
    try:
        rating = int(float(value))
    except (TypeError, ValueError):
        return None
    return rating if 0 <= rating <= MAX_RATING else None

"""What a user (or their sidecar files) says about a photo, applied as PATCH applies user input.

Import (services/moving.py) reads Takeout JSON and XMP sidecars into a UserMetadata; PhotoService.add applies
it to the new photo before its record is written, so the first record already carries it and processing never
overwrites it (every field set here is listed in `photo.user_fields`, labels are user labels). For a file the
owner already has, `fill` adds only what the photo lacks: an import never overwrites what is there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable

from ..domain.model import Label, Location, Photo, Source

HASH_CHUNK = 1024 * 1024
MAX_RATING = 5

PlaceOf = Callable[[float, float], Any]


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
                _mark(photo, name)
        if self.has_location():
            photo.location = self._location(place_of)
            _mark(photo, "location")
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


def _mark(photo: Photo, name: str) -> None:
    if name not in photo.user_fields:
        photo.user_fields = [*photo.user_fields, name]


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


def valid_rating(value: Any) -> int | None:
    """A 0-5 star rating, or None for anything else (XMP's -1 "rejected" included)."""
    try:
        rating = int(float(value))
    except (TypeError, ValueError):
        return None
    return rating if 0 <= rating <= MAX_RATING else None

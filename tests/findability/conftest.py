"""Findability fixtures: a real SqliteMetadataStore in a temp dir and a photo builder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.domain.model import Camera, Label, Location, Photo, Place


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteMetadataStore]:
    s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    yield s
    s.close()


def make_photo(pid: str, owner: str = "alice", *, taken: str | None = "2020-05-01T12:00:00",
               labels: dict[str, float] | None = None, at: tuple[float, float] | None = None,
               place: tuple[str, str, str, str] | None = None, camera: tuple[str, str] | None = None,
               **kw: Any) -> Photo:
    """A photo as processing would leave it (labels from the model, a reverse-geocoded place)."""
    loc = None
    if at is not None:
        loc = Location(lat=at[0], lon=at[1], place=Place(*place) if place else None)
    return Photo(id=pid, owner_id=owner, filename=f"{pid}.jpg", content_type="image/jpeg", bytes=100,
                 original_key=f"originals/{pid}", uploaded_at="2024-01-01T00:00:00+00:00", status="done",
                 taken_at=taken, location=loc, camera=Camera(*camera) if camera else None,
                 labels=[Label(name=n, confidence=c, model="yolov8n@test") for n, c in (labels or {}).items()],
                 **kw)


ROME = (41.9028, 12.4964)
AREZZO = (43.46745, 11.88513)
PARIS = (48.8583, 2.2945)
LONDON = (51.5074, -0.1278)
FIJI = (-17.7134, 178.065)

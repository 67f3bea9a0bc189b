"""What a search asks for, independent of how a store answers it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Photo

DEFAULT_MIN_CONFIDENCE = 0.25
DEFAULT_RADIUS_KM = 10.0


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float = DEFAULT_RADIUS_KM


@dataclass(frozen=True)
class SearchQuery:
    """All parameters combine with AND. Dates are inclusive ISO dates (YYYY-MM-DD)."""

    q: str | None = None
    labels: tuple[str, ...] = ()
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    category: str | None = None
    place: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    bbox: BBox | None = None
    near: Near | None = None
    album_id: str | None = None
    camera: str | None = None
    status: str | None = None


@dataclass
class SearchHit:
    photo: Photo
    reasons: list[str] = field(default_factory=list)

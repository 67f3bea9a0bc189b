"""The search parameters of API.md read into the domain's SearchQuery: the API edge of search.

The schema (schemas.search.SearchParamsQuery) checks types and lengths; what it cannot say precisely (a bbox
that is not four numbers, a latitude out of range, a date that is not a day, from after to) is said here,
each with its own error code (invalid_bbox, invalid_near, invalid_from...), as Invalid (422).
`parse_search_params` also reads raw query strings (a dict of strings, a label list or one label), so it
can be given what a test or a bench writes as a URL would.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from ...domain.errors import Invalid
from ...domain.model import PhotoStatus
from ...domain.search import DEFAULT_MIN_CONFIDENCE, DEFAULT_RADIUS_KM, BBox, Near, SearchQuery, plain_words

MAX_RADIUS_KM = 20_100  # half the Earth's circumference: every place is nearer


def search_query(params: Mapping[str, Any]) -> SearchQuery:
    """Validated schema values (from/to under their attribute names date_from/date_to) to a SearchQuery."""
    raw = {k: v for k, v in params.items() if k not in ("limit", "cursor", "date_from", "date_to")}
    raw["from"], raw["to"] = params.get("date_from"), params.get("date_to")
    return parse_search_params(raw)


def parse_search_params(params: Mapping[str, Any]) -> SearchQuery:
    """API query parameters (q, label (repeatable), min_confidence, category, place, from, to, bbox, near,
    radius_km, album_id, camera, status, person, undated, text) to a SearchQuery. Bad values raise Invalid (422); when
    several are bad, the first in this order is named: min_confidence, dates, radius_km, status, bbox, near."""
    labels = _labels(params.get("label"))
    min_conf = _min_confidence(_one(params, "min_confidence"))
    date_from, date_to = _date_range(_one(params, "from"), _one(params, "to"))
    near_raw, radius_raw = _one(params, "near"), _one(params, "radius_km")
    if radius_raw is not None and near_raw is None:
        raise Invalid("radius_km needs near=lat,lon", code="invalid_radius_km")
    status = _status(_one(params, "status"))
    bbox_raw = _one(params, "bbox")
    return SearchQuery(
        q=_one(params, "q"), labels=labels, min_confidence=min_conf, category=_one(params, "category"),
        place=_one(params, "place"), date_from=date_from, date_to=date_to,
        bbox=parse_bbox(bbox_raw) if bbox_raw else None,
        near=parse_near(near_raw, radius_raw) if near_raw else None,
        album_id=_one(params, "album_id"), camera=_one(params, "camera"), status=status,
        person=_one(params, "person"), undated=_flag(params.get("undated"), "undated"),
        text=_text(_one(params, "text")),
    )


def _flag(raw: Any, name: str) -> bool:
    """A boolean parameter: true/false (1/0, yes/no); absent is false."""
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    value = (_one({name: raw}, name) or "").lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    raise Invalid(f"{name} must be true or false", code=f"invalid_{name}")


def parse_bbox(raw: str) -> BBox:
    """`min_lon,min_lat,max_lon,max_lat`; min_lon > max_lon crosses the antimeridian."""
    min_lon, min_lat, max_lon, max_lat = _floats(raw, 4, "bbox", "-6,49.5,2,56")
    _check_lat_lon(min_lat, min_lon, "bbox")
    _check_lat_lon(max_lat, max_lon, "bbox")
    if min_lat > max_lat:
        raise Invalid("bbox: min_lat must not be above max_lat (order: min_lon,min_lat,max_lon,max_lat)",
                      code="invalid_bbox")
    return BBox(min_lon, min_lat, max_lon, max_lat)


def parse_near(raw: str, radius_km: Any = None) -> Near:
    """`lat,lon` and an optional radius in km (default 10)."""
    lat, lon = _floats(raw, 2, "near", "43.4675,11.8835")
    _check_lat_lon(lat, lon, "near")
    radius = DEFAULT_RADIUS_KM
    if radius_km not in (None, ""):
        try:
            radius = float(radius_km)
        except (TypeError, ValueError):
            radius = float("nan")
        if not math.isfinite(radius) or not 0 < radius <= MAX_RADIUS_KM:
            raise Invalid(f"radius_km must be a number of kilometres above 0 and at most {MAX_RADIUS_KM}",
                          code="invalid_radius_km")
    return Near(lat, lon, radius)


def parse_date(raw: str, name: str) -> str:
    """A day YYYY-MM-DD (the parameter `name` says which, in the error)."""
    text = str(raw).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise Invalid(f"{name} must be a date YYYY-MM-DD, for example {name}=2008-10-22", code=f"invalid_{name}")


def _labels(raw: Any) -> tuple[str, ...]:
    """label= once or repeated: each given label once, in order, blanks dropped."""
    values = [raw] if isinstance(raw, str) else (raw or ())
    return tuple(dict.fromkeys(s.strip() for s in values if s and str(s).strip()))


def _min_confidence(raw: str | None) -> float:
    if raw is None:
        return DEFAULT_MIN_CONFIDENCE
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise Invalid("min_confidence must be a number from 0 to 1", code="invalid_min_confidence")
    return value


def _date_range(raw_from: str | None, raw_to: str | None) -> tuple[str | None, str | None]:
    date_from = parse_date(raw_from, "from") if raw_from else None
    date_to = parse_date(raw_to, "to") if raw_to else None
    if date_from and date_to and date_from > date_to:
        raise Invalid("from must not be after to", code="invalid_date_range")
    return date_from, date_to


def _text(raw: str | None) -> str | None:
    """text=: words read in the photo. A value without a letter or digit asks for nothing: 422."""
    if raw is not None and not plain_words(raw):
        raise Invalid("text must hold at least one word (letters or digits)", code="invalid_text")
    return raw


def _status(raw: str | None) -> str | None:
    names = [s.value for s in PhotoStatus]
    if raw is not None and raw not in names:
        raise Invalid("status must be one of " + ", ".join(names), code="invalid_status")
    return raw


def _floats(raw: str, n: int, name: str, example: str) -> list[float]:
    parts = [p.strip() for p in str(raw).split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != n or not all(math.isfinite(v) for v in values):
        raise Invalid(f"{name} must be {n} comma-separated numbers, for example {name}={example}",
                      code=f"invalid_{name}")
    return values


def _check_lat_lon(lat: float, lon: float, name: str) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise Invalid(f"{name}: latitude must be within -90..90 and longitude within -180..180",
                      code=f"invalid_{name}")


def _one(params: Mapping[str, Any], name: str) -> str | None:
    """One parameter's value, stripped (the last when repeated); None when missing or blank."""
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None:
        return None
    value = str(value).strip()
    return value or None

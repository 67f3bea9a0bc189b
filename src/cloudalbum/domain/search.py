"""What a search asks for, independent of how a store answers it, and the pure rule of what matches.

`match_reasons` is the one definition of "this photo matches this query, and why". Stores find candidates with
their own indexes (SQLite: FTS5, R*Tree, label and place tables; DynamoDB: its GSIs) and may use it to filter
the candidates and to build the reasons, so every backend answers a query the same way.

Free text: every query word must match (AND), in any field, as domain.search_words says ("hors" finds horse).
The words, fields and folding the stores index with (domain.search_words, domain.text) are exported here too:
this module is what a store needs to know of search. Reading HTTP parameters into a SearchQuery is the API's
job (entrypoints.api.search_params).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .model import Photo
from .search_words import (
    WORD_FIELDS,
    camera_text,
    label_key,
    place_matches,
    place_names,
    place_parts,
    plain_words,
    query_words,
    stem,
    text_fields,
    words,
)
from .text import fold, name_key

__all__ = [
    "DEFAULT_MIN_CONFIDENCE", "DEFAULT_RADIUS_KM", "EARTH_RADIUS_KM", "WORD_FIELDS", "BBox", "LabelOrWords",
    "Marker", "Near", "SearchHit", "SearchQuery", "camera_text", "fold", "haversine_km", "label_key",
    "marker_of", "match_reasons", "person_key", "place_matches", "place_names", "place_parts", "plain_words",
    "query_words", "stem", "text_fields", "words",
]

DEFAULT_MIN_CONFIDENCE = 0.25
DEFAULT_RADIUS_KM = 10.0
EARTH_RADIUS_KM = 6371.0088

#: The form person names are compared in (a face's name, person=, a name in q): case, accents and spacing do
#: not matter. The same key as domain.people.fold_name, so the people a search finds are the people merged.
person_key = name_key


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lat: float, lon: float) -> bool:
        """min_lon > max_lon means the box crosses the antimeridian."""
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.min_lon <= self.max_lon:
            return self.min_lon <= lon <= self.max_lon
        return lon >= self.min_lon or lon <= self.max_lon


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float = DEFAULT_RADIUS_KM

    def bbox(self) -> BBox:
        """A box that contains the circle (a prefilter for spatial indexes)."""
        dlat = math.degrees(self.radius_km / EARTH_RADIUS_KM)
        coslat = math.cos(math.radians(self.lat))
        dlon = 180.0 if coslat < 1e-6 else min(180.0, dlat / coslat)
        min_lon, max_lon = self.lon - dlon, self.lon + dlon
        if dlon >= 180.0:
            min_lon, max_lon = -180.0, 180.0
        else:
            min_lon = min_lon + 360.0 if min_lon < -180.0 else min_lon
            max_lon = max_lon - 360.0 if max_lon > 180.0 else max_lon
        return BBox(min_lon, max(-90.0, self.lat - dlat), max_lon, min(90.0, self.lat + dlat))


@dataclass(frozen=True)
class LabelOrWords:
    """A vocabulary phrase of q ("dog", "puppy", "pets", "animals"): the photo has one of `labels` at or
    above min_confidence (user labels are 1.0), or is in `category`, or one of `phrases` (what was typed, and
    the label or category name it stands for) is in the photo's own words (WORD_FIELDS), every word of it
    matching as free text does. So a photo titled "my dog Rex" is found by q=dog as it was before q was read
    as a sentence; explicit `label=` parameters stay labels only."""

    labels: tuple[str, ...] = ()
    category: str | None = None
    phrases: tuple[str, ...] = ()


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
    person: str | None = None  # a person's name (case-insensitive, whole name)
    person_id: str | None = None  # one person (GET /api/people/{id}/photos)
    # What a search sentence adds (domain.query_language): more of the above, all ANDed, and negation.
    any_labels: tuple[tuple[str, ...], ...] = ()  # each group: at least one of its labels (>= min_confidence)
    not_labels: tuple[str, ...] = ()  # none of these labels at or above min_confidence
    categories: tuple[str, ...] = ()  # besides `category`
    people: tuple[str, ...] = ()  # besides `person`: names, each on a face of the photo
    label_words: tuple[LabelOrWords, ...] = ()  # q's vocabulary phrases: each a label (or category) or words
    undated: bool = False  # only photos without a taken day (the gallery's last section, issue 16)
    text: str | None = None  # words read in the photo (text=): every one, whole words, case and accents ignored


@dataclass
class SearchHit:
    photo: Photo
    reasons: list[str] = field(default_factory=list)


class Marker:
    """One map marker: what GET /api/map shows of a located photo. Stores may build these without loading
    whole photos, passing the label names as JSON text (`labels_json`) that is decoded only if read."""

    __slots__ = ("id", "lat", "lon", "taken_at", "_labels", "labels_json")

    def __init__(self, id: str, lat: float, lon: float, taken_at: str | None,
                 labels: list[str] | None = None, *, labels_json: str | None = None) -> None:
        self.id, self.lat, self.lon, self.taken_at = id, lat, lon, taken_at
        self._labels, self.labels_json = labels, labels_json

    @property
    def labels(self) -> list[str]:
        if self._labels is None:
            self._labels = json.loads(self.labels_json or "[]")
        return self._labels

    def __repr__(self) -> str:
        return f"Marker({self.id!r}, {self.lat}, {self.lon}, {self.taken_at!r}, {self.labels!r})"


def marker_of(photo: Photo) -> Marker | None:
    if photo.location is None:
        return None
    return Marker(photo.id, photo.location.lat, photo.location.lon, photo.taken_at,
                  [lbl.name for lbl in photo.visible_labels()])


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# --- the rule ---------------------------------------------------------------------------------------------


def match_reasons(photo: Photo, query: SearchQuery, *, today: date | None = None,
                  album_name: str | None = None) -> list[str] | None:
    """Why `photo` matches `query` (every given parameter, AND), or None when it does not.

    Labels the user rejected never match. `today` is the reference date for "taken ... days ago" wording;
    `album_name` names the album in the reason when the store knows it."""
    reasons: list[str] = []
    visible = {label_key(lbl.name): lbl for lbl in photo.visible_labels()}
    for wanted in query.labels:
        lbl = visible.get(label_key(wanted))
        if lbl is None or lbl.confidence < query.min_confidence:
            return None
        reasons.append(f"label {lbl.name} {lbl.confidence:.2f}")
    for group in query.any_labels:
        best = max((lbl for lbl in (visible.get(label_key(n)) for n in group) if lbl is not None
                    and lbl.confidence >= query.min_confidence), key=lambda lbl: lbl.confidence, default=None)
        if best is None:
            return None
        reasons.append(f"label {best.name} {best.confidence:.2f}")
    if query.label_words:
        own = {name: text for name, text in text_fields(photo).items() if name in WORD_FIELDS}
        cats = {fold(c): c for c in photo.categories}
        for term in query.label_words:
            reason = _label_or_words_reason(term, visible, cats, own, query.min_confidence)
            if reason is None:
                return None
            reasons.append(reason)
    for unwanted in query.not_labels:
        lbl = visible.get(label_key(unwanted))
        if lbl is not None and lbl.confidence >= query.min_confidence:
            return None
    if query.not_labels:
        reasons.append("no " + ", ".join(query.not_labels))
    cats = {fold(c): c for c in photo.categories}
    for wanted_cat in ((query.category,) if query.category else ()) + query.categories:
        if fold(wanted_cat.strip()) not in cats:
            return None
        reasons.append(f"category {cats[fold(wanted_cat.strip())]}")
    if query.place:
        name = place_matches(query.place, place_names(photo))
        if name is None:
            return None
        reasons.append(f"place {name}")
    if query.undated:
        if (photo.taken_at or "")[:10]:
            return None
        reasons.append("no date")
    if query.date_from or query.date_to:
        day = (photo.taken_at or "")[:10]
        if not day or (query.date_from and day < query.date_from) or (query.date_to and day > query.date_to):
            return None
        reasons.append(_taken_reason(day, today))
    loc = photo.location
    if query.bbox:
        if loc is None or not query.bbox.contains(loc.lat, loc.lon):
            return None
        reasons.append("within bbox")
    if query.near:
        if loc is None:
            return None
        dist = haversine_km(query.near.lat, query.near.lon, loc.lat, loc.lon)
        if dist > query.near.radius_km:
            return None
        reasons.append(f"near {dist:.1f} km")
    if query.album_id:
        if query.album_id not in photo.albums:
            return None
        reasons.append(f"album {album_name or query.album_id}")
    if query.camera:
        cam_words = words(camera_text(photo))
        if not all(any(w.startswith(qw) for w in cam_words) for qw in query_words(query.camera)):
            return None
        reasons.append(f"camera {camera_text(photo)}")
    if query.status:
        if photo.status != query.status:
            return None
        reasons.append(f"status {photo.status}")
    if query.person_id or query.person:
        reason = _person_reason(photo, query.person_id, query.person)
        if reason is None:
            return None
        reasons.append(reason)
    for name in query.people:
        reason = _person_reason(photo, None, name)
        if reason is None:
            return None
        reasons.append(reason)
    if query.text:
        reason = text_reason(photo, query.text)
        if reason is None:
            return None
        reasons.append(reason)
    qwords = query_words(query.q)
    if qwords:  # a q without any word (punctuation only) asks for nothing
        reason = _text_reason(query.q or "", text_fields(photo), qwords)
        if reason is None:
            return None
        reasons.append(reason)
    return reasons


def _label_or_words_reason(term: LabelOrWords, visible: Mapping[str, Any], cats: Mapping[str, str],
                           own: dict[str, str], min_confidence: float) -> str | None:
    """Why a photo meets one LabelOrWords: its best label of the term ("label dog 0.91"), else its category
    ("category animals"), else the first phrase found in its own words ("text 'puppy' in answers")."""
    found = [lbl for lbl in (visible.get(label_key(n)) for n in term.labels)
             if lbl is not None and lbl.confidence >= min_confidence]
    if found:
        best = max(found, key=lambda lbl: lbl.confidence)
        return f"label {best.name} {best.confidence:.2f}"
    if term.category and fold(term.category.strip()) in cats:
        return f"category {cats[fold(term.category.strip())]}"
    for phrase in term.phrases:
        qwords = query_words(phrase)
        reason = _text_reason(phrase, own, qwords) if qwords else None
        if reason is not None:
            return reason
    return None


def _text_reason(query_text: str, fields: dict[str, str], qwords: Iterable[str]) -> str | None:
    hit_fields: list[str] = []
    for qw in qwords:
        found = [name for name, text in fields.items() if any(w.startswith(qw) for w in words(text))]
        if not found:
            return None
        hit_fields.extend(f for f in found if f not in hit_fields)
    return f"text '{query_text.strip()}' in {', '.join(hit_fields)}"


def text_reason(photo: Photo, wanted: str) -> str | None:
    """Why the photo's text has every word of `wanted` (whole words, folded): "text 'notruf 112'", or None."""
    wanted_words = list(dict.fromkeys(plain_words(wanted)))
    have = set(plain_words(photo.text.joined() if photo.text else ""))
    if not wanted_words or not all(w in have for w in wanted_words):
        return None
    return f"text '{' '.join(wanted_words)}'"


def _person_reason(photo: Photo, person_id: str | None, name: str | None) -> str | None:
    """"person Anna" when a face of the photo belongs to the person asked for (by id and/or by name)."""
    for face in photo.faces:
        if person_id and face.person_id != person_id:
            continue
        if name and (not face.person_name or person_key(face.person_name) != person_key(name)):
            continue
        return f"person {face.person_name}" if face.person_name else "person (not named yet)"
    return None


def _taken_reason(day: str, today: date | None) -> str:
    if today is None:
        return f"taken {day}"
    try:
        ago = (today - date.fromisoformat(day)).days
    except ValueError:
        return f"taken {day}"
    return f"taken {day} ({ago} days ago)" if ago > 0 else f"taken {day}"

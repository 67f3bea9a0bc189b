"""Sidecar files: Google Takeout's JSON and XMP (Lightroom, digiKam, darktable), read into UserMetadata.

Pure parsing, no I/O. Which sidecar belongs to which photo (`SidecarIndex`) follows Takeout's naming in all its
variants: `x.jpg.json`; `x.jpg.supplemental-metadata.json` and its truncations (`x.jpg.supplemental-metad.json`;
Takeout cuts a sidecar's name, ".json" excluded, at 46 or 47 characters); `x(1).jpg` <-> `x.jpg(1).json`;
`x-edited.jpg` shares `x.jpg`'s sidecar. XMP: `x.jpg.xmp` or `x.xmp`.

XMP is parsed with the standard library's expat-based ElementTree, which never fetches external entities; a
document that declares any entity (a DOCTYPE) is refused before parsing, so "billion laughs" cannot expand.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .metadata import UserMetadata, valid_rating

MAX_SIDECAR_BYTES = 1024 * 1024
TRUNCATED_AT = 46  # Takeout's shortest cut of a sidecar name (".json" excluded); 47 is seen too
SUPPLEMENTAL = ".supplemental-metadata"
EDITED = "-edited"
ALBUM_METADATA = "metadata.json"
_COUNTER = re.compile(r"^(.*)\((\d+)\)$")
_YEAR_FOLDER = re.compile(r"^Photos from \d{4}$")
_XMP_GPS = re.compile(r"^\s*(\d{1,3})(?:,(\d{1,2}(?:\.\d+)?))?(?:,(\d{1,2}(?:\.\d+)?))?\s*([NSEW])\s*$")

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
}


class SidecarError(ValueError):
    """A sidecar that cannot be read: its message names what is wrong."""


# --- which sidecar ----------------------------------------------------------------------------------------


def split_counter(name: str) -> tuple[str, int]:
    """("x.jpg", 1) for "x.jpg(1)"; (name, 0) without a counter."""
    m = _COUNTER.match(name)
    return (m.group(1), int(m.group(2))) if m else (name, 0)


def media_key(filename: str) -> tuple[str, int]:
    """The (original name, counter) a media file's sidecar is named after: "x(1).jpg" -> ("x.jpg", 1),
    "x-edited.jpg" -> ("x.jpg", 0)."""
    stem, ext = posixpath.splitext(filename)
    stem, counter = split_counter(stem)
    if stem.endswith(EDITED):
        stem = stem[: -len(EDITED)]
    return stem + ext, counter


def is_sidecar(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(".json") or lower.endswith(".xmp")


def read_whole(path: str) -> bool:
    """The entries an import reads whole before the photos: sidecars and album metadata."""
    return is_sidecar(path) or posixpath.basename(path) == ALBUM_METADATA


def is_year_folder(folder: str) -> bool:
    """Takeout's "Photos from 2019" folders hold every photo of a year: they are not albums."""
    return bool(_YEAR_FOLDER.match(posixpath.basename(folder.rstrip("/"))))


@dataclass
class _Json:
    base: str  # the name without ".json" and without the counter
    counter: int
    path: str


class SidecarIndex:
    """Every sidecar of an import by folder, and the best one for each media file."""

    def __init__(self, paths: list[str]) -> None:
        self._json: dict[str, list[_Json]] = {}
        self._xmp: dict[str, dict[str, str]] = {}
        for path in paths:
            folder, name = posixpath.split(path)
            lower = name.lower()
            if lower.endswith(".xmp"):
                self._xmp.setdefault(folder, {})[name[:-4].lower()] = path
            elif lower.endswith(".json") and name != ALBUM_METADATA:
                base, counter = split_counter(name[:-5])
                self._json.setdefault(folder, []).append(_Json(base, counter, path))

    def json_for(self, path: str) -> str | None:
        folder, name = posixpath.split(path)
        original, counter = media_key(name)
        full = original + SUPPLEMENTAL
        best: tuple[int, str] | None = None
        for cand in self._json.get(folder, ()):
            if cand.counter == 0 and cand.base == name:
                return cand.path  # x(1).jpg.json: the exact name, as cloudalbum's export writes it
            if cand.counter != counter:
                continue
            rank = _rank(cand.base, original, full, name)
            if rank and (best is None or rank > best[0]):
                best = (rank, cand.path)
        return best[1] if best else None

    def xmp_for(self, path: str) -> str | None:
        folder, name = posixpath.split(path)
        found = self._xmp.get(folder, {})
        return found.get(name.lower()) or found.get(posixpath.splitext(name)[0].lower())


def _rank(base: str, original: str, full: str, name: str) -> int:
    """How well a JSON sidecar named `base` fits a media file (0: not at all). Exact names beat truncations;
    a longer truncation beats a shorter one."""
    if base in (name, original, full):
        return 10_000
    if full.startswith(base) and (base.startswith(original + ".") or len(base) >= TRUNCATED_AT):
        return len(base)  # x.jpg.supplemental-metad, or a long name cut at 46/47 characters
    if original.startswith(base) and len(base) >= TRUNCATED_AT:
        return len(base)
    return 0


# --- Takeout JSON ----------------------------------------------------------------------------------------


@dataclass
class TakeoutSidecar:
    """What a Takeout sidecar says. `taken_at` is UTC with "+00:00"; it applies to a photo without an EXIF
    time, and the location to a photo without one (the importer decides)."""

    meta: UserMetadata
    taken_at: str | None = None
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    own: dict[str, Any] | None = None  # cloudalbum's own export: exact values and which were the user's


def load_json(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_SIDECAR_BYTES:
        raise SidecarError(f"the sidecar is larger than {MAX_SIDECAR_BYTES:,} bytes")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SidecarError(f"the sidecar is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise SidecarError("the sidecar is JSON but not an object")
    return doc


def parse_takeout(data: bytes, media_name: str) -> TakeoutSidecar:
    """A Takeout JSON sidecar. Takeout's "title" is usually the file name: only another title is kept."""
    doc = load_json(data)
    meta = UserMetadata(description=_text(doc.get("description")))
    title = _text(doc.get("title"))
    if title and title not in (media_name, media_key(media_name)[0]) and not media_name.startswith(title):
        meta.title = title
    people = doc.get("people")
    if isinstance(people, list):
        meta.people = [p["name"].strip() for p in people if isinstance(p, dict) and isinstance(p.get("name"), str)
                       and p["name"].strip()][:100]
    out = TakeoutSidecar(meta=meta, taken_at=_epoch_time(doc.get("photoTakenTime")))
    geo = doc.get("geoData")
    if isinstance(geo, dict):
        lat, lon = _finite(geo.get("latitude")), _finite(geo.get("longitude"))
        if lat is not None and lon is not None and (lat, lon) != (0.0, 0.0) and abs(lat) <= 90 and abs(lon) <= 180:
            out.lat, out.lon, out.alt_m = lat, lon, _finite(geo.get("altitude"))
    own = doc.get("cloudalbum")
    if isinstance(own, dict):
        out.own = own
        meta.labels = [x for x in own.get("labels", []) if isinstance(x, str)][:200]
        meta.rating = valid_rating(own.get("rating")) if own.get("rating") is not None else None
    return out


def _epoch_time(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    try:
        seconds = int(str(value.get("timestamp")).strip())
        when = datetime.fromtimestamp(seconds, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    if seconds <= 0:  # Takeout writes 0 for "unknown"
        return None
    return when.isoformat(timespec="seconds")


def _text(value: Any, limit: int = 10_000) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value[:limit] or None


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def album_title(data: bytes, folder: str) -> tuple[str, str | None]:
    """(title, description) of a Takeout album folder's metadata.json; the folder's name without a title."""
    doc = load_json(data)
    title = _text(doc.get("title"), 200) or posixpath.basename(folder.rstrip("/")) or "Imported"
    return title, _text(doc.get("description"), 2000)


# --- XMP -------------------------------------------------------------------------------------------------


def parse_xmp(data: bytes) -> UserMetadata:
    """Keywords (dc:subject, and Lightroom's hierarchical leaves), dc:title, dc:description, xmp:Rating and
    exif:GPSLatitude/GPSLongitude of an XMP sidecar."""
    if len(data) > MAX_SIDECAR_BYTES:
        raise SidecarError(f"the XMP sidecar is larger than {MAX_SIDECAR_BYTES:,} bytes")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SidecarError("the XMP sidecar declares entities, which are never expanded")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SidecarError(f"the XMP sidecar is not well-formed XML ({exc})") from exc
    meta = UserMetadata()
    for desc in root.iter(f"{{{NS['rdf']}}}Description"):
        _xmp_description(desc, meta)
    return meta


def _xmp_description(desc: ET.Element, meta: UserMetadata) -> None:
    def attr_or_child(ns: str, name: str) -> str | None:
        key = f"{{{NS[ns]}}}{name}"
        if key in desc.attrib:
            return desc.attrib[key]
        child = desc.find(f"{ns}:{name}", NS)
        return child.text if child is not None and child.text else None

    meta.labels += [li.text.strip() for li in desc.findall("dc:subject/rdf:Bag/rdf:li", NS)
                    if li.text and li.text.strip()][:200]
    title = desc.find("dc:title/rdf:Alt/rdf:li", NS)
    if title is not None and title.text and title.text.strip():
        meta.title = title.text.strip()[:500]
    description = desc.find("dc:description/rdf:Alt/rdf:li", NS)
    if description is not None and description.text and description.text.strip():
        meta.description = description.text.strip()[:10_000]
    rating = attr_or_child("xmp", "Rating")
    if rating is not None:
        meta.rating = valid_rating(rating)
    lat = xmp_coordinate(attr_or_child("exif", "GPSLatitude"), "NS")
    lon = xmp_coordinate(attr_or_child("exif", "GPSLongitude"), "EW")
    if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
        meta.lat, meta.lon = lat, lon


def xmp_coordinate(value: str | None, refs: str) -> float | None:
    """XMP's GPSCoordinate "DDD,MM.mmmk" or "DDD,MM,SSk" (k one of N S E W) in degrees, or None."""
    if not value:
        return None
    m = _XMP_GPS.match(value)
    if not m or m.group(4) not in refs:
        return None
    degrees = int(m.group(1)) + float(m.group(2) or 0) / 60 + float(m.group(3) or 0) / 3600
    return -degrees if m.group(4) in "SW" else degrees

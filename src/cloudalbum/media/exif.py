"""EXIF: when, with what camera, where — read defensively from any image format Pillow (+ pillow-heif) opens.

`read_metadata` never raises and returns no value rather than a wrong one: cameras write placeholders
(GPS 0,0; dates of 0000:00:00), broken rationals (0/0), strings padded with NULs and spaces, and files are
truncated or fuzzed. Each field is validated on its own, so one bad tag never hides the good ones.

Rules (see ../shared/photos/MANIFEST.csv for the cases):
* taken_at: DateTimeOriginal, else DateTimeDigitized (both mean "when the shutter fired"); never IFD0
  DateTime, which is when the file was last written. Returned as "YYYY-MM-DDTHH:MM:SS", plus the offset when
  OffsetTimeOriginal (OffsetTimeDigitized for the digitized time), else OffsetTime, is valid. A syntactically
  valid date is kept as the camera gave it, even a camera clock that was never set (2007-01-01T00:00:00): we
  cannot tell it from a real New Year's photo, and the user can correct it.
* GPS: both latitude and longitude, each with 1..3 finite components and in range; a missing N/S/E/W ref
  counts as N/E (what exiftool and Pillow-based readers do); 0,0 is a placeholder and means no location.
  Altitude is negative when GPSAltitudeRef is 1; present only with a finite GPSAltitude.
* gps_time: GPSDateStamp + GPSTimeStamp, a UTC "YYYY-MM-DDTHH:MM:SS" (whole seconds), only when both are valid;
  it tells the offset of a naive camera time (domain.times.offset_from_gps), never the time itself.
* make/model: NULs, control characters and surrounding whitespace removed; empty means None.
* orientation: 1..8, else None (treat as 1). Pillow's getexif() also takes it from XMP.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PIL import Image

from . import raw

try:  # HEIC/HEIF support; registering twice is harmless
    import pillow_heif

    pillow_heif.register_heif_opener()
except Exception:  # pragma: no cover - pillow-heif is a declared dependency
    pass

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
MAKE, MODEL, ORIENTATION, SOFTWARE = 0x010F, 0x0110, 0x0112, 0x0131
DATETIME_ORIGINAL, DATETIME_DIGITIZED, OFFSET_TIME_ORIGINAL = 0x9003, 0x9004, 0x9011
OFFSET_TIME, OFFSET_TIME_DIGITIZED = 0x9010, 0x9012
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT_REF, GPS_ALT = 1, 2, 3, 4, 5, 6
GPS_TIME, GPS_DATE = 7, 29

_DATE = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):(\d{2})\s*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MIN_YEAR, MAX_YEAR = 1826, 2199  # the first photograph .. far enough for fake but well-formed camera dates


@dataclass
class ExifData:
    taken_at: str | None = None
    make: str | None = None
    model: str | None = None
    orientation: int | None = None
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    width: int | None = None  # stored pixel size, before EXIF rotation
    height: int | None = None
    format: str | None = None  # Pillow's format name: JPEG, MPO, PNG, WEBP, HEIF, TIFF, GIF ...
    tags: int = 0  # EXIF tags in IFD0, the Exif IFD and the GPS IFD (duplicates: "most metadata" is kept)
    software: str | None = None  # IFD0 Software: the firmware, editor or app that wrote the file (duplicates)
    gps_time: str | None = None  # UTC "YYYY-MM-DDTHH:MM:SS" of the GPS fix (GPSDateStamp + GPSTimeStamp)

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None


def read_metadata(data: bytes) -> ExifData:
    """Everything we read from the file's metadata. Never raises; unknown or invalid values are None."""
    out = ExifData()
    if raw.is_raw(data):
        return _raw_metadata(data, out)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Corrupt EXIF data", DecompressionBombWarning: not our output
            with Image.open(io.BytesIO(data)) as im:
                out.width, out.height = (int(v) for v in im.size)
                out.format = im.format
                exif = _getexif(im)
                if exif is not None:
                    _fill(out, exif)
    except BaseException as exc:  # a reader of untrusted bytes must not raise
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
    return out


def _raw_metadata(data: bytes, out: ExifData) -> ExifData:
    """A camera RAW's EXIF (media/raw.py finds it) and the size LibRaw gives its developed image."""
    out.format = "RAW"
    exif = _safe(lambda: raw.exif_of(data))
    if exif is not None:
        _fill(out, exif)
    info = _safe(lambda: raw.info(data))
    if info is not None:
        swapped = info.orientation in (5, 6, 7, 8)
        out.width, out.height = (info.height, info.width) if swapped else (info.width, info.height)
    return out


def _getexif(im: Image.Image) -> Image.Exif | None:
    try:
        return im.getexif()
    except Exception:
        return None


def _fill(out: ExifData, exif: Image.Exif) -> None:
    """Each field on its own: one corrupt tag or IFD never hides the others."""
    out.make = _safe(lambda: clean_text(exif.get(MAKE)))
    out.model = _safe(lambda: clean_text(exif.get(MODEL)))
    out.software = _safe(lambda: clean_text(exif.get(SOFTWARE)))
    out.orientation = _safe(lambda: parse_orientation(exif.get(ORIENTATION)))
    sub = _safe(lambda: exif.get_ifd(EXIF_IFD)) or {}
    out.taken_at = _safe(lambda: _taken_at(sub))
    gps = _safe(lambda: exif.get_ifd(GPS_IFD)) or {}
    location = _safe(lambda: parse_gps(gps))
    if location:
        out.lat, out.lon, out.alt_m = location
    out.gps_time = _safe(lambda: parse_gps_time(gps.get(GPS_DATE), gps.get(GPS_TIME)))
    pointers = sum(1 for tag in (EXIF_IFD, GPS_IFD) if tag in exif)
    out.tags = _safe(lambda: len(exif) - pointers + len(sub) + len(gps)) or 0


def _safe(fn: Any) -> Any:
    try:
        return fn()
    except Exception:
        return None


def _taken_at(sub: Any) -> str | None:
    for tag in (DATETIME_ORIGINAL, DATETIME_DIGITIZED):
        when = parse_datetime(sub.get(tag))
        if when:
            own = OFFSET_TIME_ORIGINAL if tag == DATETIME_ORIGINAL else OFFSET_TIME_DIGITIZED
            offset = parse_offset(sub.get(own)) or parse_offset(sub.get(OFFSET_TIME))
            return when + (offset or "")
    return None


# --- field parsers (pure; also used by tests) ------------------------------------------------------------


def clean_text(value: Any) -> str | None:
    """A printable, trimmed string, or None. Cameras pad with NULs and spaces; some write bytes."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    value = value.lstrip("\x00 ").split("\x00", 1)[0]  # text ends at the first NUL after any padding
    value = _CONTROL.sub("", value).replace("\ufffd", "").strip()
    return value[:128] or None


def parse_orientation(value: Any) -> int | None:
    try:
        o = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return o if 1 <= o <= 8 else None


def parse_datetime(value: Any) -> str | None:
    """ "2008:10:22 16:28:39" -> "2008-10-22T16:28:39"; invalid or placeholder dates -> None."""
    text = clean_text(value)
    if not text:
        return None
    m = _DATE.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return datetime(y, mo, d, h, mi, s).isoformat(timespec="seconds")
    except ValueError:
        return None


def parse_offset(value: Any) -> str | None:
    """ "+02:00" -> "+02:00"; anything else (including "   :  ") -> None."""
    text = clean_text(value)
    m = _OFFSET.match(text or "")
    if not m:
        return None
    sign, hh, mm = m.group(1), int(m.group(2)), int(m.group(3))
    if hh > 14 or mm >= 60:
        return None
    return f"{sign}{hh:02d}:{mm:02d}"


def parse_gps_time(date: Any, time: Any) -> str | None:
    """ "2008:10:23" and ((14, 1), (27, 1), (7, 1)) rationals -> "2008-10-23T14:27:07" (UTC); invalid -> None."""
    if not isinstance(time, (tuple, list)) or len(time) != 3:
        return None
    parts = [_number(v) for v in time]
    if any(p is None for p in parts):
        return None
    h, m, sec = (float(p) for p in parts if p is not None)
    if not (0 <= h < 24 and 0 <= m < 60 and 0 <= sec < 61):
        return None
    return parse_datetime(f"{clean_text(date) or ''} {int(h):02d}:{int(m):02d}:{min(int(sec), 59):02d}")


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _ref(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="ignore")
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 ").upper()
    return value[:1] or None


def parse_coordinate(value: Any, ref: Any, *, limit: float, negative: str) -> float | None:
    """Degrees from 1..3 rationals (d, m, s) and a ref letter. Invalid -> None."""
    numbers = [_number(v) for v in value] if isinstance(value, (tuple, list)) else [_number(value)]
    parts = [p for p in numbers if p is not None]
    if len(parts) != len(numbers) or not 1 <= len(parts) <= 3 or any(p < 0 for p in parts):
        return None
    if len(parts) > 1 and parts[1] >= 60 or len(parts) > 2 and parts[2] >= 60:
        return None
    deg = sum(p / 60**i for i, p in enumerate(parts))
    if deg > limit:
        return None
    r = _ref(ref)
    if r is not None and r not in ("NS" if negative == "S" else "EW"):
        return None
    return -deg if r == negative else deg


def parse_altitude(value: Any, ref: Any) -> float | None:
    alt = _number(value)
    if alt is None or abs(alt) > 100_000:
        return None
    if isinstance(ref, bytes):
        ref = ref[:1][0] if ref[:1] else 0
    try:
        below = int(ref) == 1
    except (TypeError, ValueError):
        below = False
    return -abs(alt) if below else alt


def parse_gps(gps: Any) -> tuple[float, float, float | None] | None:
    """(lat, lon, alt_m) from a GPS IFD mapping, or None when there is no usable position."""
    if not gps:
        return None
    lat = parse_coordinate(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), limit=90.0, negative="S")
    lon = parse_coordinate(gps.get(GPS_LON), gps.get(GPS_LON_REF), limit=180.0, negative="W")
    if lat is None or lon is None:
        return None
    if abs(lat) < 1e-9 and abs(lon) < 1e-9:  # 0,0 (or -0,-0): the camera's "no fix" placeholder
        return None
    alt = parse_altitude(gps.get(GPS_ALT), gps.get(GPS_ALT_REF)) if GPS_ALT in gps else None
    return round(lat, 7), round(lon, 7), (round(alt, 2) if alt is not None else None)

"""A photo's time as an instant: one reading of taken_at for every store and rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import Invalid


def taken_seconds(taken_at: str | None) -> float | None:
    """taken_at as epoch seconds; a naive camera time is read as UTC (consistent within one camera)."""
    if not taken_at:
        return None
    try:
        dt = datetime.fromisoformat(taken_at.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA time zone of a name ("Europe/Rome"); None for None or "". Invalid (422) for an unknown one."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"Unknown time zone {name!r}: give an IANA name such as Europe/Rome.",
                      code="invalid_timezone") from exc


# --- the list order key: the UTC instant ---------------------------------------------------------------------

KEY_TEMPLATE = "0000-01-01T00:00:00"
MAX_EAST_S = 14 * 3600  # the widest offsets a local time can have: UTC+14 (Line Islands) ...
MAX_WEST_S = 12 * 3600  # ... and UTC-12 (Baker Island)


def instant_key(taken_at: str | None, uploaded_at: str | None = None) -> str:
    """The order key of every newest-first photo list, in both stores: the UTC instant of taken_at (else of
    uploaded_at) as "YYYY-MM-DDTHH:MM:SS". A naive time is read as UTC, exactly as taken_seconds reads it (so
    one camera's naive photos keep their order); a partial or unreadable one is cut to 19 characters and padded
    ("2008-10" -> "2008-10-01T00:00:00"). "+02:00 at 08:00" sorts before "Z at 07:00" the same day."""
    value = (taken_at or uploaded_at or "").strip().replace(" ", "T", 1)
    aware = _aware(value)
    if aware is not None:
        try:
            return aware.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")[:19]
        except (OverflowError, ValueError):  # year 1 minus an offset: fall back to the wall clock
            pass
    cut = value[:19]
    return cut + KEY_TEMPLATE[len(cut):]


def _aware(value: str) -> datetime | None:
    """value as an aware datetime when it carries an offset (or Z), else None."""
    try:
        dt = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else None


def day_keys(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """The range of order keys (inclusive, 19 characters each) that photos whose local day lies in
    [date_from, date_to] ("YYYY-MM-DD", either None: open) can have: the local days widened by the widest
    offsets. Callers still check the local day itself (taken_day); this range only bounds the read."""
    lo = ""
    if date_from:
        start = datetime.fromisoformat(date_from + "T00:00:00")
        lo = _key_moved(start, -MAX_EAST_S) if start.year > 1 else KEY_TEMPLATE
    hi = "9999-12-31T23:59:59"
    if date_to:
        end = datetime.fromisoformat(date_to + "T23:59:59")
        hi = _key_moved(end, MAX_WEST_S) if end.year < 9999 else hi
    return lo, hi


def _key_moved(dt: datetime, seconds: int) -> str:
    return (dt + timedelta(seconds=seconds)).isoformat(timespec="seconds")


# --- a camera's naive time and its offset (issue 16 item 1) ---------------------------------------------------

OFFSET_SOURCES = ("exif", "gps_time", "gps_zone", "account")
GPS_TOLERANCE_S = 120  # a GPS fix and the shutter are seconds apart; the zone difference is whole quarter hours


def has_offset(taken_at: str | None) -> bool:
    return bool(taken_at) and _aware((taken_at or "").strip().replace(" ", "T", 1)) is not None


def offset_text(seconds: int) -> str:
    """+02:00, -05:30, +00:00 of an offset in seconds (rounded to the minute)."""
    minutes = round(seconds / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def offset_from_gps(camera: str, gps_utc: str | None) -> str | None:
    """The offset the camera's naive clock had, read off the GPS time stamp (UTC) of the same shot: used only
    when the difference is a whole quarter hour (within GPS_TOLERANCE_S: the fix and the shutter are seconds
    apart) between -12 h and +14 h. A camera clock off by a day (corpus gps/DSCN0010.jpg) gives nothing."""
    if not gps_utc:
        return None
    try:
        local = datetime.fromisoformat(camera.strip().replace(" ", "T", 1))
        utc = datetime.fromisoformat(gps_utc)
    except ValueError:
        return None
    if local.tzinfo is not None or utc.tzinfo is not None:
        return None
    diff = (local - utc).total_seconds()
    quarters = round(diff / 900)
    if abs(diff - quarters * 900) > GPS_TOLERANCE_S or not -MAX_WEST_S <= quarters * 900 <= MAX_EAST_S:
        return None
    return offset_text(quarters * 900)


def in_zone(camera: str, zone_name: str | None) -> str | None:
    """The naive camera time with the offset the IANA zone had then ("2008-10-22T16:28:39+02:00"; an ambiguous
    hour at the end of summer time takes the first, fold 0); None without a usable zone or time."""
    if not zone_name:
        return None
    try:
        tz = ZoneInfo(zone_name)
        local = datetime.fromisoformat(camera.strip().replace(" ", "T", 1))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    if local.tzinfo is not None:
        return None
    offset = local.replace(tzinfo=tz).utcoffset()
    if offset is None:
        return None
    return camera.strip() + offset_text(int(offset.total_seconds()))


def local_time(taken_at: str | None, *, gps_utc: str | None = None,
               zone_here: Callable[[], str | None] = lambda: None,
               account_zone: Callable[[], str | None] = lambda: None) -> tuple[str | None, str | None]:
    """(taken_at with its offset, where the offset came from) for a camera's time, trying in order: the offset
    EXIF gave (a camera time read from EXIF carries it when OffsetTimeOriginal/OffsetTime is valid), the GPS time stamp
    (offset_from_gps), the zone at the photo's GPS position (zone_here: looked up only when needed), the
    account's time zone. (taken_at, None) when none applies: a naive time stays naive, read as UTC."""
    if not taken_at:
        return taken_at, None
    if has_offset(taken_at):
        return taken_at, "exif"
    offset = offset_from_gps(taken_at, gps_utc)
    if offset is not None:
        return taken_at.strip() + offset, "gps_time"
    for source, zone_name in (("gps_zone", zone_here), ("account", account_zone)):
        found = in_zone(taken_at, zone_name())
        if found is not None:
            return found, source
    return taken_at, None

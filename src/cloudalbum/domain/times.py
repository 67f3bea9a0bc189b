"""A photo's time as an instant: one reading of taken_at for every store and rule."""

from __future__ import annotations

from datetime import UTC, datetime
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

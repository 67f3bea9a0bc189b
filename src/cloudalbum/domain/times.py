"""A photo's time as an instant: one reading of taken_at for every store and rule."""

from __future__ import annotations

from datetime import UTC, datetime


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

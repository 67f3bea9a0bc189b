"""Photos along a made-up journey (issue 16): real JPEGs whose EXIF holds the time (and the offset, and GPS
when the photo has it), and a helper that runs every queued job through the worker's path."""

from __future__ import annotations

from typing import Any

from support import drain as run_jobs
from support import gps_exif, make_jpeg

AREZZO = (43.4632, 11.8796)
AREZZO_EAST = (43.4650, 11.8830)  # 330 m from AREZZO
SUBBIANO = (43.5760, 11.8710)  # 12.5 km north of AREZZO, up the Arno valley
SIENA = (43.3188, 11.3308)


def photo(taken: str, at: tuple[float, float] | None = None, *, offset: str | None = None) -> bytes:
    """A JPEG taken at `taken` ("YYYY:MM:DD HH:MM:SS", the camera's local time), at `at` when it has GPS."""
    from PIL import Image
    from PIL.ExifTags import IFD, Base

    exif = gps_exif(*at, taken=taken) if at is not None else Image.Exif()
    if at is None:
        exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    if offset is not None:
        exif.get_ifd(IFD.Exif)[0x9011] = offset  # OffsetTimeOriginal
    return make_jpeg(64, 48, exif=exif)


def drain(container: Any) -> list[str]:
    """support.drain, leaving out recompute_trips (every change of a month's photos queues one: tests/trips count
    those)."""
    return run_jobs(container, leave_out=("recompute_trips",))


def upload(user: Any, data: bytes) -> str:
    r = user.upload(data)
    assert r.status_code == 202, r.get_json()
    return str(r.get_json()["id"])


def location_questions(user: Any, photo_id: str) -> list[dict[str, Any]]:
    r = user.request("GET", f"/api/questions?photo_id={photo_id}")
    assert r.status_code == 200
    return [q for q in r.get_json()["items"] if q["kind"] == "location"]

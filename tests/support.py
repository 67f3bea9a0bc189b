"""Shared test helpers.

`needs(...)` is how a test says it depends on a tool or on the photo corpus: on a newcomer's machine the test
skips and says how to enable it; under CLOUDALBUM_REQUIRE_ALL=1 (what .ci/run sets) it fails instead, so a
green CI can never hide a test that did not run.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = Path(os.environ.get("CLOUDALBUM_PHOTOS", ROOT.parent / "shared" / "photos"))
REQUIRE_ALL = os.environ.get("CLOUDALBUM_REQUIRE_ALL") == "1"
_JPEG_SERIAL = itertools.count()


def needs(ok: bool, what: str, how: str) -> None:
    """Skip (or, under CLOUDALBUM_REQUIRE_ALL=1, fail) unless ok."""
    if ok:
        return
    msg = f"needs {what}: {how}"
    if REQUIRE_ALL:
        pytest.fail(msg + " (CLOUDALBUM_REQUIRE_ALL=1 turns this skip into a failure)")
    pytest.skip(msg)


def needs_corpus() -> Path:
    needs((PHOTOS / "MANIFEST.csv").exists(), "the photo corpus ../shared/photos",
          "check out ../shared beside the repository or set CLOUDALBUM_PHOTOS")
    return PHOTOS


def manifest() -> dict[str, dict[str, str]]:
    with open(needs_corpus() / "MANIFEST.csv", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def make_jpeg(width: int = 640, height: int = 480, *, color: tuple[int, int, int] = (120, 160, 200),
              exif: Any = None, quality: int = 90) -> bytes:
    """A real JPEG made with Pillow (optionally carrying a PIL.Image.Exif). Each call's bytes are unique (a JPEG
    comment counts the calls): identical bytes are one photo per owner, and most tests want new photos."""
    from PIL import Image

    img = Image.new("RGB", (width, height), color)
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": quality, "comment": f"cloudalbum test {next(_JPEG_SERIAL)}"}
    if exif is not None:
        kwargs["exif"] = exif
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def unique_copy(data: bytes) -> bytes:
    """The same JPEG or PNG image in new bytes (a JPEG comment / PNG tEXt chunk with a counter): identical bytes
    are one photo per owner, so a test that uploads one file again and again for new photos needs this."""
    import struct
    import zlib

    text = f"cloudalbum copy {next(_JPEG_SERIAL)}".encode()
    if data.startswith(b"\xff\xd8"):
        return data[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + data[2:]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        chunk = b"tEXt" + b"Comment\x00" + text
        end = data.rindex(b"IEND") - 4
        crc = struct.pack(">I", zlib.crc32(chunk))
        return data[:end] + struct.pack(">I", len(chunk) - 4) + chunk + crc + data[end:]
    raise ValueError("unique_copy knows JPEG and PNG")


def gps_exif(lat: float, lon: float, *, alt: float | None = None, taken: str | None = None,
             make: str | None = None, model: str | None = None, orientation: int | None = None) -> Any:
    """A PIL.Image.Exif with GPS (degrees/minutes/seconds rationals and N/S/E/W refs) and optional fields."""
    from fractions import Fraction

    from PIL import Image
    from PIL.ExifTags import GPS, IFD, Base

    def dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
        value = abs(value)
        d = int(value)
        m = int((value - d) * 60)
        s = Fraction(round(((value - d) * 60 - m) * 60 * 10000), 10000)
        return Fraction(d), Fraction(m), s

    exif = Image.Exif()
    if make:
        exif[Base.Make] = make
    if model:
        exif[Base.Model] = model
    if orientation:
        exif[Base.Orientation] = orientation
    if taken:
        exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
    gps[GPS.GPSLatitude] = dms(lat)
    gps[GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
    gps[GPS.GPSLongitude] = dms(lon)
    if alt is not None:
        gps[GPS.GPSAltitudeRef] = b"\x01" if alt < 0 else b"\x00"
        gps[GPS.GPSAltitude] = Fraction(round(abs(alt) * 100), 100)
    return exif


def fast_hashing(container: Any) -> Any:
    """Still Argon2id, with the smallest parameters: same code paths, a fraction of the time. Every test
    container gets it (tests/conftest.py); the hashing itself is tested at production cost in
    tests/api/test_auth.py::test_production_hasher_is_argon2id."""
    from argon2 import PasswordHasher

    container.auth.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return container


def drain(container: Any, *, leave_out: tuple[str, ...] = ()) -> list[str]:
    """Run every queued job through the worker's path (the SQS batch handler) until the queue is empty; the
    types of the jobs run, in order (but those in leave_out: they run, uncounted)."""
    from cloudalbum.entrypoints.handler import handle_record

    kinds: list[str] = []
    while messages := container.queue.receive(max_messages=10):
        for m in messages:
            if m.body["type"] not in leave_out:
                kinds.append(m.body["type"])
            handle_record(container, {"messageId": m.id, "body": m.body})
            container.queue.delete(m.receipt_handle)
    return kinds

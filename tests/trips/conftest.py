"""Trips end to end on the embedded shape: photos with EXIF times and GPS, processed by the real worker path."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cloudalbum.config import Settings

BOLOGNA = (44.4949, 11.3426)
FLORENCE = (43.7696, 11.2558)
SIENA = (43.3188, 11.3308)
AREZZO = (43.4633, 11.8796)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, read_text=False, faces=False)  # trips need neither: faster


def upload(user: Any, taken: str, where: tuple[float, float] | None) -> str:
    """A real JPEG with EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS") and GPS (None: no GPS)."""
    from PIL import Image
    from PIL.ExifTags import IFD, Base

    from support import gps_exif, make_jpeg

    if where is None:
        exif = Image.Exif()
        exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    else:
        exif = gps_exif(where[0], where[1], taken=taken)
    r = user.upload(make_jpeg(160, 120, exif=exif))
    assert r.status_code == 202, r.get_json()
    return str(r.get_json()["id"])

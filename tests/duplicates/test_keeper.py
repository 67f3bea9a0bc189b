"""The keeper rule's "original format over re-encoded" (issue 15 item 2) on generated copies of a real photo:
what processing records of each file (media: the format, the JPEG quality from the quantisation tables, the
EXIF Software tag) and the rule (domain/keeper.py) that reads it, with the reason a person reads."""

from __future__ import annotations

import pytest

import dupgen
from cloudalbum.domain import duplicates as D
from cloudalbum.domain.model import Photo
from cloudalbum.media.decode import decode

COFFEE = dupgen.skimage_photo("coffee") or b""
CAMERA = {"make": "Canon", "model": "Canon EOS 5D", "taken": "2019:07:14 10:00:00"}


@pytest.fixture(autouse=True)
def _needs_the_photo() -> None:
    assert COFFEE, "scikit-image ships coffee.png"


def photo(pid: str, data: bytes, filename: str, uploaded_at: str) -> Photo:
    decoded = decode(data)
    return Photo(id=pid, owner_id="o", filename=filename, content_type="", bytes=len(data), original_key="",
                 uploaded_at=uploaded_at, width=decoded.width, height=decoded.height,
                 fingerprint=dupgen.fingerprint_of(data))


def group(*photos: Photo) -> D.DuplicateGroup:
    return D.DuplicateGroup(id="g", owner_id="o", kind="near", photo_ids=[p.id for p in photos], created_at="")


@pytest.mark.parametrize("quality", [60, 75, 85, 92, 95])
def test_a_jpegs_quality_is_read_from_its_quantisation_tables(quality: int) -> None:
    decoded = decode(dupgen.jpeg(dupgen.upright(COFFEE), quality))
    assert decoded.format == "JPEG" and decoded.quality is not None and abs(decoded.quality - quality) <= 2
    assert decode(dupgen.png(COFFEE)).quality is None


def test_the_camera_jpeg_is_kept_over_its_png_and_over_its_quality_60_resave() -> None:
    original = dupgen.with_camera(COFFEE, **CAMERA)
    png = photo("png", dupgen.png(original), "export.png", "2020-01-01T00:00:00+00:00")  # uploaded first
    resaved = photo("q60", dupgen.with_camera(COFFEE, **CAMERA, quality=60), "resaved.jpg", "2020-01-02T00:00:00+00:00")
    camera = photo("cam", original, "camera.jpg", "2021-01-01T00:00:00+00:00")
    assert png.fingerprint and resaved.fingerprint and camera.fingerprint
    assert D.match(camera, png) and D.match(camera, resaved)  # copies of one another
    assert {(p.width, p.height) for p in (png, resaved, camera)} == {(600, 400)}  # pixels decide nothing
    assert resaved.fingerprint.exif_tags == camera.fingerprint.exif_tags  # nor does the metadata
    assert (png.fingerprint.file_format, png.fingerprint.quality) == ("PNG", 0)
    assert (camera.fingerprint.file_format, resaved.fingerprint.quality) == ("JPEG", 60)

    why = D.explain(group(png, resaved, camera), [png, resaved, camera])
    assert why.keep is camera, why.reason
    assert "the least re-encoded (JPEG quality about 92, against 60)" in why.reason, why.reason
    why = D.explain(group(png, camera), [png, camera])
    assert why.keep is camera and "original format (JPEG); export.png is a PNG" in why.reason, why.reason
    why = D.explain(group(png, resaved), [png, resaved])
    assert why.keep is resaved and "export.png is a PNG" in why.reason  # a JPEG, even re-encoded, over its PNG


def test_a_file_an_app_saved_loses_to_the_cameras_own() -> None:
    firmware = photo("fw", dupgen.with_camera(COFFEE, **CAMERA, software="Ver.1.0.2"), "camera.jpg",
                     "2021-01-01T00:00:00+00:00")
    sent = photo("wa", dupgen.with_camera(COFFEE, **CAMERA, software="WhatsApp"), "IMG-WA0001.jpg",
                 "2020-01-01T00:00:00+00:00")
    assert sent.fingerprint and sent.fingerprint.software == "WhatsApp"
    why = D.explain(group(sent, firmware), [sent, firmware])
    assert why.keep is firmware and "IMG-WA0001.jpg was saved by WhatsApp" in why.reason, why.reason

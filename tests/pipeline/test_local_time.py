"""Processing gives a camera's naive time its UTC offset (issue 16 item 1), from real JPEGs made with Pillow:
EXIF OffsetTimeOriginal (or OffsetTime), else the GPS time stamp when it differs by whole quarter hours, else the
zone at the GPS position (timezonefinder, offline), else the account's time zone; the user's own time is never
touched, and the owner's list is ordered by the instants."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from cloudalbum.domain.model import User, iso, new_id, utcnow
from support import PHOTOS, gps_exif, make_jpeg

from .helpers import add_photo

PARIS, TOKYO, NEW_YORK = (48.8584, 2.2945), (35.6586, 139.7454), (40.7484, -73.9857)


def jpeg(taken: str, at: tuple[float, float] | None = None, *, offset: str | None = None,
         offset_tag: int = 0x9011, gps_time: tuple[str, tuple[int, int, int]] | None = None) -> bytes:
    """A JPEG taken at `taken` ("YYYY:MM:DD HH:MM:SS"), with GPS at `at`, an EXIF offset in `offset_tag`
    (OffsetTimeOriginal by default), and a GPS date and time stamp (UTC)."""
    from PIL import Image
    from PIL.ExifTags import GPS, IFD, Base

    exif = gps_exif(*at, taken=taken) if at is not None else Image.Exif()
    exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    if offset is not None:
        exif.get_ifd(IFD.Exif)[offset_tag] = offset
    if gps_time is not None:
        gps = exif.get_ifd(IFD.GPSInfo)
        gps[GPS.GPSDateStamp] = gps_time[0]
        gps[GPS.GPSTimeStamp] = tuple(Fraction(v) for v in gps_time[1])
    return make_jpeg(64, 48, exif=exif)


@pytest.fixture
def owner(pipeline_container: Any) -> str:
    owner_id = new_id()
    pipeline_container.store.users.add_user(User(id=owner_id, email=f"{owner_id}@example.com", password_hash="x",
                                                 created_at=iso(utcnow())))
    return owner_id


def processed(c: Any, owner: str, data: bytes) -> Any:
    photo = add_photo(c, data, owner_id=owner)
    assert c.processing.process(photo.id) in ("done", "needs_input")
    return c.store.photos.get_photo(photo.id, owner)


def when(photo: Any) -> tuple[str | None, str | None]:
    return photo.taken_at, photo.taken_offset_source


def test_each_source_of_the_offset_in_order(pipeline_container: Any, owner: str) -> None:
    c = pipeline_container
    c.store.users.set_timezone(owner, "America/New_York")  # the last resort: only a photo without GPS gets it
    exif_wins = processed(c, owner, jpeg("2021:07:01 08:00:00", PARIS, offset="+09:00"))
    offset_time = processed(c, owner, jpeg("2021:07:01 08:00:00", offset="-03:00", offset_tag=0x9010))
    gps_time = processed(c, owner, jpeg("2021:07:01 14:00:04", TOKYO, gps_time=("2021:07:01", (5, 0, 0))))
    zone = processed(c, owner, jpeg("2021:01:15 09:30:00", PARIS))  # no GPS time: the zone there, in winter
    off_by_a_day = processed(c, owner, jpeg("2021:07:01 09:30:00", NEW_YORK, gps_time=("2021:07:02", (13, 30, 0))))
    account = processed(c, owner, jpeg("2021:01:15 09:30:00"))
    assert when(exif_wins) == ("2021-07-01T08:00:00+09:00", "exif")
    assert when(offset_time) == ("2021-07-01T08:00:00-03:00", "exif")
    assert when(gps_time) == ("2021-07-01T14:00:04+09:00", "gps_time")
    assert when(zone) == ("2021-01-15T09:30:00+01:00", "gps_zone")
    assert when(off_by_a_day) == ("2021-07-01T09:30:00-04:00", "gps_zone")  # never -28 h: the zone decides
    assert when(account) == ("2021-01-15T09:30:00-05:00", "account")


def test_without_any_source_a_time_stays_naive(pipeline_container: Any, owner: str) -> None:
    assert when(processed(pipeline_container, owner, jpeg("2021:01:15 09:30:00"))) == ("2021-01-15T09:30:00", None)


def test_a_time_the_user_set_is_never_touched_by_a_reprocess(pipeline_container: Any, owner: str) -> None:
    c = pipeline_container
    photo = processed(c, owner, jpeg("2021:01:15 09:30:00", PARIS))
    c.photos.patch(owner, photo.id, {"taken_at": "2021-01-15T10:00:00"})
    assert c.processing.process(photo.id, force=True) in ("done", "needs_input")
    assert when(c.store.photos.get_photo(photo.id, owner)) == ("2021-01-15T10:00:00", None)


def test_the_owners_list_is_ordered_by_instant_across_offsets(pipeline_container: Any, owner: str) -> None:
    c = pipeline_container
    tokyo_morning = processed(c, owner, jpeg("2026:03:01 08:00:00", TOKYO))  # 2026-02-28T23:00Z
    utc_night = processed(c, owner, jpeg("2026:03:01 00:30:00", offset="+00:00"))  # 00:30Z: the newer
    ny_evening = processed(c, owner, jpeg("2026:02:28 20:00:00", NEW_YORK))  # 2026-03-01T01:00Z: the newest
    listed = [p.id for p in c.store.photos.list_photos(owner).items]
    assert listed == [ny_evening.id, utc_night.id, tokyo_morning.id]
    assert tokyo_morning.taken_at == "2026-03-01T08:00:00+09:00"  # the page shows 08:00, its local time


def test_the_corpus_photo_with_a_camera_clock_off_by_a_day_gets_the_zone_of_arezzo(
        pipeline_container: Any, owner: str) -> None:
    path = PHOTOS / "gps" / "DSCN0010.jpg"
    if not path.exists():
        pytest.skip(f"the photo corpus is not here ({path} is missing)")
    photo = processed(pipeline_container, owner, path.read_bytes())
    # GPSDateStamp 2008:10:23 14:27:07 UTC vs camera 2008:10:22 16:28:39: not a zone; Arezzo in October is CEST
    assert when(photo) == ("2008-10-22T16:28:39+02:00", "gps_zone")


@pytest.mark.parametrize("date, time, expected", [
    ("2008:10:23", (Fraction(14), Fraction(27), Fraction(7)), "2008-10-23T14:27:07"),
    ("2008:10:23", (Fraction(14), Fraction(27), Fraction(759, 100)), "2008-10-23T14:27:07"),  # 7.59 s: whole s
    ("2008:10:23", (Fraction(24), Fraction(0), Fraction(0)), None),
    ("2008:10:23", (Fraction(14), Fraction(27)), None),
    ("    :  :  ", (Fraction(14), Fraction(27), Fraction(7)), None),  # a blank date stamp
    (None, (Fraction(14), Fraction(27), Fraction(7)), None),
    ("2008:10:23", None, None),
])
def test_the_gps_time_stamp_is_read_defensively(date: Any, time: Any, expected: str | None) -> None:
    from cloudalbum.media.exif import parse_gps_time

    assert parse_gps_time(date, time) == expected


def test_the_digitized_time_takes_its_own_offset() -> None:
    from PIL import Image
    from PIL.ExifTags import IFD, Base

    from cloudalbum.media.exif import read_metadata

    exif = Image.Exif()
    exif.get_ifd(IFD.Exif)[Base.DateTimeDigitized] = "2021:07:01 08:00:00"
    exif.get_ifd(IFD.Exif)[0x9012] = "+05:30"  # OffsetTimeDigitized
    assert read_metadata(make_jpeg(32, 24, exif=exif)).taken_at == "2021-07-01T08:00:00+05:30"

"""Every photo of ../shared/photos against every expected value of MANIFEST.csv, and read_metadata never
raising on random or mutated bytes."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudalbum.media.exif import (
    ExifData,
    clean_text,
    parse_coordinate,
    parse_datetime,
    parse_gps,
    parse_offset,
    read_metadata,
)
from support import gps_exif, make_jpeg, manifest, needs_corpus

from .helpers import corpus_files

CORPUS = corpus_files("gps", "objects", "bad")


def _expected_taken_at(raw: str) -> str:
    date, time = raw.split(" ")
    return f"{date.replace(':', '-')}T{time}"


@pytest.mark.corpus
@pytest.mark.parametrize("rel", CORPUS or ["(corpus missing)"])
def test_manifest_values(rel: str) -> None:
    root = needs_corpus()
    m = manifest()[rel]
    got = read_metadata((root / rel).read_bytes())

    lat, lon = m["expected_lat"], m["expected_lon"]
    placeholder = bool(lat and lon) and float(lat) == 0 and float(lon) == 0
    behaviour = m["expected_behavior"].lower()
    if lat and lon and not placeholder and "reject" not in behaviour:
        assert got.lat == pytest.approx(float(lat), abs=1e-5)
        assert got.lon == pytest.approx(float(lon), abs=1e-5)
        if m["expected_alt_m"]:
            assert got.alt_m == pytest.approx(float(m["expected_alt_m"]), abs=0.01)
        else:
            assert got.alt_m is None
    else:  # no GPS, 0,0 placeholder, or out of range / half a position: no location at all
        assert (got.lat, got.lon, got.alt_m) == (None, None, None)

    if m["expected_datetime_original"]:
        assert got.taken_at is not None and got.taken_at[:19] == _expected_taken_at(m["expected_datetime_original"])
    else:  # IFD0 DateTime (last modified) is not when the photo was taken
        assert got.taken_at is None
    assert got.make == (m["expected_make"] or None)
    assert got.model == (m["expected_model"] or None)
    if m["expected_orientation"]:
        assert got.orientation == int(m["expected_orientation"])
    else:
        assert got.orientation in (None, 1)
    if m["expected_width"]:
        assert (got.width, got.height) == (int(m["expected_width"]), int(m["expected_height"]))


@pytest.mark.corpus
def test_offset_time_is_kept() -> None:
    root = needs_corpus()
    assert read_metadata((root / "gps/Google.jpg").read_bytes()).taken_at == "2023-10-06T22:53:51+02:00"
    assert read_metadata((root / "bad/ultrahdr.jpg").read_bytes()).taken_at == "2024-05-07T09:33:04+08:00"


@pytest.mark.corpus
def test_nul_padded_strings_are_clean() -> None:
    got = read_metadata((needs_corpus() / "gps/GoPro.jpg").read_bytes())
    assert (got.make, got.model) == ("GoPro", "HERO6 Black")


def test_written_gps_round_trips() -> None:
    exif = gps_exif(-33.856784, 151.215297, alt=-12.5, taken="2021:03:04 05:06:07", make="Acme\x00\x00 ",
                    model="  Cam 1 ", orientation=6)
    got = read_metadata(make_jpeg(64, 48, exif=exif))
    assert got.lat == pytest.approx(-33.856784, abs=1e-5) and got.lon == pytest.approx(151.215297, abs=1e-5)
    assert got.alt_m == pytest.approx(-12.5)
    assert (got.taken_at, got.make, got.model, got.orientation) == ("2021-03-04T05:06:07", "Acme", "Cam 1", 6)


@pytest.mark.parametrize("raw, want", [
    ("2008:10:22 16:28:39", "2008-10-22T16:28:39"),
    ("2008-10-22T16:28:39", "2008-10-22T16:28:39"),
    ("2008:10:22 16:28:39\x00", "2008-10-22T16:28:39"),
    (b"2008:10:22 16:28:39", "2008-10-22T16:28:39"),
    ("0000:00:00 00:00:00", None),
    ("    :  :     :  :  ", None),
    ("2008:13:22 16:28:39", None),
    ("2008:02:30 16:28:39", None),
    ("2008:10:22 25:28:39", None),
    ("1700:01:01 00:00:00", None),
    ("", None),
    (None, None),
    (12345, None),
])
def test_parse_datetime(raw: object, want: str | None) -> None:
    assert parse_datetime(raw) == want


@pytest.mark.parametrize("raw, want", [("+02:00", "+02:00"), ("-05:30", "-05:30"), ("   :  ", None),
                                       ("+25:00", None), ("Z", None), (None, None)])
def test_parse_offset(raw: object, want: str | None) -> None:
    assert parse_offset(raw) == want


def test_gps_rules() -> None:
    nan = float("nan")
    assert parse_gps({1: "N", 2: (43.0, 28.0, 2.814), 3: "E", 4: (11.0, 53.0, 6.456)})[:2] == pytest.approx(
        (43.467448, 11.885127), abs=1e-5)
    assert parse_gps({2: (43.0, 28.0, 0.0), 4: (11.0, 53.0, 0.0)}) is not None  # missing refs: N/E
    assert parse_gps({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}) is None  # placeholder
    assert parse_gps({1: "N", 2: (nan, 0.0, 0.0), 3: "E", 4: (11.0, 0.0, 0.0)}) is None  # 0/0 rational
    assert parse_gps({1: "N", 2: (91.0, 0.0, 0.0), 3: "E", 4: (11.0, 0.0, 0.0)}) is None  # out of range
    assert parse_gps({1: "N", 2: (43.0, 61.0, 0.0), 3: "E", 4: (11.0, 0.0, 0.0)}) is None  # minutes >= 60
    assert parse_gps({1: "N", 2: 4294967295.0, 5: b"\x01"}) is None  # half a position
    assert parse_gps({1: "X", 2: (43.0, 0.0, 0.0), 3: "E", 4: (11.0, 0.0, 0.0)}) is None  # bad ref
    assert parse_gps({1: "S", 2: (43.0, 0, 0), 3: "W", 4: (11.0, 0, 0), 5: b"\x01", 6: 10.0}) == (-43.0, -11.0,
                                                                                                   -10.0)
    assert parse_gps({1: "N", 2: (43.0, 0, 0), 3: "E", 4: (11.0, 0, 0), 5: 0, 6: nan}) == (43.0, 11.0, None)
    assert parse_coordinate((1.0, 2.0, 3.0, 4.0), "N", limit=90, negative="S") is None


def test_clean_text() -> None:
    assert clean_text("SAMSUNG            ") == "SAMSUNG"
    assert clean_text("\x00\x00") is None
    assert clean_text(b"Canon\x00junk") == "Canon"
    assert clean_text("a\x07b") == "ab"
    assert clean_text(42) is None


# --- never raises -------------------------------------------------------------------------------------------


def _seed_files() -> list[bytes]:
    seeds = [make_jpeg(32, 24, exif=gps_exif(45.5, 9.1, alt=217.0, taken="2011:05:06 09:59:48", make="HTC",
                                             model="Desire", orientation=6))]
    from PIL import Image

    for fmt in ("PNG", "WEBP", "TIFF", "GIF"):
        buf = io.BytesIO()
        Image.new("RGB", (16, 16), (10, 20, 30)).save(buf, fmt)
        seeds.append(buf.getvalue())
    return seeds


SEEDS = _seed_files()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert isinstance(read_metadata(data), ExifData)
    assert isinstance(read_metadata(b"\xff\xd8\xff\xe1" + data), ExifData)  # JPEG + APP1 (EXIF) start


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(SEEDS))), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)),
                                                    min_size=1, max_size=12),
       st.integers(0, 10_000))
def test_mutated_images_never_raise(seed: int, flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(SEEDS[seed])
    for pos, value in flips:
        data[pos % len(data)] = value
    got = read_metadata(bytes(data[: max(cut, 16)]))
    assert isinstance(got, ExifData)
    if got.lat is not None:
        assert -90 <= got.lat <= 90 and got.lon is not None and -180 <= got.lon <= 180
    if got.orientation is not None:
        assert 1 <= got.orientation <= 8
    for text in (got.make, got.model):
        assert text is None or (text == text.strip() and "\x00" not in text)

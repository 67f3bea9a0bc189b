"""Property tests of the EXIF reader on hostile bytes, beyond tests/pipeline/test_exif_manifest.py (random
bytes, synthetic images with flipped bytes): here the seeds are the real APP1/EXIF segments of the corpus,
flipped, truncated, length-forged and spliced into other photos. read_metadata(data) must never raise and what
it returns must be in range: lat -90..90, lon -180..180 (both or neither), finite altitude, orientation 1..8,
taken_at an ISO date-time that datetime.fromisoformat parses, sizes positive, text without NUL/control chars.
"""

from __future__ import annotations

import math
import struct
from datetime import datetime
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudalbum.media.exif import ExifData, read_metadata
from support import PHOTOS, make_jpeg, manifest, needs_corpus

pytestmark = pytest.mark.corpus


def segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    """(marker, whole segment bytes) of a JPEG's header segments up to SOS."""
    out, i = [], 2
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF:
        marker = jpeg[i + 1]
        if marker == 0xDA:
            break
        length = struct.unpack(">H", jpeg[i + 2:i + 4])[0]
        out.append((marker, jpeg[i:i + 2 + length]))
        i += 2 + length
    return out


@lru_cache(maxsize=1)
def corpus() -> tuple[list[bytes], list[bytes]]:
    """(JPEGs of the corpus, their APP1 EXIF segments)."""
    jpegs, app1 = [], []
    for rel in sorted(manifest()):
        path = PHOTOS / rel
        if path.suffix.lower() not in (".jpg", ".jpeg") or path.stat().st_size > 3_000_000:
            continue
        data = path.read_bytes()
        if data[:2] != b"\xff\xd8":
            continue
        jpegs.append(data)
        app1 += [seg for marker, seg in segments(data) if marker == 0xE1 and seg[4:10] == b"Exif\x00\x00"]
    return jpegs, app1


def check(got: ExifData) -> None:
    assert isinstance(got, ExifData)
    assert (got.lat is None) == (got.lon is None)
    if got.lat is not None:
        assert math.isfinite(got.lat) and -90 <= got.lat <= 90
        assert math.isfinite(got.lon) and -180 <= got.lon <= 180
    if got.alt_m is not None:
        assert math.isfinite(got.alt_m)
    if got.orientation is not None:
        assert got.orientation in range(1, 9)
    if got.taken_at is not None:
        datetime.fromisoformat(got.taken_at)  # raises if not parseable
    for size in (got.width, got.height):
        assert size is None or size > 0
    for text in (got.make, got.model):
        assert text is None or (not any(ord(ch) < 32 for ch in text) and text == text.strip())


def small_host() -> bytes:
    return make_jpeg(48, 32)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seg=st.integers(0, 10_000), flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)),
                                                   max_size=16),
       cut=st.integers(0, 1 << 16))
def test_flipped_and_truncated_real_exif_segments(seg: int, flips: list[tuple[int, int]], cut: int) -> None:
    needs_corpus()
    app1 = corpus()[1]
    assert app1, "the corpus has JPEGs with EXIF"
    s = bytearray(app1[seg % len(app1)])
    for pos, value in flips:
        s[4 + pos % max(1, len(s) - 4)] = value  # keep the marker and length, break the TIFF inside
    s = s[: max(10, cut % (len(s) + 1))] if cut % 3 == 0 else s
    host = small_host()
    check(read_metadata(host[:2] + bytes(s) + host[2:]))
    check(read_metadata(bytes(s)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seg=st.integers(0, 10_000), host=st.integers(0, 10_000), length=st.integers(0, 0xFFFF),
       repeat=st.integers(1, 3))
def test_spliced_and_length_forged_segments(seg: int, host: int, length: int, repeat: int) -> None:
    needs_corpus()
    jpegs, app1 = corpus()
    s = bytearray(app1[seg % len(app1)])
    s[2:4] = struct.pack(">H", length)  # a lying segment length
    h = jpegs[host % len(jpegs)]
    check(read_metadata(h[:2] + bytes(s) * repeat + h[2:]))
    check(read_metadata(h[:2] + app1[seg % len(app1)] * repeat + h[2:]))  # duplicated EXIF blocks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(host=st.integers(0, 10_000), cut=st.floats(0.0, 1.0), tail=st.binary(max_size=64))
def test_truncated_real_photos(host: int, cut: float, tail: bytes) -> None:
    needs_corpus()
    jpegs = corpus()[0]
    h = jpegs[host % len(jpegs)]
    check(read_metadata(h[: int(len(h) * cut)] + tail))


def test_every_corpus_file_reads_in_range() -> None:
    root = needs_corpus()
    for rel in sorted(manifest()):
        check(read_metadata((root / rel).read_bytes()))

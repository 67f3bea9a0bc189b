"""media/strip.py: every format the upload accepts loses GPS, serials, maker notes, XMP and owner fields, and
keeps its pixels, orientation and taken time; a JPEG keeps its scan data byte for byte."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from cloudalbum.domain.errors import Invalid
from cloudalbum.media.strip import strip

from .leaks import CONTENT_TYPES, FORMATS, dirty_file, jpeg_scan, leaks

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "photos"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_generated_file_leaks_before_and_nothing_after(fmt: str) -> None:
    data = dirty_file(fmt)
    assert leaks(data), f"the {fmt} fixture must carry what we strip, else the test proves nothing"
    clean = strip(data, CONTENT_TYPES[fmt])
    assert leaks(clean) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_pixels_orientation_and_taken_time_stay(fmt: str) -> None:
    data = dirty_file(fmt)
    clean = strip(data, CONTENT_TYPES[fmt])
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(clean)) as after:
        assert after.size == before.size
        if fmt in ("PNG", "WEBP", "TIFF", "GIF"):  # lossless formats: the very same pixels
            assert after.convert("RGB").tobytes() == before.convert("RGB").tobytes()
        if fmt != "GIF":  # GIF has no EXIF; TIFF and HEIF decoders apply the rotation (same upright size above)
            exif = after.getexif()
            assert exif.get(0x0112) in ((None, 1) if fmt in ("TIFF", "HEIF") else (6,))
            assert exif.get(0x010F) == "Canon" and exif.get(0x0110) == "EOS 5D"
            assert exif.get_ifd(0x8769).get(0x9003) == "2024:05:01 10:11:12"


@pytest.mark.parametrize("fmt", ("JPEG", "MPO"))
def test_jpeg_scan_data_is_byte_identical(fmt: str) -> None:
    data = dirty_file(fmt)
    clean = strip(data, "image/jpeg")
    assert jpeg_scan(clean) == jpeg_scan(data)
    assert clean.endswith(b"\xff\xd9") and len(clean) < len(data)


def test_second_reader_sees_the_kept_fields() -> None:
    import exifread

    tags = exifread.process_file(io.BytesIO(strip(dirty_file("JPEG"), "image/jpeg")), details=False)
    assert str(tags["Image Make"]) == "Canon" and str(tags["EXIF DateTimeOriginal"]) == "2024:05:01 10:11:12"


def test_broken_bytes_are_refused_not_served() -> None:
    with pytest.raises(Invalid):
        strip(b"\xff\xd8\xff\xe1\x00", "image/jpeg")
    with pytest.raises(Invalid):
        strip(b"not an image", "image/png")


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".heic", ".tif",
                                                                         ".tiff", ".webp", ".gif")
                  and "bad" not in p.parts)


@pytest.mark.corpus
def test_every_corpus_photo_with_gps_is_clean_after_stripping() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"the photo corpus is absent ({CORPUS}); the generated files above still ran")
    checked = 0
    for path in files:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            had_gps = bool(image.getexif().get_ifd(0x8825))
        types = {"PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff", "GIF": "image/gif"}
        ctype = "image/jpeg" if fmt in ("JPEG", "MPO") else types.get(fmt or "", "image/heic")
        clean = strip(data, ctype)
        assert leaks(clean) == [], path.name
        if ctype == "image/jpeg":
            assert jpeg_scan(clean) == jpeg_scan(data), path.name
        checked += had_gps
    assert checked >= 5, "the corpus should hold photos with GPS"


def test_mangled_files_are_stripped_or_refused_never_served_dirty() -> None:
    """Bytes flipped, cut or inserted anywhere in a dirty file: strip answers clean bytes or Invalid (422),
    never an exception of another kind and never a secret it was meant to remove."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from .leaks import SECRETS

    sources = {fmt: dirty_file(fmt, size=(48, 32)) for fmt in ("JPEG", "PNG", "WEBP")}

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(fmt=st.sampled_from(sorted(sources)), where=st.floats(0, 1), cut=st.booleans(),
           junk=st.binary(min_size=1, max_size=8))
    def mangle(fmt: str, where: float, cut: bool, junk: bytes) -> None:
        data = sources[fmt]
        at = int(where * (len(data) - 1))
        bad = data[:at] if cut else data[:at] + junk + data[at + len(junk):]
        try:
            clean = strip(bad, CONTENT_TYPES[fmt])
        except Invalid:
            return
        assert not any(s in clean for s in SECRETS), (fmt, at, cut)

    mangle()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_an_allowed_tag_whose_count_runs_over_its_neighbours_keeps_only_its_own_text(fmt: str) -> None:
    """A damaged Make entry whose count says 200 bytes: its value runs on over the owner's name, the serial
    numbers and the maker note stored after it (what hypothesis found in a WebP with one byte changed). Only
    "Canon", the text before the first NUL, is kept."""
    import struct

    from .leaks import SECRETS, dirty_exif

    raw = bytearray(dirty_exif().tobytes())
    tiff = raw.index(b"MM\x00*")  # Pillow writes big-endian; the IFD0 entries follow the 8-byte header
    count = struct.unpack_from(">H", raw, tiff + 8)[0]
    entries = [tiff + 10 + 12 * i for i in range(count)]
    (make,) = [e for e in entries if struct.unpack_from(">H", raw, e)[0] == 0x010F]
    struct.pack_into(">I", raw, make + 4, 200)
    buf = io.BytesIO()
    Image.new("RGB", (48, 32), (90, 120, 30)).save(buf, fmt, exif=bytes(raw), **({"lossless": True} if fmt == "WEBP"
                                                                               else {}))
    with Image.open(io.BytesIO(buf.getvalue())) as dirty:
        assert "OWNER-ALICE-SECRET" in str(dirty.getexif().get(0x010F))  # the damage is there to be stripped

    clean = strip(buf.getvalue(), CONTENT_TYPES[fmt])
    assert not any(s in clean for s in SECRETS)
    with Image.open(io.BytesIO(clean)) as image:
        assert image.getexif().get(0x010F) == "Canon" and image.getexif().get(0x0110) == "EOS 5D"

"""Decoding (one reduced-scale, upright, 8-bit RGB decode) and thumbnails (upright JPEGs without metadata)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cloudalbum.domain.blob_keys import thumbnail_key
from cloudalbum.media.decode import UndecodableImage, decode, draft_size, to_rgb
from cloudalbum.media.thumbnails import SIZES, encode_jpeg, fit, make_thumbnails
from support import gps_exif, make_jpeg

from .helpers import photo_bytes


def jpeg_segments(data: bytes) -> list[bytes]:
    """The APPn marker payloads of a JPEG (EXIF lives in APP1, XMP too, ICC in APP2)."""
    out, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker == 0xDA:  # start of scan: no more metadata segments
            break
        if 0xE0 <= marker <= 0xEF:
            out.append(data[i + 4:i + 2 + length])
        i += 2 + length
    return out


def assert_clean_jpeg(data: bytes) -> Image.Image:
    assert data[:3] == b"\xff\xd8\xff"
    segments = jpeg_segments(data)
    assert not [s for s in segments if s.startswith((b"Exif", b"http://ns.adobe.com/xap", b"ICC_PROFILE"))]
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and im.mode == "RGB" and not im.getexif()
    return im


@pytest.mark.corpus
@pytest.mark.parametrize("rel, upright", [
    ("bad/landscape_6.jpg", (600, 450)), ("bad/portrait_8.jpg", (450, 600)),
    ("objects/Samsung GT-I9000 (Galaxy S).jpg", (480, 640)), ("gps/Apple iPhone 5.jpg", (3264, 2448)),
])
def test_orientation_applied(rel: str, upright: tuple[int, int]) -> None:
    d = decode(photo_bytes(rel))
    assert (d.width, d.height) == upright
    assert d.image.width / d.image.height == pytest.approx(upright[0] / upright[1], rel=0.01)


@pytest.mark.corpus
def test_large_jpeg_decodes_at_reduced_scale() -> None:
    d = decode(photo_bytes("gps/Samsung SM-G935L (Galaxy S7 Edge).jpg"))
    assert (d.width, d.height) == (4032, 3024) and d.image.size == (2016, 1512) and d.scale == 2.0


def test_draft_size_keeps_the_long_side() -> None:
    assert draft_size(4000, 3000, 1280) == (1280, 960)
    assert draft_size(800, 600, 1280) == (800, 600)


@pytest.mark.corpus
@pytest.mark.parametrize("rel", ["bad/pil_sample_cmyk.jpg", "bad/Arbitro.tiff", "bad/heic_hdlr_box.jpg",
                                 "bad/HTC Desire.webp", "bad/ExifTool.jpg", "bad/exif.png",
                                 "bad/hopper_bad_exif.jpg", "bad/truncated_jpeg.jpg", "bad/ultrahdr.jpg"])
def test_awkward_formats_decode_to_rgb(rel: str) -> None:
    d = decode(photo_bytes(rel))
    assert d.image.mode == "RGB" and d.width > 0 and d.height > 0


@pytest.mark.corpus
@pytest.mark.parametrize("rel", ["bad/empty.jpeg", "bad/f012a4321f00f12af6b1eee7580ffb9c.jpg",
                                 "bad/decompression_bomb.gif"])
def test_undecodable_raises_a_readable_error(rel: str) -> None:
    with pytest.raises(UndecodableImage, match="could not decode the image"):
        decode(photo_bytes(rel))


def test_too_many_pixels_is_undecodable() -> None:
    with pytest.raises(UndecodableImage, match="too large"):
        decode(make_jpeg(200, 100), max_pixels=10_000)


def test_modes_become_8bit_rgb() -> None:
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert to_rgb(rgba).getpixel((0, 0)) == (255, 255, 255)  # transparent -> white, not black
    sixteen = Image.fromarray(np.full((4, 4), 65535, dtype=np.uint16))
    assert to_rgb(sixteen).getpixel((0, 0)) == (255, 255, 255)
    half = Image.fromarray(np.full((4, 4), 32768, dtype=np.uint16))
    assert to_rgb(half).getpixel((0, 0))[0] in (127, 128)  # scaled, not clipped to 255
    p = Image.new("P", (4, 4))
    assert to_rgb(p).mode == "RGB"
    cmyk = Image.new("CMYK", (4, 4), (0, 0, 0, 0))
    assert to_rgb(cmyk).getpixel((0, 0)) == (255, 255, 255)
    buf = io.BytesIO()
    Image.fromarray(np.full((8, 8), 40000, dtype=np.uint16)).save(buf, "PNG")  # a real 16-bit PNG
    assert decode(buf.getvalue()).image.getpixel((0, 0))[0] == round(40000 * 255 / 65535)


def test_thumbnails_sizes_never_upscale() -> None:
    big = Image.new("RGB", (4000, 3000))
    thumbs = make_thumbnails(big)
    assert thumbs["large"][0].size == (1280, 960) and thumbs["small"][0].size == (256, 192)
    small = Image.new("RGB", (200, 100))
    thumbs = make_thumbnails(small)
    assert thumbs["large"][0].size == (200, 100) and thumbs["small"][0].size == (200, 100)
    assert fit(Image.new("RGB", (300, 1000)), SIZES["small"]).size == (77, 256)


def test_thumbnails_carry_no_metadata_even_when_the_original_has_gps() -> None:
    data = make_jpeg(800, 600, exif=gps_exif(48.8578, 2.2945, alt=35.0, taken="2020:01:02 03:04:05",
                                             make="Acme", model="X", orientation=6))
    d = decode(data)
    assert d.image.size == (600, 800)  # upright
    for size, (_, jpeg) in make_thumbnails(d.image).items():
        im = assert_clean_jpeg(jpeg)
        assert im.height > im.width, size  # upright portrait, nothing left for a viewer to rotate


def test_encode_drops_carried_info() -> None:
    im = Image.new("RGB", (16, 16))
    im.info["exif"] = gps_exif(1.0, 2.0).tobytes()
    im.info["icc_profile"] = b"\0" * 10
    assert_clean_jpeg(encode_jpeg(im))


@pytest.mark.corpus
@pytest.mark.parametrize("rel", ["bad/landscape_6.jpg", "bad/portrait_8.jpg", "gps/iphone_hdr_NO.jpg"])
def test_corpus_thumbnails_are_upright_and_clean(rel: str) -> None:
    d = decode(photo_bytes(rel))
    for size, (_, jpeg) in make_thumbnails(d.image).items():
        im = assert_clean_jpeg(jpeg)
        assert (im.width > im.height) == (d.width > d.height)
        assert max(im.size) == min(SIZES[size], max(d.width, d.height))


def test_thumbnail_key() -> None:
    assert thumbnail_key("u", "p", "small") == "thumbnails/u/p/small.jpg"


_SEED = make_jpeg(48, 32, exif=gps_exif(45.5, 9.1, orientation=6))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 255)), min_size=1, max_size=8),
       st.integers(16, 5000))
def test_decode_of_mutated_bytes_is_an_image_or_undecodable(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_SEED)
    for pos, value in flips:
        data[pos % len(data)] = value
    try:
        d = decode(bytes(data[:cut]))
    except UndecodableImage as exc:
        assert str(exc).startswith("could not decode the image")
        return
    assert d.image.mode == "RGB" and d.width >= 1 and d.height >= 1

"""Camera RAW: sniffed by bytes, sized as developed, developed from the preview when it is large enough and
by LibRaw's demosaic otherwise, EXIF read from the RAW, processed end to end; the original stays untouched.

The DNGs are generated (tests/rawgen.py): no RAW sample ships in a package this project installs. The other
formats are checked on their sniffing signatures (crafted headers)."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest

from cloudalbum.domain.errors import Invalid
from cloudalbum.media import decode, exif, formats, raw
from rawgen import make_dng


def tiff_with_make(make: str) -> bytes:
    """A little-endian TIFF header whose IFD0 holds only Make (at an offset: longer than 4 bytes)."""
    value = make.encode() + b"\x00"
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0x010F, 2, len(value), 26) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + value + bytes(64)


@pytest.mark.parametrize("head, expected", [
    (b"FUJIFILMCCD-RAW 0201FF383501" + bytes(64), "image/x-fuji-raf"),
    (struct.pack(">I", 24) + b"ftypcrx \x00\x00\x00\x01crx isom" + bytes(64), "image/x-canon-cr3"),
    (b"IIRO\x08\x00\x00\x00" + bytes(64), "image/x-olympus-orf"),
    (b"IIRS\x08\x00\x00\x00" + bytes(64), "image/x-olympus-orf"),
    (b"IIU\x00\x18\x00\x00\x00" + bytes(64), "image/x-panasonic-rw2"),
    (b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(64), "image/x-canon-cr2"),
    (tiff_with_make("NIKON CORPORATION"), "image/x-nikon-nef"),
    (tiff_with_make("SONY"), "image/x-sony-arw"),
    (tiff_with_make("Canon"), None),  # an ordinary TIFF stays a TIFF
    (struct.pack(">I", 24) + b"ftypheic" + bytes(64), None),
    (b"\xff\xd8\xff\xe0" + bytes(64), None),
])
def test_sniffing(head: bytes, expected: str | None) -> None:
    assert raw.sniff_raw(head) == expected


def test_dng_is_sniffed_by_its_dng_version_tag() -> None:
    assert raw.sniff_raw(make_dng()[:raw.SNIFF_RAW_BYTES]) == "image/x-adobe-dng"


def test_inspect_gives_the_developed_size_and_orientation() -> None:
    data = make_dng(300, 200, preview=(60, 40), orientation=6)
    info = formats.inspect(io.BytesIO(data), max_pixels=10**8, max_decode_bytes=384 * 2**20)
    assert (info.content_type, info.format, info.width, info.height, info.orientation) == (
        "image/x-adobe-dng", "DNG", 200, 300, 6)  # upright, developed: never the 60x40 preview


def test_the_preview_is_used_when_large_enough_else_the_raw_is_demosaiced() -> None:
    data = make_dng(320, 240, preview=(200, 150))
    image, info, how = raw.develop(data, min_long_side=160)
    assert how == "preview" and image.size == (200, 150) and (info.width, info.height) == (320, 240)
    image, _, how = raw.develop(data, min_long_side=256)
    assert how == "demosaic" and image.size == (320, 240)
    image, _, how = raw.develop(make_dng(320, 240), min_long_side=64)  # no preview at all
    assert how == "demosaic" and image.size == (160, 120)  # half size still reaches min_long_side
    r, g, b = image.convert("RGB").getpixel((150, 10))
    assert r > b  # the mosaic's red ramp survives white balance and demosaicing


def test_decode_is_upright_and_sized_like_the_developed_image() -> None:
    decoded = decode.decode(make_dng(256, 192, orientation=6), min_long_side=64)
    assert (decoded.width, decoded.height) == (192, 256) and decoded.image.height > decoded.image.width


def test_exif_is_read_from_the_raw() -> None:
    meta = exif.read_metadata(make_dng(taken="2019:03:04 05:06:07", gps=(-33.8568, 151.2153), make="Nikon",
                                       model="Z 6"))
    assert (meta.taken_at, meta.make, meta.model) == ("2019-03-04T05:06:07", "Nikon", "Z 6")
    assert meta.lat == pytest.approx(-33.8568, abs=1e-4) and meta.lon == pytest.approx(151.2153, abs=1e-4)


def test_memory_budget_counts_developing() -> None:
    data = make_dng(512, 384)
    needed = raw.info(data).develop_bytes()
    assert needed >= 512 * 384 * (raw.RAW_BYTES_PER_SITE + raw.WORK_BYTES_PER_PIXEL)
    with pytest.raises(Invalid) as caught:
        formats.inspect(io.BytesIO(data), max_pixels=10**8, max_decode_bytes=needed - 1)
    assert caught.value.code == "too_large_to_decode"
    with pytest.raises(decode.UndecodableImage):
        decode.decode(data, max_decode_bytes=needed - 1)


def test_a_truncated_raw_is_undecodable_at_upload() -> None:
    with pytest.raises(Invalid) as caught:
        formats.inspect(io.BytesIO(make_dng()[:2000]), max_pixels=10**8, max_decode_bytes=384 * 2**20)
    assert caught.value.code == "undecodable_image"


def test_raw_end_to_end(container: Any, owner: Any) -> None:
    from cloudalbum.entrypoints.api import create_app

    data = make_dng(640, 480, preview=(160, 120))  # too small a preview for the 1280 thumbnails: demosaiced
    added = container.photos.add(owner.id, io.BytesIO(data), "DSC_0001.DNG")
    photo = added.photo
    assert (photo.content_type, photo.width, photo.height) == ("image/x-adobe-dng", 640, 480)
    assert container.processing.process(photo.id) in ("done", "needs_input")
    done = container.store.photos.get_photo(photo.id, owner.id)
    assert done.error is None and set(done.thumbnail_keys) == {"small", "large"}
    # Lausanne in August (CEST): the offset of the zone at its GPS position
    assert done.taken_at == "2021-08-09T10:11:12+02:00" and done.camera.model == "Test DNG"
    assert done.location.lat == pytest.approx(46.5197, abs=1e-4) and done.location.place is not None
    assert (done.width, done.height) == (640, 480) and done.processed_version
    assert container.blobs.get(done.original_key) == data  # the original is untouched
    client = create_app(container).test_client()
    token = client.post("/api/auth/login", json={"email": "mover@example.com", "password": "correct horse battery"})
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    r = client.get(f"/api/photos/{photo.id}/original", headers=headers)
    assert r.status_code == 200 and r.get_data() == data and r.mimetype == "image/x-adobe-dng"
    thumb = client.get(f"/api/photos/{photo.id}/thumbnail?size=large", headers=headers)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_a_plain_tiff_with_a_nikon_make_stays_a_tiff() -> None:
    """A scanner's TIFF says Make=NIKON too: LibRaw cannot open it, so it is checked and decoded as a TIFF."""
    from PIL import Image

    buf = io.BytesIO()
    tags = Image.Exif()
    tags[0x010F] = "NIKON CORPORATION"
    Image.new("RGB", (64, 48), (10, 200, 30)).save(buf, "TIFF", exif=tags)
    data = buf.getvalue()
    assert raw.sniff_raw(data[:raw.SNIFF_RAW_BYTES]) == "image/x-nikon-nef" and not raw.is_raw(data)
    info = formats.inspect(io.BytesIO(data), max_pixels=10**8, max_decode_bytes=384 * 2**20)
    assert (info.content_type, info.width, info.height) == ("image/tiff", 64, 48)
    assert decode.decode(data).format == "TIFF" and exif.read_metadata(data).make == "NIKON CORPORATION"


def claim_size(data: bytes, width: int, height: int) -> bytes:
    """The DNG with IFD0 claiming width x height photosites (the data stays small): a RAW memory bomb."""
    out = bytearray(data)
    (offset,) = struct.unpack_from("<I", out, 4)
    (count,) = struct.unpack_from("<H", out, offset)
    for i in range(count):
        at = offset + 2 + 12 * i
        tag, typ = struct.unpack_from("<HH", out, at)
        if tag in (256, 257):
            struct.pack_into("<H" if typ == 3 else "<I", out, at + 8, width if tag == 256 else height)
    return bytes(out)


@pytest.mark.parametrize("width, height, code", [(30000, 30000, "too_many_pixels"),
                                                 (10000, 10000, "too_large_to_decode")])
def test_a_raw_claiming_huge_dimensions_is_refused_before_developing(width: int, height: int, code: str) -> None:
    bomb = claim_size(make_dng(256, 192), width, height)
    assert len(bomb) < 200_000
    with pytest.raises(Invalid) as caught:
        formats.inspect(io.BytesIO(bomb), max_pixels=120_000_000, max_decode_bytes=384 * 2**20)
    assert caught.value.code == code
    with pytest.raises(decode.UndecodableImage):  # the worker refuses it too (a file stored before the budget)
        decode.decode(bomb, max_decode_bytes=384 * 2**20)
